"""POST /api/v1/tenders/<slug>/deadline/: moving the deadline through the API, with the same
refusals as the screen (400 on ``deadline``), 404 for non-staff and 403 for staff without
the right."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from audit.models import AuditEntry
from tender.constants import TenderState
from tests.problems import field_errors

from .communication_helpers import (  # noqa: F401 - fixtures
    build_tender,
    inkoper_fixture,
    tender_fixture,
)

pytestmark = pytest.mark.django_db


def url(tender) -> str:
    return f"/api/v1/tenders/{tender.slug}/deadline/"


def move(client, tender, deadline):
    value = deadline.isoformat() if isinstance(deadline, dt.datetime) else deadline
    return client.post(url(tender), {"deadline": value}, content_type="application/json")


def test_an_allowed_move_returns_the_tender_and_is_audited(
    client_for, tender, django_capture_on_commit_callbacks
):
    new = (tender.deadline + dt.timedelta(days=14)).replace(microsecond=0)
    local = timezone.localtime(new)  # sent with a +01:00/+02:00 offset
    with django_capture_on_commit_callbacks(execute=True):
        response = move(client_for("inkoper"), tender, local)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["slug"] == tender.slug
    assert dt.datetime.fromisoformat(body["deadline"]) == new
    tender.refresh_from_db()
    assert tender.deadline == new
    entry = AuditEntry.objects.get(action="tender.deadline_move")
    assert dt.datetime.fromisoformat(entry.details["to"]) == new


def test_a_draft_tender_may_be_moved_earlier(client_for, db):
    draft = build_tender(slug="concept", state=TenderState.DRAFT)
    new = (draft.deadline - dt.timedelta(days=7)).replace(microsecond=0)
    response = move(client_for("voorzitter"), draft, new)
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.deadline == new


def refusal(response) -> str:
    assert response.status_code == 400, response.content
    errors = field_errors(response)
    assert list(errors) == ["deadline"]
    return errors["deadline"][0]


def test_a_passed_deadline_is_refused(client_for, tender):
    with time_machine.travel(tender.deadline + dt.timedelta(seconds=1), tick=False):
        client = client_for("inkoper")  # signed in then: an idle session would have expired
        message = refusal(move(client, tender, tender.deadline + dt.timedelta(days=30)))
    assert message == "Een verstreken sluitingstermijn kan niet meer worden gewijzigd."


def test_a_new_deadline_in_the_past_is_refused(client_for, tender):
    message = refusal(move(client_for("inkoper"), tender, timezone.now() - dt.timedelta(hours=1)))
    assert "in de toekomst" in message


def test_the_same_deadline_is_refused(client_for, tender):
    message = refusal(move(client_for("inkoper"), tender, tender.deadline))
    assert "gelijk aan de huidige" in message


def test_an_earlier_deadline_of_a_public_tender_is_refused(client_for, tender):
    message = refusal(move(client_for("inkoper"), tender, tender.deadline - dt.timedelta(days=1)))
    assert "alleen later" in message


def test_a_cancelled_tender_is_refused(client_for, db):
    cancelled = build_tender(slug="ingetrokken", state=TenderState.CANCELLED)
    message = refusal(
        move(client_for("inkoper"), cancelled, cancelled.deadline + dt.timedelta(days=1))
    )
    assert message == "De aanbesteding is ingetrokken."


@pytest.mark.parametrize("value", ["", "morgen", None])
def test_a_missing_or_malformed_deadline_is_a_field_error(client_for, tender, value):
    response = client_for("inkoper").post(
        url(tender),
        {} if value is None else {"deadline": value},
        content_type="application/json",
    )
    refusal(response)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("inkoper", 200),
        ("voorzitter", 200),
        ("contractmanager", 403),
        ("auditor", 403),
        ("beoordelaar", 404),
        ("aanbieder", 404),
        (None, 404),
    ],
)
def test_moving_the_deadline_per_role(client_for, tender, role, expected):
    original = tender.deadline
    response = move(client_for(role), tender, tender.deadline + dt.timedelta(days=7))
    assert response.status_code == expected, response.content
    tender.refresh_from_db()
    assert (tender.deadline != original) == (expected == 200)
    assert AuditEntry.objects.filter(action="tender.deadline_move").exists() == (expected == 200)


def test_staff_without_the_right_get_403_before_their_input_is_read(client_for, tender):
    response = client_for("auditor").post(url(tender), {}, content_type="application/json")
    assert response.status_code == 403


def test_anonymous_callers_are_refused_and_unknown_tenders_are_404(client, client_for, tender):
    assert move(client, tender, tender.deadline + dt.timedelta(days=7)).status_code == 403
    staff = client_for("inkoper")
    response = staff.post(
        "/api/v1/tenders/bestaat-niet/deadline/",
        {"deadline": (tender.deadline + dt.timedelta(days=7)).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_staff_without_the_second_factor_are_refused(client, make_user, tender):
    client.force_login(make_user("inkoper-zonder-2fa", "inkoper"))
    assert move(client, tender, tender.deadline + dt.timedelta(days=7)).status_code == 403
    assert mail.outbox == []
