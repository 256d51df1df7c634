"""The one home of the tender-state sets and of the deadline rule (tender.constants,
Tender.deadline_passed)."""

from datetime import UTC, datetime, timedelta

from tender import constants
from tender.constants import TenderState as S
from tender.models import Tender

DEADLINE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_a_receipt_at_the_deadline_is_late():
    tender = Tender(deadline=DEADLINE)
    assert not tender.deadline_passed(DEADLINE - timedelta(seconds=1))
    assert tender.deadline_passed(DEADLINE)
    assert tender.deadline_passed(DEADLINE + timedelta(seconds=1))
    assert not tender.deadline_passed(DEADLINE - timedelta(microseconds=1))


def test_bids_are_readable_from_the_opening_on_and_in_a_loaded_draft():
    assert {
        S.OPENED,
        S.SELECTION,
        S.AWARD,
        S.STANDSTILL,
        S.AWARDED,
        S.CONTRACTED,
    } == constants.OPENED_STATES
    assert constants.OPENED_STATES | {S.DRAFT} == constants.BIDS_READABLE_STATES
    for sealed in (S.PUBLISHED, S.SUBMISSIONS_OPEN, S.CLOSED, S.CANCELLED):
        assert sealed not in constants.BIDS_READABLE_STATES


def test_the_other_state_sets():
    assert {S.DRAFT, S.PUBLISHED} == constants.SETUP_EDITABLE_STATES
    assert {S.PUBLISHED, S.SUBMISSIONS_OPEN} == constants.BIDDING_STATES
    assert {S.SUBMISSIONS_OPEN} == constants.SUBMISSIONS_WRITABLE_STATES
    assert {S.DRAFT, S.OPENED, S.SELECTION, S.AWARD} == constants.SCORING_WRITABLE_STATES
    assert constants.SCORING_WRITABLE_STATES <= constants.BIDS_READABLE_STATES
    assert {S.AWARDED, S.CONTRACTED, S.CANCELLED} == constants.DECIDED_STATES
    # Set-up and the reading of bids never overlap outside a loaded draft.
    assert set() == constants.SETUP_EDITABLE_STATES & constants.OPENED_STATES


def test_every_tender_but_a_draft_is_public():
    assert set(S) - {S.DRAFT} == constants.PUBLIC_STATES
    assert not Tender(state=S.DRAFT).is_public()
    assert Tender(state=S.CANCELLED).is_public()
    assert Tender(state=S.PUBLISHED).is_public()
