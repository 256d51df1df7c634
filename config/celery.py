"""Celery application.

With the embedded default (``CELERY_TASK_ALWAYS_EAGER``) tasks run in-process, so ``make run``
needs no Redis; production and the worker tests use Redis as broker and result backend.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("aanbesteding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Scheduled jobs (``celery -A config beat``): CELERY_BEAT_SCHEDULE in the settings.
