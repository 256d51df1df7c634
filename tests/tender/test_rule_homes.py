"""The one home of the tender-state sets and of the deadline rule (tender.constants,
Tender.deadline_passed)."""

from datetime import UTC, datetime, timedelta

from tender import constants
from tender.constants import Round as R
from tender.constants import TenderState as S
from tender.models import Tender

DEADLINE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_a_receipt_at_the_deadline_is_late():
    tender = Tender(deadline=DEADLINE)
    assert not tender.deadline_passed(DEADLINE - timedelta(seconds=1))
    assert tender.deadline_passed(DEADLINE)
    assert tender.deadline_passed(DEADLINE + timedelta(seconds=1))
    assert not tender.deadline_passed(DEADLINE - timedelta(microseconds=1))


def test_bids_are_readable_per_round_from_its_opening_on_and_in_a_loaded_draft():
    offers = {S.OFFERS_OPENED, S.AWARD, S.STANDSTILL, S.AWARDED, S.CONTRACTED}
    assert offers == constants.OFFERS_OPENED_STATES
    assert (
        offers
        | {
            S.REQUESTS_OPENED,
            S.SELECTION,
            S.SELECTION_STANDSTILL,
            S.OFFERS_OPEN,
            S.OFFERS_CLOSED,
        }
        == constants.REQUESTS_OPENED_STATES
    )
    assert constants.OPENED_STATES | {S.DRAFT} == constants.BIDS_READABLE_STATES
    for sealed in (S.PUBLISHED, S.REQUESTS_OPEN, S.REQUESTS_CLOSED, S.CANCELLED):
        assert sealed not in constants.BIDS_READABLE_STATES
    # While the offers are written and closed, the opened requests are readable, the offers not.
    for state in (S.SELECTION_STANDSTILL, S.OFFERS_OPEN, S.OFFERS_CLOSED):
        tender = Tender(procedure="restricted", state=state)
        assert tender.round_readable(R.REQUEST) and not tender.round_readable(R.OFFER)
    assert Tender(procedure="open", state=S.OFFERS_OPENED).round_readable(R.OFFER)
    assert Tender(procedure="open", state=S.DRAFT).round_readable(R.OFFER)


def test_each_round_has_its_own_deadline():
    restricted = Tender(procedure="restricted", state=S.OFFERS_OPEN, deadline=DEADLINE)
    assert restricted.deadline_passed(DEADLINE, R.REQUEST)
    # No offers deadline set yet: round 2 is closed.
    assert restricted.deadline_passed(DEADLINE - timedelta(days=9))
    restricted.offers_deadline = DEADLINE + timedelta(days=30)
    assert not restricted.deadline_passed(DEADLINE + timedelta(days=1))
    assert restricted.deadline_passed(DEADLINE + timedelta(days=30))
    open_ = Tender(procedure="open", state=S.OFFERS_OPEN, deadline=DEADLINE)
    assert open_.round_deadline() == DEADLINE and open_.rounds == (R.OFFER,)


def test_the_other_state_sets():
    assert {S.DRAFT, S.CONSULTATION, S.PUBLISHED} == constants.SETUP_EDITABLE_STATES
    assert constants.BIDDING_STATES | {S.CONSULTATION} == constants.QUESTION_STATES
    assert S.CONSULTATION in constants.PUBLIC_STATES
    assert S.CONSULTATION not in constants.BIDS_READABLE_STATES
    assert {
        S.PUBLISHED,
        S.REQUESTS_OPEN,
        S.OFFERS_OPEN,
        S.ADMISSION_OPEN,
    } == constants.BIDDING_STATES
    assert {
        S.REQUESTS_OPEN,
        S.OFFERS_OPEN,
        S.ADMISSION_OPEN,
    } == constants.SUBMISSIONS_WRITABLE_STATES
    assert {
        S.DRAFT,
        S.REQUESTS_OPENED,
        S.SELECTION,
        S.OFFERS_OPENED,
        S.AWARD,
    } == constants.SCORING_WRITABLE_STATES
    assert constants.SCORING_WRITABLE_STATES <= constants.BIDS_READABLE_STATES
    assert {S.AWARDED, S.CONTRACTED, S.CANCELLED} == constants.DECIDED_STATES
    # Set-up and the reading of bids never overlap outside a loaded draft.
    assert set() == constants.SETUP_EDITABLE_STATES & constants.OPENED_STATES


def test_every_tender_but_a_draft_is_public():
    assert set(S) - {S.DRAFT} == constants.PUBLIC_STATES
    assert not Tender(state=S.DRAFT).is_public()
    assert Tender(state=S.CANCELLED).is_public()
    assert Tender(state=S.PUBLISHED).is_public()
