"""Newsletter issues (docs/rules.md, "Newsletter"): staff compose an issue of the tender's
newsletter (title, theme, text, news items, public documents), preview the mail and send it
once to the confirmed subscribers. Sending only marks the issue sent and queues
``communication.tasks.send_newsletter_issue``; the task mails each subscriber once
(``delivery.deliver``), with the unsubscribe link in the mail and its headers. Sent issues form
the archive on the public site.

Subscriptions are per tender (``NewsletterSubscription``); there is no subscription per region,
so an issue goes to the subscribers of its tender only.
"""

from collections.abc import Iterable

from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from config.queue import enqueue
from tender.errors import ApplicationError
from tender.models import Tender
from tender.services.mail import absolute_url, mail_render

from ..models import NewsItem, NewsletterIssue, TenderDocument
from ..selectors import public_documents
from .delivery import deliver
from .market import is_public, newsletter_recipients, newsletter_unsubscribe_url, require_manager

#: The address the preview is rendered for (its unsubscribe link is an example).
PREVIEW_ADDRESS = "voorbeeld@example.org"


def issue_documents_choices(tender: Tender):
    """The documents an issue may carry: public library documents already published."""
    return public_documents(tender).filter(kind=TenderDocument.Kind.DOCUMENT)


@transaction.atomic
def issue_save(
    *,
    tender: Tender,
    user,
    title: str,
    theme: str = "",
    body: str = "",
    news_items: Iterable[NewsItem] = (),
    documents: Iterable[TenderDocument] = (),
    issue: NewsletterIssue | None = None,
) -> NewsletterIssue:
    """Create (``issue`` None) or change an issue that has not been sent."""
    require_manager(user, tender)
    if issue is not None:
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
        if issue.tender_id != tender.pk:
            raise ApplicationError(_("Deze nieuwsbrief hoort niet bij deze aanbesteding."))
        if issue.is_sent:
            raise ApplicationError(_("Een verstuurde nieuwsbrief kan niet meer wijzigen."))
    news_items, documents = list(news_items), list(documents)
    if any(item.tender_id != tender.pk for item in news_items):
        raise ApplicationError(_("Kies nieuwsberichten van deze aanbesteding."), field="news_items")
    allowed = set(issue_documents_choices(tender).values_list("pk", flat=True))
    if any(document.pk not in allowed for document in documents):
        raise ApplicationError(
            _("Kies openbare documenten van deze aanbesteding."), field="documents"
        )
    if not title.strip():
        raise ApplicationError(_("Vul een titel in."), field="title")
    issue = issue or NewsletterIssue(tender=tender)
    issue.title, issue.theme, issue.body = title.strip(), theme.strip(), body.strip()
    issue.full_clean()
    issue.save()
    issue.news_items.set(news_items)
    issue.documents.set(documents)
    return issue


@transaction.atomic
def issue_send(*, issue: NewsletterIssue, user, client_address: str | None = None) -> int:
    """Send the issue to the confirmed subscribers (by a task, after commit): once, only for a
    tender on the public site. Returns how many subscribers it goes to."""
    issue = NewsletterIssue.objects.select_for_update().select_related("tender").get(pk=issue.pk)
    tender = issue.tender
    require_manager(user, tender)
    if issue.is_sent:
        raise ApplicationError(_("Deze nieuwsbrief is al verstuurd."))
    if not is_public(tender):
        raise ApplicationError(_("De aanbesteding is nog niet openbaar."))
    issue.sent_at = timezone.now()
    issue.sent_by = user
    issue.save(update_fields=["sent_at", "sent_by"])
    recipients = len(newsletter_recipients(tender))
    audit_record(
        action="newsletter.send",
        actor=user,
        obj=issue,
        tender=tender,
        client_address=client_address,
        details={"title": issue.title, "recipients": recipients},
    )
    enqueue("communication.tasks.send_newsletter_issue", issue.pk)
    return recipients


def issue_message(issue: NewsletterIssue, email: str, base_url: str = "") -> EmailMessage:
    tender = issue.tender
    context = {
        "issue": issue,
        "tender": tender,
        "url": absolute_url(
            reverse("public-newsletter-issue", args=[tender.slug, issue.pk]), base_url
        ),
        "news": [
            (
                item,
                absolute_url(reverse("public-news-detail", args=[tender.slug, item.pk]), base_url),
            )
            for item in issue.news_items.order_by("-published_at", "-pk")
        ],
        "documents": [
            (
                document,
                absolute_url(reverse("public-document", args=[tender.slug, document.pk]), base_url),
            )
            for document in issue.documents.order_by("-publish_at", "-pk")
        ],
    }
    return mail_render(
        "newsletter_issue",
        context,
        email,
        unsubscribe_url=newsletter_unsubscribe_url(tender, email, base_url),
    )


def issue_preview(issue: NewsletterIssue, base_url: str = "") -> EmailMessage:
    """The mail as a subscriber gets it (for an example address)."""
    return issue_message(issue, PREVIEW_ADDRESS, base_url)


def issue_mail_send(*, issue_id: int) -> int:
    """The task's part: mail each confirmed subscriber once (recorded per address)."""
    issue = (
        NewsletterIssue.objects.select_related("tender", "tender__region")
        .filter(pk=issue_id, sent_at__isnull=False)
        .first()
    )
    if issue is None:
        return 0
    return deliver(
        f"issue:{issue.pk}",
        newsletter_recipients(issue.tender),
        lambda email: issue_message(issue, email),
    )
