"""Reading the award decision: what a letter says, which letters exist, which segments are
finally awarded. Scoped reads for the portal (a provider's own letters only)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, QuerySet

from evaluation.constants import ResultStatus
from evaluation.models import FinalLevel, RankingRow
from evaluation.ranking import criterion_points, round_points
from evaluation.selectors import SELECTED_STATUSES, final_ranking
from providers.models import Organisation
from tender.constants import Phase, Procedure
from tender.models import Criterion, Segment, Tender

from .award_models import (
    AwardDecision,
    AwardLetter,
    LetterKind,
    LetterRun,
    Objection,
    SegmentStandstill,
    SelectionStandstill,
)


def phases_of(tender: Tender) -> list[str]:
    """The phases that end in decision letters: the open procedure has no selection phase."""
    if tender.procedure == Procedure.OPEN:
        return [Phase.AWARD]
    return [Phase.SELECTION, Phase.AWARD]


def letter_targets(*, tender: Tender, phase: str) -> list[Organisation]:
    """Every bidder in the phase's final ranking (excluded ones included), by name."""
    ranking = final_ranking(tender=tender, phase=phase)
    if ranking is None:
        return []
    kvks = set(RankingRow.objects.filter(ranking=ranking).values_list("bidder_kvk", flat=True))
    return list(Organisation.objects.filter(kvk__in=kvks).order_by("name", "kvk"))


# -- the content of one letter ------------------------------------------------------------


@dataclass(frozen=True)
class CriterionLine:
    code: str
    name: str
    max_points: Decimal
    points: Decimal | None
    rationale: str


@dataclass(frozen=True)
class WinnerLine:
    name: str
    kvk: str
    points: Decimal
    difference: Decimal  # winner's points minus the addressee's
    criteria: list[tuple[Decimal | None, Decimal | None]]  # (points, advantage) per criterion
    is_addressee: bool


@dataclass(frozen=True)
class SegmentOutcome:
    segment: Segment
    status: str
    status_label: str
    rank: int | None
    points: Decimal
    reasons: list[str]
    criteria: list[CriterionLine]
    winners: list[WinnerLine]

    @property
    def is_won(self) -> bool:
        return self.status in SELECTED_STATUSES


@dataclass(frozen=True)
class LetterContent:
    tender: Tender
    phase: str
    bidder: Organisation
    kind: str
    segments: list[SegmentOutcome] = field(default_factory=list)

    @property
    def won(self) -> list[SegmentOutcome]:
        return [s for s in self.segments if s.is_won]

    @property
    def lost(self) -> list[SegmentOutcome]:
        return [s for s in self.segments if not s.is_won]


def _points(max_points: Decimal, level: Decimal | None) -> Decimal | None:
    """w x level from the ranking engine, rounded to cents like the ranking's points."""
    if level is None:
        return None
    return round_points(criterion_points(max_points, level))


def letter_content(*, tender: Tender, phase: str, bidder: Organisation) -> LetterContent:
    """What the phase's letter to ``bidder`` says, from the final ranking of the phase: per
    segment the bidder took part in, its own points and rationale per criterion and the
    points of the winners (selected, either status) with their advantage per criterion."""
    ranking = final_ranking(tender=tender, phase=phase)
    if ranking is None:
        raise ValueError("No final ranking for this phase.")
    own_rows = list(
        RankingRow.objects.filter(ranking=ranking, bidder_kvk=bidder.kvk)
        .select_related("segment")
        .order_by("segment__code")
    )
    segment_ids = [r.segment_id for r in own_rows]
    winners_by_segment = defaultdict(list)
    for row in RankingRow.objects.filter(
        ranking=ranking, segment_id__in=segment_ids, status__in=SELECTED_STATUSES
    ).order_by("segment__code", "position"):
        winners_by_segment[row.segment_id].append(row)
    criteria_by_segment = defaultdict(list)
    for criterion in Criterion.objects.filter(segment_id__in=segment_ids, phase=phase).order_by(
        "segment", "position", "id"
    ):
        criteria_by_segment[criterion.segment_id].append(criterion)
    dossier_ids = {r.dossier_id for r in own_rows} | {
        r.dossier_id for rows in winners_by_segment.values() for r in rows
    }
    finals = {
        (f.dossier_id, f.criterion_id): f
        for f in FinalLevel.objects.filter(
            dossier_id__in=dossier_ids - {None}, criterion__phase=phase
        )
    }

    segments = []
    for row in own_rows:
        criteria = criteria_by_segment[row.segment_id]
        own = []
        for c in criteria:
            final = finals.get((row.dossier_id, c.pk))
            own.append(
                CriterionLine(
                    code=c.code,
                    name=c.name,
                    max_points=c.max_points,
                    points=_points(c.max_points, final.level if final else None),
                    rationale=(final.rationale if final else "").strip(),
                )
            )
        winners = []
        for w in winners_by_segment[row.segment_id]:
            per_criterion = []
            for c, mine in zip(criteria, own, strict=True):
                final = finals.get((w.dossier_id, c.pk))
                theirs = _points(c.max_points, final.level if final else None)
                advantage = (
                    theirs - mine.points if theirs is not None and mine.points is not None else None
                )
                per_criterion.append((theirs, advantage))
            winners.append(
                WinnerLine(
                    name=w.bidder_name or w.bidder_kvk,
                    kvk=w.bidder_kvk,
                    points=w.points,
                    difference=w.points - row.points,
                    criteria=per_criterion,
                    is_addressee=w.bidder_kvk == bidder.kvk,
                )
            )
        segments.append(
            SegmentOutcome(
                segment=row.segment,
                status=row.status,
                status_label=str(ResultStatus(row.status).label),
                rank=row.rank,
                points=row.points,
                reasons=list(row.reasons),
                criteria=own,
                winners=winners,
            )
        )
    won = any(s.status in SELECTED_STATUSES for s in segments)
    if phase == Phase.AWARD:
        kind = LetterKind.INTENDED_AWARD if won else LetterKind.REJECTION
    else:
        kind = LetterKind.SELECTED if won else LetterKind.NOT_SELECTED
    return LetterContent(tender=tender, phase=phase, bidder=bidder, kind=kind, segments=segments)


# -- letters, runs and decisions ----------------------------------------------------------


def decision_of(*, tender: Tender, phase: str) -> AwardDecision | None:
    return AwardDecision.objects.filter(tender=tender, phase=phase).first()


def latest_run(*, tender: Tender, phase: str) -> LetterRun | None:
    return LetterRun.objects.filter(tender=tender, phase=phase).first()


def latest_letters(*, tender: Tender, phase: str) -> list[AwardLetter]:
    """The newest version of each bidder's letter of the phase, by bidder name, each with
    ``versions`` (the number of versions)."""
    newest = (
        AwardLetter.objects.filter(tender=tender, phase=phase)
        .values("bidder_id")
        .annotate(v=Max("version"))
    )
    wanted = {(n["bidder_id"], n["v"]) for n in newest}
    letters = [
        letter
        for letter in AwardLetter.objects.filter(tender=tender, phase=phase).select_related(
            "bidder"
        )
        if (letter.bidder_id, letter.version) in wanted
    ]
    counts = {n["bidder_id"]: n["v"] for n in newest}
    for letter in letters:
        letter.versions = counts[letter.bidder_id]
    return sorted(letters, key=lambda x: (x.bidder.name, x.bidder.kvk))


def letters_for_organisation(
    *, organisation: Organisation, tender: Tender | None = None
) -> QuerySet[AwardLetter]:
    """The sent letters addressed to ``organisation`` (every version, newest first); a letter
    that has not been sent is not the bidder's yet."""
    queryset = AwardLetter.objects.filter(bidder=organisation, sent_at__isnull=False)
    if tender is not None:
        queryset = queryset.filter(tender=tender)
    return queryset.select_related("tender").order_by("tender__title", "phase", "-version")


# -- standstill and final award -----------------------------------------------------------


def standstills(*, tender: Tender) -> list[SegmentStandstill]:
    return list(
        SegmentStandstill.objects.filter(segment__tender=tender)
        .select_related("segment", "final_by")
        .order_by("segment__code")
    )


def open_objections(*, tender: Tender) -> QuerySet[Objection]:
    return Objection.objects.filter(segment__tender=tender, resolved_at__isnull=True)


def objections_of(*, tender: Tender) -> list[Objection]:
    return list(
        Objection.objects.filter(segment__tender=tender).select_related(
            "segment", "bidder", "registered_by", "resolved_by"
        )
    )


def award_final_segments(*, tender: Tender) -> list[Segment]:
    """The segments whose award is final (standstill over, no open objection, finalised), by
    code. The contracts are made for these segments' winners (``award_winners``)."""
    return list(
        Segment.objects.filter(tender=tender, standstill__final_at__isnull=False).order_by("code")
    )


@dataclass
class SegmentDecision:
    """One segment on the award page: its winners and standstill with the objections."""

    segment: Segment
    winners: list[RankingRow]
    standstill: SegmentStandstill | None
    objections: list[Objection]

    @property
    def open_objections(self) -> list[Objection]:
        return [o for o in self.objections if o.resolved_at is None]


def decision_segments(*, tender: Tender) -> list[SegmentDecision]:
    """Every segment of the final award ranking with its winners (selected, either status),
    standstill and objections, by code; empty without a final award ranking."""
    ranking = final_ranking(tender=tender, phase=Phase.AWARD)
    if ranking is None:
        return []
    rows = defaultdict(list)
    segments = {}
    for row in RankingRow.objects.filter(ranking=ranking).select_related("segment"):
        segments[row.segment_id] = row.segment
        if row.status in SELECTED_STATUSES:
            rows[row.segment_id].append(row)
    periods = {s.segment_id: s for s in standstills(tender=tender)}
    objections = defaultdict(list)
    for objection in objections_of(tender=tender):
        objections[objection.segment_id].append(objection)
    return [
        SegmentDecision(
            segment=segment,
            winners=sorted(rows[pk], key=lambda r: r.position),
            standstill=periods.get(pk),
            objections=objections[pk],
        )
        for pk, segment in sorted(segments.items(), key=lambda item: item[1].code)
    ]


def mark_latest(letters: list[AwardLetter]) -> list[AwardLetter]:
    """Set ``is_latest`` on each letter: the newest sent version of its (tender, phase)."""
    newest = {}
    for letter in letters:
        key = (letter.tender_id, letter.phase)
        newest[key] = max(newest.get(key, 0), letter.version)
    for letter in letters:
        letter.is_latest = letter.version == newest[(letter.tender_id, letter.phase)]
    return letters


@dataclass(frozen=True)
class InvitationRow:
    """One segment between the rounds: its selection standstill, the open objections against
    the selection, and whether (or why not) its selected candidates can be invited."""

    standstill: SelectionStandstill
    open_objections: int
    refusal: str | None


def invitation_rows(*, tender: Tender) -> list[InvitationRow]:
    from .services.invitations import invitation_refusal

    if tender.procedure != Procedure.RESTRICTED:
        return []
    rows = []
    for standstill in (
        SelectionStandstill.objects.filter(segment__tender=tender)
        .select_related("segment__tender", "invited_by")
        .order_by("segment__code")
    ):
        open_count = Objection.objects.filter(
            segment=standstill.segment, phase=Phase.SELECTION, resolved_at__isnull=True
        ).count()
        rows.append(
            InvitationRow(
                standstill=standstill,
                open_objections=open_count,
                refusal=None
                if standstill.invited_at
                else invitation_refusal(segment=standstill.segment),
            )
        )
    return rows
