"""The tender newsletter with double opt-in: sign up, a mail with a signed link, confirm,
unsubscribe from any mail; bad or expired links are refused; nothing public lists addresses."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from communication.models import NewsletterSubscription
from communication.services.market import newsletter_subscribe

from .communication_helpers import links_in, path_of, tender_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

ADDRESS = "Communicatie@Zorgaanbieder.example"


@pytest.fixture
def signed_up(client, tender, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("public-newsletter", args=[tender.slug]), {"email": ADDRESS})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def confirm_link(message):
    return next(path_of(url) for url in links_in(message) if "/bevestigen/" in url)


def unsubscribe_link(message):
    return next(path_of(url) for url in links_in(message) if "/afmelden/" in url)


def test_signing_up_mails_a_confirmation_link_and_stores_the_address_unconfirmed(signed_up, tender):
    subscription = NewsletterSubscription.objects.get()
    assert subscription.email == ADDRESS.lower() and subscription.confirmed_at is None
    assert signed_up.to == [ADDRESS.lower()]
    assert tender.title in signed_up.subject
    assert confirm_link(signed_up) and unsubscribe_link(signed_up)


def test_the_link_confirms_with_a_button_not_by_opening_it(client, signed_up):
    url = confirm_link(signed_up)
    page = client.get(url)
    assert page.status_code == 200 and "Aanmelding bevestigen" in page.content.decode()
    assert NewsletterSubscription.objects.get().confirmed_at is None  # a mail scanner's GET
    done = client.post(url)
    assert done.status_code == 200 and "Uw aanmelding is bevestigd." in done.content.decode()
    assert NewsletterSubscription.objects.get().confirmed_at is not None


def test_a_tampered_link_is_refused(client, signed_up, tender):
    url = confirm_link(signed_up)
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = url.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    response = client.post(forged)
    assert response.status_code == 400 and "Deze link is ongeldig." in response.content.decode()
    other = reverse("public-newsletter-confirm", args=[tender.slug, "eyJ0IjoxfQ:abc:def"])
    assert client.post(other).status_code == 400
    assert NewsletterSubscription.objects.get().confirmed_at is None


def test_a_link_for_another_tender_is_refused(client, signed_up, db):
    from .communication_helpers import build_tender

    other = build_tender(slug="andere-aanbesteding")
    url = confirm_link(signed_up).replace("/inkoop-2022/", f"/{other.slug}/")
    assert client.post(url).status_code == 400


def test_an_expired_confirmation_link_is_refused(client, signed_up):
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        response = client.post(confirm_link(signed_up))
    assert response.status_code == 400 and "verlopen" in response.content.decode()


def test_every_mail_has_a_working_unsubscribe_link(client, signed_up):
    client.post(confirm_link(signed_up))
    url = unsubscribe_link(signed_up)
    assert client.get(url).status_code == 200
    assert NewsletterSubscription.objects.exists()
    response = client.post(url)
    assert "U bent afgemeld." in response.content.decode()
    assert not NewsletterSubscription.objects.exists()
    assert client.post(url).status_code == 200  # twice is fine


def test_signing_up_again_reveals_nothing_and_does_not_flood_the_mailbox(
    client, signed_up, tender, django_capture_on_commit_callbacks
):
    url = reverse("public-newsletter", args=[tender.slug])
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"email": ADDRESS}, follow=True)
    assert len(mail.outbox) == 1  # no second mail within 10 minutes
    fresh = client.post(url, {"email": "nieuw@example.org"}, follow=True)
    message = "U ontvangt een e-mail met een link om uw aanmelding te bevestigen"
    assert message in again.content.decode() and message in fresh.content.decode()
    with (
        time_machine.travel(timezone.now() + dt.timedelta(minutes=11)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        newsletter_subscribe(tender=tender, email=ADDRESS)
    assert len(mail.outbox) == 2


def test_an_invalid_address_is_shown_on_the_form(client, tender):
    response = client.post(reverse("public-newsletter", args=[tender.slug]), {"email": "geen"})
    assert response.status_code == 400
    assert "Vul een geldig e-mailadres in" in response.content.decode()


def test_nothing_public_lists_the_subscribers(client, tender):
    NewsletterSubscription.objects.create(
        tender=tender, email="geheim@example.org", confirmed_at=timezone.now()
    )
    for url in (
        reverse("public-tender", args=[tender.slug]),
        reverse("public-calendar", args=[tender.slug]),
        f"/api/v1/public/tenders/{tender.slug}/",
        "/api/v1/public/tenders/",
    ):
        assert "geheim@example.org" not in client.get(url).content.decode(), url
