"""Between the rounds of the restricted procedure: the selection decision starts a selection
standstill per segment; objections against the selection hold a segment; only after its
standstill ended without an open objection are the segment's selected candidates invited to
round 2, and only the invited can open round 2 (404 elsewhere), on the portal and the API."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from contracts.models import AwardLetter, SelectionStandstill
from contracts.services.awards import decision_send, objection_register, objection_resolve
from contracts.services.invitations import offers_invite, selected_of
from evaluation.models import RankingRow
from evaluation.selectors import SELECTED_STATUSES
from providers.models import OfferInvitation, Organisation
from providers.services.submissions import submission_start
from tender.constants import TenderState
from tender.errors import ApplicationError
from tender.models import Tender
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
