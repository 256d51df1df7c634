"""Market consultation in a real browser (issue 15.1): a tender in consultation with a
provisional segment; its session opens registration later and mails its programme on the set
date; the inkoper publishes the consultation report, records the college's decision that makes
the segment definitive and publishes the tender, whose pages show the decision. The new pages
pass axe-core."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from communication.models import Session
from communication.services.notas import nota_create
from communication.services.questions import question_answer, question_ask
from communication.services.registrations import session_register
from communication.tasks import send_due_session_details
from providers.selectors import organisation_of
from tender.models import Criterion, Segment, Tender
from tender.services.decisions import segment_provisional_set
from tender.services.lifecycle import tender_transition
from tests.tender.communication_helpers import build_tender, make_provider

from .conftest import assert_no_axe_violations, confirm_if_asked, login
from .test_sessions import PASSWORD, make_inkoper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_consultation_runs_to_publication_once_the_decision_is_recorded(live_server, page):
    inkoper = make_inkoper("inkoper-consultatie")
    tender = build_tender(slug="inkoop-2027", state="draft")
    for segment in Segment.objects.filter(tender=tender):
        Criterion.objects.create(
            segment=segment, code="K1", name="Kwaliteit", phase="award", max_points=Decimal(10)
        )
    tender = tender_transition(tender=tender, name="consult", user=inkoper)
    dyslexie = segment_provisional_set(
        segment=Segment.objects.get(tender=tender, code="JH-DYS"), user=inkoper
    )
    opens = timezone.now() + dt.timedelta(days=2)
    send_by = timezone.localdate() + dt.timedelta(days=5)
    session = Session.objects.create(
        tender=tender,
        kind="dialogue",
        title="Dialoogsessie segmenten",
        starts_at=timezone.now() + dt.timedelta(days=10),
        ends_at=timezone.now() + dt.timedelta(days=10, hours=2),
        location="Online via Microsoft Teams",
        capacity=70,
        registration_opens_at=opens,
        registration_deadline=timezone.now() + dt.timedelta(days=7),
        programme="14.00 Welkom\n14.15 Afbakening Dyslexie",
        details_send_by=send_by,
    )
    provider = make_provider("Zorg Oost", password=PASSWORD)

    # Anonymous: the public page says the segment is provisional; registration opens later.
    page.goto(live_server.url + reverse("public-tender", args=[tender.slug]))
    expect(page.get_by_text("onder voorbehoud van besluitvorming")).to_be_visible()
    page.goto(live_server.url + reverse("public-session", args=[tender.slug, session.pk]))
    expect(page.get_by_role("button", name="Aanmelden voor deze sessie")).to_have_count(0)

    with time_machine.travel(opens + dt.timedelta(hours=1), tick=False):
        session_register(
            session=session,
            organisation=organisation_of(provider),
            participant_name="Olga Oost",
            participant_email="olga@zorgoost.example",
            user=provider,
        )
        question = question_ask(
            tender=tender,
            organisation=organisation_of(provider),
            user=provider,
            text="Blijft Dyslexie een apart segment?",
        )
    mail.outbox.clear()
    at_send_by = dt.datetime.combine(send_by, dt.time(9), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(at_send_by, tick=False):
        assert send_due_session_details() == 1
    [programme] = [m for m in mail.outbox if m.to == ["olga@zorgoost.example"]]
    assert "Afbakening Dyslexie" in programme.body

    question_answer(question=question, user=inkoper, answer="Ja, onder voorbehoud.")
    report = nota_create(tender=tender, user=inkoper, questions=[question])

    login(page, live_server, inkoper.username, PASSWORD)
    page.goto(live_server.url + reverse("communication-nota", args=[tender.slug, report.pk]))
    with page.expect_navigation():
        page.get_by_role("button", name="Nota publiceren en versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultatieverslag 1")

    page.goto(live_server.url + reverse("setup-segment", args=[tender.slug, dyslexie.pk]))
    assert_no_axe_violations(page)
    page.get_by_label("Orgaan").select_option(label="College van B&W")
    page.get_by_label("Datum besluit").fill(timezone.localdate().isoformat())
    page.get_by_label("Besluit", exact=True).fill("Het college stelt het segment Dyslexie vast.")
    with page.expect_navigation():
        page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.get_by_text("segment JH-DYS is definitief")).to_be_visible()

    page.goto(live_server.url + reverse("tender-detail", args=[tender.slug]))
    with page.expect_navigation():
        page.get_by_role("button", name="Publiceren").click()
    confirm_if_asked(page)
    expect(page.get_by_text("Status gewijzigd naar 'Gepubliceerd'")).to_be_visible()
    expect(page.locator("#besluitvorming")).to_be_visible()
    expect(page.get_by_text("Het college stelt het segment Dyslexie vast.")).to_be_visible()
    assert_no_axe_violations(page)
    assert Tender.objects.get(pk=tender.pk).state == "published"

    page.goto(live_server.url + reverse("public-tender", args=[tender.slug]))
    expect(page.get_by_text("Het college stelt het segment Dyslexie vast.")).to_be_visible()
    assert_no_axe_violations(page)
