"""Celery application.

With the embedded default (``CELERY_TASK_ALWAYS_EAGER``) tasks run in-process, so ``make run``
needs no Redis; production and the worker tests use Redis as broker and result backend.
"""

import logging
import os

import django
from celery import Celery
from celery.signals import worker_init, worker_ready
from django.core.exceptions import ImproperlyConfigured

from .health import heartbeat_write
from .startup import refuse_serious_security_errors

logger = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("aanbesteding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Scheduled jobs (``celery -A config beat``): CELERY_BEAT_SCHEDULE in the settings.


@app.task(name="config.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> None:
    """Every minute (beat): the worker that runs this is alive, for ``/healthz``."""
    heartbeat_write()


@worker_ready.connect
def _heartbeat_on_start(**kwargs) -> None:
    """A freshly started worker counts as alive before the first beat job reaches it."""
    try:
        heartbeat_write()
    except Exception:  # Redis trouble must not keep the worker from starting
        logger.warning("could not record the worker heartbeat", exc_info=True)


@worker_init.connect
def _refuse_serious_security_errors(**kwargs) -> None:
    """A worker decrypts sealed content too: it does not start with, e.g., the published
    development master key in production (``providers.E001``)."""
    django.setup()
    try:
        refuse_serious_security_errors()
    except ImproperlyConfigured as error:
        # Celery logs and ignores exceptions of signal handlers; SystemExit stops the worker.
        logger.critical("worker refuses to start: %s", error)
        raise SystemExit(1) from error
