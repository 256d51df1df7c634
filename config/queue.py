"""Queue a Celery task from a service, by its registered name, once the transaction commits;
and tell a background job whose worker died from one that is still at work.

Services call ``enqueue`` instead of importing their app's ``tasks`` module: the tasks are thin
wrappers that import the services, so importing back would make a cycle. The task is looked up
in the Celery app's registry (the ``tasks`` modules of the installed apps, autodiscovered on
first use), so sending keeps its behaviour: in-process with ``CELERY_TASK_ALWAYS_EAGER``,
through the broker otherwise.

The jobs that go through here (a ranking, a letter run) are rows in the database with a status
first and a message on the broker second. When the broker cannot be reached the message is not
sent, the row stays pending, the failure is logged and the page that started the job says that
background work is delayed (``QueueNoticeMiddleware``); the job can be resumed from its screen
once it counts as stalled (``config.jobs.job_stalled``).
"""

import logging
from contextvars import ContextVar

from celery import Task
from django.contrib import messages
from django.db import transaction
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from .celery import app

logger = logging.getLogger(__name__)

# Set when a task could not be sent during the current request (QueueNoticeMiddleware).
_delayed: ContextVar[bool] = ContextVar("queue_delayed", default=False)


def registered_task(task_name: str) -> Task:
    """The task registered as ``task_name``; a web process imports the apps' ``tasks`` modules
    the first time one is asked for (a worker has them already)."""
    if task_name not in app.tasks:
        app.autodiscover_tasks(force=True)
    return app.tasks[task_name]


def enqueue(task_name: str, *args) -> None:
    """Send ``task_name`` with ``args`` after the current transaction commits (at once outside
    a transaction), so the worker sees the rows the service just wrote."""
    transaction.on_commit(lambda: send(task_name, *args))


def send(task_name: str, *args) -> bool:
    """Send the task now; False when the broker cannot be reached (logged, and noted for the
    page). The job's row keeps its pending status, so nothing is lost: it shows as stalled
    after ``JOB_STALL_SECONDS`` and can be resumed. The web never reads a task's result (the
    progress is in the database), so no result subscription is made: with Redis down, that
    subscription would retry for ~20 s before failing."""
    try:
        registered_task(task_name).apply_async(args, ignore_result=True)
    except BrokerError:
        logger.exception("Could not queue %s%r: the broker cannot be reached", task_name, args)
        _delayed.set(True)
        return False
    return True


class QueueNoticeMiddleware:
    """Tells the user of the page that started background work when it could not be queued:
    "Achtergrondwerk is vertraagd". Placed after ``MessageMiddleware`` (whose storage the
    message goes to, on the way out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _delayed.set(False)
        try:
            response = self.get_response(request)
            # Pages only: an API client reads the job's status (pending) from its answer.
            if _delayed.get() and not request.path.startswith("/api/"):
                messages.warning(
                    request,
                    _(
                        "Achtergrondwerk is vertraagd: de taak staat klaar, maar de "
                        "verwerking kan nu niet worden gestart. Ze kan worden hervat zodra "
                        "de verwerking weer beschikbaar is."
                    ),
                )
            return response
        finally:
            _delayed.reset(token)
