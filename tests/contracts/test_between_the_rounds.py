"""Between the rounds of the restricted procedure: the selection decision starts a selection
standstill per segment; objections against the selection hold a segment; only after its
standstill ended without an open objection are the segment's selected candidates invited to
round 2, and only the invited can open round 2 (404 elsewhere), on the portal and the API."""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import VOORZITTER
from contracts.models import AwardDecision, AwardLetter, SelectionStandstill
from contracts.services.awards import (
    decision_send,
    letter_ensure,
    letter_new_version,
    letter_send,
    local_today,
    objection_register,
    objection_resolve,
    standstill_end,
)
from contracts.services.invitations import invitation_refusal, offers_invite, selected_of
from evaluation.models import Assignment, Evaluator, FinalLevel, Ranking, RankingRow, Score
from evaluation.scoring_selectors import dossiers_in_phase, scale_of, scoring_refusal
from evaluation.selectors import SELECTED_STATUSES, final_ranking
from evaluation.services.consensus import final_level_set
from evaluation.services.ranking import ranking_execute, ranking_finalise
from providers.models import Dossier, OfferInvitation, Organisation
from providers.services.submissions import submission_start
from tender.constants import TenderState
from tender.errors import ApplicationError
from tender.models import Criterion, Segment, Tender
from tender.services.lifecycle import tender_transition
from tests.providers.factories import provider

from .award_support import inkoper, make_letters, user_with

pytestmark = pytest.mark.django_db


def _selection_decided(tender, capture):
    Tender.objects.filter(pk=tender.pk).update(state=TenderState.SELECTION)
    tender.refresh_from_db()
    make_letters(tender, "selection", capture)
    with capture(execute=True):
        decision_send(tender=tender, phase="selection", user=inkoper())
    tender.refresh_from_db()


def test_selection_decision_standstill_objection_and_invitation_of_the_selected_only(
    award_tender, fast_pdf, django_capture_on_commit_callbacks, mailoutbox
):
    tender = award_tender
    _selection_decided(tender, django_capture_on_commit_callbacks)
    assert tender.state == TenderState.SELECTION_STANDSTILL
    assert not AwardLetter.objects.filter(phase="selection", sent_at__isnull=True).exists()
    standstills = list(SelectionStandstill.objects.filter(segment__tender=tender))
    assert standstills
    standstill = standstills[0]
    segment = standstill.segment

    # Before the end of the standstill: no invitation.
    Tender.objects.filter(pk=tender.pk).update(offers_deadline=timezone.now() + timedelta(days=30))
    with pytest.raises(ApplicationError, match="loopt tot"):
        offers_invite(segment=segment, user=inkoper())
    # An objection against the selection holds the segment after the end, until resolved.
    bidder = AwardLetter.objects.filter(phase="selection").first().bidder
    objection = objection_register(
        segment=segment, bidder=bidder, kind="bezwaar", phase="selection", user=inkoper()
    )
    SelectionStandstill.objects.filter(pk=standstill.pk).update(
        ends_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ApplicationError, match="bezwaar"):
        offers_invite(segment=segment, user=inkoper())
    objection_resolve(objection=objection, result="rejected", outcome="Ongegrond", user=inkoper())

    # Round 2 cannot open before an invitation; then it opens for the invited only.
    with pytest.raises(ApplicationError, match="Nodig eerst"):
        tender_transition(tender=tender, name="start_offers", user=inkoper())
    invitations = offers_invite(segment=segment, user=inkoper())
    selected = set(
        RankingRow.objects.filter(
            ranking__tender=tender,
            ranking__phase="selection",
            ranking__is_final=True,
            segment=segment,
            status__in=SELECTED_STATUSES,
        ).values_list("bidder_kvk", flat=True)
    )
    assert {i.organisation.kvk for i in invitations} == selected
    assert selected and {o.kvk for o in selected_of(segment=segment)} == selected
    with pytest.raises(ApplicationError, match="al uitgenodigd"):
        offers_invite(segment=segment, user=inkoper())
    tender = tender_transition(tender=tender, name="start_offers", user=inkoper())
    assert tender.state == TenderState.OFFERS_OPEN

    invited = invitations[0].organisation
    outsider = Organisation.objects.exclude(offer_invitations__tender=tender).first()
    draft = submission_start(tender=tender, organisation=invited, user=provider(invited))
    assert draft.round == "offer"
    assert set(draft.dossiers.values_list("segment_id", flat=True)) == set()
    with pytest.raises(ApplicationError, match="niet uitgenodigd"):
        submission_start(tender=tender, organisation=outsider, user=provider(outsider))

    # The portal and the API: round 2 is 404 for a candidate that was not invited.
    for organisation, status in ((outsider, 404), (invited, 200)):
        client = Client()
        client.force_login(organisation.memberships.first().user)
        page = client.get(f"/portaal/aanbestedingen/{tender.slug}/inschrijving/")
        assert page.status_code == status
        api = client.get(f"/api/v1/portal/tenders/{tender.slug}/submission/")
        assert api.status_code in ((404,) if status == 404 else (200, 401, 403))


def test_the_selection_decision_needs_the_selection_letters(award_tender):
    Tender.objects.filter(pk=award_tender.pk).update(state=TenderState.SELECTION)
    award_tender.refresh_from_db()
    with pytest.raises(ApplicationError, match="brieven"):
        tender_transition(
            tender=award_tender,
            name="start_selection_standstill",
            user=user_with("vz", "voorzitter"),
        )
    assert OfferInvitation.objects.count() == 0


def _evaluated_in_the_system(tender, chair):
    """The selection phase as scored in the system (one evaluator per dossier, the chair):
    an assignment and a submitted set per dossier, so the consensus can be changed through the
    service and the ranking finalised again."""
    evaluator = Evaluator.objects.create(
        tender=tender, user=chair, name="Voorzitter", is_chair=True
    )
    dossiers = list(dossiers_in_phase(tender=tender, phase="selection"))
    Assignment.objects.bulk_create(Assignment(dossier=d, evaluator=evaluator) for d in dossiers)
    finals = {
        (f.dossier_id, f.criterion_id): f.level
        for f in FinalLevel.objects.filter(dossier__in=dossiers)
    }
    criteria = defaultdict(list)
    for criterion in Criterion.objects.filter(segment__tender=tender, phase="selection"):
        criteria[criterion.segment_id].append(criterion)
    now = timezone.now()
    Score.objects.bulk_create(
        Score(
            dossier=d,
            criterion=c,
            evaluator=evaluator,
            level=finals.get((d.pk, c.pk), scale_of(c)[0]),
            rationale="Beoordeeld",
            submitted_at=now,
        )
        for d in dossiers
        for c in criteria[d.segment_id]
    )


def _selection_sent(tender, bidder):
    """The selection decision sent today and its standstill started per segment of the final
    selection ranking, as ``decision_send`` leaves it (the first test sends it for real), with
    only ``bidder``'s letter made (rendering them all is the bulk of that test's time)."""
    ranking = final_ranking(tender=tender, phase="selection")
    today = local_today()
    decision = AwardDecision.objects.create(
        tender=tender,
        phase="selection",
        decision_date=today,
        standstill_ends_at=standstill_end(today, tender.standstill_days),
        sent_at=timezone.now(),
        sent_by=inkoper(),
    )
    letter_ensure(tender=tender, phase="selection", bidder=bidder)
    AwardLetter.objects.filter(tender=tender, phase="selection").update(sent_at=decision.sent_at)
    segment_ids = set(
        RankingRow.objects.filter(ranking=ranking).values_list("segment_id", flat=True)
    )
    SelectionStandstill.objects.bulk_create(
        SelectionStandstill(segment_id=pk, decision=decision, ends_at=decision.standstill_ends_at)
        for pk in sorted(segment_ids)
    )
    Tender.objects.filter(pk=tender.pk).update(state=TenderState.SELECTION_STANDSTILL)
    tender.refresh_from_db()


def test_an_upheld_selection_objection_in_round_two_corrects_its_segment_only(
    award_tender, fast_pdf, django_capture_on_commit_callbacks, mailoutbox, settings, client_for
):
    """Round 2 is open for the other segments when the selection objection against one segment
    is upheld: the selection ranking is reopened, only that segment's consensus can be
    corrected, the ranking is finalised again, the corrected letter goes out with a standstill
    of its own, and that segment's invitation waits for its end. The invited segment stays."""
    settings.EVALUATORS_PER_DOSSIER = 1
    tender = award_tender
    # Between the rounds there is no award ranking yet (the shared fixture has one).
    Ranking.objects.filter(tender=tender, phase="award").update(superseded=True)
    chair = user_with("chair", VOORZITTER)
    _evaluated_in_the_system(tender, chair)
    ranking = final_ranking(tender=tender, phase="selection")
    ranked = RankingRow.objects.filter(ranking=ranking).values_list("segment_id", flat=True)
    held, other = Segment.objects.filter(pk__in=ranked).order_by("code")[:2]
    objector = Organisation.objects.get(
        kvk=RankingRow.objects.filter(ranking=ranking, segment=held).last().bidder_kvk
    )
    _selection_sent(tender, objector)
    objection = objection_register(
        segment=held, bidder=objector, kind="bezwaar", phase="selection", user=inkoper()
    )
    # The standstill ends; the other segment is invited and round 2 opens.
    SelectionStandstill.objects.filter(segment__tender=tender).update(
        ends_at=timezone.now() - timedelta(minutes=1)
    )
    Tender.objects.filter(pk=tender.pk).update(offers_deadline=timezone.now() + timedelta(days=60))
    tender.refresh_from_db()
    invited = offers_invite(segment=other, user=inkoper())
    tender = tender_transition(tender=tender, name="start_offers", user=inkoper())
    assert tender.state == TenderState.OFFERS_OPEN

    dossier = Dossier.objects.get(
        submission__tender=tender,
        submission__round="request",
        submission__is_current=True,
        submission__bidder=objector,
        segment=held,
    )
    criterion = held.criteria.filter(phase="selection").order_by("position", "id").first()
    final = FinalLevel.objects.get(dossier=dossier, criterion=criterion)
    corrected_level = next(v for v in scale_of(criterion) if v != final.level)
    with pytest.raises(ApplicationError, match="definitief"):  # decided: locked
        final_level_set(
            dossier=dossier, criterion=criterion, level=corrected_level, rationale="x", user=chair
        )

    objection_resolve(objection=objection, result="upheld", outcome="K1 onjuist", user=chair)
    assert final_ranking(tender=tender, phase="selection") is None  # reopened
    tender.refresh_from_db()
    assert scoring_refusal(tender=tender, phase="selection", segment=held) is None
    assert "alleen de segmenten" in scoring_refusal(tender=tender, phase="selection", segment=other)
    assert scoring_refusal(tender=tender, phase="award") is not None
    other_dossier = Dossier.objects.filter(
        submission__tender=tender, submission__round="request", segment=other
    ).first()
    with pytest.raises(ApplicationError, match="alleen de segmenten"):
        final_level_set(
            dossier=other_dossier,
            criterion=other.criteria.filter(phase="selection").first(),
            level=corrected_level,
            rationale="x",
            user=chair,
        )
    staff = client_for("inkoper")
    page = staff.get(reverse("award-decision", args=[tender.slug]))
    assert "corrigeer de beoordeling van de dossiers van dit segment" in page.content.decode()

    # The consensus is corrected, the selection ranked and finalised again; the corrected
    # letter goes out with a standstill of its own for the held segment.
    final_level_set(
        dossier=dossier,
        criterion=criterion,
        level=corrected_level,
        rationale="Herzien na gegrond bezwaar",
        user=chair,
    )
    corrected = Ranking.objects.create(tender=tender, phase="selection")
    ranking_execute(ranking_id=corrected.pk)
    ranking_finalise(ranking=corrected, user=chair)
    assert corrected.input_hash != ranking.input_hash
    assert scoring_refusal(tender=tender, phase="selection", segment=held) is not None
    letter = AwardLetter.objects.get(tender=tender, phase="selection", bidder=objector)
    v2 = letter_new_version(letter=letter, user=chair)
    with pytest.raises(ApplicationError, match="bezwaar"):
        offers_invite(segment=held, user=inkoper())  # upheld, no corrected letter yet
    with django_capture_on_commit_callbacks(execute=True):
        letter_send(letter=v2, user=chair)
    v2.refresh_from_db()
    objection.refresh_from_db()
    assert v2.version == 2 and objection.corrected_at == v2.sent_at and not objection.blocks
    assert v2.standstill_ends_at >= timezone.now() + timedelta(days=20)
    standstill = SelectionStandstill.objects.get(segment=held)
    assert (standstill.ends_at, standstill.extended_by) == (v2.standstill_ends_at, v2.reference)

    # The held segment's invitation waits for the end of the new standstill; then it goes.
    with pytest.raises(ApplicationError, match="loopt tot"):
        offers_invite(segment=held, user=inkoper())
    assert (
        invitation_refusal(segment=held, now=v2.standstill_ends_at + timedelta(seconds=1)) is None
    )
    # The invited segment is unaffected: its invitations and standstill stay as they were.
    assert set(OfferInvitation.objects.filter(segment=other)) == set(invited)
    assert SelectionStandstill.objects.get(segment=other).extended_by == ""
    page = staff.get(reverse("award-decision", args=[tender.slug]))
    assert "uitgenodigd tot inschrijving zodra hun opschortende termijn" in page.content.decode()
