"""Tests of the pure ranking engine (DOMAIN.md "Ranking"); no Django needed."""

import dataclasses
import json
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.ranking import (
    PHASE_AWARD,
    PHASE_SELECTION,
    PROCEDURE_OPEN,
    PROCEDURE_OPEN_HOUSE,
    PROCEDURE_RESTRICTED,
    STATUS_BELOW_LINE,
    STATUS_EXCLUDED,
    STATUS_SELECTED,
    STATUS_SELECTED_COVERAGE,
    BidIn,
    CriterionIn,
    Gap,
    SegmentIn,
    TenderIn,
    criterion_points,
    decimal_points,
    inputs_digest,
    rank_segment,
    rank_tender,
    round_points,
)

D = Decimal
LOT = ("GM0197", "GM0222", "GM0294")
GENERAL = ("AM1", "AM2")


def crit(code, w, phase=PHASE_SELECTION, min_level=None):
    return CriterionIn(code, phase, D(w), None if min_level is None else D(min_level))


def bid(
    bidder,
    levels=None,
    *,
    munis=LOT,
    specs=(),
    general=None,
    segment_answers=None,
    individual=None,
):
    return BidIn(
        bidder=bidder,
        municipalities=frozenset(munis),
        specialisms=frozenset(specs),
        general_answers={c: True for c in GENERAL} if general is None else general,
        segment_answers={} if segment_answers is None else segment_answers,
        final_levels={k: D(v) for k, v in (levels or {}).items()},
        individual_levels={k: tuple(D(x) for x in v) for k, v in (individual or {}).items()},
    )


def seg(
    bids=(),
    *,
    code="S1",
    places=2,
    award_places=None,
    min_total=None,
    k=0,
    munis=LOT,
    specs=(),
    reqs=(),
    criteria=None,
):
    return SegmentIn(
        code=code,
        places=places,
        award_places=award_places,
        min_total=None if min_total is None else D(min_total),
        coverage_k=k,
        municipalities=tuple(munis),
        specialisms=tuple(specs),
        requirement_codes=tuple(reqs),
        criteria=tuple(criteria if criteria is not None else [crit("A", 10)]),
        bids=tuple(bids),
    )


def run(segment, *, phase=PHASE_SELECTION, procedure=PROCEDURE_RESTRICTED, seed=0, **kw):
    return rank_segment(
        segment,
        phase=phase,
        procedure=procedure,
        general_requirement_codes=GENERAL,
        seed=seed,
        **kw,
    )


def rows(ranking):
    return {r.bidder: r for r in ranking.results}


def order(ranking):
    return [r.bidder for r in ranking.results]


# --------------------------------------------------------------------------- exclusion


def test_unanswered_general_requirement_excludes_with_its_code():
    r = run(seg([bid("30000001", {"A": 1}, general={"AM1": True})]))
    row = r.results[0]
    assert row.status == STATUS_EXCLUDED
    assert row.rank is None
    assert row.reasons == ("eis AM2 niet beantwoord",)


def test_general_requirement_answered_no_excludes_as_not_met():
    r = run(seg([bid("30000001", {"A": 1}, general={"AM1": False, "AM2": True})]))
    assert r.results[0].reasons == ("eis AM1 niet voldaan",)


def test_failed_segment_requirement_excludes_with_its_code():
    b1 = bid("30000001", {"A": 1}, segment_answers={"SE1": True, "SE2": False})
    b2 = bid("30000002", {"A": 1}, segment_answers={"SE1": True, "SE2": True})
    r = rows(run(seg([b1, b2], reqs=("SE1", "SE2"))))
    assert r["30000001"].status == STATUS_EXCLUDED
    assert r["30000001"].reasons == ("eis SE2 niet voldaan",)
    assert r["30000002"].status == STATUS_SELECTED


def test_level_below_min_level_excludes_naming_the_criterion():
    criteria = [crit("A", 20, min_level="0.5"), crit("B", 20)]
    r = run(seg([bid("30000001", {"A": "0.25", "B": 1})], criteria=criteria))
    assert r.results[0].status == STATUS_EXCLUDED
    assert r.results[0].reasons == ("criterium A onder drempel",)


def test_level_equal_to_min_level_is_enough():
    criteria = [crit("A", 20, min_level="0.5")]
    r = run(seg([bid("30000001", {"A": "0.5"})], criteria=criteria))
    assert r.results[0].status == STATUS_SELECTED


def test_points_below_min_total_exclude_with_minimum_score_reason():
    b1 = bid("30000001", {"A": "0.25"})  # 2.50 < 5.00
    b2 = bid("30000002", {"A": "0.5"})  # 5.00 is not below 5.00
    r = rows(run(seg([b1, b2], min_total="5.00")))
    assert r["30000001"].reasons == ("onder minimumscore (5.00)",)
    assert r["30000002"].status == STATUS_SELECTED


def test_all_failing_reasons_are_listed_requirements_then_criteria_then_min_total():
    criteria = [crit("B", 10, min_level="0.5"), crit("A", 10, min_level="0.5")]
    b = bid(
        "30000001",
        {"A": 0, "B": "0.25"},
        general={"AM2": False},
        segment_answers={"SE2": False},
    )
    r = run(seg([b], reqs=("SE2", "SE1"), criteria=criteria, min_total="50"))
    assert r.results[0].reasons == (
        "eis AM1 niet beantwoord",
        "eis AM2 niet voldaan",
        "eis SE1 niet beantwoord",
        "eis SE2 niet voldaan",
        "criterium B onder drempel",
        "criterium A onder drempel",
        "onder minimumscore (50.00)",
    )


def test_excluded_bids_keep_points_and_come_last_by_points_then_bidder():
    bids = [
        bid("30000009", {"A": "0.75"}, general={}),
        bid("30000003", {"A": "0.25"}, general={}),
        bid("30000002", {"A": "0.75"}, general={}),
        bid("30000005", {"A": "0.5"}),
    ]
    r = run(seg(bids))
    assert order(r) == ["30000005", "30000002", "30000009", "30000003"]
    assert [row.points for row in r.results] == [D("5.00"), D("7.50"), D("7.50"), D("2.50")]
    assert [row.rank for row in r.results] == [1, None, None, None]


# --------------------------------------------------------------------------- points


def test_points_are_exact_and_rounded_once_half_up():
    # 24.69 x 0.5 = 12.345 -> 12.35 (a float would give 12.3449999... -> 12.34)
    r = run(seg([bid("30000001", {"A": "0.5"})], criteria=[crit("A", "24.69")]))
    assert r.results[0].points == D("12.35")
    assert str(r.results[0].points) == "12.35"


def test_rounding_happens_once_on_the_sum_not_per_criterion():
    # 0.01 x 0.25 = 0.0025 twice: per criterion that rounds to 0.00 + 0.00, once it is 0.01
    criteria = [crit("A", "0.01"), crit("B", "0.01")]
    r = run(seg([bid("30000001", {"A": "0.25", "B": "0.25"})], criteria=criteria))
    assert r.results[0].points == D("0.01")


def test_points_sum_weight_times_level_over_the_phase_criteria_only():
    criteria = [crit("A", 20), crit("B", 15), crit("G", 40, phase=PHASE_AWARD)]
    r = run(seg([bid("30000001", {"A": "0.75", "B": "0.5", "G": 1})], criteria=criteria))
    assert r.results[0].points == D("22.50")


def test_round_points_is_half_up_and_keeps_two_decimals():
    from fractions import Fraction

    assert round_points(Fraction(12345, 1000)) == D("12.35")
    assert round_points(Fraction(123449, 10000)) == D("12.34")
    assert round_points(Fraction(1, 3)) == D("0.33")
    assert round_points(Fraction(2, 3)) == D("0.67")
    assert round_points(Fraction(-5, 1000)) == D("-0.01")
    assert str(round_points(Fraction(0))) == "0.00"
    assert str(round_points(Fraction(100))) == "100.00"


# --------------------------------------------------------------------------- order


def test_equal_points_are_decided_by_the_heaviest_criterion():
    criteria = [crit("A", 10), crit("B", 30)]
    light = bid("30000001", {"A": 1, "B": "0.5"})  # 10 + 15 = 25
    heavy = bid("30000002", {"A": "0.25", "B": "0.75"})  # 2.5 + 22.5 = 25
    for seed in range(5):
        r = run(seg([light, heavy], criteria=criteria, places=1), seed=seed)
        assert order(r) == ["30000002", "30000001"]
        assert [row.points for row in r.results] == [D("25.00"), D("25.00")]
        assert [row.status for row in r.results] == [STATUS_SELECTED, STATUS_BELOW_LINE]


def test_equal_weights_fall_back_to_the_criteria_own_order():
    criteria = [crit("B", 10), crit("A", 10), crit("C", 5)]
    first_b = bid("30000001", {"B": "0.5", "A": "0.75", "C": 0})
    first_a = bid("30000002", {"B": "0.75", "A": "0.5", "C": 0})
    for seed in range(5):
        assert order(run(seg([first_b, first_a], criteria=criteria), seed=seed)) == [
            "30000002",
            "30000001",
        ]


def _tie(bidders, level="0.5"):
    return [bid(b, {"A": level}) for b in bidders]


def test_ties_by_lot_are_reproducible_with_the_seed_and_change_with_another_seed():
    bidders = ["30000003", "30000001", "30000002"]
    segment = seg(_tie(bidders), places=3)
    seed0 = order(run(segment, seed=0))
    assert seed0 == order(run(segment, seed=0))
    assert seed0 == ["30000001", "30000003", "30000002"]
    assert order(run(segment, seed=1)) == ["30000002", "30000003", "30000001"]
    # the documented recipe: a fresh Random(seed) shuffles the group sorted by KvK number
    for seed in range(10):
        expected = sorted(bidders)
        random.Random(seed).shuffle(expected)
        assert order(run(segment, seed=seed)) == expected


def test_tie_order_does_not_depend_on_input_order():
    bidders = ["30000003", "30000001", "30000002", "30000004"]
    a = run(seg(_tie(bidders)), seed=7)
    b = run(seg(_tie(list(reversed(bidders)))), seed=7)
    assert a == b


def test_each_tie_group_is_shuffled_on_its_own():
    high = ["30000001", "30000002", "30000003"]
    low = ["30000004", "30000005"]
    segment = seg(_tie(low, "0.25") + _tie(high, "0.75"), places=5)
    for seed in range(6):
        expected_high, expected_low = sorted(high), sorted(low)
        random.Random(seed).shuffle(expected_high)
        random.Random(seed).shuffle(expected_low)
        r = run(segment, seed=seed)
        assert order(r) == expected_high + expected_low
        assert [row.rank for row in r.results] == [1, 2, 3, 4, 5]


# --------------------------------------------------------------------------- line


def test_ranks_up_to_places_are_selected_and_the_rest_below_line():
    bids = [bid(f"3000000{i}", {"A": D(i) / 4}) for i in range(5)]
    r = run(seg(bids, places=2))
    assert order(r) == ["30000004", "30000003", "30000002", "30000001", "30000000"]
    assert [row.rank for row in r.results] == [1, 2, 3, 4, 5]
    assert [row.status for row in r.results] == [STATUS_SELECTED] * 2 + [STATUS_BELOW_LINE] * 3
    assert all(row.reasons == () for row in r.results)


def test_excluded_bids_do_not_take_a_place_above_the_line():
    bids = [bid("30000001", {"A": 1}, general={}), bid("30000002", {"A": "0.5"})]
    r = rows(run(seg(bids, places=1)))
    assert r["30000002"].rank == 1
    assert r["30000002"].status == STATUS_SELECTED


# --------------------------------------------------------------------------- coverage


def test_coverage_picks_best_ranked_candidate_first_naming_all_it_covers():
    bids = [
        bid("30000001", {"A": 1}, munis=["GM0197"]),
        bid("30000002", {"A": "0.75"}, munis=["GM0294", "GM0222"]),  # covers both gaps
        bid("30000003", {"A": "0.5"}, munis=["GM0222"]),
    ]
    r = run(seg(bids, places=1, k=1))
    assert [(row.bidder, row.status, row.reasons) for row in r.results] == [
        ("30000001", STATUS_SELECTED, ()),
        ("30000002", STATUS_SELECTED_COVERAGE, ("dekt GM0222, GM0294",)),
        ("30000003", STATUS_BELOW_LINE, ()),
    ]
    assert r.gaps == ()


def test_later_coverage_picks_only_name_what_is_still_uncovered():
    bids = [
        bid("30000001", {"A": 1}, munis=[]),
        bid("30000002", {"A": "0.75"}, munis=["GM0197", "GM0222"]),
        bid("30000003", {"A": "0.5"}, munis=["GM0197"]),  # nothing new: stays below the line
        bid("30000004", {"A": "0.25"}, munis=["GM0222", "GM0294"]),
    ]
    r = rows(run(seg(bids, places=1, k=1)))
    assert r["30000002"].reasons == ("dekt GM0197, GM0222",)
    assert r["30000003"].status == STATUS_BELOW_LINE
    assert r["30000004"].status == STATUS_SELECTED_COVERAGE
    assert r["30000004"].reasons == ("dekt GM0294",)


def test_k2_coverage_needs_two_providers_per_municipality_and_reports_shortfalls():
    bids = [
        bid("30000001", {"A": 1}, munis=["GM0197", "GM0222"]),
        bid("30000002", {"A": "0.75"}, munis=["GM0197"]),
        bid("30000003", {"A": "0.5"}, munis=[]),
    ]
    r = run(seg(bids, places=1, k=2))
    assert rows(r)["30000002"].status == STATUS_SELECTED_COVERAGE
    assert rows(r)["30000002"].reasons == ("dekt GM0197",)
    assert rows(r)["30000003"].status == STATUS_BELOW_LINE
    assert r.gaps == (Gap("municipality", "GM0222", 1), Gap("municipality", "GM0294", 2))


def test_k0_means_no_municipal_coverage():
    bids = [bid("30000001", {"A": 1}, munis=[]), bid("30000002", {"A": "0.5"})]
    r = run(seg(bids, places=1, k=0))
    assert rows(r)["30000002"].status == STATUS_BELOW_LINE
    assert r.gaps == ()


def test_required_specialism_pulls_a_below_line_bid_up():
    bids = [
        bid("30000001", {"A": 1}, specs=["ASS"]),
        bid("30000002", {"A": "0.75"}),
        bid("30000003", {"A": "0.5"}, specs=["EMDR", "ASS"]),
    ]
    r = rows(run(seg(bids, places=1, specs=("EMDR", "ASS"))))
    assert r["30000002"].status == STATUS_BELOW_LINE
    assert r["30000003"].status == STATUS_SELECTED_COVERAGE
    assert r["30000003"].reasons == ("dekt EMDR",)


def test_coverage_reason_names_municipalities_then_specialisms_sorted():
    bids = [
        bid("30000001", {"A": 1}, munis=["GM0197"]),
        bid("30000002", {"A": "0.5"}, munis=["GM0294", "GM0222"], specs=["Z", "B"]),
    ]
    r = rows(run(seg(bids, places=1, k=1, specs=("Z", "B"))))
    assert r["30000002"].reasons == ("dekt GM0222, GM0294, B, Z",)


def test_gaps_list_municipalities_then_specialisms_each_in_code_order():
    bids = [bid("30000001", {"A": 1}, munis=["GM0222"])]
    r = run(seg(bids, places=1, k=1, munis=("GM0294", "GM0197", "GM0222"), specs=("Z", "B")))
    assert r.gaps == (
        Gap("municipality", "GM0197", 1),
        Gap("municipality", "GM0294", 1),
        Gap("specialism", "B", 1),
        Gap("specialism", "Z", 1),
    )


def test_serving_a_municipality_outside_the_lot_does_not_count():
    bids = [
        bid("30000001", {"A": 1}, munis=["GM0197", "GM0222"]),
        bid("30000002", {"A": "0.5"}, munis=["GM9999"]),
    ]
    r = run(seg(bids, places=1, k=1, munis=("GM0197", "GM0222", "GM0294")))
    assert rows(r)["30000002"].status == STATUS_BELOW_LINE
    assert r.gaps == (Gap("municipality", "GM0294", 1),)


def test_excluded_bids_are_never_coverage_candidates():
    bids = [
        bid("30000001", {"A": 1}, munis=["GM0197"]),
        bid("30000002", {"A": 1}, munis=["GM0294"], general={}),
    ]
    r = run(seg(bids, places=1, k=1, munis=("GM0197", "GM0294")))
    assert rows(r)["30000002"].status == STATUS_EXCLUDED
    assert r.gaps == (Gap("municipality", "GM0294", 1),)


def test_segment_without_bids_has_empty_results_and_reports_gaps():
    r = run(seg([], k=2, munis=("GM0222", "GM0197"), specs=("ASS",)))
    assert r.results == ()
    assert r.gaps == (
        Gap("municipality", "GM0197", 2),
        Gap("municipality", "GM0222", 2),
        Gap("specialism", "ASS", 1),
    )
    assert r.provisional is False


# --------------------------------------------------------------------------- provisional


def test_missing_final_level_uses_mean_of_individual_levels_and_is_provisional():
    criteria = [crit("A", 10), crit("B", 10)]
    b = bid("30000001", {"A": 1}, individual={"B": ["0.25", "0.5", "0.5"]})  # mean 5/12
    r = run(seg([b], criteria=criteria))
    assert r.provisional is True
    assert r.results[0].points == D("14.17")  # 10 + 10 x 5/12 = 14.1666...


def test_final_level_wins_over_individual_levels():
    b = bid("30000001", {"A": "0.5"}, individual={"A": ["1", "1"]})
    r = run(seg([b]))
    assert r.provisional is False
    assert r.results[0].points == D("5.00")


def test_no_levels_at_all_count_as_zero_and_make_the_ranking_provisional():
    r = run(seg([bid("30000001", {}), bid("30000002", {"A": "0.5"})]))
    assert r.provisional is True
    assert rows(r)["30000001"].points == D("0.00")


def test_stand_in_level_of_an_excluded_bid_still_makes_the_ranking_provisional():
    bids = [bid("30000001", {"A": 1}), bid("30000002", {}, general={})]
    r = run(seg(bids))
    assert rows(r)["30000002"].status == STATUS_EXCLUDED
    assert r.provisional is True


def test_stand_in_level_counts_against_min_level():
    b = bid("30000001", {}, individual={"A": ["0.25", "0.5"]})  # mean 0.375 < 0.5
    r = run(seg([b], criteria=[crit("A", 10, min_level="0.5")]))
    assert r.results[0].reasons == ("criterium A onder drempel",)
    assert r.provisional is True


def test_tender_is_provisional_when_any_segment_is():
    tender = TenderIn(
        "t",
        PROCEDURE_RESTRICTED,
        GENERAL,
        (seg([bid("30000001", {"A": 1})], code="S1"), seg([bid("30000001", {})], code="S2")),
    )
    result = rank_tender(tender, phase=PHASE_SELECTION)
    assert [s.provisional for s in result.segments] == [False, True]
    assert result.provisional is True


# --------------------------------------------------------------------------- procedures


def test_open_house_selects_every_qualifying_bid():
    bids = [bid(f"3000000{i}", {"A": D(i) / 4}) for i in range(1, 5)]
    bids.append(bid("30000009", {"A": 1}, general={}))
    r = run(seg(bids, places=1), procedure=PROCEDURE_OPEN_HOUSE)
    assert [row.status for row in r.results] == [STATUS_SELECTED] * 4 + [STATUS_EXCLUDED]
    assert [row.rank for row in r.results] == [1, 2, 3, 4, None]


def test_open_house_award_phase_selects_every_participant():
    criteria = [crit("A", 10), crit("G", 10, phase=PHASE_AWARD)]
    bids = [bid(f"3000000{i}", {"A": 1, "G": D(i) / 4}) for i in range(1, 5)]
    r = run(
        seg(bids, places=1, criteria=criteria), phase=PHASE_AWARD, procedure=PROCEDURE_OPEN_HOUSE
    )
    assert all(row.status == STATUS_SELECTED for row in r.results)


def test_open_procedure_qualifies_everyone_then_draws_the_line_at_award():
    criteria = [crit("A", 10, min_level="0.5"), crit("G", 10, phase=PHASE_AWARD)]
    bids = [
        bid("30000001", {"A": "0.5", "G": 1}),
        bid("30000002", {"A": 1, "G": "0.5"}),
        bid("30000003", {"A": "0.75", "G": "0.25"}),
        bid("30000004", {"A": "0.25", "G": 1}),  # fails qualification
    ]
    tender = TenderIn(
        "t", PROCEDURE_OPEN, GENERAL, (seg(bids, places=1, award_places=2, criteria=criteria),)
    )
    selection = rank_tender(tender, phase=PHASE_SELECTION).segments[0]
    assert [r.status for r in selection.results] == [STATUS_SELECTED] * 3 + [STATUS_EXCLUDED]
    award = rank_tender(tender, phase=PHASE_AWARD).segments[0]
    assert award.places == 2
    assert [(r.bidder, r.status) for r in award.results] == [
        ("30000001", STATUS_SELECTED),
        ("30000002", STATUS_SELECTED),
        ("30000003", STATUS_BELOW_LINE),
    ]


def test_unknown_phase_or_procedure_is_refused():
    with pytest.raises(ValueError):
        run(seg([]), phase="gunning")
    with pytest.raises(ValueError):
        run(seg([]), procedure="negotiated")


# --------------------------------------------------------------------------- award phase


def _two_phase_tender(bids, **seg_kw):
    criteria = [crit("A", 10), crit("G", 10, phase=PHASE_AWARD, min_level="0.5")]
    return TenderIn("t", PROCEDURE_RESTRICTED, GENERAL, (seg(bids, criteria=criteria, **seg_kw),))


def test_award_phase_ranks_only_the_finalised_selection():
    bids = [bid(f"3000000{i}", {"A": 1, "G": D(i) / 4}) for i in range(1, 5)]
    tender = _two_phase_tender(bids, places=2, award_places=1)
    result = rank_tender(
        tender, phase=PHASE_AWARD, finalised_selection={"S1": frozenset({"30000002", "30000004"})}
    )
    segment = result.segments[0]
    assert segment.places == 1
    assert [(r.bidder, r.status) for r in segment.results] == [
        ("30000004", STATUS_SELECTED),
        ("30000002", STATUS_BELOW_LINE),
    ]
    assert [r.points for r in segment.results] == [D("10.00"), D("5.00")]


def test_award_phase_without_finalised_selection_uses_the_selection_computed_now():
    bids = [
        bid("30000001", {"A": 1, "G": "0.5"}, munis=["GM0197"]),
        bid("30000002", {"A": "0.75", "G": 1}, munis=["GM0197"]),
        bid("30000003", {"A": "0.5", "G": 1}, munis=["GM0294"]),  # coverage pick
        bid("30000004", {"A": "0.25", "G": 1}, munis=["GM0294"]),  # below the line
        bid("30000005", {"A": 1, "G": 1}, general={}),  # excluded
    ]
    tender = _two_phase_tender(bids, places=2, k=1, munis=("GM0197", "GM0294"))
    selection = rank_tender(tender, phase=PHASE_SELECTION).segments[0]
    assert rows(selection)["30000003"].status == STATUS_SELECTED_COVERAGE
    award = rank_tender(tender, phase=PHASE_AWARD).segments[0]
    assert sorted(order(award)) == ["30000001", "30000002", "30000003"]
    assert award.provisional is False


def test_award_phase_skips_requirements_and_min_total_but_checks_min_level():
    b1 = bid("30000001", {"A": 0, "G": 1}, general={})  # would fail requirements and min_total
    b2 = bid("30000002", {"A": 1, "G": "0.25"})  # below G's min_level
    tender = _two_phase_tender([b1, b2], min_total="5", places=2)
    segment = rank_tender(
        tender, phase=PHASE_AWARD, finalised_selection={"S1": frozenset({"30000001", "30000002"})}
    ).segments[0]
    r = rows(segment)
    assert r["30000001"].status == STATUS_SELECTED
    assert r["30000002"].status == STATUS_EXCLUDED
    assert r["30000002"].reasons == ("criterium G onder drempel",)


def test_award_phase_checks_award_requirements_tender_wide_and_of_the_segment():
    answers = {"AM1": True, "AM2": True, "GA1": True}
    b1 = bid("30000001", {"A": 1, "G": 1}, general=answers, segment_answers={"SA1": True})
    b2 = bid("30000002", {"A": 1, "G": 1}, general={**answers, "GA1": False})
    b3 = bid("30000003", {"A": 1, "G": 1}, general=answers, segment_answers={"SA1": False})
    segment = dataclasses.replace(
        _two_phase_tender([b1, b2, b3], places=3).segments[0],
        requirement_codes=("SE1",),  # a selection requirement nobody answered: not checked now
        award_requirement_codes=("SA1",),
    )
    tender = TenderIn("t", PROCEDURE_RESTRICTED, GENERAL, (segment,), ("GA1",))
    everyone = {"S1": frozenset({"30000001", "30000002", "30000003"})}
    r = rows(rank_tender(tender, phase=PHASE_AWARD, finalised_selection=everyone).segments[0])
    assert r["30000001"].status == STATUS_SELECTED
    assert r["30000002"].reasons == ("eis GA1 niet voldaan", "eis SA1 niet beantwoord")
    assert r["30000003"].reasons == ("eis SA1 niet voldaan",)
    assert r["30000003"].status == STATUS_EXCLUDED and r["30000003"].rank is None


def test_selection_phase_does_not_check_award_requirements():
    b1 = bid("30000001", {"A": 1}, general={"AM1": True, "AM2": True})  # GA1 not answered
    segment = dataclasses.replace(seg([b1]), award_requirement_codes=("SA1",))
    tender = TenderIn("t", PROCEDURE_RESTRICTED, GENERAL, (segment,), ("GA1",))
    result = rank_tender(tender, phase=PHASE_SELECTION).segments[0]
    assert result.results[0].status == STATUS_SELECTED


def test_award_phase_is_provisional_when_the_computed_selection_was():
    bids = [
        bid("30000001", {"G": 1}, individual={"A": ["1", "0.5"]}),  # A stands in: provisional
        bid("30000002", {"A": 1, "G": 1}),
    ]
    tender = _two_phase_tender(bids)
    assert rank_tender(tender, phase=PHASE_SELECTION).provisional is True
    award = rank_tender(tender, phase=PHASE_AWARD)
    assert award.provisional is True
    assert award.segments[0].provisional is True


def test_finalised_selection_is_never_provisional_by_itself():
    bids = [bid("30000001", {"G": 1}), bid("30000002", {"A": 1, "G": 1})]  # A missing: selection
    tender = _two_phase_tender(bids)
    selection = frozenset({"30000001", "30000002"})
    award = rank_tender(tender, phase=PHASE_AWARD, finalised_selection={"S1": selection})
    assert award.provisional is False


def test_segment_missing_from_finalised_selection_has_no_participants():
    tender = _two_phase_tender([bid("30000001", {"A": 1, "G": 1})], k=1)
    segment = rank_tender(tender, phase=PHASE_AWARD, finalised_selection={}).segments[0]
    assert segment.results == ()
    assert [g.code for g in segment.gaps] == list(sorted(LOT))


def test_award_places_fall_back_to_places():
    bids = [bid(f"3000000{i}", {"A": 1, "G": D(i) / 4}) for i in range(2, 5)]
    tender = _two_phase_tender(bids, places=3)
    segment = rank_tender(tender, phase=PHASE_AWARD).segments[0]
    assert segment.places == 3
    assert all(r.status == STATUS_SELECTED for r in segment.results)


def test_award_phase_coverage_uses_award_statuses():
    bids = [
        bid("30000001", {"A": 1, "G": 1}, munis=["GM0197"]),
        bid("30000002", {"A": 1, "G": "0.75"}, munis=["GM0197"]),
        bid("30000003", {"A": 1, "G": "0.5"}, munis=["GM0294"]),
    ]
    tender = _two_phase_tender(bids, places=3, award_places=1, k=1, munis=("GM0197", "GM0294"))
    r = rows(rank_tender(tender, phase=PHASE_AWARD).segments[0])
    assert r["30000002"].status == STATUS_BELOW_LINE
    assert r["30000003"].status == STATUS_SELECTED_COVERAGE
    assert r["30000003"].reasons == ("dekt GM0294",)


# --------------------------------------------------------------------------- output


def _realistic_tender():
    """A small Achterhoek-like tender: two segments, coverage, exclusions, a stand-in."""
    criteria = [
        crit("A", 20, min_level="0.5"),
        crit("B", 20, min_level="0.5"),
        crit("C", 20),
        crit("D", 15),
        crit("E", 15),
        crit("F", 10),
        crit("G", 40, phase=PHASE_AWARD),
    ]
    full = {"A": 1, "B": "0.75", "C": "0.75", "D": "0.5", "E": 1, "F": "0.5", "G": 1}
    bw = [
        bid("30000001", full, munis=["GM0197", "GM0222"]),
        bid("30000004", {**full, "A": "0.5", "C": "0.25"}, munis=["GM0294"]),
        bid("30000007", {**full, "B": "0.25"}),
        bid("30000002", {**full, "C": "0.5"}, munis=["GM0222"]),
    ]
    jh = [bid("30000003", full, specs=["DYS"])]
    return TenderIn(
        "inkoop-2022",
        PROCEDURE_RESTRICTED,
        ("AM1", "AM2"),
        (
            seg(jh, code="JH-DYS", places=3, criteria=criteria, specs=("DYS",)),
            seg(
                bw,
                code="BW-1",
                places=2,
                k=1,
                criteria=criteria,
                min_total="50.00",
                munis=("GM0197", "GM0222", "GM0294", "GM1859"),
            ),
        ),
    )


def test_to_dict_has_the_scenario_shape_key_order_and_string_points():
    data = rank_tender(_realistic_tender(), phase=PHASE_SELECTION, seed=0).to_dict()
    assert list(data) == ["tender", "phase", "seed", "provisional", "segments"]
    assert data["tender"] == "inkoop-2022"
    assert data["phase"] == "selection"
    assert data["seed"] == 0
    assert data["provisional"] is False
    assert [s["segment"] for s in data["segments"]] == ["BW-1", "JH-DYS"]
    bw = data["segments"][0]
    assert list(bw) == ["segment", "places", "results", "gaps"]
    assert bw["places"] == 2
    assert bw["results"] == [
        {"bidder": "30000001", "rank": 1, "points": "77.50", "status": "selected", "reasons": []},
        {"bidder": "30000002", "rank": 2, "points": "72.50", "status": "selected", "reasons": []},
        {
            "bidder": "30000004",
            "rank": 3,
            "points": "57.50",
            "status": "selected_coverage",
            "reasons": ["dekt GM0294"],
        },
        {
            "bidder": "30000007",
            "rank": None,
            "points": "67.50",
            "status": "excluded",
            "reasons": ["criterium B onder drempel"],
        },
    ]
    for row in bw["results"]:
        assert list(row) == ["bidder", "rank", "points", "status", "reasons"]
    assert bw["gaps"] == [{"kind": "municipality", "code": "GM1859", "shortfall": 1}]
    assert list(bw["gaps"][0]) == ["kind", "code", "shortfall"]
    text = json.dumps(data)
    assert '"rank": null' in text
    assert json.loads(text) == data


def test_to_dict_points_always_have_two_decimals():
    r = rank_tender(
        TenderIn("t", PROCEDURE_RESTRICTED, GENERAL, (seg([bid("30000001", {"A": 0})]),)),
        phase=PHASE_SELECTION,
    )
    assert r.to_dict()["segments"][0]["results"][0]["points"] == "0.00"


def test_segments_come_out_in_code_order():
    tender = TenderIn(
        "t",
        PROCEDURE_RESTRICTED,
        GENERAL,
        tuple(seg([], code=c) for c in ("WMO-2", "BW-1", "JH-DYS")),
    )
    result = rank_tender(tender, phase=PHASE_SELECTION)
    assert [s.segment for s in result.segments] == ["BW-1", "JH-DYS", "WMO-2"]


# --------------------------------------------------------------------------- digest


def _reordered(tender):
    """The same tender with every order that cannot matter reversed, dicts rebuilt backwards."""

    def flip(b):
        return BidIn(
            bidder=b.bidder,
            municipalities=frozenset(reversed(sorted(b.municipalities))),
            specialisms=b.specialisms,
            general_answers=dict(reversed(list(b.general_answers.items()))),
            segment_answers=dict(reversed(list(b.segment_answers.items()))),
            final_levels={
                k: D(str(v) + "0") if "." in str(v) else v
                for k, v in reversed(list(b.final_levels.items()))
            },
            individual_levels=dict(reversed(list(b.individual_levels.items()))),
        )

    segments = tuple(
        SegmentIn(
            s.code,
            s.places,
            s.award_places,
            s.min_total,
            s.coverage_k,
            tuple(reversed(s.municipalities)),
            tuple(reversed(s.specialisms)),
            tuple(reversed(s.requirement_codes)),
            s.criteria,
            tuple(flip(b) for b in reversed(s.bids)),
        )
        for s in reversed(tender.segments)
    )
    return TenderIn(
        tender.slug, tender.procedure, tuple(reversed(tender.requirement_codes)), segments
    )


def test_inputs_digest_is_stable_under_reordering_and_decimal_notation():
    tender = _realistic_tender()
    digest = inputs_digest(tender, phase=PHASE_SELECTION, seed=3)
    assert len(digest) == 64
    assert digest == inputs_digest(tender, phase=PHASE_SELECTION, seed=3)
    assert digest == inputs_digest(_reordered(tender), phase=PHASE_SELECTION, seed=3)
    assert rank_tender(tender, phase=PHASE_SELECTION, seed=3) == rank_tender(
        _reordered(tender), phase=PHASE_SELECTION, seed=3
    )


def test_inputs_digest_changes_with_seed_phase_data_and_finalised_selection():
    tender = _realistic_tender()
    base = inputs_digest(tender, phase=PHASE_SELECTION, seed=0)
    assert base != inputs_digest(tender, phase=PHASE_SELECTION, seed=1)
    assert base != inputs_digest(tender, phase=PHASE_AWARD, seed=0)
    changed = TenderIn(
        tender.slug, tender.procedure, tender.requirement_codes + ("AM3",), tender.segments
    )
    assert base != inputs_digest(changed, phase=PHASE_SELECTION, seed=0)
    award = inputs_digest(tender, phase=PHASE_AWARD, seed=0)
    finalised = inputs_digest(
        tender, phase=PHASE_AWARD, seed=0, finalised_selection={"BW-1": frozenset({"30000001"})}
    )
    assert award != finalised
    assert finalised == inputs_digest(
        tender, phase=PHASE_AWARD, seed=0, finalised_selection={"BW-1": {"30000001"}}
    )


# --------------------------------------------------------------------------- properties

LEVELS = [D("0"), D("0.25"), D("0.5"), D("0.75"), D("1")]
PROP_LOT = ("GM0001", "GM0002", "GM0003", "GM0004")
PROP_SPECS = ("S1", "S2", "S3")


@st.composite
def segments(draw):
    criteria = [
        CriterionIn(
            f"C{i}",
            PHASE_SELECTION,
            draw(st.sampled_from([D(5), D(10), D("12.5")])),
            draw(st.one_of(st.none(), st.sampled_from([D("0.25"), D("0.5")]))),
        )
        for i in range(draw(st.integers(1, 3)))
    ]
    bidders = draw(st.lists(st.integers(10000000, 10000030), max_size=9, unique=True))
    bids = []
    for number in bidders:
        levels = {
            c.code: draw(st.sampled_from(LEVELS))
            for c in criteria
            if draw(st.integers(0, 9)) > 0  # now and then a missing final level
        }
        bids.append(
            BidIn(
                bidder=str(number),
                municipalities=frozenset(draw(st.lists(st.sampled_from(PROP_LOT + ("GM0999",))))),
                specialisms=frozenset(draw(st.lists(st.sampled_from(PROP_SPECS)))),
                general_answers={"AM1": draw(st.booleans())} if draw(st.integers(0, 5)) else {},
                segment_answers={},
                final_levels=levels,
                individual_levels={
                    c.code: tuple(draw(st.lists(st.sampled_from(LEVELS), max_size=3)))
                    for c in criteria
                },
            )
        )
    return SegmentIn(
        code="P",
        places=draw(st.integers(0, 5)),
        award_places=None,
        min_total=draw(st.one_of(st.none(), st.sampled_from([D(5), D("7.5")]))),
        coverage_k=draw(st.integers(0, 2)),
        municipalities=PROP_LOT,
        specialisms=tuple(draw(st.lists(st.sampled_from(PROP_SPECS), unique=True))),
        requirement_codes=(),
        criteria=tuple(criteria),
        bids=tuple(bids),
    )


def _prop_run(segment, seed):
    return rank_segment(
        segment,
        phase=PHASE_SELECTION,
        procedure=PROCEDURE_RESTRICTED,
        general_requirement_codes=("AM1",),
        seed=seed,
    )


PROPS = settings(deadline=None)  # max_examples: the profile of tests/conftest.py


@PROPS
@given(segments(), st.integers(0, 2**32))
def test_property_line_selects_min_of_places_and_ranked(segment, seed):
    r = _prop_run(segment, seed)
    ranked = [row for row in r.results if row.rank is not None]
    selected = [row for row in r.results if row.status == STATUS_SELECTED]
    coverage = [row for row in r.results if row.status == STATUS_SELECTED_COVERAGE]
    assert len(selected) == min(segment.places, len(ranked))
    assert all(row.rank <= segment.places for row in selected)
    assert all(row.rank > segment.places for row in coverage)
    assert all(row.reasons and row.reasons[0].startswith("dekt ") for row in coverage)
    total = sum(row.status in (STATUS_SELECTED, STATUS_SELECTED_COVERAGE) for row in r.results)
    assert total == len(selected) + len(coverage)


@PROPS
@given(segments(), st.integers(0, 2**32), st.randoms(use_true_random=False))
def test_property_same_seed_same_output_whatever_the_bid_order(segment, seed, rnd):
    shuffled = list(segment.bids)
    rnd.shuffle(shuffled)
    other = dataclasses.replace(segment, bids=tuple(shuffled))
    assert _prop_run(segment, seed) == _prop_run(segment, seed) == _prop_run(other, seed)


def _exact(bid_in, criteria):
    """The exact points and per-criterion levels of a bid, in Fractions (the rules' own
    arithmetic): the final level, else the mean of the individual levels, else 0."""
    levels = {}
    for c in criteria:
        final = bid_in.final_levels.get(c.code)
        given = bid_in.individual_levels.get(c.code) or ()
        if final is not None:
            levels[c.code] = Fraction(final)
        elif given:
            levels[c.code] = sum(map(Fraction, given), Fraction(0)) / len(given)
        else:
            levels[c.code] = Fraction(0)
    parts = [criterion_points(c.max_points, levels[c.code]) for c in criteria]
    return sum(parts, Fraction(0)), parts, levels


@st.composite
def odd_segments(draw):
    """Segments with weights and levels of several decimals and individual levels of 1 to 3
    evaluators (means in thirds): the scaled integers must equal the exact fractions."""
    segment = draw(segments())
    weights = st.sampled_from([D("7.25"), D("0.125"), D("33.3"), D("1E+1"), D("12.50")])
    levels = st.sampled_from(LEVELS + [D("0.125"), D("0.333"), D("0.50"), D("0.1")])
    criteria = tuple(dataclasses.replace(c, max_points=draw(weights)) for c in segment.criteria)
    bids = tuple(
        dataclasses.replace(
            b,
            final_levels={c: draw(levels) for c in b.final_levels},
            individual_levels={
                c: tuple(draw(st.lists(levels, min_size=1, max_size=3)))
                for c in b.individual_levels
            },
        )
        for b in segment.bids
    )
    return dataclasses.replace(segment, criteria=criteria, bids=bids)


@PROPS
@given(odd_segments(), st.integers(0, 2**32))
def test_property_integer_arithmetic_equals_the_exact_fractions(segment, seed):
    """Points (rounded half up), the order of the ranked bids by points and the tie key, and the
    exclusions by min_level and min_total are those of exact Fraction arithmetic."""
    r = _prop_run(segment, seed)
    criteria = list(segment.criteria)
    tie = sorted(range(len(criteria)), key=lambda i: (-criteria[i].max_points, i))
    exact = {b.bidder: _exact(b, criteria) for b in segment.bids}
    for row in r.results:
        points, _parts, levels = exact[row.bidder]
        assert row.points == round_points(points)
        below = any(
            c.min_level is not None and levels[c.code] < Fraction(c.min_level) for c in criteria
        )
        assert below == any(reason.startswith("criterium ") for reason in row.reasons)
        under = segment.min_total is not None and points < Fraction(segment.min_total)
        assert under == any(reason.startswith("onder minimumscore") for reason in row.reasons)
    ranked = [row for row in r.results if row.rank is not None]
    keys = [(exact[row.bidder][0], tuple(exact[row.bidder][1][i] for i in tie)) for row in ranked]
    assert keys == sorted(keys, reverse=True)


@PROPS
@given(segments(), st.integers(0, 2**32))
def test_property_ranks_are_contiguous_and_excluded_have_reasons(segment, seed):
    r = _prop_run(segment, seed)
    ranks = [row.rank for row in r.results if row.rank is not None]
    assert ranks == list(range(1, len(ranks) + 1))
    assert [row.rank is None for row in r.results] == sorted(row.rank is None for row in r.results)
    assert len(r.results) == len(segment.bids)
    for row in r.results:
        if row.status == STATUS_EXCLUDED:
            assert row.rank is None
            assert len(row.reasons) >= 1
        else:
            assert row.rank is not None
    points = [row.points for row in r.results if row.rank is not None]
    assert points == sorted(points, reverse=True)


@PROPS
@given(segments(), st.integers(0, 2**32))
def test_property_no_gap_is_left_that_a_below_line_bid_could_cover(segment, seed):
    r = _prop_run(segment, seed)
    bids = {b.bidder: b for b in segment.bids}
    below = [bids[row.bidder] for row in r.results if row.status == STATUS_BELOW_LINE]
    for gap in r.gaps:
        assert gap.shortfall >= 1
        if gap.kind == "municipality":
            assert not any(gap.code in b.municipalities for b in below)
        else:
            assert not any(gap.code in b.specialisms for b in below)


@st.composite
def award_requirement_cases(draw):
    """A segment with award-phase requirements (tender-wide GA*, segment SA*) and answers."""
    general = tuple(f"GA{i}" for i in range(draw(st.integers(0, 2))))
    own = tuple(f"SA{i}" for i in range(draw(st.integers(0, 2))))
    answer = st.sampled_from([True, False, None])  # None: not answered
    bids = []
    for number in draw(st.lists(st.integers(10000000, 10000030), max_size=8, unique=True)):
        general_answers = {c: a for c in general if (a := draw(answer)) is not None}
        segment_answers = {c: a for c in own if (a := draw(answer)) is not None}
        bids.append(
            bid(
                str(number),
                {"G": draw(st.sampled_from(LEVELS))},
                munis=draw(st.lists(st.sampled_from(LOT))),
                general={"AM1": True, "AM2": True, **general_answers},
                segment_answers=segment_answers,
            )
        )
    segment = seg(
        bids,
        places=draw(st.integers(1, 4)),
        k=draw(st.integers(0, 1)),
        criteria=[crit("G", 10, PHASE_AWARD)],
    )
    return dataclasses.replace(segment, award_requirement_codes=own), general


@PROPS
@given(award_requirement_cases(), st.integers(0, 2**32))
def test_property_award_phase_excludes_exactly_the_bids_failing_an_award_requirement(case, seed):
    segment, general = case
    tender = TenderIn("t", PROCEDURE_RESTRICTED, GENERAL, (segment,), general)
    everyone = {"S1": frozenset(b.bidder for b in segment.bids)}
    result = rows(
        rank_tender(tender, phase=PHASE_AWARD, seed=seed, finalised_selection=everyone).segments[0]
    )
    for b in segment.bids:
        expected = []
        for answers, codes in (
            (b.general_answers, general),
            (b.segment_answers, segment.award_requirement_codes),
        ):
            for code in sorted(codes):
                if code not in answers:
                    expected.append(f"eis {code} niet beantwoord")
                elif not answers[code]:
                    expected.append(f"eis {code} niet voldaan")
        row = result[b.bidder]
        if expected:
            assert row.status == STATUS_EXCLUDED and row.rank is None
            assert list(row.reasons) == expected
        else:
            assert row.status != STATUS_EXCLUDED and row.rank is not None
    # The award requirements play no part in the selection phase.
    plain = TenderIn(
        "t",
        PROCEDURE_RESTRICTED,
        GENERAL,
        (dataclasses.replace(segment, award_requirement_codes=()),),
    )
    assert rank_tender(tender, phase=PHASE_SELECTION, seed=seed) == rank_tender(
        plain, phase=PHASE_SELECTION, seed=seed
    )


def test_criterion_points_are_weight_times_level_exactly():
    assert criterion_points(D("20"), D("0.75")) == Fraction(15)
    assert criterion_points(D("7.5"), Fraction(1, 3)) == Fraction(5, 2)
    assert decimal_points(criterion_points(D("12.5"), D("0.25"))) == D("3.125")
    assert round_points(criterion_points(D("12.5"), D("0.25"))) == D("3.13")
