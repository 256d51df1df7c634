"""Newsletter issues (docs/rules.md, "Newsletter"): staff compose, preview and send an issue;
it goes by a task to each confirmed subscriber once (also when the task retries), carries a
one-click unsubscribe link, and the sent issues form the archive on the public site."""

import re
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone

from communication.models import MailDelivery, NewsItem, NewsletterIssue, NewsletterSubscription
from communication.services.newsletters import issue_save, issue_send
from communication.tasks import send_newsletter_issue
from tender.errors import ApplicationError
from tests.conftest import verify_second_factor
from tests.tender.communication_helpers import (  # noqa: F401 - fixtures
    build_tender,
    inkoper_fixture,
    make_provider,
    path_of,
    tender_fixture,
)

pytestmark = pytest.mark.django_db


def subscribe(tender, email, confirmed=True):
    NewsletterSubscription.objects.create(
        tender=tender, email=email, confirmed_at=timezone.now() if confirmed else None
    )


@pytest.fixture
def staff(client, inkoper):
    client.force_login(inkoper)
    verify_second_factor(client, inkoper)
    return client


@pytest.fixture
def news(tender):
    return NewsItem.objects.create(
        tender=tender, title="Marktconsultatie gestart", body="Tekst", published_at=timezone.now()
    )


def test_staff_compose_preview_and_send_an_issue_to_confirmed_subscribers_once(
    tender, news, staff, inkoper, django_capture_on_commit_callbacks
):
    subscribe(tender, "a@example.org")
    subscribe(tender, "b@example.org")
    subscribe(tender, "onbevestigd@example.org", confirmed=False)
    subscribe(build_tender(slug="andere"), "ander@example.org")
    create = reverse("communication-newsletters", args=[tender.slug])
    response = staff.post(
        create,
        {
            "title": "Nieuwsbrief januari",
            "theme": "Jeugd",
            "body": "Beste lezer,",
            "news_items": [news.pk],
        },
    )
    issue = NewsletterIssue.objects.get()
    page = reverse("communication-newsletter", args=[tender.slug, issue.pk])
    assert response.status_code == 302 and response.url == page
    preview = staff.get(page).content.decode()
    assert "Nieuwsbrief januari – Jeugd" in preview and "Marktconsultatie gestart" in preview
    assert "Versturen aan 2 abonnees" in preview
    assert mail.outbox == []  # a preview mails nobody

    send = reverse("communication-newsletter-send", args=[tender.slug, issue.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(send).status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    message = mail.outbox[0]
    assert "Marktconsultatie gestart" in message.body
    unsubscribe = re.search(r"<(.+)>", message.extra_headers["List-Unsubscribe"]).group(1)
    assert unsubscribe in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    with django_capture_on_commit_callbacks(execute=True):
        staff.post(send)  # a second press sends nothing
    with pytest.raises(ApplicationError, match="al verstuurd"):
        issue_send(issue=issue, user=inkoper)
    assert send_newsletter_issue(issue.pk) == 0  # a redelivered task: everyone has it
    assert len(mail.outbox) == 2
    with pytest.raises(ApplicationError, match="niet meer wijzigen"):
        issue_save(tender=tender, user=inkoper, issue=issue, title="Anders")


def test_a_retry_after_a_mail_server_failure_mails_each_subscriber_once(
    tender, inkoper, monkeypatch
):
    for name in "abc":
        subscribe(tender, f"{name}@example.org")
    issue = issue_save(tender=tender, user=inkoper, title="Nieuwsbrief")
    NewsletterIssue.objects.filter(pk=issue.pk).update(sent_at=timezone.now())
    original, calls = EmailBackend.send_messages, []

    def flaky(self, messages):
        calls.append(1)
        if len(calls) == 2:
            raise smtplib.SMTPServerDisconnected("down")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_newsletter_issue.run(issue.pk)
    assert send_newsletter_issue.run(issue.pk) == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
    assert MailDelivery.objects.filter(key=f"issue:{issue.pk}").count() == 3


def test_only_public_documents_and_own_news_and_a_public_tender(tender, inkoper):
    other_news = NewsItem.objects.create(
        tender=build_tender(slug="andere"), title="X", body="X", published_at=timezone.now()
    )
    with pytest.raises(ApplicationError, match="nieuwsberichten van deze aanbesteding"):
        issue_save(tender=tender, user=inkoper, title="T", news_items=[other_news])
    draft = build_tender(slug="concept", state="draft")
    issue = issue_save(tender=draft, user=inkoper, title="T")
    with pytest.raises(ApplicationError, match="niet openbaar"):
        issue_send(issue=issue, user=inkoper)
    provider = make_provider("Zorg Oost")
    with pytest.raises(ApplicationError):
        issue_save(tender=tender, user=provider, title="T")


def test_the_archive_lists_sent_issues_only(tender, inkoper, news, client):
    sent = issue_save(tender=tender, user=inkoper, title="Editie 1", news_items=[news])
    issue_send(issue=sent, user=inkoper)
    draft = issue_save(tender=tender, user=inkoper, title="Editie 2 in voorbereiding")
    archive = client.get(reverse("public-newsletter-issues", args=[tender.slug])).content.decode()
    assert "Editie 1" in archive and "Editie 2" not in archive
    page = client.get(reverse("public-newsletter-issue", args=[tender.slug, sent.pk]))
    assert page.status_code == 200 and "Marktconsultatie gestart" in page.content.decode()
    assert (
        client.get(reverse("public-newsletter-issue", args=[tender.slug, draft.pk])).status_code
        == 404
    )
    tender_page = client.get(reverse("public-tender", args=[tender.slug])).content.decode()
    assert reverse("public-newsletter-issues", args=[tender.slug]) in tender_page


def test_one_click_unsubscribe_needs_no_csrf_token_but_the_button_does(
    tender, inkoper, django_capture_on_commit_callbacks
):
    from django.test import Client

    subscribe(tender, "a@example.org")
    subscribe(tender, "b@example.org")
    issue = issue_save(tender=tender, user=inkoper, title="Nieuwsbrief")
    with django_capture_on_commit_callbacks(execute=True):
        issue_send(issue=issue, user=inkoper)
    links = {
        m.to[0]: path_of(re.search(r"<(.+)>", m.extra_headers["List-Unsubscribe"]).group(1))
        for m in mail.outbox
    }
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(links["a@example.org"], {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert strict.post(links["b@example.org"]).status_code == 403  # a plain POST without token
    assert list(NewsletterSubscription.objects.values_list("email", flat=True)) == ["b@example.org"]
