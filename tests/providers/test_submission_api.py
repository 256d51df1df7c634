"""The submission API: the same rules as the screens, errors as 400 on their field, another
organisation's objects 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from providers.constants import SubmissionState
from providers.models import Submission
from tests.problems import field_errors, problem

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


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_whole_submission_through_the_api(django_capture_on_commit_callbacks):
    tender = open_tender(procedure="open")  # the bid belongs to an offer
    user, organisation = provider()
    api = _api(user)
    base = f"/api/v1/portal/tenders/{tender.slug}/submission/"

    assert api.post(base).status_code == 201
    assert api.put(base + "segments/", {"segments": ["JH-DYS"]}, format="json").status_code == 200
    response = api.put(base + "answers/", {"answers": {"AM1": True, "JH-M1": True}}, format="json")
    assert response.status_code == 200
    response = api.put(
        base + "dossiers/JH-DYS/",
        {
            "municipalities": ["GM0222"],
            "bid_clients": "10",
            "bid_months": "6.5",
            "bid_hours_per_month": "4",
        },
        format="json",
    )
    assert response.status_code == 200
    refused = api.post(base + "seal/")
    assert refused.status_code == 400
    assert "nog niet compleet" in problem(refused)["detail"]

    bad = api.post(
        base + "documents/",
        {"kind": "dossier", "segment": "JH-DYS", "file": SimpleUploadedFile("x.pdf", b"MZ junk")},
        format="multipart",
    )
    assert bad.status_code == 400 and "Dit type bestand" in field_errors(bad)["file"][0]
    for kind, name, data in (
        ("dossier", "d.pdf", pdf_bytes()),
        ("reference", "r.docx", docx_bytes()),
    ):
        response = api.post(
            base + "documents/",
            {"kind": kind, "segment": "JH-DYS", "file": SimpleUploadedFile(name, data)},
            format="multipart",
        )
        assert response.status_code == 201, response.content
    refused = api.post(base + "seal/")
    assert "Elke partij heeft een ondertekende UEA" in problem(refused)["detail"]
    uea_signed(tender=tender, organisation=organisation, user=user)

    with django_capture_on_commit_callbacks(execute=True):
        sealed = api.post(base + "seal/")
    assert sealed.status_code == 200
    receipt = sealed.json()
    submission = Submission.objects.get(bidder=organisation)
    assert submission.state == SubmissionState.SEALED
    assert receipt["content_hash"] == submission.content_hash
    assert len(receipt["manifest"]["documents"]) == 2
    assert api.get(base + "receipts/1/").json()["content_hash"] == submission.content_hash
    pdf = api.get(base + "receipts/1/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_another_organisation_gets_404(django_capture_on_commit_callbacks):
    tender = open_tender()
    user_a, org_a = provider("A")
    user_b, org_b = provider("B")
    draft_a = complete_draft(tender, user_a, org_a)
    document = draft_a.documents.first()
    complete_draft(tender, user_b, org_b)
    api = _api(user_b)
    base = f"/api/v1/portal/tenders/{tender.slug}/submission/"
    assert api.delete(base + f"documents/{document.pk}/").status_code == 404
    assert api.get(base + "receipts/1/").status_code == 404
    assert draft_a.documents.count() == 2
    ids = {d["id"] for d in api.get(base).json()["draft"]["documents"]}
    assert document.pk not in ids


def test_staff_and_anonymous_get_no_submission_api(client_for):
    tender = open_tender()
    base = f"/api/v1/portal/tenders/{tender.slug}/submission/"
    assert APIClient().get(base).status_code in (401, 403)
    staff_client = client_for("inkoper")
    assert staff_client.get(base).status_code == 404


def test_a_restricted_request_refuses_a_bid_the_offer_carries_it():
    """Round 1 of the restricted procedure holds no bid: the API answers 400 on the bid field
    with the Dutch reason, and the dossier without a bid is saved."""
    tender = open_tender()
    user, _organisation = provider()
    api = _api(user)
    base = f"/api/v1/portal/tenders/{tender.slug}/submission/"
    assert api.post(base).status_code == 201
    assert api.put(base + "segments/", {"segments": ["JH-DYS"]}, format="json").status_code == 200
    dossier = base + "dossiers/JH-DYS/"
    refused = api.put(dossier, {"municipalities": ["GM0222"], "bid_clients": "10"}, format="json")
    assert refused.status_code == 400
    assert "geen bod" in field_errors(refused)["bid_clients"][0]
    assert api.put(dossier, {"municipalities": ["GM0222"]}, format="json").status_code == 200


def test_the_other_parties_answer_through_the_api():
    """A requirement of every party: the API takes each party's answer by its key."""
    from providers.models import Requirement, Subcontractor

    tender = open_tender(slug="inkoop-2035")
    Requirement.objects.filter(tender=tender, code="AM1").update(binds="every_party")
    user, _organisation = provider()
    api = _api(user)
    base = f"/api/v1/portal/tenders/{tender.slug}/submission/"
    assert api.post(base).status_code == 201
    response = api.post(base + "subcontractors/", {"name": "Hulp", "kvk": "61234567"})
    assert response.status_code == 201
    key = f"s{Subcontractor.objects.get().pk}"
    response = api.put(
        base + "answers/",
        {"answers": {"AM1": True}, "party_answers": {"AM1": {key: True}}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["party_answers"] == {"AM1": {key: True}}
    refused = api.put(
        base + "answers/", {"answers": {}, "party_answers": {"AM1": {"m1": True}}}, format="json"
    )
    assert refused.status_code == 400
