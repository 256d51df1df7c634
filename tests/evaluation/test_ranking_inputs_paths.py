"""The ranking's inputs read two ways give the same engine inputs: on PostgreSQL the bulk rows
come aggregated per dossier (arrays), elsewhere (SQLite: ``make run``) as plain rows grouped
in Python (``evaluation.selectors._grouped``). Both are run here on PostgreSQL and compared
exactly, levels as written (``0.50000000`` stays ``0.50000000``)."""

from decimal import Decimal

import pytest
from django.db import connection

from evaluation import selectors
from evaluation.models import FinalLevel, Score
from evaluation.selectors import ranking_inputs
from evaluation.services.scenario import scenario_load
from providers.models import PartyAnswer, Subcontractor, Submission
from tender.constants import RequirementBinds, Round

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="compares the PostgreSQL path"),
]


def _levels_as_written(inputs) -> list:
    """Every level with its own text (equal Decimals may be written differently)."""
    return sorted(
        (segment.code, bid.bidder, kind, code, tuple(sorted(str(v) for v in values)))
        for segment in inputs.segments
        for bid in segment.bids
        for kind, levels in (
            ("final", {c: (v,) for c, v in bid.final_levels.items()}),
            ("individual", bid.individual_levels),
        )
        for code, values in levels.items()
    )


def _assert_both_paths_equal(monkeypatch, tender, round=None):
    aggregated = ranking_inputs(tender=tender, round=round)
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "_postgresql", lambda: False)
        plain = ranking_inputs(tender=tender, round=round)
    assert aggregated == plain
    assert _levels_as_written(aggregated) == _levels_as_written(plain)
    assert all(segment.bids for segment in aggregated.segments)
    return aggregated


def test_demo_with_missing_final_levels_scores_and_party_failures(monkeypatch, demo_tender):
    segment = demo_tender.segments.get(code="JH-DYS")
    first, second = segment.dossiers.order_by("pk")[:2]
    evaluators = list(demo_tender.evaluators.all()[:2])
    # first dossier: two final levels missing, stood in for by evaluators' levels (one
    # criterion with two levels, one with one); second: a missing level without scores
    gone = list(FinalLevel.objects.filter(dossier=first).order_by("pk")[:2])
    FinalLevel.objects.filter(pk__in=[f.pk for f in gone]).delete()
    for evaluator, level in zip(evaluators, ("0.25", "0.75"), strict=True):
        Score.objects.create(
            dossier=first,
            criterion=gone[0].criterion,
            evaluator=evaluator,
            level=Decimal(level),
            submitted_at=demo_tender.deadline,
        )
    Score.objects.create(
        dossier=first,
        criterion=gone[1].criterion,
        evaluator=evaluators[0],
        level=Decimal("0.5"),
        submitted_at=demo_tender.deadline,
    )
    Score.objects.create(  # not submitted: not read
        dossier=first,
        criterion=gone[1].criterion,
        evaluator=evaluators[1],
        level=Decimal("1"),
    )
    FinalLevel.objects.filter(dossier=second).order_by("pk").first().delete()
    # a requirement of every party, failed by a subcontractor of the first dossier's bid
    requirement = demo_tender.requirements.filter(segment__isnull=True).order_by("pk").first()
    requirement.binds = RequirementBinds.EVERY_PARTY
    requirement.save(update_fields=["binds"])
    submission = first.submission
    helper = Subcontractor.objects.create(submission=submission, name="Hulp BV", kvk="12345678")
    PartyAnswer.objects.create(
        submission=submission, requirement=requirement, subcontractor=helper, met=False
    )

    inputs = _assert_both_paths_equal(monkeypatch, demo_tender)
    bid = next(
        b
        for s in inputs.segments
        if s.code == "JH-DYS"
        for b in s.bids
        if b.bidder == submission.bidder.kvk
    )
    assert gone[0].criterion.code not in bid.final_levels
    assert sorted(bid.individual_levels[gone[0].criterion.code]) == [
        Decimal("0.25"),
        Decimal("0.75"),
    ]
    assert bid.individual_levels[gone[1].criterion.code] == (Decimal("0.5"),)
    assert bid.party_failures[requirement.code] == ("onderaannemer Hulp BV (12345678)",)


def test_offers_take_the_requests_municipalities_and_specialisms(monkeypatch, achterhoek_data):
    tender = scenario_load(data=achterhoek_data)  # two rounds: requests and offers
    assert Submission.objects.filter(tender=tender, round=Round.OFFER).exists()
    offers = _assert_both_paths_equal(monkeypatch, tender, Round.OFFER)
    requests = _assert_both_paths_equal(monkeypatch, tender, Round.REQUEST)
    served = {
        (s.code, b.bidder): (b.municipalities, b.specialisms)
        for s in requests.segments
        for b in s.bids
    }
    for segment in offers.segments:
        for bid in segment.bids:
            assert (bid.municipalities, bid.specialisms) == served[(segment.code, bid.bidder)]
