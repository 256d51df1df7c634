"""Sessions in a real browser: an inkoper plans a session with capacity 2 and an overflow
session, three provider organisations register (the third through the public page) and the
staff attendee page shows the third in the overflow. The staff and public pages of the
communication area (session messages, newsletter issues and their public archive too) pass
axe-core."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import INKOPER
from communication.models import NewsletterIssue, Session
from communication.services.notas import nota_create
from communication.services.questions import question_answer, question_ask
from communication.services.registrations import session_register
from providers.selectors import organisation_of
from tests.tender.communication_helpers import build_tender, make_provider

from .conftest import assert_no_axe_violations, login, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zorg-Inkoop-2022!"


def make_inkoper(username="inkoper-sessies"):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=INKOPER)[0])
    return user


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def fill_session(page, *, title, capacity, starts, overflow=None):
    page.get_by_label("Soort").select_option(label="Dialoogsessie")
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Begint om").fill(local(starts))
    page.get_by_label("Eindigt om").fill(local(starts + dt.timedelta(hours=2)))
    page.get_by_label("Plaats (niet verplicht)").fill("Online via Microsoft Teams")
    page.get_by_label("Capaciteit (organisaties)").fill(str(capacity))
    page.get_by_label("Aanmelden kan tot").fill(local(starts - dt.timedelta(days=3)))
    if overflow:
        page.get_by_label("Extra sessie bij overschrijding").select_option(label=overflow)
    with page.expect_navigation():
        page.get_by_role("button", name="Sessie opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


@pytest.fixture
def tender(db):
    return build_tender()


def test_the_third_organisation_lands_in_the_overflow_session(
    live_server, browser, page, tender, csp_violations
):
    make_inkoper()
    login(page, live_server, "inkoper-sessies", PASSWORD)
    page.goto(live_server.url + reverse("tender-detail", args=[tender.slug]))
    with page.expect_navigation():
        page.get_by_role("link", name="Communicatie: nieuws, sessies, vragen en nota's").click()
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Sessies").click()
    starts = timezone.now() + dt.timedelta(days=14)

    with page.expect_navigation():
        page.get_by_role("link", name="Nieuwe sessie").click()
    assert_no_axe_violations(page)
    fill_session(page, title="Extra sessie", capacity=5, starts=starts + dt.timedelta(days=9))
    page.goto(live_server.url + reverse("communication-session-create", args=[tender.slug]))
    fill_session(
        page,
        title="Vervolg informatieve sessie",
        capacity=2,
        starts=starts,
        overflow="Extra sessie",
    )
    main = Session.objects.get(title="Vervolg informatieve sessie")
    assert main.capacity == 2 and main.overflow.title == "Extra sessie"

    providers = [make_provider(name, password=PASSWORD) for name in ("Aanbieder Een", "Twee BV")]
    for user in providers:
        session_register(
            session=main,
            organisation=organisation_of(user),
            participant_name=f"Deelnemer {user.username}",
            participant_email=f"{user.username}@example.org",
            user=user,
        )

    third = make_provider("Stichting Drie", username="drie", password=PASSWORD)
    context = new_context(browser, csp_violations)
    provider_page = context.new_page()
    try:
        public_url = live_server.url + reverse("public-session", args=[tender.slug, main.pk])
        provider_page.goto(public_url)
        assert_no_axe_violations(provider_page)
        login(provider_page, live_server, third.username, PASSWORD)
        provider_page.goto(public_url)
        provider_page.get_by_label("Naam deelnemer").fill("Dirk Drie")
        provider_page.get_by_label("E-mailadres deelnemer").fill("dirk@drie.example")
        with provider_page.expect_navigation():
            provider_page.get_by_role("button", name="Aanmelden voor deze sessie").click()
        expect(provider_page.get_by_role("alert")).to_contain_text(
            "Deze sessie is vol. Uw organisatie is aangemeld voor de extra sessie 'Extra sessie'."
        )
        expect(provider_page.locator("#aanmelden")).to_be_visible()
        expect(provider_page.get_by_text("Deze sessie was vol: uw organisatie")).to_be_visible()
        screenshot(provider_page, "session-provider-overflow")
        assert_no_axe_violations(provider_page)
    finally:
        context.close()

    page.goto(live_server.url + reverse("communication-session", args=[tender.slug, main.pk]))
    main_table = page.locator("table#deelnemers")
    overflow_table = page.locator("table#deelnemers-extra")
    expect(main_table.locator("tbody tr")).to_have_count(2)
    expect(overflow_table.locator("tbody tr")).to_have_count(1)
    expect(overflow_table).to_contain_text("Stichting Drie")
    expect(overflow_table).to_contain_text("Dirk Drie")
    expect(main_table).not_to_contain_text("Stichting Drie")
    expect(page.get_by_text("gaat door", exact=True)).to_be_visible()
    screenshot(page, "session-attendees")
    assert_no_axe_violations(page)


def test_communication_pages_have_no_serious_accessibility_violations(live_server, page, tender):
    asker = make_provider("Vragensteller", password=PASSWORD)
    question_ask(
        tender=tender, organisation=organisation_of(asker), user=asker, text="Mag een ZZP'er?"
    )
    extra = Session.objects.create(
        tender=tender,
        kind="dialogue",
        title="Extra",
        starts_at=timezone.now() + dt.timedelta(days=20),
        ends_at=timezone.now() + dt.timedelta(days=20, hours=2),
        location="Doetinchem",
        capacity=5,
        registration_deadline=timezone.now() + dt.timedelta(days=5),
    )
    session = Session.objects.create(
        tender=tender,
        kind="table_talk",
        title="Gesprekstafel Wmo",
        starts_at=timezone.now() + dt.timedelta(days=10),
        ends_at=timezone.now() + dt.timedelta(days=10, hours=2),
        location="Doetinchem",
        capacity=2,
        registration_deadline=timezone.now() + dt.timedelta(days=5),
        overflow=extra,
    )
    workshop = Session.objects.create(
        tender=tender,
        kind="workshop",
        title="Workshop Jeugd",
        starts_at=timezone.now() + dt.timedelta(days=30),
        ends_at=timezone.now() + dt.timedelta(days=30, hours=2),
        location="Doetinchem",
        capacity=70,
        registration_opens_at=timezone.now() + dt.timedelta(days=3),
        registration_deadline=timezone.now() + dt.timedelta(days=20),
        programme="10:00 Welkom",
        details_send_by=timezone.localdate() + dt.timedelta(days=25),
    )
    sent_issue = NewsletterIssue.objects.create(
        tender=tender, title="Nieuwsbrief januari", theme="Jeugd", body="Beste lezer,"
    )
    NewsletterIssue.objects.filter(pk=sent_issue.pk).update(sent_at=timezone.now())
    draft_issue = NewsletterIssue.objects.create(tender=tender, title="Nieuwsbrief februari")
    public_pages = [
        reverse("public-tenders"),
        reverse("public-tender", args=[tender.slug]),
        reverse("public-news", args=[tender.slug]),
        reverse("public-calendar", args=[tender.slug]),
        reverse("public-session", args=[tender.slug, session.pk]),
        reverse("public-session", args=[tender.slug, extra.pk]),
        reverse("public-questions", args=[tender.slug]),
        reverse("public-session", args=[tender.slug, workshop.pk]),
        reverse("public-newsletter-issues", args=[tender.slug]),
        reverse("public-newsletter-issue", args=[tender.slug, sent_issue.pk]),
    ]
    for url in public_pages:
        page.goto(live_server.url + url)
        assert_no_axe_violations(page)
    screenshot(page, "public-questions")

    login(page, live_server, asker.username, PASSWORD)
    for url in (public_pages[1], public_pages[4], public_pages[6]):
        page.goto(live_server.url + url)
        assert_no_axe_violations(page)

    inkoper = make_inkoper("inkoper-a11y")
    question = asker.organisation_membership.organisation.questions.get()
    question_answer(question=question, user=inkoper, answer="Ja, als ZZP'er mag u inschrijven.")
    nota = nota_create(tender=tender, user=inkoper, questions=[question])
    page.context.clear_cookies()
    login(page, live_server, "inkoper-a11y", PASSWORD)
    for name, args in (
        ("communication-hub", []),
        ("communication-news", []),
        ("communication-key-dates", []),
        ("communication-sessions", []),
        ("communication-session-edit", [session.pk]),
        ("communication-session", [session.pk]),
        ("communication-questions", []),
        ("communication-question", [question.pk]),
        ("communication-notas", []),
        ("communication-nota", [nota.pk]),
        ("communication-deadline", []),
        ("communication-session", [workshop.pk]),
        ("communication-newsletters", []),
        ("communication-newsletter", [draft_issue.pk]),
        ("communication-newsletter", [sent_issue.pk]),
    ):
        page.goto(live_server.url + reverse(name, args=[tender.slug, *args]))
        assert_no_axe_violations(page)
    screenshot(page, "staff-deadline")
    page.goto(live_server.url + reverse("public-tender", args=[tender.slug]))
    screenshot(page, "public-tender")
