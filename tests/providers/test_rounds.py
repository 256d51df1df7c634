"""Every guarantee of one round holds per round (issue 14): a restricted tender's request
(round 1) and offer (round 2) each have their deadline (strictly before), their version and
receipt, their sealed envelope, and their own four-eyes opening with its proces-verbaal; the
first opening leaves the offers sealed, the second needs two people again."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.roles import INKOPER, VOORZITTER
from communication.models import TenderDocument
from providers.models import OfferInvitation, Submission, SubmissionEnvelope
from providers.services import submissions as services
from tender.constants import Round
from tender.errors import ApplicationError
from tender.models import Segment, Tender
from tender.services.lifecycle import tender_confirm_opening

from .submission_support import complete_draft, media, open_tender, provider, staff  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def _move(tender, **fields):
    Tender.objects.filter(pk=tender.pk).update(**fields)
    tender.refresh_from_db()


def _open(tender, people):
    for person in people:
        tender = tender_confirm_opening(tender=tender, user=person)
    return tender


def test_each_round_has_its_deadline_receipt_envelope_and_four_eyes_opening():
    tender = open_tender()
    user, organisation = provider()
    request = services.submission_seal(
        submission=complete_draft(tender, user, organisation), user=user
    )
    assert request.round == Round.REQUEST
    assert services.receipt_reference(request).startswith(f"ONT-{tender.slug}-{organisation.kvk}")

    # Round 1 closes and opens (four-eyes); the request is decrypted.
    now = timezone.now()
    _move(tender, state="requests_closed", deadline=now - dt.timedelta(minutes=1))
    inkoper, chair = staff("inkoper", INKOPER), staff("voorzitter", VOORZITTER)
    tender = _open(tender, [inkoper, chair])
    assert tender.state == "requests_opened"
    assert not SubmissionEnvelope.objects.filter(submission=request).exists()

    # Round 2: only for the invited, with its own deadline.
    _move(tender, state="offers_open", offers_deadline=now + dt.timedelta(days=10))
    segment = Segment.objects.get(tender=tender, code="JH-DYS")
    OfferInvitation.objects.create(tender=tender, segment=segment, organisation=organisation)
    offer = services.submission_seal(
        submission=complete_draft(tender, user, organisation), user=user
    )
    assert (offer.round, offer.version, offer.is_current) == (Round.OFFER, 1, True)
    assert Submission.objects.get(pk=request.pk).is_current  # one current per round
    assert services.receipt_reference(offer) == f"ONT-{tender.slug}-offer-{organisation.kvk}-v1"
    assert SubmissionEnvelope.objects.filter(submission=offer).exists()

    # A new offer version after the offers deadline is refused (a moment equal to it is late).
    second = services.submission_start(tender=tender, organisation=organisation, user=user)
    _move(tender, offers_deadline=timezone.now())
    with pytest.raises(ApplicationError, match="verstreken"):
        services.submission_seal(submission=second, user=user)

    # The offers open at their own four-eyes opening: the first round's people count no more.
    _move(tender, state="offers_closed")
    tender = tender_confirm_opening(tender=tender, user=inkoper)
    assert tender.state == "offers_closed"
    assert SubmissionEnvelope.objects.filter(submission=offer).exists()
    tender = tender_confirm_opening(tender=tender, user=chair)
    assert tender.state == "offers_opened"
    assert not SubmissionEnvelope.objects.filter(submission=offer).exists()
    assert SubmissionEnvelope.objects.filter(submission=second).exists()  # the draft stays sealed
    verbalen = TenderDocument.objects.filter(
        tender=tender, kind=TenderDocument.Kind.PROCES_VERBAAL
    ).values_list("file", flat=True)
    assert len(verbalen) == 2
    assert any("-request-" in name for name in verbalen)
    assert any("-offer-" in name for name in verbalen)


def test_the_first_opening_leaves_the_offers_sealed():
    """An offer sealed before the requests are opened (a scenario or an earlier state) is not
    touched by the opening of round 1."""
    tender = open_tender(slug="inkoop-2028")
    user, organisation = provider()
    request = services.submission_seal(
        submission=complete_draft(tender, user, organisation), user=user
    )
    # Pretend round 2 was already written (only the round matters to the opening).
    offer = Submission.objects.get(pk=request.pk)
    Submission.objects.filter(pk=offer.pk).update(round=Round.OFFER)
    _move(tender, state="requests_closed", deadline=timezone.now() - dt.timedelta(minutes=1))
    _open(tender, [staff("inkoper", INKOPER), staff("voorzitter", VOORZITTER)])
    assert SubmissionEnvelope.objects.filter(submission=offer).exists()


def test_the_bid_belongs_to_the_offer_which_takes_municipalities_from_the_request(client):
    """Restricted: the request form asks no bid and its checklist wants none; the offer form
    asks the bid and shows the request's municipalities read-only (no checkboxes), and a
    municipality sent with the offer is not stored."""
    from django.urls import reverse

    from providers.submission_selectors import submission_checklist, submission_detail

    tender = open_tender(slug="inkoop-2029")
    user, organisation = provider()
    client.force_login(user)
    url = reverse("portal-submission", args=[tender.slug])
    draft = complete_draft(tender, user, organisation)
    page = client.get(url).content.decode()
    assert 'name="bid_clients"' not in page and 'name="municipalities"' in page
    labels = [i.label for i in submission_checklist(submission_detail(draft.pk))]
    assert not any("lumpsumbod" in label for label in labels)
    services.submission_seal(submission=draft, user=user)

    now = timezone.now()
    _move(tender, state="requests_closed", deadline=now - dt.timedelta(minutes=1))
    tender = _open(tender, [staff("inkoper", INKOPER), staff("voorzitter", VOORZITTER)])
    _move(tender, state="offers_open", offers_deadline=now + dt.timedelta(days=10))
    segment = Segment.objects.get(tender=tender, code="JH-DYS")
    OfferInvitation.objects.create(tender=tender, segment=segment, organisation=organisation)
    offer = complete_draft(tender, user, organisation)
    assert offer.round == Round.OFFER
    assert not offer.dossiers.get().municipalities.exists()  # taken from the request
    page = client.get(url).content.decode()
    assert 'name="bid_clients"' in page and 'name="municipalities"' not in page
    assert "Uit uw verzoek tot deelneming" in page
    served = Submission.objects.get(round=Round.REQUEST, tender=tender).dossiers.get()
    assert served.municipalities.first().name in page
    labels = [i.label for i in submission_checklist(submission_detail(offer.pk))]
    assert any("lumpsumbod" in label for label in labels)
    assert not any("gemeenten" in label for label in labels)


def test_the_offer_holds_the_plans_the_tender_sets():
    """Issue 14: a plan per award criterion (or per segment) as the tender sets; the checklist
    names each missing plan and sealing refuses until it is there; a request holds none."""
    from decimal import Decimal

    from providers.models import DocumentKind
    from providers.submission_selectors import submission_checklist, submission_detail
    from tender.models import Criterion

    from .submission_support import pdf_bytes

    tender = open_tender(slug="inkoop-2031", procedure="open")
    _move(tender, plan_documents="criterion")
    segment = Segment.objects.get(tender=tender, code="JH-DYS")
    award = Criterion.objects.create(
        segment=segment, code="G1", name="Plan van aanpak", phase="award", max_points=Decimal(40)
    )
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    labels = [i.label for i in submission_checklist(submission_detail(draft.pk)) if not i.done]
    assert labels == ["JH-DYS: upload het plan bij gunningscriterium G1 Plan van aanpak"]
    with pytest.raises(ApplicationError, match="gunningscriterium G1"):
        services.submission_seal(submission=draft, user=user)
    with pytest.raises(ApplicationError, match="gunningscriterium van dit segment"):
        services.document_upload(
            submission=draft,
            kind=DocumentKind.PLAN,
            name="plan.pdf",
            data=pdf_bytes(),
            user=user,
            segment=segment,
        )
    services.document_upload(
        submission=draft,
        kind=DocumentKind.PLAN,
        name="plan.pdf",
        data=pdf_bytes(),
        user=user,
        segment=segment,
        criterion=award,
    )
    sealed = services.submission_seal(submission=draft, user=user)
    assert sealed.state == "sealed"

    # One plan per segment: the criterion plays no part; a request holds no plan.
    _move(tender, plan_documents="segment")
    other = services.submission_start(tender=tender, organisation=organisation, user=user)
    labels = [i.label for i in submission_checklist(submission_detail(other.pk)) if not i.done]
    assert labels == ["JH-DYS: upload het plan"]
    restricted = open_tender(slug="inkoop-2032")
    _move(restricted, plan_documents="segment")
    request = services.submission_start(tender=restricted, organisation=organisation, user=user)
    services.submission_segments_set(
        submission=request,
        segments=[Segment.objects.get(tender=restricted, code="JH-DYS")],
        user=user,
    )
    with pytest.raises(ApplicationError, match="geen plan"):
        services.document_upload(
            submission=request,
            kind=DocumentKind.PLAN,
            name="plan.pdf",
            data=pdf_bytes(),
            user=user,
            segment=Segment.objects.get(tender=restricted, code="JH-DYS"),
        )
