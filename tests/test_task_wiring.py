"""Services queue tasks through ``config.queue.enqueue`` by name; no service imports a task
module (the task modules import the services), so there is no import cycle to dodge."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from config import celery_app
from config.queue import enqueue, registered_task

ROOT = Path(__file__).resolve().parent.parent


def test_no_service_imports_a_task_module():
    offenders = []
    for path in sorted(ROOT.glob("*/services/**/*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            else:
                continue
            if any(m.split(".")[-1] == "tasks" for m in modules):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


@pytest.mark.django_db
def test_enqueue_sends_the_registered_task_once_the_transaction_commits(
    django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    task = registered_task("evaluation.tasks.rank_tender")
    monkeypatch.setattr(task, "apply_async", lambda args, **options: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        enqueue("evaluation.tasks.rank_tender", 7)
        assert sent == []
    assert sent == [(7,)]


def test_a_task_whose_worker_died_is_redelivered_but_never_while_it_still_runs():
    """Late acknowledgement and rejection on a lost worker bring the message back; Redis's
    visibility timeout (when it comes back) is longer than the longest task may run, so a
    task still at work is not delivered a second time."""
    conf = celery_app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    registered_task("contracts.tasks.generate_letters")  # the apps' tasks are registered
    limits = [
        task.time_limit or conf.task_time_limit
        for name, task in celery_app.tasks.items()
        if not name.startswith("celery.")
    ]
    longest = max(limit for limit in limits if limit)
    assert longest == settings.CELERY_LONGEST_TASK_SECONDS
    assert conf.broker_transport_options["visibility_timeout"] > longest
