"""The letter job on a real Celery worker that is killed (SIGKILL) mid-job: the run shows as
stalled once its heartbeat is older than ``JOB_STALL_SECONDS``, staff resume it, the letters the
killed worker committed stay, the new worker makes only the missing ones, and every bidder ends
with exactly one letter of the phase."""

import copy
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from config import celery_app, queue
from contracts.award_models import AwardLetter, LetterRun, RunStatus
from contracts.award_selectors import letter_targets
from contracts.services.awards import letters_request, letters_resume
from contracts.tasks import generate_letters
from evaluation.services.scenario import scenario_load
from tests.contracts.award_support import finalise_rankings, inkoper
from tests.worker_support import start_worker, stop_worker, wait_until_ready

pytestmark = pytest.mark.worker

TASK_TIMEOUT = 300
KILL_AFTER = 3  # letters committed before the worker is killed


SEGMENTS = ("BW-BESCHERMD", "JH-VSZ", "WMO-DAG")


def some_segments(demo: dict) -> dict:
    """The demo cut down to three of its segments, levels kept: enough award letters for the
    kill (``KILL_AFTER``) at about half the demo's WeasyPrint time in the worker."""
    data = copy.deepcopy(demo)
    for lot in data["tender"]["lots"]:
        lot["segments"] = [s for s in lot["segments"] if s["code"] in SEGMENTS]
    data["tender"]["lots"] = [lot for lot in data["tender"]["lots"] if lot["segments"]]
    for submission in data["submissions"]:
        submission["segments"] = [e for e in submission["segments"] if e["segment"] in SEGMENTS]
    data["submissions"] = [s for s in data["submissions"] if s["segments"]]
    return data


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


def send_to(worker, monkeypatch) -> None:
    """Tasks queued by the services (``config.queue``) go to ``worker``'s own queue."""

    def send(task_name: str, *args) -> bool:
        queue.registered_task(task_name).apply_async(args, queue=worker.queue)
        return True

    monkeypatch.setattr(queue, "send", send)


def test_a_worker_killed_mid_job_shows_stalled_and_the_resumed_run_makes_each_letter_once(
    worker_factory, achterhoek_data, monkeypatch
):
    tender = scenario_load(data=some_segments(achterhoek_data))
    finalise_rankings(tender)
    total = len(letter_targets(tender=tender, phase="award"))
    letters = AwardLetter.objects.filter(tender=tender, phase="award")

    first = worker_factory("first")
    send_to(first, monkeypatch)
    run = letters_request(tender=tender, phase="award", user=inkoper())  # queued at commit
    assert run.total == total > KILL_AFTER + 1
    wait_for(lambda: letters.count() >= KILL_AFTER, 120, "the first letters")
    first.process.kill()  # SIGKILL: no warm shutdown, the task message is never acked
    first.process.wait(timeout=10)
    committed = set(letters.values_list("pk", "sha256"))
    assert KILL_AFTER <= len(committed) < total
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and not run.is_stalled  # just now: still alive

    # JOB_STALL_SECONDS pass without a heartbeat (Redis would redeliver the unacknowledged
    # message only after its visibility timeout): the run is stalled, staff resume it.
    LetterRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.JOB_STALL_SECONDS + 1)
    )
    run.refresh_from_db()
    assert run.is_stalled
    second = worker_factory("second")
    send_to(second, monkeypatch)
    letters_resume(run=run, user=inkoper())  # queued at commit
    # And the same message once more, as a late redelivery would bring it (the solo worker
    # runs it after the resumed one, before the letters that one queued): it queues the
    # missing letters a second time, and their tasks skip the letters made meanwhile.
    duplicate = generate_letters.apply_async((run.pk,), queue=second.queue)
    assert duplicate.get(timeout=TASK_TIMEOUT)["run"] == run.pk
    wait_for(
        lambda: LetterRun.objects.get(pk=run.pk).status == RunStatus.DONE,
        TASK_TIMEOUT,
        "the resumed run to finish",
    )
    run.refresh_from_db()
    assert (run.done, run.total) == (total, total)

    expected = sorted(o.pk for o in letter_targets(tender=tender, phase="award"))
    assert sorted(letters.values_list("bidder_id", flat=True)) == expected
    assert set(letters.values_list("version", flat=True)) == {1}
    # What the killed worker committed was kept, not made again.
    assert committed <= set(letters.values_list("pk", "sha256"))
