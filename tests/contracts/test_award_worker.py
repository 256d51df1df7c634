"""The letter job on a real Celery worker that is killed (SIGKILL) mid-job: the letters it
committed stay, the restarted worker makes only the missing ones, and every bidder ends with
exactly one letter of the phase."""

import time

import pytest
from celery.result import EagerResult
from django.db import connection, connections

from config import celery_app
from contracts.award_models import AwardLetter, LetterRun, RunStatus
from contracts.award_selectors import letter_targets
from contracts.services.awards import letters_request
from contracts.tasks import generate_letters
from evaluation.services.scenario import scenario_load
from tests.contracts.award_support import finalise_rankings, inkoper
from tests.worker_support import start_worker, stop_worker, wait_until_ready

pytestmark = pytest.mark.worker

TASK_TIMEOUT = 300
KILL_AFTER = 3  # letters committed before the worker is killed


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"Timed out waiting for {what}")


@pytest.fixture
def worker_factory(transactional_db, tmp_path):
    started = []
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False

    def start(name: str):
        worker = start_worker(
            settings_dict=connection.settings_dict, log_path=tmp_path / f"{name}.log"
        )
        started.append(worker)
        wait_until_ready(worker, celery_app)
        return worker

    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = eager
        for worker in started:
            stop_worker(worker, celery_app)
            print(f"--- Celery worker log ({worker.log_path}) ---\n{worker.log()}")
        connections.close_all()


def test_a_worker_killed_mid_job_and_restarted_makes_each_letter_once(
    worker_factory, achterhoek_data, monkeypatch
):
    tender = scenario_load(data=achterhoek_data)
    finalise_rankings(tender)
    # The request's own queueing goes to the default queue; this test sends to its worker.
    monkeypatch.setattr(generate_letters, "delay", lambda *args, **kwargs: None)
    run = letters_request(tender=tender, phase="award", user=inkoper())
    total = len(letter_targets(tender=tender, phase="award"))
    assert run.total == total > KILL_AFTER + 1
    letters = AwardLetter.objects.filter(tender=tender, phase="award")

    first = worker_factory("first")
    sent = generate_letters.apply_async((run.pk,), queue=first.queue)
    assert not isinstance(sent, EagerResult)
    wait_for(lambda: letters.count() >= KILL_AFTER, 120, "the first letters")
    first.process.kill()  # SIGKILL: no warm shutdown, the task message is never acked
    first.process.wait(timeout=10)
    committed = set(letters.values_list("pk", "sha256"))
    assert KILL_AFTER <= len(committed) < total
    assert LetterRun.objects.get(pk=run.pk).status == RunStatus.RUNNING

    # The restarted worker gets the task again (Redis redelivers an unacknowledged message
    # after its visibility timeout; here it is sent at once, twice, as a double delivery).
    second = worker_factory("second")
    again = [generate_letters.apply_async((run.pk,), queue=second.queue) for _ in range(2)]
    outcomes = [result.get(timeout=TASK_TIMEOUT) for result in again]
    assert outcomes[-1] == {"run": run.pk, "status": "done", "done": total, "total": total}

    expected = sorted(o.pk for o in letter_targets(tender=tender, phase="award"))
    assert sorted(letters.values_list("bidder_id", flat=True)) == expected
    assert set(letters.values_list("version", flat=True)) == {1}
    # What the killed worker committed was kept, not made again.
    assert committed <= set(letters.values_list("pk", "sha256"))
