"""A letter run whose worker died mid-job (heartbeat older than ``JOB_STALL_SECONDS``) shows
as stalled with a "Hervatten" button instead of a button blocked for ever; resuming it makes
the missing letters only."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from contracts.award_models import AwardLetter, LetterRun, RunStatus
from contracts.award_selectors import letter_targets
from contracts.services.awards import letter_ensure, letter_make, letters_request, letters_start
from tests.contracts.award_support import inkoper

pytestmark = pytest.mark.django_db

MADE_BEFORE_THE_CRASH = 5


def url(tender, name="award-decision", **kwargs):
    return reverse(name, kwargs={"slug": tender.slug, **kwargs})


def crashed_run(tender, capture, *, seconds_ago: int) -> LetterRun:
    """The award letters requested; a worker made the first letters and then died: the run is
    still "running" with its last heartbeat ``seconds_ago`` seconds ago."""
    with capture(execute=False):  # the queued task never reaches a worker
        run = letters_request(tender=tender, phase="award", user=inkoper())
    for bidder in letter_targets(tender=tender, phase="award")[:MADE_BEFORE_THE_CRASH]:
        letter_ensure(tender=tender, phase="award", bidder=bidder)
    LetterRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        done=MADE_BEFORE_THE_CRASH,
        heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago),
    )
    return run


def test_a_run_whose_worker_died_shows_stalled_and_resuming_makes_each_letter_once(
    award_tender, fast_pdf, client_for, django_capture_on_commit_callbacks
):
    tender = award_tender
    run = crashed_run(
        tender, django_capture_on_commit_callbacks, seconds_ago=settings.JOB_STALL_SECONDS + 1
    )
    before = set(AwardLetter.objects.filter(tender=tender).values_list("pk", "sha256"))
    client = client_for("inkoper")

    page = client.get(url(tender)).content.decode()
    assert "Het maken van de brieven staat stil (5 van 20)" in page
    assert url(tender, "award-letters-resume", pk=run.pk) in page
    assert "Brieven bijwerken (20)</button>" in page
    assert "disabled>Brieven bijwerken" not in page  # the button is not blocked
    progress = client.get(url(tender, "award-progress", pk=run.pk)).content.decode()
    assert "Hervatten" in progress and "hx-get" not in progress  # no polling for ever

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(tender, "award-letters-resume", pk=run.pk), follow=True)
    assert "Het maken van de brieven is hervat." in response.content.decode()
    run.refresh_from_db()
    assert (run.status, run.done, run.total) == (RunStatus.DONE, 20, 20)
    letters = AwardLetter.objects.filter(tender=tender, phase="award")
    expected = sorted(b.pk for b in letter_targets(tender=tender, phase="award"))
    assert sorted(letters.values_list("bidder_id", flat=True)) == expected
    assert set(letters.values_list("version", flat=True)) == {1}
    assert before <= set(letters.values_list("pk", "sha256"))  # kept, not made again

    # Resuming a finished run is refused; nothing changes.
    response = client.post(url(tender, "award-letters-resume", pk=run.pk), follow=True)
    assert "hervatten is niet nodig" in response.content.decode()
    assert letters.count() == 20


def test_a_run_that_is_alive_keeps_polling_and_cannot_be_resumed(
    award_tender, fast_pdf, client_for, django_capture_on_commit_callbacks
):
    tender = award_tender
    run = crashed_run(tender, django_capture_on_commit_callbacks, seconds_ago=1)
    client = client_for("inkoper")

    progress = client.get(url(tender, "award-progress", pk=run.pk)).content.decode()
    assert "De brieven worden gemaakt: 5 van 20" in progress and "hx-get" in progress
    assert "Hervatten" not in progress
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(tender, "award-letters-resume", pk=run.pk), follow=True)
    assert "Deze taak loopt nog of is al afgerond" in response.content.decode()
    assert LetterRun.objects.get(pk=run.pk).status == RunStatus.RUNNING


def test_only_award_managers_may_resume_a_run(
    award_tender, fast_pdf, client_for, django_capture_on_commit_callbacks
):
    tender = award_tender
    run = crashed_run(
        tender, django_capture_on_commit_callbacks, seconds_ago=settings.JOB_STALL_SECONDS + 1
    )
    client = client_for("auditor")
    page = client.get(url(tender)).content.decode()
    assert "staat stil" in page  # they see it, without the button
    assert url(tender, "award-letters-resume", pk=run.pk) not in page
    response = client.post(url(tender, "award-letters-resume", pk=run.pk))
    assert response.status_code == 404
    assert LetterRun.objects.get(pk=run.pk).heartbeat_at < timezone.now() - timedelta(
        seconds=settings.JOB_STALL_SECONDS
    )


def test_a_double_click_attaches_to_the_running_job_instead_of_starting_a_second(
    award_tender, fast_pdf, client_for, django_capture_on_commit_callbacks
):
    tender = award_tender
    run = crashed_run(tender, django_capture_on_commit_callbacks, seconds_ago=1)  # alive
    client = client_for("inkoper")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(url(tender, "award-letters-generate", phase="award"), follow=True)
    page = response.content.decode()
    assert "De brieven worden al gemaakt (5 van 20)" in page
    assert "Er is geen tweede taak gestart." in page
    assert queued == []  # nothing queued
    assert list(LetterRun.objects.filter(tender=tender, phase="award")) == [run]
    assert url(tender, "award-progress", pk=run.pk) in page  # the page follows that run

    # Once that run has stalled, the button starts a fresh run (or staff resume the old one).
    LetterRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.JOB_STALL_SECONDS + 1)
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(url(tender, "award-letters-generate", phase="award"))
    assert len(queued) == 1
    assert LetterRun.objects.filter(tender=tender, phase="award").count() == 2


def test_each_letter_task_makes_its_own_letter_and_the_last_one_marks_the_run_done(
    award_tender, fast_pdf, django_capture_on_commit_callbacks
):
    """One task per letter (``letter_make``): a resumed run queues only the missing letters,
    progress is counted from the letters that exist, a duplicated task makes nothing twice,
    and the task that finds no letter missing marks the run done."""
    tender = award_tender
    run = crashed_run(
        tender, django_capture_on_commit_callbacks, seconds_ago=settings.JOB_STALL_SECONDS + 1
    )
    made = set(AwardLetter.objects.filter(tender=tender).values_list("bidder_id", flat=True))
    run, missing = letters_start(run_id=run.pk)
    targets = [b.pk for b in letter_targets(tender=tender, phase="award")]
    assert missing == [pk for pk in targets if pk not in made] and len(missing) == 15
    assert (run.status, run.done) == (RunStatus.RUNNING, MADE_BEFORE_THE_CRASH)

    for bidder_id in [*missing[:-1], missing[0]]:  # the first one delivered twice
        run = letter_make(run_id=run.pk, bidder_id=bidder_id)
    assert (run.status, run.done) == (RunStatus.RUNNING, 19)
    assert not run.is_stalled  # each letter is a heartbeat
    run = letter_make(run_id=run.pk, bidder_id=missing[-1])
    assert (run.status, run.done, run.total) == (RunStatus.DONE, 20, 20)
    letters = AwardLetter.objects.filter(tender=tender, phase="award")
    assert sorted(letters.values_list("bidder_id", flat=True)) == sorted(targets)
    assert letters_start(run_id=run.pk) == (run, [])  # a late redelivery queues nothing
