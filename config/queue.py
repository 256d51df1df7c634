"""Queue a Celery task from a service, by its registered name, once the transaction commits.

Services call ``enqueue`` instead of importing their app's ``tasks`` module: the tasks are thin
wrappers that import the services, so importing back would make a cycle. The task is looked up
in the Celery app's registry (the ``tasks`` modules of the installed apps, autodiscovered on
first use), so ``delay`` keeps its behaviour: in-process with ``CELERY_TASK_ALWAYS_EAGER``,
through the broker otherwise.
"""

from celery import Task
from django.db import transaction

from .celery import app


def registered_task(task_name: str) -> Task:
    """The task registered as ``task_name``; a web process imports the apps' ``tasks`` modules
    the first time one is asked for (a worker has them already)."""
    if task_name not in app.tasks:
        app.autodiscover_tasks(force=True)
    return app.tasks[task_name]


def enqueue(task_name: str, *args) -> None:
    """Send ``task_name`` with ``args`` after the current transaction commits (at once outside
    a transaction), so the worker sees the rows the service just wrote."""
    transaction.on_commit(lambda: registered_task(task_name).delay(*args))
