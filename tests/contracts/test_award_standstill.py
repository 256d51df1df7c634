"""Standstill: its end date, the start with the letters, objections and the final award."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import VOORZITTER
from audit.models import AuditEntry
from audit.services import audit_verify
from contracts.award_models import AwardDecision, AwardLetter, SegmentStandstill
from contracts.award_selectors import award_final_segments
from contracts.services.awards import (
    award_finalise,
    decision_send,
    letter_new_version,
    letter_send,
    objection_register,
    objection_resolve,
    standstill_end,
)
from contracts.tasks import finalise_due_awards
from evaluation.models import Ranking, RankingRow
from evaluation.scoring_selectors import scoring_refusal
from evaluation.selectors import final_ranking
from evaluation.services.ranking import ranking_execute, ranking_finalise
from providers.models import Organisation
from tender.errors import ApplicationError
from tests.contracts.award_support import inkoper, make_letters, user_with

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("decided", "days", "end_local", "end_utc"),
    [
        # across a month end (January has 31 days) and a year end
        (date(2026, 1, 20), 20, datetime(2026, 2, 9, 23, 59, 59), datetime(2026, 2, 9, 22, 59, 59)),
        (
            date(2025, 12, 15),
            20,
            datetime(2026, 1, 4, 23, 59, 59),
            datetime(2026, 1, 4, 22, 59, 59),
        ),
        # February in a leap year
        (date(2028, 2, 15), 20, datetime(2028, 3, 6, 23, 59, 59), datetime(2028, 3, 6, 22, 59, 59)),
        # into summer time (29 March 2026): the end is still 23:59:59 local, now UTC+2
        (date(2026, 3, 20), 20, datetime(2026, 4, 9, 23, 59, 59), datetime(2026, 4, 9, 21, 59, 59)),
        # out of summer time (25 October 2026)
        (
            date(2026, 10, 10),
            20,
            datetime(2026, 10, 30, 23, 59, 59),
            datetime(2026, 10, 30, 22, 59, 59),
        ),
        # a tender with its own number of days
        (
            date(2026, 3, 28),
            1,
            datetime(2026, 3, 29, 23, 59, 59),
            datetime(2026, 3, 29, 21, 59, 59),
        ),
    ],
)
def test_standstill_ends_at_the_end_of_the_local_day_n_calendar_days_later(
    decided, days, end_local, end_utc
):
    end = standstill_end(decided, days)
    assert end.replace(tzinfo=None) == end_local and end.tzinfo == AMS
    assert end.astimezone(UTC).replace(tzinfo=None) == end_utc


def send_both(tender, capture):
    for phase in ("selection", "award"):
        make_letters(tender, phase, capture)
        with capture(execute=True):
            decision_send(tender=tender, phase=phase, user=inkoper())


def test_standstill_starts_only_with_every_letter_made_today(
    award_tender, fast_pdf, django_capture_on_commit_callbacks
):
    tender = award_tender
    make_letters(tender, "award", django_capture_on_commit_callbacks)
    with pytest.raises(ApplicationError, match="selectiefase"):
        decision_send(tender=tender, phase="award", user=inkoper())
    make_letters(tender, "selection", django_capture_on_commit_callbacks)
    decision_send(tender=tender, phase="selection", user=inkoper())
    AwardDecision.objects.filter(phase="award").update(decision_date=date(2020, 1, 1))
    with pytest.raises(ApplicationError, match="maak ze opnieuw"):
        decision_send(tender=tender, phase="award", user=inkoper())
    # Made again: the unsent letters carry today's date, still one per bidder.
    make_letters(tender, "award", django_capture_on_commit_callbacks)
    decision = decision_send(tender=tender, phase="award", user=inkoper())
    tender.refresh_from_db()
    assert tender.state == "standstill"
    assert not AwardLetter.objects.filter(tender=tender, sent_at__isnull=True).exists()
    assert AwardLetter.objects.filter(tender=tender, phase="award", version__gt=1).count() == 0
    periods = SegmentStandstill.objects.filter(segment__tender=tender)
    assert periods.count() > 0
    assert {p.ends_at for p in periods} == {decision.standstill_ends_at}


def test_an_objection_blocks_the_final_award_of_its_segment_until_resolved(
    award_tender, fast_pdf, django_capture_on_commit_callbacks, mailoutbox
):
    tender = award_tender
    send_both(tender, django_capture_on_commit_callbacks)
    periods = list(
        SegmentStandstill.objects.filter(segment__tender=tender).select_related("segment")
    )
    ends = periods[0].ends_at
    blocked = periods[0].segment
    bidder = AwardLetter.objects.filter(tender=tender, phase="award").first().bidder
    objection = objection_register(
        segment=blocked, bidder=bidder, kind="kort_geding", note="Onjuiste score", user=inkoper()
    )

    # During the standstill nothing becomes final.
    result = award_finalise(tender=tender, user=inkoper(), now=ends - timedelta(seconds=1))
    assert result.finalised == [] and len(result.refused) == len(periods)
    assert "loopt tot" in result.refused[0][1]

    # After it, every segment but the one under objection; the tender is not awarded yet.
    after = ends + timedelta(seconds=1)
    result = award_finalise(tender=tender, user=inkoper(), now=after)
    assert result.refused == [(blocked.code, "er loopt een bezwaar of kort geding")]
    assert blocked.code not in result.finalised and len(result.finalised) == len(periods) - 1
    assert not result.tender_awarded
    tender.refresh_from_db()
    assert tender.state == "standstill"
    assert blocked not in award_final_segments(tender=tender)

    # Resolved: the scheduled job finalises the rest and the tender is awarded.
    objection_resolve(
        objection=objection, result="withdrawn", outcome="Kort geding ingetrokken", user=inkoper()
    )
    with time_machine.travel(after + timedelta(hours=1)):
        outcome = finalise_due_awards.delay().get()
    assert outcome == {tender.slug: {"finalised": [blocked.code], "refused": []}}
    tender.refresh_from_db()
    assert tender.state == "awarded"
    assert len(award_final_segments(tender=tender)) == len(periods)
    final = SegmentStandstill.objects.get(segment=blocked)
    assert final.final_by is None  # the scheduled job
    assert audit_verify() is None


def test_objections_only_during_the_standstill(
    award_tender, fast_pdf, django_capture_on_commit_callbacks
):
    tender = award_tender
    segment = tender.segments.first()
    with pytest.raises(ApplicationError, match="opschortende termijn"):
        objection_register(
            segment=segment, bidder=Organisation.objects.first(), kind="bezwaar", user=inkoper()
        )


def test_the_demo_can_end_the_standstill_now(
    award_tender, fast_pdf, django_capture_on_commit_callbacks, settings
):
    from io import StringIO

    from django.core.management import CommandError, call_command
    from django.utils import timezone

    from audit.models import AuditEntry
    from tests.contracts.award_support import user_with

    settings.DEBUG = True
    user_with("voorzitter", "voorzitter")
    with pytest.raises(CommandError, match="niet in de opschortende termijn"):
        call_command("demo_award", award_tender.slug, "--end-standstill", stdout=StringIO())
    send_both(award_tender, django_capture_on_commit_callbacks)
    result = award_finalise(tender=award_tender, user=inkoper())
    assert result.finalised == []  # 20 days to go

    call_command("demo_award", award_tender.slug, "--end-standstill", stdout=StringIO())

    assert AuditEntry.objects.filter(action="tender.demo_end_standstill").count() == 1
    result = award_finalise(tender=award_tender, user=inkoper(), now=timezone.now())
    assert result.tender_awarded


def test_an_upheld_objection_reopens_the_ranking_and_holds_its_segment_until_corrected(
    award_tender, fast_pdf, django_capture_on_commit_callbacks, mailoutbox, client_for
):
    """Rejected: the segment goes on. Upheld (the chair): the award ranking is reopened, the
    scores can be corrected in the standstill, and the segment waits for the corrected letter,
    whose own standstill (at least 20 days) then holds its final award. Other segments go on."""
    tender = award_tender
    send_both(tender, django_capture_on_commit_callbacks)
    periods = list(
        SegmentStandstill.objects.filter(segment__tender=tender).select_related("segment")
    )
    ends = periods[0].ends_at
    held, other = periods[0].segment, periods[1].segment
    ranking = final_ranking(tender=tender, phase="award")
    objector = Organisation.objects.get(
        kvk=RankingRow.objects.filter(ranking=ranking, segment=held).last().bidder_kvk
    )
    upheld = objection_register(
        segment=held, bidder=objector, kind="bezwaar", note="Score K1 onjuist", user=inkoper()
    )
    assert upheld.decision == AwardDecision.objects.get(tender=tender, phase="award")
    rejected = objection_register(
        segment=other, bidder=objector, kind="bezwaar", note="Ook hier", user=inkoper()
    )
    objection_resolve(
        objection=rejected, result="rejected", outcome="Score is juist", user=inkoper()
    )
    with pytest.raises(ApplicationError, match="Kies de uitkomst"):
        objection_resolve(objection=upheld, result="", outcome="x", user=inkoper())
    with pytest.raises(ApplicationError, match="Alleen de voorzitter"):
        objection_resolve(objection=upheld, result="upheld", outcome="x", user=inkoper())
    assert final_ranking(tender=tender, phase="award") == ranking  # nothing changed

    chair = user_with("chair", VOORZITTER)
    objection_resolve(objection=upheld, result="upheld", outcome="K1 verkeerd gelezen", user=chair)
    upheld.refresh_from_db()
    assert (upheld.result, upheld.blocks) == ("upheld", True)
    assert final_ranking(tender=tender, phase="award") is None  # reopened, kept readable
    assert AuditEntry.objects.filter(action="ranking.reopen", object_id=str(ranking.pk)).exists()
    tender.refresh_from_db()
    assert scoring_refusal(tender=tender, phase="award") is None  # scores can be corrected
    page = client_for("inkoper").get(reverse("award-decision", args=[tender.slug]))
    text = page.content.decode()
    assert "Gegrond. K1 verkeerd gelezen" in text and "Ongegrond. Score is juist" in text
    assert "De ranking is heropend: corrigeer de beoordeling" in text
    letter = AwardLetter.objects.get(tender=tender, phase="award", bidder=objector)
    with pytest.raises(ApplicationError, match="heropend"):
        letter_new_version(letter=letter, user=chair)

    # The standstill is over: every segment but the held one becomes final.
    result = award_finalise(tender=tender, user=inkoper(), now=ends + timedelta(seconds=1))
    assert result.refused == [
        (
            held.code,
            "een bezwaar is gegrond verklaard; de gecorrigeerde brieven zijn nog niet verzonden",
        )
    ]
    assert other.code in result.finalised and not result.tender_awarded

    # The next day at noon (not at 23:59:59 with the clock running: a slow machine would cross
    # midnight): ranked and finalised again, the corrected letter goes out with its own term.
    with time_machine.travel(ends + timedelta(hours=12)):
        corrected = Ranking.objects.create(tender=tender, phase="award")
        ranking_execute(ranking_id=corrected.pk)
        ranking_finalise(ranking=corrected, user=chair)
        v2 = letter_new_version(letter=letter, user=chair)
        with django_capture_on_commit_callbacks(execute=True):
            letter_send(letter=v2, user=chair)
    upheld.refresh_from_db()
    assert upheld.corrected_at == AwardLetter.objects.get(pk=v2.pk).sent_at and not upheld.blocks
    assert v2.version == 2
    assert v2.standstill_ends_at >= ends + timedelta(days=21)
    result = award_finalise(tender=tender, user=inkoper(), now=ends + timedelta(days=2))
    assert result.refused[0][0] == held.code and v2.reference in result.refused[0][1]
    result = award_finalise(
        tender=tender, user=inkoper(), now=v2.standstill_ends_at + timedelta(seconds=1)
    )
    assert result.finalised == [held.code] and result.tender_awarded
