"""The factories' traits build the states they name (tests/factories.py)."""

from decimal import Decimal

import pytest

from evaluation.models import FinalLevel, Score
from tender.constants import TenderState
from tests.contracts.factories import ContractFactory
from tests.factories import (
    CriterionFactory,
    DossierFactory,
    SegmentFactory,
    SubmissionFactory,
    TenderFactory,
)

pytestmark = pytest.mark.django_db


def test_a_tender_is_a_draft_before_its_deadline_unless_a_trait_says_otherwise():
    draft = TenderFactory()
    assert draft.state == TenderState.DRAFT
    opened = TenderFactory(requests_opened=True)
    assert opened.state == TenderState.REQUESTS_OPENED
    assert opened.deadline < draft.deadline
    assert TenderFactory(requests_open=True).state == TenderState.REQUESTS_OPEN


def test_a_submitted_submission_is_sealed_before_the_deadline_with_its_hash():
    submission = SubmissionFactory(tender=TenderFactory(requests_closed=True), submitted=True)
    assert submission.state == "sealed"
    assert submission.submitted_at < submission.tender.deadline
    assert len(submission.content_hash) == 64
    assert SubmissionFactory().state == "draft"


def test_a_final_dossier_has_two_submitted_scores_and_a_consensus_level_per_criterion():
    segment = SegmentFactory(tender=TenderFactory(requests_opened=True))
    a = CriterionFactory(segment=segment, code="A")
    b = CriterionFactory(segment=segment, code="B", phase="award")
    dossier = DossierFactory(segment=segment, final=True, scores__levels={"A": "0.75"})
    assert dossier.submission.tender == segment.tender
    assert dossier.submission.state == "sealed"
    scores = Score.objects.filter(dossier=dossier)
    assert scores.count() == 4
    assert not scores.filter(submitted_at=None).exists()
    assert {f.criterion: f.level for f in FinalLevel.objects.filter(dossier=dossier)} == {
        a: Decimal("0.75"),
        b: Decimal("0.5"),
    }
    scored = DossierFactory(segment=segment, scored=True)
    assert Score.objects.filter(dossier=scored).count() == 4
    assert not FinalLevel.objects.filter(dossier=scored).exists()
    # The second dossier was scored by the same two evaluators.
    assert Score.objects.filter(criterion=a).values("evaluator").distinct().count() == 2


def test_a_contract_is_active_unless_it_is_a_draft_or_ended():
    tender = TenderFactory(awarded=True)
    active, draft, ended = (
        ContractFactory(submission=SubmissionFactory(tender=tender, submitted=True), **traits)
        for traits in ({}, {"draft": True}, {"ended": True})
    )
    assert (active.state, draft.state, ended.state) == ("active", "draft", "ended")
    assert ended.end_date < active.end_date
    assert ended.tender == tender and ended.provider == ended.submission.bidder
