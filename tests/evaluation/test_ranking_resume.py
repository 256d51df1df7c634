"""Faults around the ranking job: a ranking whose worker died shows as stalled and is resumed
from the screen (stored once); a live one keeps polling and cannot be resumed."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from evaluation.constants import RankingStatus
from evaluation.models import Ranking, RankingRow

pytestmark = pytest.mark.django_db


def resume_url(ranking):
    return reverse("ranking-resume", args=["inkoop-2022", ranking.phase, ranking.pk])


def progress_url(ranking):
    return reverse("ranking-progress", args=["inkoop-2022", ranking.phase, ranking.pk])


def in_the_past(ranking, *, seconds: int) -> None:
    """Time passes without a sign of life of the ranking's worker."""
    moment = timezone.now() - timedelta(seconds=seconds)
    Ranking.objects.filter(pk=ranking.pk).update(heartbeat_at=moment, created_at=moment)


def test_a_stalled_ranking_shows_a_resume_button_and_resuming_stores_it_once(
    demo_tender, client_for, django_capture_on_commit_callbacks
):
    chair = client_for("voorzitter")
    ranking = Ranking.objects.create(
        tender=demo_tender, phase="selection", status=RankingStatus.RUNNING, progress=10
    )
    in_the_past(ranking, seconds=settings.JOB_STALL_SECONDS + 1)

    progress = chair.get(progress_url(ranking)).content.decode()
    assert "De berekening staat stil" in progress and "hx-get" not in progress
    assert resume_url(ranking) in progress
    with django_capture_on_commit_callbacks(execute=True):
        response = chair.post(resume_url(ranking), follow=True)
    assert "De berekening is hervat." in response.content.decode()
    ranking.refresh_from_db()
    assert ranking.status == RankingStatus.DONE
    rows = RankingRow.objects.filter(ranking=ranking).count()
    assert rows > 0

    with django_capture_on_commit_callbacks(execute=True):
        response = chair.post(resume_url(ranking), follow=True)
    assert "hervatten is niet nodig" in response.content.decode()
    assert RankingRow.objects.filter(ranking=ranking).count() == rows


def test_a_live_ranking_keeps_polling_and_an_evaluator_cannot_resume(
    demo_tender, client_for, make_user
):
    ranking = Ranking.objects.create(
        tender=demo_tender, phase="selection", status=RankingStatus.RUNNING, progress=10
    )
    Ranking.objects.filter(pk=ranking.pk).update(heartbeat_at=timezone.now())
    chair = client_for("voorzitter")
    progress = chair.get(progress_url(ranking)).content.decode()
    assert "hx-get" in progress and "Hervatten" not in progress
    refused = chair.post(resume_url(ranking), follow=True).content.decode()
    assert "Deze berekening loopt nog of is al afgerond" in refused

    in_the_past(ranking, seconds=settings.JOB_STALL_SECONDS + 1)
    evaluator = client_for("beoordelaar", "ev-resume")
    assert evaluator.post(resume_url(ranking)).status_code == 404
    assert Ranking.objects.get(pk=ranking.pk).status == RankingStatus.RUNNING
