"""Queue a Celery task from a service, by its registered name, once the transaction commits.

Services call ``enqueue`` instead of importing their app's ``tasks`` module: the tasks are thin
wrappers that import the services, so importing back would make a cycle. The task is looked up
in the Celery app's registry (autodiscovered from every installed app), so ``delay`` keeps its
behaviour: in-process with ``CELERY_TASK_ALWAYS_EAGER``, through the broker otherwise.
"""

from django.db import transaction

from .celery import app


def enqueue(task_name: str, *args) -> None:
    """Send ``task_name`` with ``args`` after the current transaction commits (at once outside
    a transaction), so the worker sees the rows the service just wrote."""

    def send() -> None:
        app.loader.import_default_modules()  # registers the tasks of every installed app
        app.tasks[task_name].delay(*args)

    transaction.on_commit(send)
