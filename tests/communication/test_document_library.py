"""The document library (docs/rules.md, "Document library"): staff upload a document with a
category, an audience and a publication moment; it is visible to its audience from that moment
on and announced once (audited, mailed to the audience through Celery, never twice)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from communication.models import NewsletterSubscription, TenderDocument
from communication.services.documents import document_upload
from communication.services.questions import question_ask
from communication.tasks import announce_due_documents
from providers.selectors import organisation_of
from tender.errors import ApplicationError
from tests.providers.submission_support import pdf_bytes
from tests.tender.communication_helpers import (  # noqa: F401 - fixtures
    build_tender,
    inkoper_fixture,
    make_provider,
    tender_fixture,
)

pytestmark = pytest.mark.django_db

Audience, Category = TenderDocument.Audience, TenderDocument.Category


def upload(tender, user, title="Leidraad selectiefase", **kwargs):
    options = {
        "category": Category.GUIDE_SELECTION,
        "audience": Audience.REGISTERED,
        "uploaded_file": SimpleUploadedFile("leidraad.pdf", pdf_bytes()),
        **kwargs,
    }
    return document_upload(tender=tender, user=user, title=title, **options)


def subscribe(tender, email):
    NewsletterSubscription.objects.create(tender=tender, email=email, confirmed_at=timezone.now())


def test_an_upload_is_typed_by_its_content_and_html_is_refused(tender, inkoper):
    with pytest.raises(ApplicationError, match="Dit type bestand wordt niet aangenomen"):
        upload(
            tender,
            inkoper,
            uploaded_file=SimpleUploadedFile("leidraad.pdf", b"<html><script>x</script></html>"),
        )
    assert not TenderDocument.objects.exists()
    document = upload(tender, inkoper)
    assert (document.content_type, document.type_label) == ("application/pdf", "PDF")
    assert document.size == document.file.size and len(document.sha256) == 64


def test_a_provider_may_not_upload(tender):
    provider = make_provider("Zorg Oost")
    with pytest.raises(ApplicationError):
        upload(tender, provider)


def test_a_document_for_registered_candidates_reaches_them_only(
    tender, inkoper, client, django_capture_on_commit_callbacks
):
    registered = make_provider("Zorg Oost", email="oost@zorg.example")
    question_ask(tender=tender, organisation=organisation_of(registered), user=registered, text="?")
    stranger = make_provider("Zorg West", email="west@zorg.example")
    subscribe(tender, "lezer@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        document = upload(tender, inkoper)

    assert sorted(address for m in mail.outbox for address in m.to) == ["oost@zorg.example"]
    assert "Leidraad selectiefase" in mail.outbox[0].subject
    assert list(
        AuditEntry.objects.filter(object_id=str(document.pk)).values_list("action", flat=True)
    ) == ["document.upload", "document.publish"]

    portal = reverse("portal-document", args=[tender.slug, document.pk])
    public = reverse("public-document", args=[tender.slug, document.pk])
    assert client.get(public).status_code == 404  # anonymous
    client.force_login(stranger)
    assert client.get(portal).status_code == 404
    assert (
        "Leidraad selectiefase"
        not in client.get(reverse("portal-tender", args=[tender.slug])).content.decode()
    )
    client.force_login(registered)
    assert client.get(public).status_code == 404  # not on the public site, also not for them
    response = client.get(portal)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    page = client.get(reverse("portal-tender", args=[tender.slug])).content.decode()
    assert "Leidraad selectiefase" in page and portal in page


def test_a_scheduled_document_appears_and_is_mailed_once_when_its_moment_comes(
    tender, inkoper, client, django_capture_on_commit_callbacks
):
    subscribe(tender, "lezer@example.org")
    moment = timezone.now() + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        document = upload(
            tender,
            inkoper,
            title="Visie",
            category=Category.VISION,
            audience=Audience.PUBLIC,
            publish_at=moment,
        )
        assert announce_due_documents() == 0
    page = reverse("public-tender", args=[tender.slug])
    assert "Visie" not in client.get(page).content.decode()
    assert mail.outbox == []

    with time_machine.travel(moment + dt.timedelta(minutes=1)):
        assert "Visie" in client.get(page).content.decode()  # the on-read check
        with django_capture_on_commit_callbacks(execute=True):
            assert announce_due_documents() == 1
            assert announce_due_documents() == 0
    assert [m.to for m in mail.outbox] == [["lezer@example.org"]]
    assert mail.outbox[0].extra_headers["List-Unsubscribe"]
    document.refresh_from_db()
    assert document.announced_at is not None


def test_a_draft_tenders_documents_wait_for_its_publication(inkoper):
    draft = build_tender(slug="concept-2030", state="draft")
    upload(draft, inkoper, audience=Audience.PUBLIC)
    assert announce_due_documents() == 0


def test_a_document_gets_one_newer_version_which_counts_on(tender, inkoper, client):
    first = upload(tender, inkoper, audience=Audience.PUBLIC)
    second = upload(tender, inkoper, audience=Audience.PUBLIC, replaces=first)
    assert second.version == 2
    with pytest.raises(ApplicationError, match="al een nieuwere versie"):
        upload(tender, inkoper, replaces=first)
    html = client.get(reverse("public-tender", args=[tender.slug])).content.decode()
    assert html.count("Leidraad selectiefase<span") == 2 and html.count("vervallen") == 1


def test_staff_see_the_library_with_scheduled_documents_and_providers_get_404(
    tender, inkoper, client_for
):
    upload(tender, inkoper, publish_at=timezone.now() + dt.timedelta(days=3))
    url = reverse("communication-documents", args=[tender.slug])
    html = client_for("inkoper", "inkoper-bibliotheek").get(url).content.decode()
    assert "Leidraad selectiefase" in html and "gepland" in html
    assert client_for("aanbieder", "aanbieder-bibliotheek").get(url).status_code == 404
