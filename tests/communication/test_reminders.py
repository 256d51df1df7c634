"""Reminders (docs/rules.md, "Reminders"): a provider with an unsealed draft gets a mail 7 days
and 1 day before the deadline, each once; registered candidates get a mail when the deadline
moves, also when it moves in the tender's set-up."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from communication.services.questions import question_ask
from communication.services.reminders import deadlines_of, reminder_kind
from communication.tasks import send_deadline_reminders
from providers.constants import SubmissionState
from providers.models import Submission
from providers.selectors import organisation_of
from tender.constants import TenderState
from tender.services import setup
from tests.tender.communication_helpers import (  # noqa: F401 - fixtures
    build_tender,
    inkoper_fixture,
    make_provider,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_tender(db):
    return build_tender(
        state=TenderState.REQUESTS_OPEN, deadline=timezone.now() + dt.timedelta(days=20)
    )


def test_a_draft_is_reminded_7_and_1_day_before_the_deadline_once_each(open_tender):
    drafter = make_provider("Zorg Oost", email="oost@zorg.example")
    sealer = make_provider("Zorg West", email="west@zorg.example")
    Submission.objects.create(tender=open_tender, bidder=organisation_of(drafter), round="request")
    Submission.objects.create(
        tender=open_tender,
        bidder=organisation_of(sealer),
        round="request",
        state=SubmissionState.SEALED,
    )
    # a draft of another round (an offer) waits for its own deadline
    Submission.objects.create(tender=open_tender, bidder=organisation_of(sealer), round="offer")
    deadline = open_tender.deadline
    assert send_deadline_reminders() == 0  # 20 days ahead: nothing yet
    with time_machine.travel(deadline - dt.timedelta(days=6), tick=False):
        assert send_deadline_reminders() == 1
        assert send_deadline_reminders() == 0  # the hourly beat again: once
    with time_machine.travel(deadline - dt.timedelta(hours=20), tick=False):
        assert send_deadline_reminders() == 1
        assert send_deadline_reminders() == 0
    with time_machine.travel(deadline + dt.timedelta(minutes=1), tick=False):
        assert send_deadline_reminders() == 0
    assert [m.to for m in mail.outbox] == [["oost@zorg.example"], ["oost@zorg.example"]]
    assert mail.outbox[0].subject.startswith("Over 7 dagen")
    assert mail.outbox[1].subject.startswith("Morgen")


def test_which_reminder_is_due_and_which_deadlines_apply(open_tender):
    deadline = open_tender.deadline
    assert reminder_kind(deadline, deadline - dt.timedelta(days=8)) is None
    assert reminder_kind(deadline, deadline - dt.timedelta(days=7)) == 7
    assert (
        reminder_kind(deadline, deadline - dt.timedelta(hours=2)) == 1
    )  # late beat: the 1-day one
    assert reminder_kind(deadline, deadline) is None
    assert deadlines_of(open_tender) == [("request", deadline)]
    # round 2 of the restricted procedure: the offers' own deadline
    open_tender.state = TenderState.OFFERS_OPEN
    open_tender.offers_deadline = deadline + dt.timedelta(days=60)
    assert deadlines_of(open_tender) == [("offer", open_tender.offers_deadline)]
    open_tender.state = TenderState.PUBLISHED
    assert deadlines_of(open_tender) == []  # no drafts can exist yet


def test_a_deadline_moved_in_the_set_up_is_mailed_to_registered_candidates(
    inkoper, django_capture_on_commit_callbacks
):
    tender = build_tender()  # published: its set-up may still change
    registered = make_provider("Zorg Oost", email="oost@zorg.example")
    question_ask(tender=tender, organisation=organisation_of(registered), user=registered, text="?")
    make_provider("Zorg West", email="west@zorg.example")  # not registered
    mail.outbox.clear()
    later = tender.deadline + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        setup.tender_update(
            tender=tender,
            user=inkoper,
            title=tender.title,
            region=tender.region,
            procedure=tender.procedure,
            deadline=later,
            standstill_days=tender.standstill_days,
        )
    addresses = sorted(a for m in mail.outbox for a in m.to)
    assert "oost@zorg.example" in addresses and "west@zorg.example" not in addresses
    assert "sluitingstermijn" in mail.outbox[0].subject.lower()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # a change of the title only
        setup.tender_update(
            tender=tender,
            user=inkoper,
            title="Nieuwe titel",
            region=tender.region,
            procedure=tender.procedure,
            deadline=later,
            standstill_days=tender.standstill_days,
        )
    assert mail.outbox == []
