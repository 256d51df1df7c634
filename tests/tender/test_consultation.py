"""Market consultation (issue 15.1): an optional state before publication in which the public
page, questions and sessions work while segments may be provisional; a decision record makes a
segment definitive; publishing needs every segment definitive and the decisions show in the
tender's history and on its public page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from communication.models import Nota
from communication.services import notas
from communication.services.notas import nota_create, nota_publish
from communication.services.questions import question_answer, question_ask
from providers.selectors import organisation_of
from tender.constants import TenderState
from tender.errors import ApplicationError
from tender.models import Criterion, Segment
from tender.services.decisions import decision_record, segment_provisional_set
from tender.services.lifecycle import steps_of, tender_transition

from .communication_helpers import (  # noqa: F401 - fixtures
    build_tender,
    inkoper_fixture,
    make_provider,
    provider_fixture,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(db):
    tender = build_tender(slug="inkoop-2026", state=TenderState.DRAFT)
    for segment in Segment.objects.filter(tender=tender):
        Criterion.objects.create(
            segment=segment, code="K1", name="Kwaliteit", phase="award", max_points=Decimal(10)
        )
    return tender


def decide(segment, user, **extra):
    values = {
        "body": "college",
        "decided_on": timezone.localdate(),
        "decision": "Het college stemt in met het segment Dyslexie.",
    }
    return decision_record(segment=segment, user=user, **{**values, **extra})


def test_a_provisional_segment_blocks_publication_until_its_decision_is_recorded(
    draft, inkoper, client
):
    tender = tender_transition(tender=draft, name="consult", user=inkoper)
    assert tender.state == TenderState.CONSULTATION
    assert [s["state"] for s in steps_of(tender)][:3] == ["draft", "consultation", "published"]
    dyslexie = Segment.objects.get(tender=tender, code="JH-DYS")
    segment_provisional_set(segment=dyslexie, user=inkoper)
    dyslexie.refresh_from_db()
    assert dyslexie.provisional_note == "onder voorbehoud van besluitvorming"
    page = client.get(reverse("public-tender", args=[tender.slug])).content.decode()
    assert "onder voorbehoud van besluitvorming" in page

    with pytest.raises(ApplicationError, match="Nog niet elk segment is definitief: JH-DYS"):
        tender_transition(tender=tender, name="publish", user=inkoper)

    decide(dyslexie, inkoper)
    tender = tender_transition(tender=tender, name="publish", user=inkoper)
    assert tender.state == TenderState.PUBLISHED
    assert "consultation" in [s["state"] for s in steps_of(tender)]  # stays in the timeline
    assert list(
        AuditEntry.objects.filter(tender_slug=tender.slug).values_list("action", flat=True)
    ) == ["tender.consult", "segment.provisional", "segment.decision", "tender.publish"]
    page = client.get(reverse("public-tender", args=[tender.slug])).content.decode()
    assert "Het college stemt in met het segment Dyslexie." in page
    assert "onder voorbehoud van besluitvorming" not in page


def test_a_tender_may_skip_the_consultation_and_its_timeline_leaves_it_out(draft, inkoper):
    tender = tender_transition(tender=draft, name="publish", user=inkoper)
    assert tender.state == TenderState.PUBLISHED
    assert "consultation" not in [s["state"] for s in steps_of(tender)]
    with pytest.raises(ApplicationError, match="kan niet in de status"):
        tender_transition(tender=tender, name="consult", user=inkoper)


def test_a_decision_needs_a_provisional_segment_a_past_date_and_a_text(draft, inkoper, make_user):
    segment = Segment.objects.get(tender=draft, code="WMO-BG")
    with pytest.raises(ApplicationError, match="al definitief"):
        decide(segment, inkoper)
    segment_provisional_set(segment=segment, user=inkoper, note="Wacht op de raad")
    with pytest.raises(ApplicationError, match="in de toekomst"):
        decide(segment, inkoper, decided_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(ApplicationError, match="Beschrijf"):
        decide(segment, inkoper, decision="  ")
    with pytest.raises(ApplicationError, match="Kies wie"):
        decide(segment, inkoper, body="wethouder")
    with pytest.raises(ApplicationError, match="Alleen een inkoper"):
        decide(segment, make_user("chair-dec", "voorzitter"))
    segment.refresh_from_db()
    assert segment.provisional and not segment.decisions.exists()


def test_questions_in_the_consultation_are_answered_in_an_anonymous_consultation_report(
    draft, inkoper, provider, monkeypatch
):
    # The report's content, not WeasyPrint (test_questions renders a real nota PDF): the
    # "PDF" is the rendered HTML.
    monkeypatch.setattr(
        notas, "render_to_pdf", lambda name, context: render_to_string(name, context).encode()
    )
    tender = tender_transition(tender=draft, name="consult", user=inkoper)
    question = question_ask(
        tender=tender,
        organisation=organisation_of(provider),
        user=provider,
        text="Komt er een apart segment voor dyslexie?",
    )
    question_answer(question=question, user=inkoper, answer="Ja, onder voorbehoud.")
    report = nota_create(tender=tender, user=inkoper, questions=[question])
    assert (report.kind, report.number, report.label) == ("report", 1, "Consultatieverslag 1")
    nota_publish(nota=report, user=inkoper)
    report.refresh_from_db()
    assert report.document.title == "Consultatieverslag 1"
    assert report.document.audience == "public"
    with report.document.file.open("rb") as handle:
        text = handle.read().decode()
    assert "Consultatieverslag 1" in text and "marktconsultatie" in text
    assert "Zorg Oost" not in text  # anonymous
    assert Nota.objects.get().is_report


def test_inkoper_marks_a_segment_provisional_and_records_the_decision_on_the_segment_page(
    draft, client_for
):
    segment = Segment.objects.get(tender=draft, code="JH-DYS")
    client = client_for("inkoper")
    provisional = reverse("setup-segment-provisional", args=[draft.slug, segment.pk])
    decision = reverse("setup-segment-decision", args=[draft.slug, segment.pk])
    assert client.post(provisional, {"note": ""}).status_code == 302
    response = client.post(decision, {"body": "raad", "decided_on": "", "decision": "Akkoord"})
    assert response.status_code == 400
    assert "Vul de datum van het besluit in." in response.content.decode()
    response = client.post(
        decision,
        {"body": "raad", "decided_on": "2026-01-15", "decision": "De raad stemt in."},
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert not segment.provisional
    page = client.get(reverse("tender-detail", args=[draft.slug])).content.decode()
    assert "Gemeenteraad" in page and "De raad stemt in." in page


def test_a_read_only_role_cannot_record_a_decision(draft, client_for):
    segment = Segment.objects.get(tender=draft, code="JH-DYS")
    client = client_for("contractmanager")
    url = reverse("setup-segment-provisional", args=[draft.slug, segment.pk])
    assert client.post(url, {"note": ""}).status_code == 403
    segment.refresh_from_db()
    assert not segment.provisional
