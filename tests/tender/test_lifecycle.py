"""The tender lifecycle: legal moves only, by the right people, four-eyes opening, audited."""

import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from audit.models import AuditEntry
from audit.services import audit_verify
from communication.models import TenderDocument
from tender.constants import TenderState
from tender.errors import ApplicationError
from tender.services.lifecycle import (
    available_transitions,
    steps_of,
    tender_confirm_opening,
    tender_offers_deadline_set,
    tender_transition,
)
from tests.problems import field_errors

pytestmark = pytest.mark.django_db

BEFORE_DEADLINE = dt.datetime(2021, 5, 1, 10, 0, tzinfo=dt.UTC)
AFTER_DEADLINE = dt.datetime(2021, 6, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def inkoper(make_user):
    return make_user("inkoper", "inkoper")


@pytest.fixture
def chair(make_user):
    return make_user("chair", "voorzitter")


def set_state(tender, state):
    tender.state = state
    tender.save(update_fields=["state"])
    return tender


def test_inkoper_publishes_and_opens_submissions_before_the_deadline(demo_tender, inkoper):
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        tender_transition(tender=demo_tender, name="publish", user=inkoper)
        tender = tender_transition(tender=demo_tender, name="start_requests", user=inkoper)
    assert tender.state == TenderState.REQUESTS_OPEN
    actions = list(
        AuditEntry.objects.filter(action__startswith="tender.").values_list("action", "details__to")
    )
    assert actions == [
        ("tender.publish", "published"),
        ("tender.start_requests", "requests_open"),
    ]


def test_publishing_with_a_past_deadline_is_refused(demo_tender, inkoper):
    with (
        time_machine.travel(AFTER_DEADLINE, tick=False),
        pytest.raises(ApplicationError, match="verleden"),
    ):
        tender_transition(tender=demo_tender, name="publish", user=inkoper)
    demo_tender.refresh_from_db()
    assert demo_tender.state == TenderState.DRAFT
    assert not AuditEntry.objects.filter(action="tender.publish").exists()


def test_publishing_an_incomplete_tender_names_what_is_missing(demo_tender, inkoper):
    demo_tender.segments.get(code="JH-DYS").criteria.all().delete()
    with (
        time_machine.travel(BEFORE_DEADLINE, tick=False),
        pytest.raises(ApplicationError, match="JH-DYS"),
    ):
        tender_transition(tender=demo_tender, name="publish", user=inkoper)


def test_illegal_transition_is_refused_with_the_state_in_the_message(demo_tender, chair):
    with pytest.raises(ApplicationError, match="Concept"):
        tender_transition(tender=demo_tender, name="start_selection", user=chair)


def test_role_without_the_right_cannot_transition(demo_tender, make_user):
    auditor = make_user("auditor", "auditor")
    assert available_transitions(tender=demo_tender, user=auditor) == []
    with pytest.raises(ApplicationError, match="niet uitvoeren"):
        tender_transition(tender=demo_tender, name="publish", user=auditor)


def test_closing_waits_for_the_deadline(demo_tender, inkoper):
    set_state(demo_tender, TenderState.REQUESTS_OPEN)
    with (
        time_machine.travel(BEFORE_DEADLINE, tick=False),
        pytest.raises(ApplicationError, match="nog niet verstreken"),
    ):
        tender_transition(tender=demo_tender, name="close_requests", user=inkoper)
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        assert (
            tender_transition(tender=demo_tender, name="close_requests", user=inkoper).state
            == TenderState.REQUESTS_CLOSED
        )


def test_four_eyes_opening_needs_two_different_people_and_makes_a_proces_verbaal(
    demo_tender, inkoper, chair
):
    set_state(demo_tender, TenderState.REQUESTS_CLOSED)
    tender = tender_confirm_opening(tender=demo_tender, user=inkoper)
    assert tender.state == TenderState.REQUESTS_CLOSED
    with pytest.raises(ApplicationError, match="andere gebruiker"):
        tender_confirm_opening(tender=demo_tender, user=inkoper)
    tender = tender_confirm_opening(tender=demo_tender, user=chair)
    assert tender.state == TenderState.REQUESTS_OPENED

    document = TenderDocument.objects.get(
        tender=demo_tender, kind=TenderDocument.Kind.PROCES_VERBAAL
    )
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(document.file.read())).pages)
    assert "Proces-verbaal van opening" in text
    for kvk in demo_tender.submissions.values_list("bidder__kvk", flat=True):
        assert kvk in text
    assert "Pagina 1 van" in text
    opened = AuditEntry.objects.get(action="tender.open_requests")
    assert opened.details["confirmed_by"] == ["inkoper", "chair"]
    assert audit_verify() is None


def test_open_cannot_be_forced_through_the_generic_transition(demo_tender, chair):
    set_state(demo_tender, TenderState.REQUESTS_CLOSED)
    with pytest.raises(ApplicationError, match="twee personen"):
        tender_transition(tender=demo_tender, name="open_requests", user=chair)


def test_award_phase_needs_the_final_selection_ranking(demo_tender, chair):
    set_state(demo_tender, TenderState.SELECTION)
    with pytest.raises(ApplicationError, match="selectiefase definitief"):
        tender_transition(tender=demo_tender, name="start_selection_standstill", user=chair)


def test_cancelling_needs_a_reason_and_is_final(demo_tender, inkoper):
    with pytest.raises(ApplicationError, match="reden"):
        tender_transition(tender=demo_tender, name="cancel", user=inkoper)
    tender = tender_transition(
        tender=demo_tender, name="cancel", user=inkoper, reason="Budget vervallen"
    )
    assert tender.state == TenderState.CANCELLED
    assert available_transitions(tender=tender, user=inkoper) == []
    assert AuditEntry.objects.get(action="tender.cancel").details["reason"] == "Budget vervallen"


def test_api_refuses_same_user_twice_for_the_opening(demo_tender, client_for):
    set_state(demo_tender, TenderState.REQUESTS_CLOSED)
    client = client_for("inkoper")
    url = "/api/v1/tenders/inkoop-2022/transition/"
    first = client.post(url, {"transition": "open_requests"}, content_type="application/json")
    assert first.status_code == 200 and first.json()["state"] == "requests_closed"
    second = client.post(url, {"transition": "open_requests"}, content_type="application/json")
    assert second.status_code == 400
    assert "andere gebruiker" in field_errors(second)["transition"][0]


def test_api_refuses_an_illegal_transition_with_a_clear_400(demo_tender, client_for):
    response = client_for("voorzitter").post(
        "/api/v1/tenders/inkoop-2022/transition/",
        {"transition": "start_award"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Concept" in field_errors(response)["transition"][0]


def test_tender_page_shows_only_allowed_buttons(demo_tender, client_for):
    html = client_for("inkoper").get("/aanbestedingen/inkoop-2022/").content.decode()
    assert "Publiceren" in html and "Selectiefase starten" not in html
    html = client_for("auditor").get("/aanbestedingen/inkoop-2022/").content.decode()
    assert "Publiceren" not in html


def test_publishing_from_the_page_asks_first_and_names_the_consequence(demo_tender, client_for):
    """Issue 18.3: the button alone shows the confirmation page (its own page, no script),
    whose form posts the same action with confirm=1. The API needs no confirmation
    (docs/rules.md)."""
    client = client_for("inkoper")
    url = "/aanbestedingen/inkoop-2022/actie/publish/"
    asked = client.post(url).content.decode()
    assert "worden openbaar op de aanbestedingssite" in asked
    assert 'name="confirm" value="1"' in asked
    assert f'action="{url}"' in asked
    demo_tender.refresh_from_db()
    assert demo_tender.state == TenderState.DRAFT


def test_each_procedure_has_its_own_transitions_and_timeline(demo_tender, inkoper, client_for):
    set_state(demo_tender, TenderState.PUBLISHED)
    names = {t.name for t in available_transitions(tender=demo_tender, user=inkoper)}
    assert "start_requests" in names and "start_offers" not in names
    demo_tender.procedure = "open"
    demo_tender.save(update_fields=["procedure"])
    names = {t.name for t in available_transitions(tender=demo_tender, user=inkoper)}
    assert "start_offers" in names and "start_requests" not in names
    with pytest.raises(ApplicationError, match="hoort niet bij de procedure"):
        tender_transition(tender=demo_tender, name="start_requests", user=inkoper)
    steps = steps_of(demo_tender)
    assert [s["state"] for s in steps][:3] == ["draft", "published", "offers_open"]
    assert [s["state"] for s in steps if s["current"]] == ["published"]
    assert all(s["state"] != "selection" for s in steps)
    html = client_for("inkoper").get("/aanbestedingen/inkoop-2022/").content.decode()
    assert 'aria-current="step"><strong>Gepubliceerd</strong>' in html


def test_the_offers_deadline_is_set_by_procurement_before_round_two(demo_tender, inkoper, chair):
    set_state(demo_tender, TenderState.SELECTION)
    later = demo_tender.deadline + dt.timedelta(days=400)
    with pytest.raises(ApplicationError, match="inkoper"):
        tender_offers_deadline_set(tender=demo_tender, deadline=later, user=chair)
    with pytest.raises(ApplicationError, match="toekomst"):
        tender_offers_deadline_set(tender=demo_tender, deadline=demo_tender.deadline, user=inkoper)
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        tender = tender_offers_deadline_set(
            tender=demo_tender, deadline=dt.datetime(2031, 1, 1, tzinfo=dt.UTC), user=inkoper
        )
    assert tender.offers_deadline.year == 2031
    assert AuditEntry.objects.filter(action="tender.offers_deadline").count() == 1
    set_state(demo_tender, TenderState.OFFERS_OPEN)
    with pytest.raises(ApplicationError, match="ligt vast"):
        tender_offers_deadline_set(tender=demo_tender, deadline=later, user=inkoper)
