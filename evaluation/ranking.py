"""Ranking engine for the selection and award phases (DOMAIN.md, "Ranking").

This module is deliberately pure: standard library only, no Django, no ORM. The web application,
the workers and the ``ranking`` management command all convert their data into the frozen input
dataclasses below and call :func:`rank_tender`, so there is exactly one implementation of the
rules, and an auditor can re-run a ranking from plain data.

Arithmetic is exact throughout: within a segment every weight and level is scaled to an integer
(``_Scale``), so sums, comparisons and ties are those of the exact values, and points are
rounded once, at the very end, to 2 decimals ROUND_HALF_UP. Floats are never used, because a
float rounding error could flip a rank or an exclusion by ``min_total``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import itertools
import json
import math
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, TypedDict

PHASE_SELECTION = "selection"
PHASE_AWARD = "award"
PROCEDURE_RESTRICTED = "restricted"
PROCEDURE_OPEN_HOUSE = "open_house"
PROCEDURE_OPEN = "open"
STATUS_SELECTED = "selected"
STATUS_SELECTED_COVERAGE = "selected_coverage"
STATUS_BELOW_LINE = "below_line"
STATUS_EXCLUDED = "excluded"

PHASES = (PHASE_SELECTION, PHASE_AWARD)
PROCEDURES = (PROCEDURE_RESTRICTED, PROCEDURE_OPEN_HOUSE, PROCEDURE_OPEN)
SELECTED_STATUSES = frozenset({STATUS_SELECTED, STATUS_SELECTED_COVERAGE})

GAP_MUNICIPALITY = "municipality"
GAP_SPECIALISM = "specialism"

_CENT = Decimal("0.01")
# The stored inputs document and its digest scheme. Version 1: the digest is the SHA-256 of the
# whole document as sorted JSON (``inputs_digest_v1``); version 2: a streamed SHA-256 over the
# canonical input rows in a fixed order (``inputs_digest``). A ranking keeps the version it was
# computed with: its stored hash is verified by that version's code.
INPUTS_FORMAT_V1 = "ranking-inputs/1"
INPUTS_FORMAT = "ranking-inputs/2"
INPUTS_FORMATS = {INPUTS_FORMAT_V1: 1, INPUTS_FORMAT: 2}


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class CriterionIn:
    code: str
    phase: str  # "selection" | "award"
    max_points: Decimal  # w > 0
    min_level: Decimal | None = None


@dataclass(frozen=True)
class BidIn:
    bidder: str  # KvK number (8 digits) of the bidder / combination lead
    municipalities: frozenset[str]  # CBS codes served
    specialisms: frozenset[str]
    general_answers: Mapping[str, bool]  # general requirement code -> met; missing = not answered
    segment_answers: Mapping[str, bool]  # this segment's requirement code -> met
    final_levels: Mapping[str, Decimal]  # criterion code -> final (consensus) level
    individual_levels: Mapping[str, tuple[Decimal, ...]] = field(default_factory=dict)
    # requirement code -> the parties (as the reason names them) that failed a requirement that
    # binds every party; empty where nobody but the bidder answers (every scenario file)
    party_failures: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class SegmentIn:
    code: str
    places: int
    award_places: int | None
    min_total: Decimal | None
    coverage_k: int  # 0 = no municipal coverage
    municipalities: tuple[str, ...]  # the lot's participating municipalities
    specialisms: tuple[str, ...]  # required specialisms of the segment
    requirement_codes: tuple[str, ...]  # segment-specific selection-phase requirement codes
    criteria: tuple[CriterionIn, ...]  # both phases, in their own order
    bids: tuple[BidIn, ...]
    award_requirement_codes: tuple[str, ...] = ()  # segment-specific award-phase requirements


@dataclass(frozen=True)
class TenderIn:
    slug: str
    procedure: str
    requirement_codes: tuple[str, ...]  # general selection-phase requirement codes
    segments: tuple[SegmentIn, ...]
    award_requirement_codes: tuple[str, ...] = ()  # general award-phase requirement codes


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class ResultRow:
    bidder: str
    rank: int | None
    points: Decimal
    status: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    kind: str  # "municipality" | "specialism"
    code: str
    shortfall: int


@dataclass(frozen=True)
class SegmentRanking:
    segment: str
    places: int
    provisional: bool
    results: tuple[ResultRow, ...]
    gaps: tuple[Gap, ...]


@dataclass(frozen=True)
class TenderRanking:
    tender: str
    phase: str
    seed: int
    provisional: bool
    segments: tuple[SegmentRanking, ...]

    def to_dict(self) -> dict[str, Any]:
        """The ``ranking --format json`` document of SCENARIO.md, keys in its exact order."""
        return {
            "tender": self.tender,
            "phase": self.phase,
            "seed": self.seed,
            "provisional": self.provisional,
            "segments": [
                {
                    "segment": seg.segment,
                    "places": seg.places,
                    "results": [
                        {
                            "bidder": row.bidder,
                            "rank": row.rank,
                            "points": format(row.points.quantize(_CENT, ROUND_HALF_UP), "f"),
                            "status": row.status,
                            "reasons": list(row.reasons),
                        }
                        for row in seg.results
                    ],
                    "gaps": [
                        {"kind": gap.kind, "code": gap.code, "shortfall": gap.shortfall}
                        for gap in seg.gaps
                    ],
                }
                for seg in self.segments
            ],
        }


# --------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (also as a decorator). Building and ranking the
    inputs allocates tens of thousands of tuples, dicts and Decimals that live on, none of
    them in a reference cycle: every collection the allocations trigger walks them (and the
    whole process) for nothing, a quarter of the Python time at region scale (issue 19).
    Collection resumes afterwards; nested use keeps it paused until the outermost ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _points_text(value: Decimal) -> str:
    """A number of points as people write it: at least 2 decimals, no trailing zeros beyond.

    The same value reads the same whether it came from a file ("50") or from a database column
    with more decimal places ("50.000000").
    """
    text = format(Decimal(value).normalize(), "f")
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.rstrip('0').ljust(2, '0')}"


def round_points(value: Fraction) -> Decimal:
    """Round an exact value to 2 decimals ROUND_HALF_UP (ties away from zero).

    Done in integers so that no intermediate rounding can move a value across a .xx5 boundary.
    """
    scaled = value * 100
    quotient, remainder = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        quotient += 1
    return Decimal(-quotient if scaled < 0 else quotient).scaleb(-2)


def _round_scaled(numerator: int, denominator: int) -> Decimal:
    """:func:`round_points` of ``numerator / denominator`` (denominator > 0), in integers."""
    quotient, remainder = divmod(abs(numerator) * 100, denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return Decimal(-quotient if numerator < 0 else quotient).scaleb(-2)


def criterion_points(max_points: Decimal | Fraction, level: Decimal | Fraction) -> Fraction:
    """The points of one criterion: weight (``max_points``) x level, exact.

    The one place this product is made: the ranking below, the scores workbook
    (:func:`decimal_points`) and the award letters (:func:`round_points`) all take it from here.
    """
    return Fraction(max_points) * Fraction(level)


def decimal_points(value: Fraction) -> Decimal:
    """An exact number of points as a Decimal, unrounded (w x level of two decimals has a
    terminating expansion)."""
    return Decimal(value.numerator) / Decimal(value.denominator)


def _check_phase_procedure(phase: str, procedure: str) -> None:
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}")
    if procedure not in PROCEDURES:
        raise ValueError(f"unknown procedure {procedure!r}")


def _decimals(value: Decimal) -> int:
    """How many decimals ``value`` needs (0.50 -> 1, 100 -> 0)."""
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


@dataclass(frozen=True)
class _Scale:
    """Exact integer arithmetic for one segment and phase.

    Every weight is an integer in units of ``1 / weight_unit`` and every level one in units of
    ``1 / level_unit`` (10^decimals, times the least common multiple of the numbers of
    individual levels that stand in for a missing final level, so that their mean is an
    integer too). Points are then integers in units of ``1 / (weight_unit * level_unit)``:
    sums, comparisons and ties are those of the exact values, as with ``Fraction``.
    """

    level_unit: int
    level_ints: Mapping[Decimal, int]  # level -> level * 10^decimals (not yet x lcm)
    lcm: int

    def level(self, bid: BidIn, code: str) -> tuple[int, bool]:
        """The level used for ``code`` (in ``level_unit``) and whether it is a stand-in.

        The mean of the individual levels stands in for a missing final level (0 without any),
        which makes the ranking provisional: it must not be finalised before the chair has set
        every consensus level.
        """
        final = bid.final_levels.get(code)
        if final is not None:
            return self.level_ints[final] * self.lcm, False
        individual = bid.individual_levels.get(code) or ()
        if not individual:
            return 0, True
        total = sum(self.level_ints[level] for level in individual)
        return total * (self.lcm // len(individual)), True


def _scale_for(bids: list[BidIn], codes: list[str]) -> _Scale:
    values: set[Decimal] = set()
    counts: set[int] = set()
    for bid in bids:
        finals = bid.final_levels
        values.update(finals.values())
        if bid.individual_levels:
            for code in codes:
                if finals.get(code) is None:
                    individual = bid.individual_levels.get(code) or ()
                    if individual:
                        counts.add(len(individual))
                        values.update(individual)
    decimals = max((_decimals(v) for v in values), default=0)
    factor = 10**decimals
    lcm = math.lcm(*counts) if counts else 1
    level_ints = {v: int(v.scaleb(decimals)) for v in values}
    return _Scale(level_unit=factor * lcm, level_ints=level_ints, lcm=lcm)


@dataclass
class _Scored:
    """Working state of one bid inside :func:`rank_segment` (points and tie key as integers in
    the units of the segment's :class:`_Scale`)."""

    bid: BidIn
    points: int
    #: sort key: -points, then -(w x level) per criterion by decreasing w then own order
    order_key: tuple[int, tuple[int, ...]]
    reasons: list[str]
    rank: int | None = None
    status: str = STATUS_EXCLUDED


def _score(
    bid: BidIn,
    criteria: list[tuple[CriterionIn, int, int | None]],
    tie_order: list[int],
    scale: _Scale,
    min_total: tuple[int, str] | None,
    requirements: list[tuple[Mapping[str, bool], list[str]]],
) -> tuple[_Scored, bool]:
    """Points, tie-break key and exclusion reasons of one bid; also whether a level stood in.

    ``criteria`` are the phase's criteria with their weight as an integer and the least
    integer level that meets their ``min_level``; ``min_total`` the least integer number of
    points that meets the segment's minimum and its reason (None: none, or not this phase).
    ``requirements`` are (answers, codes) of the phase's general and segment requirements;
    each phase checks only its own (rule 2 and 7): a requirement not met or not answered
    excludes the bid.
    """
    reasons: list[str] = []
    for answers, codes in requirements:
        for code in codes:
            answer = answers.get(code)
            if answer is None:
                reasons.append(f"eis {code} niet beantwoord")
            elif not answer:
                parties = bid.party_failures.get(code)
                if parties:  # a requirement of every party: name who failed it
                    reasons.append(f"eis {code} niet voldaan door {'; '.join(parties)}")
                else:
                    reasons.append(f"eis {code} niet voldaan")
    stand_in = False
    parts: list[int] = []
    finals = bid.final_levels
    level_ints, lcm = scale.level_ints, scale.lcm
    for criterion, weight, min_level in criteria:
        final = finals.get(criterion.code)
        if final is not None:  # the common case, inline
            level = level_ints[final] * lcm
        else:
            level, stood_in = scale.level(bid, criterion.code)
            stand_in = stand_in or stood_in
        parts.append(weight * level)
        if min_level is not None and level < min_level:
            reasons.append(f"criterium {criterion.code} onder drempel")
    points = sum(parts)
    if min_total is not None and points < min_total[0]:
        reasons.append(min_total[1])
    order_key = (-points, tuple([-parts[i] for i in tie_order]))
    return _Scored(bid, points, order_key, reasons), stand_in


def _order(ranked: list[_Scored], seed: int) -> list[_Scored]:
    """Points descending, then the per-criterion tie key; remaining ties by lot.

    Each tied group is shuffled on its own by a fresh ``random.Random(seed)`` after sorting it by
    KvK number, so the order depends only on the seed and the group, never on input order, and
    any other implementation following SCENARIO.md reproduces it.
    """

    def key(s: _Scored) -> tuple[int, tuple[int, ...]]:
        return s.order_key

    result: list[_Scored] = []
    for _, group_iter in itertools.groupby(sorted(ranked, key=key), key=key):
        group = list(group_iter)
        if len(group) > 1:  # a single bid needs no lot
            group.sort(key=lambda s: s.bid.bidder)
            rng = random.Random(seed)  # noqa: S311 -- a reproducible public lot, not a secret
            rng.shuffle(group)
        result.extend(group)
    return result


def _apply_coverage(ordered: list[_Scored], segment: SegmentIn) -> tuple[Gap, ...]:
    """Pull ``below_line`` bids up until every lot municipality and specialism is covered.

    A municipality is uncovered while fewer than k selected bids (either status) serve it; a
    required specialism while no selected bid has it. The best-ranked candidate that covers
    anything uncovered is picked first, so coverage costs the least in quality.
    """
    k = segment.coverage_k
    lot = sorted(set(segment.municipalities)) if k > 0 else []
    required = sorted(set(segment.specialisms))
    counts = dict.fromkeys(lot, 0)
    have: set[str] = set()

    def take(s: _Scored) -> None:
        for m in s.bid.municipalities:
            if m in counts:
                counts[m] += 1
        have.update(s.bid.specialisms)

    for s in ordered:
        if s.status in SELECTED_STATUSES:
            take(s)
    while True:
        open_m = [m for m in lot if counts[m] < k]
        open_s = [sp for sp in required if sp not in have]
        if not open_m and not open_s:
            break
        pick, covers = None, []
        for s in ordered:  # rank order: the best-ranked candidate comes first
            if s.status == STATUS_BELOW_LINE:
                covers = [m for m in open_m if m in s.bid.municipalities]
                covers += [sp for sp in open_s if sp in s.bid.specialisms]
                if covers:
                    pick = s
                    break
        if pick is None:
            break
        pick.status = STATUS_SELECTED_COVERAGE
        pick.reasons = ["dekt " + ", ".join(covers)]
        take(pick)
    gaps = [Gap(GAP_MUNICIPALITY, m, k - counts[m]) for m in lot if counts[m] < k]
    gaps += [Gap(GAP_SPECIALISM, sp, 1) for sp in required if sp not in have]
    return tuple(gaps)


# --------------------------------------------------------------------------- public API


def has_line(*, procedure: str, phase: str) -> bool:
    """Whether ``phase`` of ``procedure`` has a line at X places (DOMAIN.md, ranking step 4).

    Open House contracts everyone who qualifies; "open" has no line in its qualification
    (selection) step and a normal line in its award phase.
    """
    return not (
        procedure == PROCEDURE_OPEN_HOUSE
        or (procedure == PROCEDURE_OPEN and phase == PHASE_SELECTION)
    )


def rank_segment(
    segment: SegmentIn,
    *,
    phase: str,
    procedure: str,
    general_requirement_codes: tuple[str, ...],
    seed: int,
    participants: frozenset[str] | None = None,
    general_award_requirement_codes: tuple[str, ...] = (),
) -> SegmentRanking:
    """Rank one segment in one phase (DOMAIN.md "Ranking", steps 1-7).

    ``participants`` restricts the bids that take part (the award phase ranks only the bidders
    selected in the selection phase); ``None`` means all bids of the segment. The selection
    phase checks the selection-phase requirements (``general_requirement_codes`` and the
    segment's ``requirement_codes``), the award phase the award-phase ones
    (``general_award_requirement_codes`` and the segment's ``award_requirement_codes``).
    """
    _check_phase_procedure(phase, procedure)
    phase_criteria = [c for c in segment.criteria if c.phase == phase]
    tie_order = sorted(
        range(len(phase_criteria)), key=lambda i: (-Fraction(phase_criteria[i].max_points), i)
    )
    general_codes = sorted(
        set(
            general_requirement_codes
            if phase == PHASE_SELECTION
            else general_award_requirement_codes
        )
    )
    segment_codes = sorted(
        set(
            segment.requirement_codes
            if phase == PHASE_SELECTION
            else segment.award_requirement_codes
        )
    )
    bids = [b for b in segment.bids if participants is None or b.bidder in participants]

    # Exact integers: weights in 1/10^w_decimals, levels in 1/scale.level_unit.
    scale = _scale_for(bids, [c.code for c in phase_criteria])
    weight_unit = 10 ** max((_decimals(c.max_points) for c in phase_criteria), default=0)
    unit = weight_unit * scale.level_unit  # points are integers in 1/unit
    criteria = [
        (
            c,
            int(c.max_points * weight_unit),
            None if c.min_level is None else _ceil(Fraction(c.min_level) * scale.level_unit),
        )
        for c in phase_criteria
    ]
    min_total = None
    if phase == PHASE_SELECTION and segment.min_total is not None:
        min_total = (
            _ceil(Fraction(segment.min_total) * unit),
            f"onder minimumscore ({_points_text(segment.min_total)})",
        )

    provisional = False
    scored: list[_Scored] = []
    for bid in bids:
        s, stand_in = _score(
            bid,
            criteria,
            tie_order,
            scale,
            min_total,
            [(bid.general_answers, general_codes), (bid.segment_answers, segment_codes)],
        )
        provisional = provisional or stand_in
        scored.append(s)

    # Split once, before coverage: coverage picks get reasons too, but they are not excluded.
    excluded = sorted((s for s in scored if s.reasons), key=lambda s: (-s.points, s.bid.bidder))
    ordered = _order([s for s in scored if not s.reasons], seed)
    places = segment.places
    if phase == PHASE_AWARD and segment.award_places is not None:
        places = segment.award_places
    no_line = not has_line(procedure=procedure, phase=phase)
    for rank, s in enumerate(ordered, start=1):
        s.rank = rank
        s.status = STATUS_SELECTED if no_line or rank <= places else STATUS_BELOW_LINE
    gaps = _apply_coverage(ordered, segment)

    results = tuple(
        ResultRow(s.bid.bidder, s.rank, _round_scaled(s.points, unit), s.status, tuple(s.reasons))
        for s in [*ordered, *excluded]
    )
    return SegmentRanking(segment.code, places, provisional, results, gaps)


class _CommonArgs(TypedDict):
    """The ``rank_segment`` arguments every segment of one tender shares."""

    procedure: str
    seed: int
    general_requirement_codes: tuple[str, ...]
    general_award_requirement_codes: tuple[str, ...]


@gc_paused()
def rank_tender(
    tender: TenderIn,
    *,
    phase: str,
    seed: int = 0,
    finalised_selection: Mapping[str, frozenset[str]] | None = None,
) -> TenderRanking:
    """Rank every segment of a tender (segments in code order).

    Award phase: the participants of a segment are ``finalised_selection[segment.code]`` when a
    finalised selection is given (a code missing from it has no participants); otherwise they are
    the bidders selected (either status) in the selection ranking computed now with the same seed,
    whose provisional flag then carries over to that segment's award ranking.
    """
    _check_phase_procedure(phase, tender.procedure)
    rankings: list[SegmentRanking] = []
    common: _CommonArgs = {
        "procedure": tender.procedure,
        "seed": seed,
        "general_requirement_codes": tender.requirement_codes,
        "general_award_requirement_codes": tender.award_requirement_codes,
    }
    for segment in sorted(tender.segments, key=lambda s: s.code):
        if phase == PHASE_SELECTION:
            rankings.append(rank_segment(segment, phase=phase, **common))
        elif finalised_selection is not None:
            participants = frozenset(finalised_selection.get(segment.code, ()))
            rankings.append(rank_segment(segment, phase=phase, participants=participants, **common))
        else:
            selection = rank_segment(segment, phase=PHASE_SELECTION, **common)
            chosen = frozenset(r.bidder for r in selection.results if r.status in SELECTED_STATUSES)
            award = rank_segment(segment, phase=phase, participants=chosen, **common)
            provisional = award.provisional or selection.provisional
            rankings.append(dataclasses.replace(award, provisional=provisional))
    return TenderRanking(
        tender=tender.slug,
        phase=phase,
        seed=seed,
        provisional=any(r.provisional for r in rankings),
        segments=tuple(rankings),
    )


# Tuple fields whose order cannot change a ranking; criteria keep their order (tie-breaks).
_UNORDERED_FIELDS = frozenset(
    {
        "segments",
        "bids",
        "requirement_codes",
        "award_requirement_codes",
        "municipalities",
        "specialisms",
    }
)
# Fields added later, left out of the digest while empty so that the digests stored with
# earlier rankings (which had none of them) stay valid.
_OMITTED_WHEN_EMPTY = frozenset({"award_requirement_codes", "party_failures"})


def _canon(value: object, unordered: bool = False) -> object:
    """A JSON-ready canonical form of an input: dataclasses become dicts, Decimals normalised
    plain strings (``0.50`` -> ``0.5``, ``1E+2`` -> ``100``), sets and order-free sequences sorted.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _canon(getattr(value, f.name), f.name in _UNORDERED_FIELDS)
            for f in dataclasses.fields(value)
            if not (f.name in _OMITTED_WHEN_EMPTY and not getattr(value, f.name))
        }
    if isinstance(value, Decimal):
        return "0" if value == 0 else format(value.normalize(), "f")
    if isinstance(value, Mapping):
        # mapping values are answers, levels, or order-free collections (evaluators' levels,
        # bidders of a finalised selection)
        return {str(k): _canon(v, unordered=True) for k, v in value.items()}
    if isinstance(value, (tuple, list, set, frozenset)):
        items = [_canon(v) for v in value]
        if unordered or isinstance(value, (set, frozenset)):
            items.sort(key=lambda v: json.dumps(v, sort_keys=True))
        return items
    return value


@gc_paused()
def inputs_document_v1(
    tender: TenderIn,
    *,
    phase: str,
    seed: int,
    finalised_selection: Mapping[str, frozenset[str]] | None = None,
) -> dict[str, Any]:
    """The version 1 inputs document (canonical JSON data, hashed whole by
    :func:`inputs_digest_v1`): how rankings computed before version 2 stored their inputs."""
    return {
        "format": INPUTS_FORMAT_V1,
        "phase": phase,
        "seed": seed,
        "finalised_selection": _canon(finalised_selection),
        "tender": _canon(tender),
    }


def document_digest(document: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a JSON document in canonical form (sorted keys, no spaces)."""
    payload = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def inputs_digest_v1(
    tender: TenderIn,
    *,
    phase: str,
    seed: int,
    finalised_selection: Mapping[str, frozenset[str]] | None = None,
) -> str:
    """Version 1 digest: SHA-256 of the canonical JSON of the whole version 1 document.

    Kept to verify the hashes stored with rankings computed before version 2.
    """
    return document_digest(
        inputs_document_v1(tender, phase=phase, seed=seed, finalised_selection=finalised_selection)
    )


class _Numbers(dict[Decimal, str]):
    """Canonical text of a number, cached per value: ``0.50`` -> ``0.5``, ``1E+2`` -> ``100``
    (equal values give equal text, whatever their notation)."""

    def __missing__(self, value: Decimal) -> str:
        text = "0" if value == 0 else format(Decimal(value).normalize(), "f")
        self[value] = text
        return text


def _bid_document(bid: BidIn, num: _Numbers) -> dict[str, Any]:
    document = {
        "bidder": bid.bidder,
        "municipalities": sorted(bid.municipalities),
        "specialisms": sorted(bid.specialisms),
        "general_answers": dict(sorted(bid.general_answers.items())),
        "segment_answers": dict(sorted(bid.segment_answers.items())),
        "final_levels": {code: num[level] for code, level in sorted(bid.final_levels.items())},
        "individual_levels": {
            code: sorted([num[level] for level in levels])
            for code, levels in sorted(bid.individual_levels.items())
        }
        if bid.individual_levels
        else {},
    }
    if bid.party_failures:  # only where a requirement binds every party (never in a scenario)
        document["party_failures"] = {
            code: list(parties) for code, parties in sorted(bid.party_failures.items())
        }
    return document


def _segment_document(segment: SegmentIn, num: _Numbers) -> dict[str, Any]:
    """One segment of the version 2 document, canonical: order-free collections sorted, bids
    by KvK number (then by their own text, should a bidder occur twice)."""
    bids = sorted((_bid_document(bid, num) for bid in segment.bids), key=lambda b: b["bidder"])
    if len({b["bidder"] for b in bids}) < len(bids):
        bids.sort(key=lambda b: (b["bidder"], json.dumps(b, sort_keys=True)))
    return {
        "code": segment.code,
        "places": segment.places,
        "award_places": segment.award_places,
        "min_total": None if segment.min_total is None else num[segment.min_total],
        "coverage_k": segment.coverage_k,
        "municipalities": sorted(segment.municipalities),
        "specialisms": sorted(segment.specialisms),
        "requirement_codes": sorted(segment.requirement_codes),
        "award_requirement_codes": sorted(segment.award_requirement_codes),
        "criteria": [
            {
                "code": c.code,
                "phase": c.phase,
                "max_points": num[c.max_points],
                "min_level": None if c.min_level is None else num[c.min_level],
            }
            for c in segment.criteria
        ],
        "bids": bids,
    }


def _document_head(
    tender: TenderIn,
    *,
    phase: str,
    seed: int,
    finalised_selection: Mapping[str, frozenset[str]] | None,
) -> dict[str, Any]:
    return {
        "format": INPUTS_FORMAT,
        "phase": phase,
        "seed": seed,
        "finalised_selection": (
            None
            if finalised_selection is None
            else {code: sorted(kvks) for code, kvks in sorted(finalised_selection.items())}
        ),
        "tender": {
            "slug": tender.slug,
            "procedure": tender.procedure,
            "requirement_codes": sorted(tender.requirement_codes),
            "award_requirement_codes": sorted(tender.award_requirement_codes),
        },
    }


@gc_paused()
def inputs_document(
    tender: TenderIn,
    *,
    phase: str,
    seed: int,
    finalised_selection: Mapping[str, frozenset[str]] | None = None,
) -> dict[str, Any]:
    """Everything :func:`rank_tender` reads, as canonical plain JSON data (version 2): stored
    with every computed ranking, so that an auditor can re-run it from exactly these inputs
    (:func:`inputs_from_document`) and prove that it gives the same input hash and result."""
    num = _Numbers()
    document = _document_head(
        tender, phase=phase, seed=seed, finalised_selection=finalised_selection
    )
    document["tender"]["segments"] = [
        _segment_document(seg, num) for seg in sorted(tender.segments, key=lambda seg: seg.code)
    ]
    return document


def _digest_lines(head: Mapping[str, Any], segments: Iterable[Mapping[str, Any]]) -> str:
    """SHA-256 (hex) of the version 2 canonical rows as compact JSON, one line each, in their
    fixed order: the head (format, phase, seed, finalised selection, the tender's own fields),
    then per segment by code its fields and then its bids (one line, sorted)."""
    digest = hashlib.sha256()
    # check_circular=False: the same text, without the encoder's bookkeeping of every list and
    # dict it enters (a third of its time; the documents are trees built here)
    encode = json.JSONEncoder(
        ensure_ascii=False, separators=(",", ":"), check_circular=False
    ).encode
    digest.update(encode(head).encode("utf-8") + b"\n")
    for segment in segments:
        fields = {key: value for key, value in segment.items() if key != "bids"}
        digest.update(encode(fields).encode("utf-8") + b"\n")
        digest.update(encode(segment["bids"]).encode("utf-8") + b"\n")
    return digest.hexdigest()


@gc_paused()
def inputs_digest(
    tender: TenderIn,
    *,
    phase: str,
    seed: int,
    finalised_selection: Mapping[str, frozenset[str]] | None = None,
) -> str:
    """SHA-256 (hex) of everything :func:`rank_tender` reads (version 2).

    Stored with a ranking so that a later re-run can prove it ranked the same data. Streamed
    over the canonical rows (:func:`_digest_lines`), one segment at a time, so no document of
    the whole tender is held; equal to :func:`document_inputs_digest` of the
    :func:`inputs_document`. Collections whose order cannot change the result (sets, bids,
    segments, requirement codes) are sorted, so the digest does not depend on dict or query
    ordering; numbers are hashed in canonical text.
    """
    num = _Numbers()
    head = _document_head(tender, phase=phase, seed=seed, finalised_selection=finalised_selection)
    segments = (
        _segment_document(seg, num) for seg in sorted(tender.segments, key=lambda seg: seg.code)
    )
    return _digest_lines(head, segments)


@gc_paused()
def document_inputs_digest(document: Mapping[str, Any]) -> str:
    """:func:`inputs_digest` of the inputs an :func:`inputs_document` (as built, version 2)
    describes, taken from the document itself: the worker builds the document anyway."""
    tender = document["tender"]
    head = {**document, "tender": {k: v for k, v in tender.items() if k != "segments"}}
    return _digest_lines(head, tender["segments"])


@dataclass(frozen=True)
class StoredInputs:
    """The inputs of one computation, read back from its :func:`inputs_document` (or a
    version 1 document: ``digest_version`` says which digest its stored hash is)."""

    tender: TenderIn
    phase: str
    seed: int
    finalised_selection: Mapping[str, frozenset[str]] | None
    digest_version: int = 2

    def rank(self) -> TenderRanking:
        return rank_tender(
            self.tender,
            phase=self.phase,
            seed=self.seed,
            finalised_selection=self.finalised_selection,
        )

    def digest(self) -> str:
        digest = inputs_digest_v1 if self.digest_version == 1 else inputs_digest
        return digest(
            self.tender,
            phase=self.phase,
            seed=self.seed,
            finalised_selection=self.finalised_selection,
        )


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _levels(values: Mapping[str, Any]) -> dict[str, Decimal]:
    return {code: Decimal(str(level)) for code, level in values.items()}


def _bid_from(data: Mapping[str, Any]) -> BidIn:
    return BidIn(
        bidder=str(data["bidder"]),
        municipalities=frozenset(data["municipalities"]),
        specialisms=frozenset(data["specialisms"]),
        general_answers={k: bool(v) for k, v in data["general_answers"].items()},
        segment_answers={k: bool(v) for k, v in data["segment_answers"].items()},
        final_levels=_levels(data["final_levels"]),
        individual_levels={
            code: tuple(Decimal(str(level)) for level in levels)
            for code, levels in data["individual_levels"].items()
        },
        party_failures={
            code: tuple(parties) for code, parties in data.get("party_failures", {}).items()
        },
    )


def _segment_from(data: Mapping[str, Any]) -> SegmentIn:
    return SegmentIn(
        code=str(data["code"]),
        places=int(data["places"]),
        award_places=None if data["award_places"] is None else int(data["award_places"]),
        min_total=_decimal(data["min_total"]),
        coverage_k=int(data["coverage_k"]),
        municipalities=tuple(data["municipalities"]),
        specialisms=tuple(data["specialisms"]),
        requirement_codes=tuple(data["requirement_codes"]),
        award_requirement_codes=tuple(data.get("award_requirement_codes", ())),
        criteria=tuple(
            CriterionIn(
                code=str(c["code"]),
                phase=str(c["phase"]),
                max_points=Decimal(str(c["max_points"])),
                min_level=_decimal(c["min_level"]),
            )
            for c in data["criteria"]
        ),
        bids=tuple(_bid_from(bid) for bid in data["bids"]),
    )


@gc_paused()
def inputs_from_document(document: Mapping[str, Any]) -> StoredInputs:
    """The inputs an :func:`inputs_document` (or a version 1 document) describes. Raises
    ``ValueError`` for a document of another format and ``KeyError`` for one that misses a
    field."""
    version = INPUTS_FORMATS.get(document.get("format"))  # type: ignore[arg-type]
    if version is None:
        raise ValueError(f"unknown inputs format {document.get('format')!r}")
    data = document["tender"]
    selection = document["finalised_selection"]
    return StoredInputs(
        tender=TenderIn(
            slug=str(data["slug"]),
            procedure=str(data["procedure"]),
            requirement_codes=tuple(data["requirement_codes"]),
            segments=tuple(_segment_from(seg) for seg in data["segments"]),
            award_requirement_codes=tuple(data.get("award_requirement_codes", ())),
        ),
        phase=str(document["phase"]),
        seed=int(document["seed"]),
        finalised_selection=(
            None
            if selection is None
            else {code: frozenset(kvks) for code, kvks in selection.items()}
        ),
        digest_version=version,
    )
