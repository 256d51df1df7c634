"""The tender's document library (docs/rules.md, "Document library"): staff upload a document
with a category, an audience and a publication moment, optionally as the new version of an
older one; at the publication moment the document becomes visible to its audience (the
on-read check in ``communication.selectors``) and is announced once: audited
(``document.publish``) and mailed to the audience by Celery.

Announcing: an upload published at once queues ``communication.tasks.announce_document``
after commit; a scheduled one (and anything the queue lost) is picked up by the periodic
``communication.tasks.announce_due_documents`` (beat, every 5 minutes). ``announced_at`` makes
both idempotent. The mails leave in their own task (``send_document_mail``) that retries on a
mail server error, never inside the request.
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from config.queue import enqueue
from providers.uploads import check_upload, file_sha256
from tender.constants import PUBLIC_STATES
from tender.errors import ApplicationError
from tender.models import Tender
from tender.services.mail import absolute_url, mail_render

from ..models import TenderDocument
from ..selectors import invited_organisations
from .market import (
    newsletter_recipients,
    newsletter_unsubscribe_url,
    registered_bidder_addresses,
    require_manager,
)

Audience = TenderDocument.Audience
#: Audiences staff choose when uploading (``staff`` is for the proces-verbaal only).
UPLOAD_AUDIENCES = [Audience.PUBLIC, Audience.REGISTERED, Audience.INVITED]


@transaction.atomic
def document_upload(
    *,
    tender: Tender,
    user,
    uploaded_file,
    title: str,
    category: str,
    audience: str,
    publish_at: datetime | None = None,
    replaces: TenderDocument | None = None,
    client_address: str | None = None,
) -> TenderDocument:
    """Store an uploaded document in the library (inkoper, voorzitter).

    The type is decided by the content from the allow-list (``providers.uploads``); the name
    must fit it. ``publish_at`` in the past or empty means now. ``replaces`` must be a current
    (not yet replaced) library document of the same tender; the new one gets the next version
    number and the old one is "vervallen" from the new one's publication on. Audited
    (``document.upload``); announced at the publication moment (module docstring).
    """
    require_manager(user, tender)
    if audience not in UPLOAD_AUDIENCES:
        raise ApplicationError(_("Kies een doelgroep."), field="audience")
    if category not in TenderDocument.Category.values:
        raise ApplicationError(_("Kies een categorie."), field="category")
    version = 1
    if replaces is not None:
        replaces = TenderDocument.objects.select_for_update().get(pk=replaces.pk)
        if replaces.tender_id != tender.pk or replaces.kind != TenderDocument.Kind.DOCUMENT:
            raise ApplicationError(
                _(
                    "Alleen een document uit de bibliotheek van deze aanbesteding kan een nieuwe "
                    "versie krijgen."
                ),
                field="replaces",
            )
        if TenderDocument.objects.filter(replaces=replaces).exists():
            raise ApplicationError(
                _("Van dit document bestaat al een nieuwere versie."), field="replaces"
            )
        version = replaces.version + 1
    checked = check_upload(name=uploaded_file.name, data=uploaded_file, kind="tender_document")
    now = timezone.now()
    document = TenderDocument(
        tender=tender,
        kind=TenderDocument.Kind.DOCUMENT,
        category=category,
        title=title.strip(),
        content_type=checked.content_type,
        size=checked.size,
        sha256=file_sha256(checked.file),
        audience=audience,
        version=version,
        replaces=replaces,
        publish_at=max(publish_at or now, now),
        uploaded_by=user,
    )
    document.file.save(checked.name, File(checked.file), save=False)  # streamed, in chunks
    document.full_clean()
    document.save()
    audit_record(
        action="document.upload",
        actor=user,
        obj=document,
        tender=tender,
        client_address=client_address,
        details={
            "title": document.title,
            "category": category,
            "audience": audience,
            "version": version,
            "replaces": replaces.pk if replaces else None,
            "publish_at": document.publish_at.isoformat(),
            "sha256": document.sha256,
        },
    )
    if document.publish_at <= now:
        enqueue("communication.tasks.announce_document", document.pk)
    return document


def documents_due() -> list[int]:
    """Documents whose publication moment has come and that are not announced yet, of
    tenders on the public site (a draft's documents wait for its publication)."""
    return list(
        TenderDocument.objects.filter(
            announced_at__isnull=True,
            publish_at__lte=timezone.now(),
            tender__state__in=PUBLIC_STATES,
        )
        .order_by("publish_at", "pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def document_announce(*, document_id: int) -> bool:
    """Announce one published document, once: audit ``document.publish`` and queue its mail.
    False (and nothing done) when it was announced already, is not due yet, or its tender is
    not public."""
    document = (
        TenderDocument.objects.select_for_update(of=("self",))
        .select_related("tender")
        .filter(pk=document_id)
        .first()
    )
    now = timezone.now()
    if (
        document is None
        or document.announced_at is not None
        or document.publish_at > now
        or not document.tender.is_public()
    ):
        return False
    document.announced_at = now
    document.save(update_fields=["announced_at"])
    audit_record(
        action="document.publish",
        obj=document,
        tender=document.tender,
        details={
            "title": document.title,
            "audience": document.audience,
            "version": document.version,
            "publish_at": document.publish_at.isoformat(),
        },
    )
    if document.audience != Audience.STAFF:
        enqueue("communication.tasks.send_document_mail", document.pk)
    return True


def audience_addresses(document: TenderDocument) -> list[str]:
    """Who is mailed about ``document``: confirmed newsletter subscribers for a public one;
    the registered candidates (``registered_bidder_addresses``) or the invited candidates'
    users and contact addresses otherwise."""
    tender = document.tender
    if document.audience == Audience.PUBLIC:
        return newsletter_recipients(tender)
    if document.audience == Audience.REGISTERED:
        return registered_bidder_addresses(tender)
    if document.audience == Audience.INVITED:
        organisations = invited_organisations(tender).values("pk")
        rows = (
            get_user_model()
            .objects.filter(
                Q(organisation_membership__organisation__in=organisations), is_active=True
            )
            .values_list("email", "organisation_membership__organisation__contact_email")
        )
        return sorted({a.strip().lower() for row in rows for a in row if a})
    return []


def document_mail_messages(document: TenderDocument, base_url: str = "") -> list[EmailMessage]:
    tender = document.tender
    public = document.audience == Audience.PUBLIC
    url = absolute_url(
        reverse("public-document", args=[tender.slug, document.pk])
        if public
        else reverse("portal-tender", args=[tender.slug]) + "#documenten",
        base_url,
    )
    context = {"tender": tender, "document": document, "url": url, "public": public}
    return [
        mail_render(
            "document_published",
            context,
            email,
            unsubscribe_url=newsletter_unsubscribe_url(tender, email, base_url) if public else None,
        )
        for email in audience_addresses(document)
    ]


def document_mail_send(*, document_id: int) -> int:
    """Send the publication mail of an announced document (the task retries on a mail server
    error; a retry may send a mail twice, never none). The number of mails sent."""
    document = (
        TenderDocument.objects.select_related("tender", "tender__region")
        .filter(pk=document_id, announced_at__isnull=False)
        .first()
    )
    if document is None:
        return 0
    messages = document_mail_messages(document)
    if messages:
        get_connection().send_messages(messages)
    return len(messages)
