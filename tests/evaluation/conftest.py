"""Fixtures for the evaluation tests: a real Celery worker for the tests marked ``worker``."""

import pytest
from django.db import connection, connections

from config import celery_app
from tests.worker_support import start_worker, stop_worker, wait_until_ready


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A Celery worker subprocess on the test database, consuming its own queue.

    Send tasks with ``apply_async(..., queue=celery_worker_process.queue)``. The test's rows
    are committed (``transactional_db``), so the worker sees them. While the fixture is active
    the Celery app in this process sends tasks to the broker instead of running them eagerly.
    The worker's log is printed at teardown, which pytest shows when the test fails.
    """
    worker = start_worker(
        settings_dict=connection.settings_dict, log_path=tmp_path / "celery-worker.log"
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        wait_until_ready(worker, celery_app)
        yield worker
    finally:
        celery_app.conf.task_always_eager = eager
        stop_worker(worker, celery_app)
        print(f"--- Celery worker log ({worker.log_path}) ---\n{worker.log()}")
        connections.close_all()
