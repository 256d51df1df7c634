"""The portal screens of a submission: the whole way from choosing segments to a sealed
submission with a receipt, in Dutch; refusals as clear messages; another organisation's
objects are 404."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.dutch_numbers import money
from providers.constants import SubmissionState
from providers.envelopes import envelope_unseal
from providers.models import DocumentKind, Organisation, Submission
from tender.models import Requirement, Segment

from .factories import uea_signed
from .submission_support import (
    complete_draft,
    docx_bytes,
    media,  # noqa: F401
    open_tender,
    pdf_bytes,
    provider,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

CONFIRM = {"confirm": "1"}  # the confirmation page's post (accounts.confirmation)


def _url(name, tender, *args):
    return reverse(name, args=[tender.slug, *args])


def test_from_segments_to_a_sealed_submission_with_a_receipt(
    client, django_capture_on_commit_callbacks
):
    tender = open_tender(procedure="open")  # the bid belongs to an offer
    user, organisation = provider("Zorg Oost")
    uea_signed(tender=tender, organisation=organisation, user=user)
    # The subcontractor named below has registered and signed its own UEA.
    helper_user, helper = provider("Hulp BV")
    Organisation.objects.filter(pk=helper.pk).update(kvk="87654321")
    uea_signed(tender=tender, organisation=Organisation.objects.get(pk=helper.pk), user=helper_user)
    client.force_login(user)
    segment = Segment.objects.get(tender=tender, code="JH-DYS")
    general = Requirement.objects.get(tender=tender, code="AM1")
    specific = Requirement.objects.get(tender=tender, code="JH-M1")

    page = client.get(_url("portal-submission", tender))
    assert "Inschrijving starten" in page.content.decode()
    client.post(_url("portal-submission-start", tender))
    client.post(_url("portal-submission-segments", tender), {"segments": [segment.pk]})
    client.post(_url("portal-submission-answers", tender), {f"req-{general.pk}": "ja"})
    client.post(
        _url("portal-submission-segment", tender, segment.code),
        {
            f"req-{specific.pk}": "ja",
            "municipalities": ["GM0222"],
            "bid_clients": "10",
            "bid_months": "6,5",
            "bid_hours_per_month": "4",
        },
    )
    page = client.get(_url("portal-submission", tender)).content.decode()
    assert "Nog doen:" in page and "upload het bekwaamheidsdossier" in page

    for kind, name, data in (
        (DocumentKind.DOSSIER, "dossier.pdf", pdf_bytes(2)),
        (DocumentKind.REFERENCE, "referentie.docx", docx_bytes()),
    ):
        response = client.post(
            _url("portal-submission-upload", tender),
            {"kind": kind, "segment": segment.code, "file": SimpleUploadedFile(name, data)},
            follow=True,
        )
        assert "versleuteld opgeslagen" in response.content.decode()
    client.post(
        _url("portal-submission-subcontractor-add", tender), {"name": "Hulp BV", "kvk": "87654321"}
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("portal-submission-seal", tender), CONFIRM, follow=True)
    submission = Submission.objects.get(bidder=organisation)
    assert submission.state == SubmissionState.SEALED
    assert response.redirect_chain[-1][0] == _url("portal-submission-receipt", tender, 1)
    content = response.content.decode()
    assert "Ontvangstbewijs inschrijving" in content
    assert submission.content_hash in content
    assert envelope_unseal(submission).manifest["documents"][0]["sha256"] in content
    pdf = client.get(_url("portal-submission-receipt-pdf", tender, 1))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "Doetinchem" in text  # municipalities by name, not by CBS code
    assert "GM0222" not in text


def test_a_refused_upload_is_a_clear_message(client):
    tender = open_tender()
    user, organisation = provider()
    complete_draft(tender, user, organisation)
    client.force_login(user)
    response = client.post(
        _url("portal-submission-upload", tender),
        {
            "kind": DocumentKind.REFERENCE,
            "segment": "JH-DYS",
            "file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf"),
        },
        follow=True,
    )
    assert "Dit type bestand wordt niet aangenomen" in response.content.decode()


def test_after_the_deadline_submitting_is_refused_and_the_draft_stays(client):
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)  # within the session timeout
    tender = open_tender(deadline=deadline)
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    client.force_login(user)
    with time_machine.travel(deadline + dt.timedelta(seconds=1), tick=False):
        response = client.post(_url("portal-submission-seal", tender), CONFIRM, follow=True)
    assert "indienen kan niet meer" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == SubmissionState.DRAFT and draft.documents.count() == 2


def test_another_organisation_gets_404_for_every_object(client):
    tender = open_tender()
    user_a, org_a = provider("A")
    user_b, org_b = provider("B")
    draft_a = complete_draft(tender, user_a, org_a)
    services_submission = draft_a
    document = draft_a.documents.first()
    from providers.services import submissions as services

    services.submission_seal(submission=services_submission, user=user_a)
    draft_a2 = services.submission_start(tender=tender, organisation=org_a, user=user_a)
    subcontractor = services.subcontractor_add(
        submission=draft_a2, name="Hulp", kvk="11112222", user=user_a
    )
    document2 = draft_a2.documents.first()
    complete_draft(tender, user_b, org_b)  # B has a draft of its own

    client.force_login(user_b)
    assert client.get(_url("portal-submission-receipt", tender, 1)).status_code == 404
    assert client.get(_url("portal-submission-receipt-pdf", tender, 1)).status_code == 404
    for pk in (document.pk, document2.pk):
        response = client.post(_url("portal-submission-document-delete", tender, pk), CONFIRM)
        assert response.status_code == 404
    response = client.post(_url("portal-submission-subcontractor-remove", tender, subcontractor.pk))
    assert response.status_code == 404
    assert draft_a2.documents.count() == 2


def test_overview_query_count_does_not_grow_with_segments(client, django_assert_num_queries):
    tender = open_tender()
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    client.force_login(user)
    # incl. combination, UEA checks, the sealed content, the other parties' answers
    with django_assert_num_queries(22):
        assert client.get(_url("portal-submission", tender)).status_code == 200

    from providers.services import submissions as services

    services.submission_segments_set(
        submission=draft, segments=list(Segment.objects.filter(tender=tender)), user=user
    )
    # incl. combination, UEA checks, the sealed content, the other parties' answers
    with django_assert_num_queries(22):
        assert client.get(_url("portal-submission", tender)).status_code == 200


def test_htmx_autosave_answers_with_a_status_and_the_checklist(client):
    tender = open_tender(procedure="open")  # the bid belongs to an offer
    user, organisation = provider()
    complete_draft(tender, user, organisation)
    client.force_login(user)
    general = Requirement.objects.get(tender=tender, code="AM1")
    response = client.post(
        _url("portal-submission-answers", tender), {f"req-{general.pk}": ""}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Bewaard om" in content
    assert 'id="checklist-items" hx-swap-oob="true"' in content
    assert "Nog doen:" in content and "Beantwoord alle algemene eisen (nog open: AM1)" in content

    response = client.post(
        _url("portal-submission-segment", tender, "JH-DYS"),
        {"municipalities": ["GM0222"], "bid_months": "-3"},
        HTTP_HX_REQUEST="true",
    )
    assert "vul een getal van 0 of meer in" in response.content.decode()


def test_withdraw_from_the_overview_and_the_tender_page_include(client, rf):
    from django.template.loader import render_to_string

    from providers.services import submissions as services

    tender = open_tender()
    user, organisation = provider()
    services.submission_seal(submission=complete_draft(tender, user, organisation), user=user)
    client.force_login(user)
    page = client.get(_url("portal-submission", tender)).content.decode()
    assert "Versie 1 intrekken" in page

    request = rf.get("/")
    request.user = user
    summary = render_to_string(
        "portal/_tender_submission.html", {"tender": tender, "request": request}
    )
    assert "Ingediend en verzegeld: versie 1" in summary

    asked = client.post(_url("portal-submission-withdraw", tender))
    assert "telt dan niet meer mee" in asked.content.decode()
    assert Submission.objects.get(bidder=organisation).state == SubmissionState.SEALED
    response = client.post(_url("portal-submission-withdraw", tender), CONFIRM, follow=True)
    assert "Uw inschrijving is ingetrokken" in response.content.decode()
    assert Submission.objects.get(bidder=organisation).state == SubmissionState.WITHDRAWN
    summary = render_to_string(
        "portal/_tender_submission.html", {"tender": tender, "request": request}
    )
    assert "U hebt versie 1 ingetrokken" in summary


def test_sealing_first_shows_the_whole_submission_and_refuses_without_confirmation(client):
    """Issue 18.3: the seal button leads to a read-only review (segments, answers, every file
    with its size and SHA-256, the bid); a post without confirm=1 seals nothing."""
    from contracts.lumpsum import BidFigures, bid_amount
    from providers.submission_selectors import submission_detail

    tender = open_tender(procedure="open")  # the offer carries the bid
    Segment.objects.filter(tender=tender, code="JH-DYS").update(tariff=Decimal("87.50"))
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    client.force_login(user)
    review = client.get(_url("portal-submission-seal", tender)).content.decode()
    detail = submission_detail(draft.pk)
    documents = list(detail.documents.all())
    assert len(documents) == 2
    for document in documents:
        assert document.name in review and document.file.sha256 in review
    assert "JH-DYS" in review and "AM1" in review
    [dossier] = detail.dossiers.all()  # unsealed in memory: no new query
    amount = bid_amount(
        BidFigures(Decimal(dossier.bid_clients), dossier.bid_months, dossier.bid_hours_per_month),
        dossier.segment.tariff,
    )
    assert money(amount) in review
    assert "Dit kunt u niet ongedaan maken." in review

    refused = client.post(_url("portal-submission-seal", tender))
    assert refused.status_code == 200 and "SHA-256" in refused.content.decode()
    assert Submission.objects.get(pk=draft.pk).state == SubmissionState.DRAFT
