"""Reading the award decision: what a letter says, which letters exist, which segments are
finally awarded. Scoped reads for the portal (a provider's own letters only)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.dutch_numbers import number as dutch_number
from evaluation.constants import ResultStatus
from evaluation.models import FinalLevel, RankingRow
from evaluation.ranking import criterion_points, round_points
from evaluation.selectors import SELECTED_STATUSES, final_ranking, final_ranking_ids
from providers.models import Combination, CombinationMember, Organisation
from tender.constants import Phase, Procedure
from tender.models import Criterion, Lot, Municipality, Requirement, Segment, Tender

from .award_models import (
    BLOCKING_OBJECTIONS,
    AwardDecision,
    AwardLetter,
    LetterDelivery,
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


def _final_rows(*, tender: Tender, phase: str) -> QuerySet[RankingRow]:
    """The rows of the phase's final ranking (none without one), read in the query that
    uses them."""
    return RankingRow.objects.filter(ranking__in=final_ranking_ids(tender=tender, phase=phase))


def _letter_targets(*, tender: Tender, phase: str) -> QuerySet[Organisation]:
    kvks = _final_rows(tender=tender, phase=phase).values("bidder_kvk")
    return Organisation.objects.filter(kvk__in=kvks)


def letter_targets(*, tender: Tender, phase: str) -> list[Organisation]:
    """Every bidder in the phase's final ranking (excluded ones included), by name (one
    query)."""
    return list(_letter_targets(tender=tender, phase=phase).order_by("name", "kvk"))


def letter_target_count(*, tender: Tender, phase: str) -> int:
    """How many ``letter_targets`` there are, counted in SQL (the award page's button)."""
    return _letter_targets(tender=tender, phase=phase).count()


# -- reasons are required -----------------------------------------------------------------


@dataclass(frozen=True)
class RationaleGap:
    """A scored criterion of a bidder in the phase's final ranking without a consensus
    rationale: the letters of the phase cannot be made until the chair writes it."""

    segment_code: str
    bidder_name: str
    criterion_code: str
    criterion_id: int
    dossier_id: int


def _rationale_gap_rows(*, tender: Tender, phase: str) -> QuerySet:
    """One row per gap (a ranking row with the criterion it lacks a rationale for), in SQL:
    at region scale the page reads a count and the first few, not every consensus. Empty
    without a final ranking of the phase."""
    finals = FinalLevel.objects.filter(
        dossier_id=OuterRef("dossier_id"), criterion_id=OuterRef("gap_criterion_id")
    )
    return (
        _final_rows(tender=tender, phase=phase)
        .filter(dossier__isnull=False)
        # one annotate call: every field of the criterion from the same join
        .annotate(
            gap_criterion_id=F("segment__criteria__id"),
            gap_criterion_code=F("segment__criteria__code"),
            gap_criterion_phase=F("segment__criteria__phase"),
            gap_criterion_position=F("segment__criteria__position"),
            gap_segment_code=F("segment__code"),
            has_final=Exists(finals),
            has_rationale=Exists(finals.filter(rationale__regex=r"\S")),
        )
        .filter(gap_criterion_phase=phase, has_rationale=False)
        # an excluded bidder needs a rationale only where it was scored
        .filter(Q(has_final=True) | ~Q(status=ResultStatus.EXCLUDED))
    )


def rationale_gap_count(*, tender: Tender, phase: str) -> int:
    return _rationale_gap_rows(tender=tender, phase=phase).count()


def rationale_gaps(*, tender: Tender, phase: str, limit: int | None = None) -> list[RationaleGap]:
    """Every criterion of the phase, for every bidder with a dossier in the final ranking,
    whose consensus (``FinalLevel``) has no rationale, by segment, bidder and criterion
    (the first ``limit`` of them). A bidder that was not excluded needs a consensus on every
    criterion; an excluded one on every criterion it was scored on."""
    rows = (
        _rationale_gap_rows(tender=tender, phase=phase)
        .order_by(
            "gap_segment_code",
            "bidder_name",
            "bidder_kvk",
            "gap_criterion_position",
            "gap_criterion_id",
        )
        .values_list(
            "gap_segment_code",
            "bidder_name",
            "bidder_kvk",
            "gap_criterion_code",
            "gap_criterion_id",
            "dossier_id",
        )
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        RationaleGap(
            segment_code=segment_code,
            bidder_name=name or kvk,
            criterion_code=code,
            criterion_id=criterion_id,
            dossier_id=dossier_id,
        )
        for segment_code, name, kvk, code, criterion_id, dossier_id in rows
    ]


# -- the content of one letter ------------------------------------------------------------


def nl_number(value: Decimal | None, decimals: int = 2) -> str:
    """A number in Dutch notation (1.234,50) for the sentences built here: the one display
    rule of ``accounts.dutch_numbers``, as the templates' ``number`` filter."""
    if value is None:
        return "–"
    return dutch_number(value, decimals)


def _names(items: list[str]) -> str:
    """'A', 'A en B', 'A, B en C'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " " + _("en") + " " + items[-1]


def combination_label(name: str) -> str:
    """'de combinatie X', without 'combinatie Combinatie X' when the name says it already."""
    if name.lower().startswith("combinatie"):
        return name
    return _("de combinatie %(name)s") % {"name": name}


@dataclass(frozen=True)
class CriterionLine:
    code: str
    name: str
    max_points: Decimal
    points: Decimal | None
    rationale: str


@dataclass(frozen=True)
class WinnerCriterion:
    """A winner's points and rationale on one criterion, and the difference with the
    addressee (winner minus addressee) worded as advantage or disadvantage."""

    code: str
    name: str
    points: Decimal | None
    rationale: str
    difference: Decimal | None

    @property
    def difference_text(self) -> str:
        return difference_words(self.difference)


def difference_words(difference: Decimal | None) -> str:
    """How a winner's points compare with the addressee's, in words."""
    if difference is None:
        return "–"
    if difference > 0:
        return _("%(n)s punten voordeel ten opzichte van u") % {"n": nl_number(difference)}
    if difference < 0:
        return _("%(n)s punten nadeel ten opzichte van u") % {"n": nl_number(-difference)}
    return _("gelijk aan uw punten")


@dataclass(frozen=True)
class WinnerLine:
    name: str
    kvk: str
    points: Decimal
    difference: Decimal  # winner's points minus the addressee's
    criteria: list[WinnerCriterion]
    is_addressee: bool
    status: str = ""

    @property
    def difference_text(self) -> str:
        return difference_words(self.difference)


@dataclass(frozen=True)
class SegmentOutcome:
    segment: Segment
    status: str
    status_label: str
    rank: int | None
    points: Decimal
    reasons: list[str]  # why, in full Dutch sentences (``segment_reasons``)
    criteria: list[CriterionLine]
    winners: list[WinnerLine]
    municipalities: list[str] = field(default_factory=list)  # the lot's, by name
    outcome: str = ""  # the outcome in words

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
    combination_name: str = ""
    combination_members: list[str] = field(default_factory=list)
    combination_display: str = ""

    @property
    def won(self) -> list[SegmentOutcome]:
        return [s for s in self.segments if s.is_won]

    @property
    def lost(self) -> list[SegmentOutcome]:
        return [s for s in self.segments if not s.is_won]

    @property
    def combination_label(self) -> str:
        return combination_label(self.combination_name) if self.combination_name else ""

    @property
    def title(self) -> str:
        """A subject that fits the outcome, also a mixed one."""
        if self.phase == Phase.SELECTION:
            if self.won and self.lost:
                return _("Selectiebeslissing: geselecteerd en niet geselecteerd")
            if self.won:
                return _("Selectiebeslissing: geselecteerd")
            return _("Selectiebeslissing: niet geselecteerd")
        if self.won and self.lost:
            return _("Voornemen tot gunning en afwijzing")
        if self.won:
            return _("Voornemen tot gunning")
        return _("Afwijzing en voornemen tot gunning aan anderen")

    @property
    def municipalities(self) -> list[str]:
        """The municipalities of the lots of the addressee's segments, by name."""
        return sorted({m for s in self.segments for m in s.municipalities})


def _points(max_points: Decimal, level: Decimal | None) -> Decimal | None:
    """w x level from the ranking engine, rounded to cents like the ranking's points."""
    if level is None:
        return None
    return round_points(criterion_points(max_points, level))


@dataclass(frozen=True)
class ReasonFacts:
    """What ``segment_reasons`` needs beyond the ranking rows: names for codes, the
    requirement texts, the criteria with their points per dossier, and the ranking's lot."""

    phase: str
    criteria: list[Criterion]
    points: dict[tuple[int, int], Decimal | None]  # (dossier id, criterion id) -> points
    requirement_texts: dict[str, str]
    municipality_names: dict[str, str]
    seed: int
    input_hash: str


def outcome_words(phase: str, status: str) -> str:
    if status == ResultStatus.EXCLUDED:
        return _("uitgesloten")
    if phase == Phase.SELECTION:
        return _("geselecteerd") if status in SELECTED_STATUSES else _("niet geselecteerd")
    return _("voorgenomen gunning") if status in SELECTED_STATUSES else _("afgewezen")


def _exclusion_sentence(reason: str, row: RankingRow, facts: ReasonFacts) -> str:
    """One exclusion reason of the engine ('eis AM3 niet voldaan', 'criterium B onder
    drempel', 'onder minimumscore (50.00)') as a full sentence with the text and values."""
    words = reason.split()
    if words[:1] == ["eis"] and len(words) >= 3:
        code = words[1]
        text = facts.requirement_texts.get(code, "")
        verdict = (
            _("heeft u niet beantwoord") if words[-1] == "beantwoord" else _("voldoet u niet aan")
        )
        return _("Aan minimumeis %(code)s (“%(text)s”) %(verdict)s.") % {
            "code": code,
            "text": text,
            "verdict": verdict,
        }
    if words[:1] == ["criterium"] and len(words) >= 2:
        code = words[1]
        criterion = next((c for c in facts.criteria if c.code == code), None)
        if criterion is not None and criterion.min_level is not None:
            threshold = _points(criterion.max_points, criterion.min_level)
            own = facts.points.get((row.dossier_id, criterion.pk))
            return _(
                "Op criterium %(code)s %(name)s haalt u %(own)s punten; de drempel is "
                "%(threshold)s punten (niveau %(level)s van %(max)s punten)."
            ) % {
                "code": code,
                "name": criterion.name,
                "own": nl_number(own),
                "threshold": nl_number(threshold),
                "level": nl_number(criterion.min_level),
                "max": nl_number(criterion.max_points),
            }
    if reason.startswith("onder minimumscore") and row.segment.min_total is not None:
        return _(
            "Uw totaalscore van %(own)s punten ligt onder de minimumscore van %(min)s punten."
        ) % {"own": nl_number(row.points), "min": nl_number(row.segment.min_total)}
    return reason[:1].upper() + reason[1:] + "."


def _covers(reason: str, facts: ReasonFacts) -> str:
    """What a coverage pick's reason ('dekt GM0197, GM1859, LVB') covers, in words: the
    municipalities by name ("de gemeenten Aalten en Berkelland") and the specialisms by
    code ("het specialisme LVB"), never the two mixed in one list."""
    codes = [code for code in reason.removeprefix("dekt ").split(", ") if code]
    municipalities = [facts.municipality_names[c] for c in codes if c in facts.municipality_names]
    specialisms = [c for c in codes if c not in facts.municipality_names]
    parts = []
    if municipalities:
        parts.append(
            (
                _("de gemeente %(names)s")
                if len(municipalities) == 1
                else _("de gemeenten %(names)s")
            )
            % {"names": _names(municipalities)}
        )
    if specialisms:
        parts.append(
            (
                _("het specialisme %(names)s")
                if len(specialisms) == 1
                else _("de specialismen %(names)s")
            )
            % {"names": _names(specialisms)}
        )
    return _names(parts)


def _tie_sentence(row: RankingRow, other: RankingRow, facts: ReasonFacts) -> str:
    """Why ``other`` ranks above ``row`` on equal points: the first criterion of the tie
    order (highest weight first, then the set-up order) with different points, else the lot."""
    order = sorted(enumerate(facts.criteria), key=lambda item: (-item[1].max_points, item[0]))
    for _index, criterion in order:
        theirs = facts.points.get((other.dossier_id, criterion.pk))
        mine = facts.points.get((row.dossier_id, criterion.pk))
        if theirs != mine:
            return _(
                "%(name)s heeft evenveel punten als u (%(total)s); de gelijke stand is beslist "
                "op criterium %(code)s %(criterion)s, het zwaarst wegende criterium met een "
                "verschil: %(theirs)s tegen uw %(mine)s punten."
            ) % {
                "name": other.bidder_name or other.bidder_kvk,
                "total": nl_number(row.points),
                "code": criterion.code,
                "criterion": criterion.name,
                "theirs": nl_number(theirs),
                "mine": nl_number(mine),
            }
    return _(
        "%(name)s heeft evenveel punten als u (%(total)s), ook op elk criterium; de gelijke "
        "stand is beslist door loting met seed %(seed)s op de invoer met hash %(hash)s, zoals "
        "vastgelegd in het proces-verbaal van de ranking."
    ) % {
        "name": other.bidder_name or other.bidder_kvk,
        "total": nl_number(row.points),
        "seed": facts.seed,
        "hash": facts.input_hash,
    }


def segment_reasons(
    *, row: RankingRow, segment_rows: list[RankingRow], facts: ReasonFacts
) -> list[str]:
    """Why the addressee of ``row`` got its outcome in the segment, in full Dutch sentences:
    the exclusion with the requirement text or the criterion's threshold and score; a
    coverage pick of another bidder with the municipalities or specialisms by name; a tie
    decided on a criterion (both values) or by lot (seed and input hash); or the rank against
    the places. The one building block of every decision letter (selection, award, and the
    admission letters of Open House), per addressee and segment."""
    if row.status == ResultStatus.EXCLUDED:
        return [_exclusion_sentence(reason, row, facts) for reason in row.reasons]
    sentences = []
    if row.status == ResultStatus.SELECTED_COVERAGE:
        sentences.append(
            _(
                "Uw inschrijving is gekozen om de dekking te halen: zij bedient %(names)s, "
                "die anders niet voldoende gedekt waren."
            )
            % {"names": _covers(row.reasons[0], facts) if row.reasons else ""}
        )
    if row.status in SELECTED_STATUSES:
        return sentences
    for other in segment_rows:
        if other.status == ResultStatus.SELECTED_COVERAGE:
            names = _covers(other.reasons[0], facts) if other.reasons else ""
            if row.rank is not None and other.rank is not None and row.rank < other.rank:
                sentences.append(
                    _(
                        "%(name)s (rangnummer %(their)s) is gekozen boven uw inschrijving "
                        "(rangnummer %(mine)s) om de dekking te halen: zij bedient %(names)s, "
                        "die uw inschrijving niet bedient."
                    )
                    % {
                        "name": other.bidder_name or other.bidder_kvk,
                        "their": other.rank,
                        "mine": row.rank,
                        "names": names,
                    }
                )
            else:
                sentences.append(
                    _(
                        "%(name)s is daarnaast gekozen om de dekking te halen: zij bedient "
                        "%(names)s en staat hoger in de rangorde dan uw inschrijving."
                    )
                    % {"name": other.bidder_name or other.bidder_kvk, "names": names}
                )
        elif other.status == ResultStatus.SELECTED and other.points == row.points:
            sentences.append(_tie_sentence(row, other, facts))
    if row.rank is not None:
        places = (
            row.segment.places
            if facts.phase == Phase.SELECTION
            else (row.segment.award_places or row.segment.places)
        )
        sentences.append(
            ngettext(
                "Uw inschrijving staat op rangnummer %(rank)s; in dit segment is plaats voor "
                "%(places)s inschrijver op grond van de rangorde.",
                "Uw inschrijving staat op rangnummer %(rank)s; in dit segment is plaats voor "
                "%(places)s inschrijvers op grond van de rangorde.",
                places,
            )
            % {"rank": row.rank, "places": places}
        )
    return sentences


def letter_content(*, tender: Tender, phase: str, bidder: Organisation) -> LetterContent:
    """What the phase's letter to ``bidder`` says, from the final ranking of the phase: per
    segment the bidder took part in, the outcome in words, its own points and rationale per
    criterion, each winner (selected, either status) with its points and rationale per
    criterion and the difference with the addressee, and why (``segment_reasons``)."""
    ranking = final_ranking(tender=tender, phase=phase)
    if ranking is None:
        raise ValueError("No final ranking for this phase.")
    own_rows = list(
        RankingRow.objects.filter(ranking=ranking, bidder_kvk=bidder.kvk)
        .select_related("segment__lot")
        .order_by("segment__code")
    )
    segment_ids = [r.segment_id for r in own_rows]
    rows_by_segment = defaultdict(list)
    for row in RankingRow.objects.filter(ranking=ranking, segment_id__in=segment_ids).order_by(
        "segment__code", "position"
    ):
        rows_by_segment[row.segment_id].append(row)
    criteria_by_segment = defaultdict(list)
    for criterion in Criterion.objects.filter(segment_id__in=segment_ids, phase=phase).order_by(
        "segment", "position", "id"
    ):
        criteria_by_segment[criterion.segment_id].append(criterion)
    dossier_ids = {r.dossier_id for rows in rows_by_segment.values() for r in rows} - {None}
    finals = {
        (f.dossier_id, f.criterion_id): f
        for f in FinalLevel.objects.filter(
            dossier_id__in=dossier_ids, criterion__phase=phase
        ).select_related("criterion")
    }
    points = {key: _points(f.criterion.max_points, f.level) for key, f in finals.items()}
    requirement_texts = dict(Requirement.objects.filter(tender=tender).values_list("code", "text"))
    municipality_names = dict(
        Municipality.objects.filter(regions__tenders=tender).values_list("code", "name")
    )
    lot_names = defaultdict(list)
    for lot_id, name in Lot.municipalities.through.objects.filter(lot__tender=tender).values_list(
        "lot_id", "municipality__name"
    ):
        lot_names[lot_id].append(name)

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
                    points=points.get((row.dossier_id, c.pk)),
                    rationale=(final.rationale if final else "").strip(),
                )
            )
        winners = []
        for w in rows_by_segment[row.segment_id]:
            if w.status not in SELECTED_STATUSES:
                continue
            per_criterion = []
            for c, mine in zip(criteria, own, strict=True):
                final = finals.get((w.dossier_id, c.pk))
                theirs = points.get((w.dossier_id, c.pk))
                per_criterion.append(
                    WinnerCriterion(
                        code=c.code,
                        name=c.name,
                        points=theirs,
                        rationale=(final.rationale if final else "").strip(),
                        difference=theirs - mine.points
                        if theirs is not None and mine.points is not None
                        else None,
                    )
                )
            winners.append(
                WinnerLine(
                    name=w.bidder_name or w.bidder_kvk,
                    kvk=w.bidder_kvk,
                    points=w.points,
                    difference=w.points - row.points,
                    criteria=per_criterion,
                    is_addressee=w.bidder_kvk == bidder.kvk,
                    status=w.status,
                )
            )
        facts = ReasonFacts(
            phase=phase,
            criteria=criteria,
            points=points,
            requirement_texts=requirement_texts,
            municipality_names=municipality_names,
            seed=ranking.seed,
            input_hash=ranking.input_hash,
        )
        segments.append(
            SegmentOutcome(
                segment=row.segment,
                status=row.status,
                status_label=str(ResultStatus(row.status).label),
                rank=row.rank,
                points=row.points,
                reasons=segment_reasons(
                    row=row, segment_rows=rows_by_segment[row.segment_id], facts=facts
                ),
                criteria=own,
                winners=winners,
                municipalities=sorted(lot_names[row.segment.lot_id]),
                outcome=outcome_words(phase, row.status),
            )
        )
    won = any(s.status in SELECTED_STATUSES for s in segments)
    if phase == Phase.AWARD:
        kind = LetterKind.INTENDED_AWARD if won else LetterKind.REJECTION
    else:
        kind = LetterKind.SELECTED if won else LetterKind.NOT_SELECTED
    combination = (
        Combination.objects.filter(tender=tender, lead=bidder)
        .select_related("lead")
        .prefetch_related("members", "combinationmember_set__organisation")
        .first()
    )
    members = []
    if combination is not None:
        members = sorted({bidder.name} | {m.name for m in combination.members.all()})
    return LetterContent(
        tender=tender,
        phase=phase,
        bidder=bidder,
        kind=kind,
        segments=segments,
        combination_name=combination.name if combination else "",
        combination_members=members,
        combination_display=combination.display_name if combination else "",
    )


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


def letter_member_ids(letter: AwardLetter) -> list[int]:
    """The confirmed members of the combination the letter's bidder leads in its tender."""
    return list(
        CombinationMember.objects.filter(
            combination__tender_id=letter.tender_id,
            combination__lead_id=letter.bidder_id,
            confirmed_at__isnull=False,
        ).values_list("organisation_id", flat=True)
    )


def deliveries_of(*, tender: Tender, phase: str) -> list[LetterDelivery]:
    """The deliveries of the phase's sent letters, by addressee and letter."""
    return list(
        LetterDelivery.objects.filter(letter__tender=tender, letter__phase=phase)
        .select_related("letter", "organisation")
        .order_by("organisation__name", "letter__version", "email")
    )


def letters_for_organisation(
    *, organisation: Organisation, tender: Tender | None = None
) -> QuerySet[AwardLetter]:
    """The sent letters addressed to ``organisation`` or to the lead of a combination it is a
    confirmed member of (every version, newest first); a letter that has not been sent is not the
    bidder's yet."""
    member_of_lead = CombinationMember.objects.filter(
        combination__tender=OuterRef("tender"),
        combination__lead=OuterRef("bidder"),
        organisation=organisation,
        confirmed_at__isnull=False,
    )
    queryset = AwardLetter.objects.filter(
        Q(bidder=organisation) | Exists(member_of_lead), sent_at__isnull=False
    )
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
            "segment__tender", "bidder", "registered_by", "resolved_by"
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
        """The objections that hold this segment: open, or upheld awaiting the corrected
        letters."""
        return [o for o in self.objections if o.blocks]


def decision_segments(*, tender: Tender) -> list[SegmentDecision]:
    """Every segment of the final award ranking with its winners (selected, either status),
    standstill and objections, by code; empty without a final award ranking."""
    rows = defaultdict(list)
    segments = {}
    for row in _final_rows(tender=tender, phase=Phase.AWARD).select_related("segment"):
        segments[row.segment_id] = row.segment
        if row.status in SELECTED_STATUSES:
            rows[row.segment_id].append(row)
    if not segments:
        return []
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
        open_count = (
            Objection.objects.filter(segment=standstill.segment, phase=Phase.SELECTION)
            .filter(BLOCKING_OBJECTIONS)
            .count()
        )
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
