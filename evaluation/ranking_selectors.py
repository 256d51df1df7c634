"""Reads for the ranking pages and the exports: the points chart, the coverage matrix, the
history of a phase's rankings, and the plain data the workbook and the CSV are built from.

Every function costs a fixed number of queries, whatever the number of bidders or rankings.
(Kept apart from ``selectors.py``, which holds the ranking engine's inputs.)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from audit.selectors import audit_entries_for
from providers.constants import SubmissionState
from providers.models import Dossier
from tender.constants import Phase
from tender.models import Segment, Tender

from . import ranking as engine
from .constants import RankingStatus, ResultStatus
from .models import Evaluator, FinalLevel, Ranking, RankingGap, RankingRow, Score
from .selectors import latest_ranking

# --------------------------------------------------------------------------- which ranking


def ranking_for_page(*, tender: Tender, phase: str, pk: int | None = None) -> Ranking | None:
    """The ranking a page shows: ``pk`` when asked for (an earlier one), else the phase's final
    ranking, else its newest computation. None when there is none (or ``pk`` is not of this
    tender and phase)."""
    if pk is not None:
        return Ranking.objects.filter(tender=tender, phase=phase, pk=pk).first()
    return latest_ranking(tender=tender, phase=phase)


# State of a ranking as one word, for the history list and its explanation.
STATE_SUPERSEDED = "superseded"
STATE_FINAL = "final"
STATE_PROVISIONAL = "provisional"
STATE_COMPUTED = "computed"


def ranking_state(ranking: Ranking) -> str:
    """``superseded`` (final, later reopened), ``final``, ``provisional`` or ``computed`` for a
    finished computation, else the computation's own status (pending, running, failed)."""
    if ranking.superseded:
        return STATE_SUPERSEDED
    if ranking.is_final:
        return STATE_FINAL
    if ranking.status != RankingStatus.DONE:
        return ranking.status
    return STATE_PROVISIONAL if ranking.provisional else STATE_COMPUTED


@dataclass(frozen=True)
class HistoryEntry:
    ranking: Ranking
    state: str
    reopened_by: str = ""
    reopened_at: object = None
    reopen_reason: str = ""


def ranking_history(*, tender: Tender, phase: str) -> list[HistoryEntry]:
    """Every ranking of the phase, newest first, with its state and, for a reopened one, who
    reopened it, when and why (from the audit log). Two queries; the stored results and
    inputs (large) are not loaded."""
    rankings = list(
        Ranking.objects.filter(tender=tender, phase=phase)
        .defer("result", "inputs")
        .select_related("finalised_by")
    )
    reopened = audit_entries_for(action="ranking.reopen", objects=rankings)
    history = []
    for ranking in rankings:
        entry = reopened.get(str(ranking.pk))
        history.append(
            HistoryEntry(
                ranking=ranking,
                state=ranking_state(ranking),
                reopened_by=entry.actor_repr if entry else "",
                reopened_at=entry.created_at if entry else None,
                reopen_reason=entry.details.get("reason", "") if entry else "",
            )
        )
    return history


# --------------------------------------------------------------------------- segment page


def segment_rows(*, ranking: Ranking, segment: Segment) -> list[RankingRow]:
    """The stored rows of ``segment`` in output order, with their dossiers (one query)."""
    return list(
        RankingRow.objects.filter(ranking=ranking, segment=segment).select_related("dossier")
    )


def segment_places(*, ranking: Ranking, segment: Segment) -> int:
    """X as the ranking used it (stored in its result), else the segment's current value."""
    for stored in (ranking.result or {}).get("segments", ()):
        if stored.get("segment") == segment.code:
            return stored["places"]
    return segment.places if ranking.phase == Phase.SELECTION else segment.effective_award_places


def line_after(*, procedure: str, phase: str, rows: list[RankingRow], places: int) -> int | None:
    """After which rank the line ("de streep") is drawn: X, when the procedure has a line in
    this phase and at least one ranked bid falls below it; None otherwise."""
    if not engine.has_line(procedure=procedure, phase=phase):
        return None
    ranked = sum(1 for row in rows if row.rank is not None)
    return places if 0 < places < ranked else None


def points_chart(*, rows: list[RankingRow], places: int, line: int | None) -> dict:
    """The bar chart's data for ``json_script``: one bar per stored row, in the table's order.

    Points are exact decimal strings (the chart parses them for drawing only).
    """
    return {
        "labels": [
            f"{row.rank}. {row.bidder_name or row.bidder_kvk}"
            if row.rank is not None
            else f"– {row.bidder_name or row.bidder_kvk}"
            for row in rows
        ],
        "points": [format(row.points, "f") for row in rows],
        "statuses": [row.status for row in rows],
        "ranks": [row.rank for row in rows],
        "places": places,
        "line_after": line,
        "status_labels": {value: str(label) for value, label in ResultStatus.choices},
    }


@dataclass(frozen=True)
class CoverageColumn:
    kvk: str
    name: str
    rank: int | None
    status: str


@dataclass(frozen=True)
class CoverageLine:
    kind: str  # "municipality" | "specialism"
    code: str
    name: str
    marks: tuple[bool, ...]  # one per column
    count: int
    required: int  # k for a municipality (0 = no municipal coverage), 1 for a specialism
    shortfall: int  # as the ranking reported it (0 = covered)


@dataclass(frozen=True)
class CoverageMatrix:
    columns: tuple[CoverageColumn, ...]
    lines: tuple[CoverageLine, ...]
    k: int

    @property
    def gap_count(self) -> int:
        return sum(1 for line in self.lines if line.shortfall)

    @property
    def municipality_lines(self) -> list[CoverageLine]:
        return [line for line in self.lines if line.kind == engine.GAP_MUNICIPALITY]

    @property
    def specialism_lines(self) -> list[CoverageLine]:
        return [line for line in self.lines if line.kind == engine.GAP_SPECIALISM]


def coverage_matrix(
    *, segment: Segment, rows: list[RankingRow], gaps: list[RankingGap]
) -> CoverageMatrix:
    """Municipalities of the lot (then required specialisms) x the selected bidders (both
    statuses): which bidder serves what, how many per line against what is required, and the
    shortfall the ranking reported. Two queries (``segment.lot`` is expected to be loaded).

    A bidder serving a municipality outside the lot is not shown for it (it does not count).
    The shortfall comes from the stored ``gaps`` of the ranking, so the matrix shows what the
    engine decided rather than deciding again.
    """
    selected = [row for row in rows if row.status in engine.SELECTED_STATUSES]
    dossier_ids = [row.dossier_id for row in selected if row.dossier_id]
    served = defaultdict(set)
    for dossier_id, code in Dossier.municipalities.through.objects.filter(
        dossier_id__in=dossier_ids
    ).values_list("dossier_id", "municipality__code"):
        served[dossier_id].add(code)
    shortfalls = {(gap.kind, gap.code): gap.shortfall for gap in gaps}
    k = segment.coverage_k
    lines = []
    for code, name in segment.lot.municipalities.order_by("name", "code").values_list(
        "code", "name"
    ):
        marks = tuple(code in served[row.dossier_id] for row in selected)
        lines.append(
            CoverageLine(
                kind=engine.GAP_MUNICIPALITY,
                code=code,
                name=name,
                marks=marks,
                count=sum(marks),
                required=k,
                shortfall=shortfalls.get((engine.GAP_MUNICIPALITY, code), 0),
            )
        )
    for code in sorted(set(segment.specialisms)):
        marks = tuple(
            bool(row.dossier) and code in (row.dossier.specialisms or ()) for row in selected
        )
        lines.append(
            CoverageLine(
                kind=engine.GAP_SPECIALISM,
                code=code,
                name=code,
                marks=marks,
                count=sum(marks),
                required=1,
                shortfall=shortfalls.get((engine.GAP_SPECIALISM, code), 0),
            )
        )
    columns = tuple(
        CoverageColumn(
            kvk=row.bidder_kvk,
            name=row.bidder_name or row.bidder_kvk,
            rank=row.rank,
            status=row.status,
        )
        for row in selected
    )
    return CoverageMatrix(columns=columns, lines=tuple(lines), k=k)


# --------------------------------------------------------------------------- exports


@dataclass(frozen=True)
class ScoreLine:
    bidder_kvk: str
    bidder_name: str
    criterion_code: str
    criterion_name: str
    max_points: Decimal
    levels: tuple[Decimal | None, ...]  # one per evaluator of the sheet, submitted scores only
    final_level: Decimal | None
    rationale: str


@dataclass(frozen=True)
class ScoreSheet:
    segment_code: str
    segment_name: str
    evaluators: tuple[str, ...]
    lines: tuple[ScoreLine, ...]


def scores_for_workbook(*, tender: Tender, phase: str) -> list[ScoreSheet]:
    """Per segment (code order): every sealed, current dossier x the phase's criteria, with each
    evaluator's submitted level, the final level and its rationale. Six queries in all.

    Drafts (scores not yet submitted) are left out: they are not part of the procurement file.
    """
    segments = list(
        Segment.objects.filter(tender=tender).order_by("code").prefetch_related("criteria")
    )
    evaluators = list(Evaluator.objects.filter(tender=tender).order_by("name", "pk"))
    column = {evaluator.pk: i for i, evaluator in enumerate(evaluators)}
    dossiers = list(
        Dossier.objects.filter(
            submission__tender=tender,
            submission__is_current=True,
            submission__state=SubmissionState.SEALED,
        )
        .select_related("submission__bidder")
        .order_by("segment_id", "submission__bidder__kvk")
    )
    levels = defaultdict(dict)
    for dossier_id, criterion_id, evaluator_id, level in Score.objects.filter(
        dossier__submission__tender=tender, submitted_at__isnull=False
    ).values_list("dossier_id", "criterion_id", "evaluator_id", "level"):
        levels[(dossier_id, criterion_id)][evaluator_id] = level
    finals = {
        (dossier_id, criterion_id): (level, rationale)
        for dossier_id, criterion_id, level, rationale in FinalLevel.objects.filter(
            dossier__submission__tender=tender
        ).values_list("dossier_id", "criterion_id", "level", "rationale")
    }
    by_segment = defaultdict(list)
    for dossier in dossiers:
        by_segment[dossier.segment_id].append(dossier)

    sheets = []
    for segment in segments:
        criteria = [c for c in segment.criteria.all() if c.phase == phase]
        lines = []
        for dossier in by_segment[segment.pk]:
            bidder = dossier.submission.bidder
            for criterion in criteria:
                given = levels[(dossier.pk, criterion.pk)]
                row = [None] * len(evaluators)
                for evaluator_id, level in given.items():
                    row[column[evaluator_id]] = level
                final, rationale = finals.get((dossier.pk, criterion.pk), (None, ""))
                lines.append(
                    ScoreLine(
                        bidder_kvk=bidder.kvk,
                        bidder_name=bidder.name,
                        criterion_code=criterion.code,
                        criterion_name=criterion.name,
                        max_points=criterion.max_points,
                        levels=tuple(row),
                        final_level=final,
                        rationale=rationale,
                    )
                )
        sheets.append(
            ScoreSheet(
                segment_code=segment.code,
                segment_name=segment.name,
                evaluators=tuple(e.name for e in evaluators),
                lines=tuple(lines),
            )
        )
    return sheets


@dataclass(frozen=True)
class ResultLine:
    segment: str
    rank: int | None
    bidder_kvk: str
    bidder_name: str
    points: Decimal
    status: str
    reasons: tuple[str, ...]


def results_for_csv(*, ranking: Ranking) -> list[ResultLine]:
    """The stored rows of ``ranking``: segment in code order, then output position. One query."""
    return [
        ResultLine(
            segment=code,
            rank=rank,
            bidder_kvk=kvk,
            bidder_name=name,
            points=points,
            status=status,
            reasons=tuple(reasons or ()),
        )
        for code, rank, kvk, name, points, status, reasons in RankingRow.objects.filter(
            ranking=ranking
        )
        .order_by("segment__code", "position")
        .values_list(
            "segment__code", "rank", "bidder_kvk", "bidder_name", "points", "status", "reasons"
        )
    ]
