"""Bringing a tender to the award state with final rankings of both phases, as the chair
would: compute, finalise selection, compute and finalise the award ranking."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import INKOPER, VOORZITTER
from contracts.models import AwardDecision, SegmentStandstill
from contracts.services.awards import letters_request
from evaluation.models import Ranking
from evaluation.services.ranking import ranking_execute, ranking_finalise, ranking_request
from tender.constants import TenderState
from tender.models import Tender


def user_with(username: str, role: str):
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def finalise_rankings(tender: Tender, *, seed: int = 0) -> None:
    chair = user_with("chair", VOORZITTER)
    for phase in ("selection", "award"):
        ranking = Ranking.objects.create(tender=tender, phase=phase, seed=seed)
        ranking_execute(ranking_id=ranking.pk)
        ranking_finalise(ranking=ranking, user=chair)
    Tender.objects.filter(pk=tender.pk).update(state=TenderState.AWARD)
    tender.refresh_from_db()


def request_and_finalise_rankings(tender: Tender, *, chair, capture, seed: int = 0) -> None:
    """Both rankings requested (computed by the queued task at commit, run by ``capture``, a
    ``captureOnCommitCallbacks``) and finalised by ``chair``; the tender's state is kept."""
    for phase in ("selection", "award"):
        with capture(execute=True):
            ranking = ranking_request(tender=tender, phase=phase, seed=seed)
        ranking.refresh_from_db()
        ranking_finalise(ranking=ranking, user=chair)


def award_decided(tender: Tender) -> None:
    """The award decision sent three weeks ago and every segment's standstill ended an hour ago
    without objection; the tender 'awarded'. The times are those of now."""
    now = timezone.now()
    decision = AwardDecision.objects.create(
        tender=tender,
        phase="award",
        decision_date=now.date() - timedelta(days=21),
        standstill_ends_at=now - timedelta(hours=1),
        sent_at=now - timedelta(days=21),
    )
    for segment in tender.segments.all():
        SegmentStandstill.objects.create(
            segment=segment, decision=decision, ends_at=decision.standstill_ends_at, final_at=now
        )
    Tender.objects.filter(pk=tender.pk).update(state="awarded")
    tender.refresh_from_db()


def make_letters(tender: Tender, phase: str, capture) -> None:
    """Request the letters of ``phase``; the queued (eager) task runs at commit."""
    with capture(execute=True):
        letters_request(tender=tender, phase=phase, user=user_with("inkoper", INKOPER))


def inkoper():
    return user_with("inkoper", INKOPER)
