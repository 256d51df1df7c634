"""Every read of sealed content after the opening leaves one audit entry naming the reader,
the object and the client address; the provider's own actions carry the address too."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import BEOORDELAAR, INKOPER, VOORZITTER
from audit.models import AuditEntry
from audit.services import audit_verify
from evaluation.services.assignments import assignment_create, conflict_declare
from providers.models import DocumentKind, Submission, UEADeclaration
from providers.services import submissions as services
from tests.conftest import verify_second_factor
from tests.providers.submission_support import (
    complete_draft,
    media,  # noqa: F401
    open_tender,
    pdf_bytes,
    provider,
    staff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

ADDRESS = "192.0.2.77"


@pytest.fixture
def opened():
    """A sealed submission of a tender that has been opened."""
    tender = open_tender()
    user, organisation = provider("Zorg Geheim")
    sealed = services.submission_seal(
        submission=complete_draft(tender, user, organisation), user=user
    )
    tender.state = "requests_opened"
    tender.save(update_fields=["state"])
    return sealed


def only_read(action: str, *, actor, obj, since: int) -> AuditEntry:
    """The one entry ``action`` after ``since``, about ``obj`` by ``actor`` from ADDRESS."""
    entries = list(AuditEntry.objects.filter(seq__gt=since, action=action))
    assert len(entries) == 1, [e.action for e in entries]
    entry = entries[0]
    assert entry.actor_id == actor.pk
    assert (entry.object_type, entry.object_id) == (obj._meta.label_lower, str(obj.pk))
    assert entry.client_address == ADDRESS
    return entry


def last_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.fixture
def evaluator_on(client_for):
    def make(sealed):
        dossier = sealed.dossiers.select_related("submission__tender", "segment").get()
        chair = staff("vz-team", VOORZITTER)
        client = client_for(BEOORDELAAR, "beoordelaar")
        assignment = assignment_create(dossier=dossier, user=client.user, assigned_by=chair)
        conflict_declare(dossier=dossier, user=client.user, has_conflict=False, note="")
        return client, dossier, assignment

    return make


def test_the_evaluator_dossier_in_the_api_and_on_the_screen_is_audited(opened, evaluator_on):
    client, dossier, assignment = evaluator_on(opened)
    since = last_seq()
    response = client.get(
        f"/api/v1/assignments/{assignment.pk}/dossier/?phase=selection", REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 200
    entry = only_read("dossier.view", actor=client.user, obj=dossier, since=since)
    assert entry.details == {"phase": "selection", "screen": "api-dossier"}
    assert entry.tender_slug == opened.tender.slug

    since = last_seq()
    url = reverse("scoring-dossier", args=[opened.tender.slug, "selection", dossier.pk])
    assert client.get(url, REMOTE_ADDR=ADDRESS).status_code == 200
    only_read("dossier.view", actor=client.user, obj=dossier, since=since)

    since = last_seq()
    document = opened.documents.get(kind=DocumentKind.DOSSIER)
    url = reverse("scoring-document", args=[opened.tender.slug, document.pk])
    response = client.get(url, REMOTE_ADDR=ADDRESS)
    assert b"".join(response.streaming_content) == pdf_bytes(3)
    only_read("submission.document_view", actor=client.user, obj=document, since=since)
    assert audit_verify() is None


def test_the_consensus_in_the_api_and_on_the_screen_is_audited(opened, client_for):
    chair = client_for(VOORZITTER, "voorzitter")
    dossier = opened.dossiers.get()
    since = last_seq()
    response = chair.get(f"/api/v1/consensus/{dossier.pk}/?phase=selection", REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    entry = only_read("dossier.view", actor=chair.user, obj=dossier, since=since)
    assert entry.details == {"phase": "selection", "screen": "api-consensus"}

    since = last_seq()
    url = reverse("scoring-consensus", args=[opened.tender.slug, "selection", dossier.pk])
    assert chair.get(url, REMOTE_ADDR=ADDRESS).status_code == 200
    only_read("dossier.view", actor=chair.user, obj=dossier, since=since)


def test_the_requirement_answers_in_the_api_and_on_the_review_screen_are_audited(
    opened, client_for
):
    chair = client_for(VOORZITTER, "voorzitter")
    since = last_seq()
    response = chair.get(
        f"/api/v1/requirement-answers/?tender={opened.tender.slug}", REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 200 and response.json()
    entry = only_read("submission.answers_view", actor=chair.user, obj=opened.tender, since=since)
    assert entry.details == {"screen": "api-answers", "answers": len(response.json())}

    since = last_seq()
    url = reverse("scoring-review", args=[opened.tender.slug, opened.pk])
    assert chair.get(url, REMOTE_ADDR=ADDRESS).status_code == 200
    only_read("submission.answers_view", actor=chair.user, obj=opened, since=since)


def test_the_admin_pages_of_sealed_records_are_audited(client, opened):
    admin = get_user_model().objects.create_superuser("beheer", "b@example.org", "x" * 16)
    client.force_login(admin)
    verify_second_factor(client, admin)
    dossier = opened.dossiers.get()
    document = opened.documents.get(kind=DocumentKind.DOSSIER)
    answer = opened.answers.first()
    for model, obj, action in (
        ("dossier", dossier, "dossier.view"),
        ("submission", opened, "submission.view"),
        ("requirementanswer", answer, "requirement_answer.view"),
        ("submissiondocument", document, "submission.document_metadata_view"),
    ):
        since = last_seq()
        url = reverse(f"admin:providers_{model}_change", args=[obj.pk])
        assert client.get(url, REMOTE_ADDR=ADDRESS).status_code == 200
        entry = only_read(action, actor=admin, obj=obj, since=since)
        assert entry.details == {"screen": "admin"} and entry.tender_slug == opened.tender.slug


def test_the_staff_uea_pdf_and_the_ocds_export_are_audited(opened, client_for):
    inkoper = client_for(INKOPER, "inkoper")
    declaration = UEADeclaration.objects.get(tender=opened.tender, organisation=opened.bidder)
    since = last_seq()
    url = reverse("staff-uea-pdf", args=[opened.tender.slug, opened.bidder_id])
    assert inkoper.get(url, REMOTE_ADDR=ADDRESS).status_code == 200
    only_read("uea.view", actor=inkoper.user, obj=declaration, since=since)

    for url in (
        reverse("ocds-download", args=[opened.tender.slug]),
        f"/api/v1/tenders/{opened.tender.slug}/ocds/",
    ):
        since = last_seq()
        assert inkoper.get(url, REMOTE_ADDR=ADDRESS).status_code == 200
        only_read("ocds.export", actor=inkoper.user, obj=opened.tender, since=since)


def test_the_providers_actions_carry_the_client_address(client):
    tender = open_tender()
    user, organisation = provider("Zorg Adres")
    draft = complete_draft(tender, user, organisation)
    client.force_login(user)
    since = last_seq()
    upload = client.post(
        reverse("portal-submission-upload", args=[tender.slug]),
        {
            "kind": DocumentKind.REFERENCE,
            "segment": "JH-DYS",
            "file": SimpleUploadedFile("referentie.pdf", pdf_bytes(1)),
        },
        REMOTE_ADDR=ADDRESS,
    )
    assert upload.status_code == 302
    only_read("submission.document_upload", actor=user, obj=draft, since=since)

    since = last_seq()
    sealed = client.post(
        reverse("portal-submission-seal", args=[tender.slug]), {"confirm": "1"}, REMOTE_ADDR=ADDRESS
    )
    assert sealed.status_code == 302
    assert Submission.objects.get(pk=draft.pk).state == "sealed"
    only_read("submission.seal", actor=user, obj=draft, since=since)


def test_a_seal_through_the_api_carries_the_client_address():
    tender = open_tender()
    user, organisation = provider("Zorg Api")
    draft = complete_draft(tender, user, organisation)
    api = APIClient(REMOTE_ADDR=ADDRESS)
    api.force_authenticate(user)
    since = last_seq()
    response = api.post(f"/api/v1/portal/tenders/{tender.slug}/submission/seal/")
    assert response.status_code == 200, response.content
    only_read("submission.seal", actor=user, obj=draft, since=since)
    assert audit_verify() is None
