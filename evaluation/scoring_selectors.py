"""Reading the scoring workflow: which dossiers take part in a phase, who is assigned, how far
each evaluator is, what a user may see (blind scoring, the price vault) and the consensus
figures. The HTML screens and the API both read through here.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.permissions import EVALUATING_ROLES, can_assign, can_be_assigned
from providers.constants import SubmissionState
from providers.models import Dossier, RequirementAnswer, Submission
from tender.constants import Phase, TenderState
from tender.models import Criterion, Segment, Tender

from .models import Assignment, ConflictDeclaration, Evaluator, FinalLevel, Score
from .selectors import final_ranking, finalised_selection

S = TenderState

# Bids may be read from the opening on; a draft holds sealed submissions only when they were
# loaded from a scenario file (evaluated outside the system, or being evaluated now).
READABLE_STATES = frozenset(
    {S.DRAFT, S.OPENED, S.SELECTION, S.AWARD, S.STANDSTILL, S.AWARDED, S.CONTRACTED}
)
# Scores, consensus and requirement reviews change only in these states (and only while the
# ranking of their phase is not final).
WRITABLE_STATES = frozenset({S.DRAFT, S.OPENED, S.SELECTION, S.AWARD})

DECLARATION_PENDING = "pending"
DECLARATION_NO_CONFLICT = "no_conflict"
DECLARATION_CONFLICT = "conflict"


def evaluators_required() -> int:
    """``EVALUATORS_PER_DOSSIER`` (at least 1)."""
    return max(1, int(getattr(settings, "EVALUATORS_PER_DOSSIER", 2)))


# -- state and locks -----------------------------------------------------------------------


def tender_readable(tender: Tender) -> bool:
    return tender.state in READABLE_STATES


def phase_locked(*, tender: Tender, phase: str) -> bool:
    """The ranking of ``phase`` is final: its scores and final levels are locked."""
    return final_ranking(tender=tender, phase=phase) is not None


def scoring_refusal(*, tender: Tender, phase: str) -> str | None:
    """Why scores or final levels of ``phase`` cannot change now (Dutch), or None."""
    if tender.state not in WRITABLE_STATES:
        return _("De aanbesteding heeft de status '%(state)s'; beoordelen kan nu niet.") % {
            "state": tender.get_state_display()
        }
    if phase_locked(tender=tender, phase=phase):
        return _("De ranking is definitief; scores kunnen niet meer worden gewijzigd.")
    return None


def bids_visible(*, tender: Tender, phase: str) -> bool:
    """The price vault: lumpsum bid figures stay hidden on the scoring screens and in the
    scoring API until the quality ranking of the phase is final."""
    return phase_locked(tender=tender, phase=phase)


# -- which dossiers ------------------------------------------------------------------------


def sealed_dossiers(*, tender: Tender) -> QuerySet[Dossier]:
    """Dossiers of the tender's sealed, current submissions: the ones that can be assigned."""
    return Dossier.objects.filter(
        submission__tender=tender,
        submission__is_current=True,
        submission__state=SubmissionState.SEALED,
    )


def dossiers_in_phase(*, tender: Tender, phase: str) -> QuerySet[Dossier]:
    """The dossiers scored in ``phase``: sealed and current, in a segment with criteria of the
    phase; in the award phase only those selected (either status) in the final selection
    ranking, none while there is no final selection ranking."""
    segments = Segment.objects.filter(tender=tender, criteria__phase=phase)
    dossiers = sealed_dossiers(tender=tender).filter(segment__in=segments)
    if phase == Phase.AWARD:
        selection = finalised_selection(tender=tender)
        selected = Q(pk__in=[])
        for code, kvks in (selection or {}).items():
            selected |= Q(segment__code=code, submission__bidder__kvk__in=kvks)
        dossiers = dossiers.filter(selected)
    return dossiers.distinct()


def dossier_in_phase(*, dossier: Dossier, phase: str) -> bool:
    return (
        dossiers_in_phase(tender=dossier.submission.tender, phase=phase)
        .filter(pk=dossier.pk)
        .exists()
    )


def dossiers_assigned_to(user) -> QuerySet[Dossier]:
    """Dossiers the user is assigned to score; nothing for anyone who is not an evaluator."""
    if not can_be_assigned(user):
        return Dossier.objects.none()
    return Dossier.objects.filter(assignments__evaluator__user=user).distinct()


def assignments_visible_to(user) -> QuerySet[Assignment]:
    """The chair sees every assignment, an evaluator their own, anyone else none."""
    queryset = Assignment.objects.select_related(
        "evaluator__user",
        "evaluator__tender",
        "dossier__segment",
        "dossier__submission__bidder",
        "dossier__submission__tender",
    ).order_by("dossier__submission__tender__slug", "dossier__segment__code", "dossier_id", "id")
    if can_assign(user, None):
        return queryset
    if can_be_assigned(user):
        return queryset.filter(evaluator__user=user)
    return queryset.none()


def phase_criteria(*, segment: Segment, phase: str) -> list[Criterion]:
    return list(segment.criteria.filter(phase=phase).order_by("position", "id"))


def evaluator_candidates() -> QuerySet:
    """Active users with the evaluator or chair role, for the assignment screens."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=EVALUATING_ROLES)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# -- progress ------------------------------------------------------------------------------


@dataclass
class AssignmentState:
    """One assignment as the screens show it, for one phase."""

    assignment: Assignment
    declaration: str  # pending | no_conflict | conflict
    declaration_note: str = ""
    scored: int = 0  # criteria with a level and a rationale
    total: int = 0  # criteria of the phase
    submitted: bool = False
    in_phase: bool = True

    @property
    def blocked(self) -> bool:
        return self.declaration == DECLARATION_CONFLICT

    @property
    def active(self) -> bool:
        return not self.blocked


def _declarations(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], ConflictDeclaration]:
    """Declarations by (evaluator id, organisation id)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    evaluator_ids = {e for e, _ in pairs}
    organisation_ids = {o for _, o in pairs}
    return {
        (d.evaluator_id, d.organisation_id): d
        for d in ConflictDeclaration.objects.filter(
            evaluator_id__in=evaluator_ids, organisation_id__in=organisation_ids
        )
    }


def assignment_states(
    *, assignments: Iterable[Assignment], phase: str, in_phase: set[int] | None = None
) -> list[AssignmentState]:
    """Declaration and progress of each assignment in ``phase``, in 3 queries.

    ``assignments`` need ``dossier__submission`` selected. ``in_phase`` (dossier ids) marks
    which dossiers take part in the phase; without it every one counts as taking part.
    """
    assignments = list(assignments)
    if not assignments:
        return []
    declarations = _declarations(
        (a.evaluator_id, a.dossier.submission.bidder_id) for a in assignments
    )
    dossier_ids = {a.dossier_id for a in assignments}
    segment_ids = {a.dossier.segment_id for a in assignments}
    totals = dict(
        Criterion.objects.filter(phase=phase, segment_id__in=segment_ids)
        .values_list("segment_id")
        .annotate(n=Count("id"))
        .values_list("segment_id", "n")
    )
    scored, submitted = defaultdict(int), defaultdict(int)
    for dossier_id, evaluator_id, rationale, submitted_at in Score.objects.filter(
        dossier_id__in=dossier_ids, criterion__phase=phase
    ).values_list("dossier_id", "evaluator_id", "rationale", "submitted_at"):
        if rationale.strip():
            scored[(dossier_id, evaluator_id)] += 1
        if submitted_at is not None:
            submitted[(dossier_id, evaluator_id)] += 1
    states = []
    for a in assignments:
        declaration = declarations.get((a.evaluator_id, a.dossier.submission.bidder_id))
        total = totals.get(a.dossier.segment_id, 0)
        key = (a.dossier_id, a.evaluator_id)
        states.append(
            AssignmentState(
                assignment=a,
                declaration=(
                    DECLARATION_PENDING
                    if declaration is None
                    else DECLARATION_CONFLICT
                    if declaration.has_conflict
                    else DECLARATION_NO_CONFLICT
                ),
                declaration_note=declaration.note if declaration else "",
                scored=scored[key],
                total=total,
                submitted=total > 0 and submitted[key] >= total,
                in_phase=in_phase is None or a.dossier_id in in_phase,
            )
        )
    return states


def submitted_counts(*, dossier_ids: Iterable[int], phase: str) -> dict[int, int]:
    """Per dossier: how many assigned evaluators without a declared conflict submitted their
    set for ``phase`` (a submitted score for every criterion of the phase)."""
    assignments = Assignment.objects.filter(dossier_id__in=list(dossier_ids)).select_related(
        "dossier__submission"
    )
    counts = defaultdict(int)
    for state in assignment_states(assignments=assignments, phase=phase):
        if state.active and state.submitted:
            counts[state.assignment.dossier_id] += 1
    return counts


@dataclass
class DossierProgress:
    dossier: Dossier
    states: list[AssignmentState] = field(default_factory=list)

    @property
    def active(self) -> list[AssignmentState]:
        return [s for s in self.states if s.active]

    @property
    def conflicts(self) -> list[AssignmentState]:
        return [s for s in self.states if s.blocked]

    @property
    def submitted(self) -> int:
        return sum(1 for s in self.active if s.submitted)

    @property
    def required(self) -> int:
        return evaluators_required()

    @property
    def understaffed(self) -> bool:
        return len(self.active) < self.required

    @property
    def all_submitted(self) -> bool:
        """Every assigned evaluator without a conflict submitted, and they are enough."""
        active = self.active
        return bool(active) and all(s.submitted for s in active) and len(active) >= self.required


def tender_progress(*, tender: Tender, phase: str, dossiers=None) -> list[DossierProgress]:
    """Per dossier of ``phase`` (or the given ``dossiers``): its assignments and their state."""
    if dossiers is None:
        dossiers = dossiers_in_phase(tender=tender, phase=phase)
    dossiers = list(
        dossiers.select_related("segment", "submission__bidder").order_by(
            "segment__code", "submission__bidder__name", "id"
        )
    )
    assignments = Assignment.objects.filter(dossier__in=dossiers).select_related(
        "evaluator__user", "dossier__submission", "dossier__segment"
    )
    by_dossier = defaultdict(list)
    for state in assignment_states(assignments=assignments, phase=phase):
        by_dossier[state.assignment.dossier_id].append(state)
    return [DossierProgress(dossier=d, states=by_dossier[d.pk]) for d in dossiers]


def dossier_progress(*, dossier: Dossier, phase: str) -> DossierProgress:
    return tender_progress(
        tender=dossier.submission.tender,
        phase=phase,
        dossiers=Dossier.objects.filter(pk=dossier.pk),
    )[0]


def my_assignments(*, user, tender: Tender, phase: str) -> list[AssignmentState]:
    """The user's assignments in ``tender`` with their state in ``phase`` (the evaluator's
    "my dossiers" screen). Dossiers that do not take part in the phase are left out."""
    in_phase = set(dossiers_in_phase(tender=tender, phase=phase).values_list("pk", flat=True))
    assignments = (
        assignments_visible_to(user)
        .filter(evaluator__user=user, dossier__submission__tender=tender)
        .filter(dossier_id__in=in_phase)
    )
    return assignment_states(assignments=assignments, phase=phase, in_phase=in_phase)


def tenders_with_assignments_for(user) -> QuerySet[Tender]:
    """Tenders (in a state where bids may be read) in which the user has assignments."""
    return (
        Tender.objects.filter(
            evaluators__user=user,
            evaluators__assignments__isnull=False,
            state__in=READABLE_STATES,
        )
        .distinct()
        .order_by("-deadline", "slug")
    )


def evaluator_for(*, tender: Tender, user) -> Evaluator | None:
    return Evaluator.objects.filter(tender=tender, user=user).first()


def declaration_for(*, evaluator: Evaluator | None, dossier: Dossier):
    if evaluator is None:
        return None
    return ConflictDeclaration.objects.filter(
        evaluator=evaluator, organisation_id=dossier.submission.bidder_id
    ).first()


# -- blind scoring -------------------------------------------------------------------------


def own_set_submitted(*, evaluator: Evaluator | None, dossier: Dossier, phase: str) -> bool:
    if evaluator is None:
        return False
    total = dossier.segment.criteria.filter(phase=phase).count()
    submitted = Score.objects.filter(
        dossier=dossier,
        evaluator=evaluator,
        criterion__phase=phase,
        submitted_at__isnull=False,
    ).count()
    return total > 0 and submitted >= total


def visible_scores(*, user, dossier: Dossier, phase: str) -> list[Score]:
    """The individual scores of ``dossier`` in ``phase`` that ``user`` may see (blind scoring):

    - their own scores, draft or submitted;
    - other evaluators' *submitted* scores: for the chair once every assigned evaluator
      submitted (``DossierProgress.all_submitted``), for an evaluator once their own set for
      this dossier is submitted.

    Nobody ever sees another evaluator's draft. Callers check ``can_view_scores_of`` first.
    """
    scores = (
        Score.objects.filter(dossier=dossier, criterion__phase=phase)
        .select_related("evaluator__user", "criterion")
        .order_by("criterion__position", "criterion_id", "evaluator__name")
    )
    own = [s for s in scores if s.evaluator.user_id == user.pk]
    if can_assign(user, dossier.submission.tender):
        others_visible = dossier_progress(dossier=dossier, phase=phase).all_submitted
    else:
        evaluator = own[0].evaluator if own else None
        others_visible = own_set_submitted(evaluator=evaluator, dossier=dossier, phase=phase)
    if not others_visible:
        return own
    return [s for s in scores if s.evaluator.user_id == user.pk or s.submitted_at is not None]


# -- consensus -----------------------------------------------------------------------------


def scale_of(criterion: Criterion) -> list[Decimal]:
    """The criterion's levels, ascending."""
    return sorted(Decimal(str(level)) for level in criterion.scale)


def step_of(criterion: Criterion, level: Decimal, scale: list[Decimal] | None = None) -> int:
    """The position of ``level`` on the criterion's scale (the nearest level when it is not
    on it, which only imported data can give)."""
    scale = scale if scale is not None else scale_of(criterion)
    return min(range(len(scale)), key=lambda i: (abs(scale[i] - level), i))


FLAG_STEPS = 2  # DOMAIN.md: levels that differ by 2 steps or more are flagged


@dataclass
class CriterionConsensus:
    criterion: Criterion
    scale: list[Decimal]
    scores: list[Score]
    final: FinalLevel | None

    @property
    def spread(self) -> int:
        """Difference in scale steps between the highest and the lowest individual level."""
        steps = [step_of(self.criterion, s.level, self.scale) for s in self.scores]
        return max(steps) - min(steps) if steps else 0

    @property
    def flagged(self) -> bool:
        return self.spread >= FLAG_STEPS


def consensus_for(*, dossier: Dossier, phase: str, scores: list[Score]) -> list[CriterionConsensus]:
    """Per criterion of the phase: the (visible, submitted) individual scores, the spread in
    scale steps and the final level."""
    finals = {
        f.criterion_id: f
        for f in FinalLevel.objects.filter(dossier=dossier, criterion__phase=phase).select_related(
            "set_by"
        )
    }
    by_criterion = defaultdict(list)
    for score in scores:
        if score.submitted_at is not None:
            by_criterion[score.criterion_id].append(score)
    return [
        CriterionConsensus(
            criterion=c,
            scale=scale_of(c),
            scores=by_criterion[c.pk],
            final=finals.get(c.pk),
        )
        for c in phase_criteria(segment=dossier.segment, phase=phase)
    ]


@dataclass(frozen=True)
class RaterFigures:
    evaluator: Evaluator
    count: int  # criteria with both a submitted score and a final level
    mean_deviation: Decimal | None  # mean |own step - consensus step|, 2 decimals


def inter_rater(*, tender: Tender, phase: str) -> list[RaterFigures]:
    """Per evaluator of the tender: the mean absolute deviation of their submitted levels from
    the consensus, in scale steps, over every criterion of ``phase`` with a final level."""
    finals = {
        (dossier_id, criterion_id): level
        for dossier_id, criterion_id, level in FinalLevel.objects.filter(
            dossier__submission__tender=tender, criterion__phase=phase
        ).values_list("dossier_id", "criterion_id", "level")
    }
    criteria = {c.pk: c for c in Criterion.objects.filter(segment__tender=tender, phase=phase)}
    scales = {pk: scale_of(c) for pk, c in criteria.items()}
    deviations = defaultdict(list)
    for dossier_id, criterion_id, evaluator_id, level in Score.objects.filter(
        dossier__submission__tender=tender, criterion__phase=phase, submitted_at__isnull=False
    ).values_list("dossier_id", "criterion_id", "evaluator_id", "level"):
        final = finals.get((dossier_id, criterion_id))
        if final is None:
            continue
        criterion, scale = criteria[criterion_id], scales[criterion_id]
        deviations[evaluator_id].append(
            abs(step_of(criterion, level, scale) - step_of(criterion, final, scale))
        )
    figures = []
    for evaluator in Evaluator.objects.filter(tender=tender).order_by("name"):
        values = deviations.get(evaluator.pk, [])
        mean = (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01")) if values else None
        figures.append(RaterFigures(evaluator=evaluator, count=len(values), mean_deviation=mean))
    return [f for f in figures if f.count or f.evaluator.assignments.exists()]


# -- the chair's overview ------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluatorLoad:
    evaluator: Evaluator
    assigned: int
    pending_declarations: int
    conflicts: int
    submitted_selection: int
    submitted_award: int


def evaluator_load(*, tender: Tender) -> list[EvaluatorLoad]:
    """Per evaluator of the tender: assigned dossiers, open declarations, conflicts and the
    sets submitted per phase."""
    assignments = list(
        Assignment.objects.filter(dossier__submission__tender=tender).select_related(
            "evaluator", "dossier__submission", "dossier__segment"
        )
    )
    states = {
        phase: assignment_states(assignments=assignments, phase=phase) for phase in Phase.values
    }
    rows = defaultdict(lambda: defaultdict(int))
    evaluators = {}
    for state in states[Phase.SELECTION]:
        e = state.assignment.evaluator
        evaluators[e.pk] = e
        rows[e.pk]["assigned"] += 1
        rows[e.pk]["pending"] += state.declaration == DECLARATION_PENDING
        rows[e.pk]["conflicts"] += state.blocked
        rows[e.pk]["selection"] += state.active and state.submitted
    for state in states[Phase.AWARD]:
        rows[state.assignment.evaluator_id]["award"] += state.active and state.submitted
    return [
        EvaluatorLoad(
            evaluator=evaluators[pk],
            assigned=r["assigned"],
            pending_declarations=r["pending"],
            conflicts=r["conflicts"],
            submitted_selection=r["selection"],
            submitted_award=r["award"],
        )
        for pk, r in sorted(rows.items(), key=lambda item: evaluators[item[0]].name)
    ]


def declared_conflicts(*, tender: Tender) -> list[Assignment]:
    """Assignments blocked by a declared conflict: the chair must reassign them."""
    conflicts = ConflictDeclaration.objects.filter(evaluator__tender=tender, has_conflict=True)
    pairs = set(conflicts.values_list("evaluator_id", "organisation_id"))
    assignments = Assignment.objects.filter(
        dossier__submission__tender=tender,
        evaluator_id__in={e for e, _ in pairs},
    ).select_related("evaluator", "dossier__segment", "dossier__submission__bidder")
    return [a for a in assignments if (a.evaluator_id, a.dossier.submission.bidder_id) in pairs]


@dataclass
class ConsensusRow:
    progress: DossierProgress
    criteria: int
    finals: int
    flagged: int | None  # None while not every set is in (blind)

    @property
    def done(self) -> bool:
        return self.criteria > 0 and self.finals >= self.criteria


def consensus_overview(*, tender: Tender, phase: str) -> list[ConsensusRow]:
    """Per dossier of ``phase``: its progress, how many criteria have a final level and, once
    every set is in, how many criteria are flagged for discussion."""
    progress = tender_progress(tender=tender, phase=phase)
    segment_ids = {p.dossier.segment_id for p in progress}
    criteria = defaultdict(list)
    for criterion in Criterion.objects.filter(segment_id__in=segment_ids, phase=phase):
        criteria[criterion.segment_id].append(criterion)
    by_pk = {c.pk: c for cs in criteria.values() for c in cs}
    scales = {pk: scale_of(c) for pk, c in by_pk.items()}
    ready = [p.dossier.pk for p in progress if p.all_submitted]
    steps = defaultdict(lambda: defaultdict(list))
    for dossier_id, criterion_id, level in Score.objects.filter(
        dossier_id__in=ready, criterion__phase=phase, submitted_at__isnull=False
    ).values_list("dossier_id", "criterion_id", "level"):
        criterion = by_pk[criterion_id]
        steps[dossier_id][criterion_id].append(step_of(criterion, level, scales[criterion_id]))
    finals = defaultdict(int)
    for dossier_id in FinalLevel.objects.filter(
        dossier__in=[p.dossier for p in progress], criterion__phase=phase
    ).values_list("dossier_id", flat=True):
        finals[dossier_id] += 1
    rows = []
    for p in progress:
        flagged = None
        if p.all_submitted:
            flagged = sum(
                1
                for values in steps[p.dossier.pk].values()
                if max(values) - min(values) >= FLAG_STEPS
            )
        rows.append(
            ConsensusRow(
                progress=p,
                criteria=len(criteria[p.dossier.segment_id]),
                finals=finals[p.dossier.pk],
                flagged=flagged,
            )
        )
    return rows


# -- requirement review --------------------------------------------------------------------


def _scorable_dossiers(user, tender: Tender) -> QuerySet[Dossier]:
    """Dossiers of ``tender`` the user may score: assigned, no conflict declared."""
    return sealed_dossiers(tender=tender).filter(
        assignments__evaluator__user=user,
        assignments__evaluator__conflict_declarations__organisation=F("submission__bidder"),
        assignments__evaluator__conflict_declarations__has_conflict=False,
    )


def answers_reviewable_by(*, user, tender: Tender) -> QuerySet[RequirementAnswer]:
    """The requirement answers of the tender's sealed, current submissions that ``user`` may
    review (``can_review_answer`` as a queryset): all for the chair; for an evaluator the
    general requirements of a bidder with a dossier they may score, and the requirements of
    the segments of those dossiers."""
    answers = (
        RequirementAnswer.objects.filter(
            submission__tender=tender,
            submission__is_current=True,
            submission__state=SubmissionState.SEALED,
        )
        .select_related("requirement__segment", "review__reviewed_by")
        .order_by(
            F("requirement__segment__code").asc(nulls_first=True),
            "requirement__position",
            "requirement__code",
        )
    )
    if can_assign(user, tender):
        return answers
    if not can_be_assigned(user):
        return answers.none()
    scorable = _scorable_dossiers(user, tender)
    same_bidder = Exists(scorable.filter(submission=OuterRef("submission")))
    same_segment = Exists(
        scorable.filter(submission=OuterRef("submission"), segment=OuterRef("requirement__segment"))
    )
    return answers.filter((Q(requirement__segment__isnull=True) & same_bidder) | same_segment)


def reviewable_answers(*, user, submission: Submission) -> QuerySet[RequirementAnswer]:
    return answers_reviewable_by(user=user, tender=submission.tender).filter(submission=submission)


@dataclass(frozen=True)
class ReviewSummary:
    submission: Submission
    answered_yes: int
    reviewed: int
    rejected: int

    @property
    def open(self) -> int:
        return self.answered_yes - self.reviewed


def review_summaries(*, user, tender: Tender) -> list[ReviewSummary]:
    """Per sealed, current submission with answers the user may review: 'yes' answers,
    reviewed, rejected (2 queries)."""
    counts = {
        row["submission_id"]: row
        for row in answers_reviewable_by(user=user, tender=tender)
        .filter(met=True)
        .order_by()
        .values("submission_id")
        .annotate(
            total=Count("id"),
            reviewed=Count("review"),
            rejected=Count("id", filter=Q(rejected=True)),
        )
    }
    submissions = Submission.objects.filter(pk__in=counts).select_related("bidder")
    return [
        ReviewSummary(
            submission=submission,
            answered_yes=counts[submission.pk]["total"],
            reviewed=counts[submission.pk]["reviewed"],
            rejected=counts[submission.pk]["rejected"],
        )
        for submission in submissions.order_by("bidder__name")
    ]
