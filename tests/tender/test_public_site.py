"""The public tender site: what the seed pages show (news, downloads, calendar, vraag &
antwoord, key dates with the deadline, newsletter sign-up), only for tenders that are not a
draft; and the staff screens that keep news and key dates."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import INKOPER
from communication.models import KeyDate, NewsItem, NewsletterSubscription, TenderDocument
from communication.services.market import key_date_save, news_item_save
from tender.errors import ApplicationError

from .communication_helpers import (  # noqa: F401 - fixtures
    build_tender,
    inkoper_fixture,
    make_session,
    tender_fixture,
)

pytestmark = pytest.mark.django_db


def add_document(tender, title, *, public=True):
    document = TenderDocument(
        tender=tender, kind="document", title=title, audience="public" if public else "staff"
    )
    document.file.save(f"{title}.pdf", ContentFile(b"%PDF-1.4 test" * 100), save=True)
    return document


def test_the_public_page_shows_news_downloads_calendar_and_key_dates(client, tender, inkoper):
    news_item_save(
        tender=tender,
        user=inkoper,
        title="Aanbesteding van start",
        body="Vanaf 1 april kunnen zorgaanbieders zich inschrijven.",
    )
    add_document(tender, "Visie inkoop Sociaal Domein")
    add_document(tender, "Intern concept", public=False)
    make_session(tender, title="Gesprekstafel Wmo")
    key_date_save(tender=tender, user=inkoper, label="Gunning", date=dt.date(2099, 10, 1))

    response = client.get(reverse("public-tender", args=[tender.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Aanbesteding van start",
        "Visie inkoop Sociaal Domein",
        "Gesprekstafel Wmo",
        "Gunning",
        "Sluitingstermijn",
        "Aanmelden voor de nieuwsbrief",
        "Vraag &",
    ):
        assert text in html, text
    assert "Intern concept" not in html
    deadline = timezone.localtime(tender.deadline)
    assert f"{deadline:%H:%M}" in html  # the deadline with its time


def test_the_deadline_is_always_among_the_key_dates_in_date_order(client, tender, inkoper):
    key_date_save(tender=tender, user=inkoper, label="Start aanbesteding", date=dt.date(2000, 4, 1))
    key_date_save(tender=tender, user=inkoper, label="Gunning", date=dt.date(2099, 10, 1))
    html = client.get(reverse("public-calendar", args=[tender.slug])).content.decode()
    assert html.index("Start aanbesteding") < html.index("Sluitingstermijn") < html.index("Gunning")


def test_a_tender_document_is_a_download_typed_by_its_content(client, tender):
    document = add_document(tender, "Leidraad")
    response = client.get(reverse("public-document", args=[tender.slug, document.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="Leidraad')
    assert response["Content-Disposition"].endswith('.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_stored_html_document_is_served_as_plain_bytes_to_save(client_for, tender):
    """A file stored before the upload check (the admin took any file): never a page of this
    site, not on the public site and not on the staff screen."""
    document = TenderDocument(tender=tender, kind="document", title="Leidraad", audience="public")
    document.file.save(
        "leidraad.html", ContentFile(b"<html><script>alert(document.cookie)</script>"), save=True
    )
    public = client_for(None).get(reverse("public-document", args=[tender.slug, document.pk]))
    staff = client_for(INKOPER, "inkoper-documenten").get(
        reverse("tender-document", args=[tender.slug, document.pk])
    )
    for response in (public, staff):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"


def test_every_page_tells_the_browser_not_to_guess_the_type(client, tender):
    response = client.get(reverse("public-tender", args=[tender.slug]))
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_draft_tender_is_not_public_anywhere(client, db):
    draft = build_tender(slug="concept", state="draft")
    document = add_document(draft, "Concept leidraad")
    session = make_session(draft)
    for url in (
        reverse("public-tender", args=[draft.slug]),
        reverse("public-news", args=[draft.slug]),
        reverse("public-calendar", args=[draft.slug]),
        reverse("public-questions", args=[draft.slug]),
        reverse("public-document", args=[draft.slug, document.pk]),
        reverse("public-session", args=[draft.slug, session.pk]),
        f"/api/v1/public/tenders/{draft.slug}/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("public-newsletter", args=[draft.slug]), {"email": "a@example.org"}
        ).status_code
        == 404
    )
    assert "Concept" not in client.get(reverse("public-tenders")).content.decode()


def test_a_cancelled_tender_stays_public_and_says_so(client, db):
    cancelled = build_tender(slug="ingetrokken", state="cancelled")
    html = client.get(reverse("public-tender", args=[cancelled.slug])).content.decode()
    assert "Deze aanbesteding is ingetrokken." in html


def test_public_documents_download_and_others_do_not(client, tender):
    public = add_document(tender, "Leidraad")
    internal = add_document(tender, "Intern", public=False)
    response = client.get(reverse("public-document", args=[tender.slug, public.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (
        client.get(reverse("public-document", args=[tender.slug, internal.pk])).status_code == 404
    )


def test_unpublished_and_future_news_stay_off_the_site(client, tender, inkoper):
    news_item_save(tender=tender, user=inkoper, title="Concept", body="x", published=False)
    news_item_save(
        tender=tender,
        user=inkoper,
        title="Later",
        body="x",
        published_at=timezone.now() + dt.timedelta(days=1),
    )
    item = news_item_save(tender=tender, user=inkoper, title="Nu", body="Eerste alinea.")
    html = client.get(reverse("public-news", args=[tender.slug])).content.decode()
    assert "Nu" in html and "Concept" not in html and "Later" not in html
    hidden = NewsItem.objects.get(title="Concept")
    assert (
        client.get(reverse("public-news-detail", args=[tender.slug, hidden.pk])).status_code == 404
    )
    detail = client.get(reverse("public-news-detail", args=[tender.slug, item.pk]))
    assert "<p>Eerste alinea.</p>" in detail.content.decode()


def test_the_session_page_explains_the_conditional_overflow(client, tender):
    extra = make_session(tender, title="Extra sessie", capacity=70)
    main = make_session(tender, title="Vervolg informatieve sessie", capacity=70, overflow=extra)
    html = client.get(reverse("public-session", args=[tender.slug, main.pk])).content.decode()
    assert "maximaal 70 organisaties" in html
    assert "alleen plaats als deze sessie vol raakt" in html
    assert "Inloggen om u aan te melden" in html


# -- staff: news and key dates ------------------------------------------------------------


def test_inkoper_writes_news_and_mails_it_once_to_confirmed_subscribers(
    client_for, tender, django_capture_on_commit_callbacks
):
    NewsletterSubscription.objects.create(
        tender=tender, email="abonnee@example.org", confirmed_at=timezone.now()
    )
    NewsletterSubscription.objects.create(tender=tender, email="onbevestigd@example.org")
    client = client_for("inkoper")
    url = reverse("communication-news", args=[tender.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "title": "Segmenten Wmo bekend",
                "body": "De segmenten zijn vastgesteld.",
                "published": "on",
                "mail_subscribers": "on",
            },
        )
    assert response.status_code == 302
    item = NewsItem.objects.get()
    assert [m.to for m in mail.outbox] == [["abonnee@example.org"]]
    assert "Segmenten Wmo bekend" in mail.outbox[0].subject
    assert "/nieuwsbrief/afmelden/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("communication-news-edit", args=[tender.slug, item.pk]),
            {
                "title": "Segmenten Wmo bekend",
                "body": "Aangepast.",
                "published": "on",
                "mail_subscribers": "on",
            },
        )
    assert len(mail.outbox) == 1  # never mailed twice


def test_inkoper_keeps_the_key_dates(client_for, tender):
    client = client_for("inkoper")
    url = reverse("communication-key-dates", args=[tender.slug])
    response = client.post(url, {"label": "Publicatie", "date": "2099-04-01", "note": ""})
    assert response.status_code == 302
    key_date = KeyDate.objects.get()
    assert key_date.date == dt.date(2099, 4, 1)
    client.post(
        reverse("communication-key-date-edit", args=[tender.slug, key_date.pk]),
        {"label": "Publicatie leidraad", "date": "01-04-2099", "note": "onder voorbehoud"},
    )
    key_date.refresh_from_db()
    assert (key_date.label, key_date.note) == ("Publicatie leidraad", "onder voorbehoud")
    client.post(url, {"delete": key_date.pk})
    assert not KeyDate.objects.exists()


@pytest.mark.parametrize("role", ["auditor", "contractmanager"])
def test_read_only_staff_see_the_screens_but_change_nothing(client_for, tender, role):
    client = client_for(role)
    assert client.get(reverse("communication-hub", args=[tender.slug])).status_code == 200
    assert client.get(reverse("communication-news", args=[tender.slug])).status_code == 200
    response = client.post(
        reverse("communication-news", args=[tender.slug]), {"title": "x", "body": "y"}
    )
    assert response.status_code == 404
    assert not NewsItem.objects.exists()
    assert client.get(reverse("communication-deadline", args=[tender.slug])).status_code == 404


@pytest.mark.parametrize("role", ["aanbieder", "beoordelaar", None])
def test_staff_screens_are_404_for_everyone_else(client_for, tender, role):
    client = client_for(role)
    for name in ("communication-hub", "communication-questions", "communication-sessions"):
        response = client.get(reverse(name, args=[tender.slug]))
        assert response.status_code == 404, name


def test_anonymous_visitors_are_sent_to_the_login_for_staff_screens(client, tender):
    response = client.get(reverse("communication-hub", args=[tender.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_services_refuse_people_who_may_not_manage(tender, make_user):
    with pytest.raises(ApplicationError, match="niet beheren"):
        news_item_save(tender=tender, user=make_user("a", "auditor"), title="x", body="y")


def test_the_public_site_is_available_in_english(client, tender):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("public-tender", args=[tender.slug])).content.decode()
    assert "Newsletter" in html and "Nieuwsbrief" not in html
