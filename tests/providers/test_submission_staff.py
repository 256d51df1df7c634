"""The staff side sees nothing of a submission before the four-eyes opening: not in the
admin, not through the document view; after it, the assigned evaluator and the chair see the
dossier's documents inline beside the criteria (issue 6), each view audited."""

import pytest
from django.urls import reverse

from accounts.roles import BEOORDELAAR, VOORZITTER
from audit.models import AuditEntry
from evaluation.services.assignments import assignment_create, conflict_declare
from providers.models import DocumentKind
from providers.services import submissions as services

from .submission_support import (
    complete_draft,
    media,  # noqa: F401
    open_bids,
    open_tender,
    pdf_bytes,
    provider,
    staff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def sealed():
    tender = open_tender()
    user, organisation = provider("Zorg Geheim")
    return services.submission_seal(
        submission=complete_draft(tender, user, organisation), user=user
    )


def test_admin_shows_nothing_before_the_opening(client, sealed):
    from django.contrib.auth import get_user_model

    from tests.conftest import verify_second_factor

    admin = get_user_model().objects.create_superuser("beheer", "b@example.org", "x" * 16)
    client.force_login(admin)
    verify_second_factor(client, admin)
    document = sealed.documents.get(kind=DocumentKind.DOSSIER)
    for model in ("submission", "dossier", "requirementanswer", "submissiondocument"):
        page = client.get(reverse(f"admin:providers_{model}_changelist"))
        assert page.status_code == 200
        assert "Zorg Geheim" not in page.content.decode()
    change = client.get(reverse("admin:providers_submissiondocument_change", args=[document.pk]))
    assert change.status_code in (302, 404)
    assert b"%PDF" not in change.content

    open_bids(sealed.tender)
    page = client.get(reverse("admin:providers_submissiondocument_change", args=[document.pk]))
    assert page.status_code == 200
    assert document.file.sha256 in page.content.decode()
    assert b"%PDF" not in page.content and b"/media/" not in page.content


def test_document_view_refuses_before_the_opening(client_for, sealed):
    document = sealed.documents.get(kind=DocumentKind.DOSSIER)
    client = client_for(VOORZITTER, "vz")
    for state in ("requests_open", "requests_closed"):
        sealed.tender.state = state
        sealed.tender.save(update_fields=["state"])
        url = reverse("scoring-document", args=[sealed.tender.slug, document.pk])
        assert client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="submission.document_view").exists()


def test_assigned_evaluator_sees_the_pdf_inline_after_the_opening(client_for, sealed):
    tender = sealed.tender
    open_bids(tender)
    dossier = sealed.dossiers.select_related("submission__tender", "segment").get()
    chair = staff("voorzitter", VOORZITTER)
    client = client_for(BEOORDELAAR, "beoordelaar")
    evaluator = client.user
    assignment_create(dossier=dossier, user=evaluator, assigned_by=chair)
    conflict_declare(dossier=dossier, user=evaluator, has_conflict=False, note="")
    pdf = sealed.documents.get(kind=DocumentKind.DOSSIER)
    docx = sealed.documents.get(kind=DocumentKind.REFERENCE)

    page = client.get(reverse("scoring-dossier", args=[tender.slug, "selection", dossier.pk]))
    assert page.status_code == 200
    pdf_url = reverse("scoring-document", args=[tender.slug, pdf.pk])
    assert f'<iframe class="app-documents__viewer" src="{pdf_url}"' in page.content.decode()

    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response.streaming  # decrypted as it is sent, never whole in memory
    assert b"".join(response.streaming_content) == pdf_bytes(3)
    assert response["Content-Length"] == str(len(pdf_bytes(3)))
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    download = client.get(reverse("scoring-document", args=[tender.slug, docx.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="submission.document_view").count() == 2


def test_a_stored_file_of_a_type_not_allowed_is_a_plain_download(client_for, sealed):
    """A file whose recorded type is not an allowed document type (stored before today's
    check) is sent as bytes to save, never inline, never as its recorded type."""
    tender = sealed.tender
    open_bids(tender)
    pdf = sealed.documents.select_related("file").get(kind=DocumentKind.DOSSIER)
    pdf.file.content_type = "text/html"
    pdf.file.save(update_fields=["content_type"])
    client = client_for(VOORZITTER, "vz-html")
    response = client.get(reverse("scoring-document", args=[tender.slug, pdf.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_evaluator_not_assigned_gets_404(client_for, sealed):
    open_bids(sealed.tender)
    pdf = sealed.documents.get(kind=DocumentKind.DOSSIER)
    client = client_for(BEOORDELAAR, "ander")
    assert (
        client.get(reverse("scoring-document", args=[sealed.tender.slug, pdf.pk])).status_code
        == 404
    )


def test_the_requirement_review_links_the_evidence_files_after_the_opening_only(client_for):
    """Issue 18.6: the chair checks a 'yes' answer against the evidence the provider uploaded;
    before the opening the review lists nothing, after it each file opens through the audited
    document view."""
    from providers.models import RequirementAnswer
    from tender.models import Requirement

    tender = open_tender()
    user, organisation = provider("Zorg Bewijs")
    draft = complete_draft(tender, user, organisation)
    requirement = Requirement.objects.get(tender=tender, code="AM1")
    services.document_upload(
        submission=draft,
        kind=DocumentKind.EVIDENCE,
        name="verklaring.pdf",
        data=pdf_bytes(1),
        user=user,
        requirement=requirement,
    )
    sealed = services.submission_seal(submission=draft, user=user)
    document = sealed.documents.get(kind=DocumentKind.EVIDENCE)
    url = reverse("scoring-review", args=[tender.slug, sealed.pk])
    file_url = reverse("scoring-document", args=[tender.slug, document.pk])
    client = client_for(VOORZITTER, "vz-bewijs")
    assert client.get(url).status_code == 404  # nothing to review before the opening

    open_bids(tender)
    page = client.get(url).content.decode()
    assert f'href="{file_url}"' in page and "verklaring.pdf" in page
    assert "Geen bewijsstuk geüpload bij deze eis." in page  # JH-M1 has none
    assert page.count(file_url) == 1
    assert RequirementAnswer.objects.filter(submission=sealed).count() == 2
    assert b"".join(client.get(file_url).streaming_content) == pdf_bytes(1)
    assert AuditEntry.objects.filter(
        action="submission.document_view", object_id=str(document.pk)
    ).exists()
