"""Reading the scoring workflow: which dossiers take part in a phase, who is assigned, how far
each evaluator is, what a user may see (blind scoring, the price vault) and the criteria's
scales. The consensus is read in ``consensus_selectors``, the requirement review in
``review_selectors``. The HTML screens and the API both read through these.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.permissions import EVALUATING_ROLES, can_be_assigned
from providers.constants import SubmissionState
from providers.models import Dossier, RequirementAnswer
from providers.selectors import with_bidder_label
from providers.submission_selectors import dossier_documents
from tender.constants import (
    BIDS_READABLE_STATES,
    REOPENED_SCORING_STATES,
    SCORING_WRITABLE_STATES,
    Phase,
)
from tender.models import Criterion, Segment, Tender, readable_rounds_q

from .models import Assignment, ConflictDeclaration, Evaluator, Score, ScoringDeadline
from .permissions import can_assign
from .selectors import final_ranking_ids, finalised_selection, phase_round

DECLARATION_PENDING = "pending"
DECLARATION_NO_CONFLICT = "no_conflict"
DECLARATION_CONFLICT = "conflict"


def evaluators_required() -> int:
    """``EVALUATORS_PER_DOSSIER`` (at least 1)."""
    return max(1, int(getattr(settings, "EVALUATORS_PER_DOSSIER", 2)))


# -- state and locks -----------------------------------------------------------------------


def tender_readable(tender: Tender) -> bool:
    return tender.bids_readable()


def phase_locked(*, tender: Tender, phase: str) -> bool:
    """The ranking of ``phase`` is final: its scores and final levels are locked."""
    # exists(): the ranking's row holds its inputs (a large JSON document at region scale)
    return final_ranking_ids(tender=tender, phase=phase).exists()


def corrected_segment_ids(*, tender: Tender, phase: str) -> set[int]:
    """The segments of ``tender`` whose ``phase`` decision an upheld objection holds until the
    corrected letters went out (``contracts.award_models.Objection.blocks``) and that are not
    final (award) or invited to round 2 (selection) yet: the ones whose scores may be corrected
    after the decision (``scoring_refusal``)."""
    segments = Segment.objects.filter(
        tender=tender,
        objections__phase=phase,
        objections__result="upheld",  # contracts.award_models.ObjectionResult.UPHELD
        objections__corrected_at__isnull=True,
    )
    if phase == Phase.SELECTION:
        segments = segments.filter(selection_standstill__invited_at__isnull=True)
    else:
        segments = segments.filter(standstill__final_at__isnull=True)
    return set(segments.values_list("pk", flat=True))


def scoring_refusal(
    *, tender: Tender, phase: str, segment: Segment | None = None, locked: bool | None = None
) -> str | None:
    """Why scores or final levels of ``phase`` (of a dossier of ``segment``, when given) cannot
    change now (Dutch), or None. The one rule for the scoring and consensus services, screens
    and API.

    After the phase's decision went out the scores are locked, unless an upheld objection
    reopened the phase's ranking (``contracts.services.awards.objection_resolve``): then, in
    the phase's ``REOPENED_SCORING_STATES``, they are corrected there. The award phase is
    corrected as a whole during its standstill. The selection phase between the rounds only
    for the segments an upheld selection objection holds (``corrected_segment_ids``): the other
    segments' selected candidates may be invited already, so their scores stay as decided.
    Without ``segment`` (a screen listing dossiers) None means some segment may change.
    ``locked``: ``phase_locked`` where the caller read it already (a screen: one query less)."""
    if locked is None:
        locked = phase_locked(tender=tender, phase=phase)
    reopened = tender.state in REOPENED_SCORING_STATES.get(phase, ()) and not locked
    if reopened and phase == Phase.SELECTION:
        held = corrected_segment_ids(tender=tender, phase=phase)
        if segment is not None and segment.pk not in held:
            return _(
                "De selectie van dit segment is beslist; alleen de segmenten waarvan een "
                "gegrond bezwaar de selectie heropende, worden opnieuw beoordeeld."
            )
        reopened = bool(held)
    if tender.state in SCORING_WRITABLE_STATES or reopened:
        if locked:
            return _("De ranking is definitief; scores kunnen niet meer worden gewijzigd.")
        return None
    return _("De aanbesteding heeft de status '%(state)s'; beoordelen kan nu niet.") % {
        "state": tender.get_state_display()
    }


def bids_visible(*, tender: Tender, phase: str) -> bool:
    """The price vault: lumpsum bid figures stay hidden on the scoring screens and in the
    scoring API until the quality ranking of the phase is final."""
    return phase_locked(tender=tender, phase=phase)


def _bid_figures(dossier: Dossier) -> dict:
    return {
        "clients": dossier.bid_clients,
        "months": dossier.bid_months,
        "hours_per_month": dossier.bid_hours_per_month,
    }


def dossier_facts(dossier: Dossier, *, phase: str, locked: bool | None = None) -> dict:
    """What the screens show of a dossier besides the criteria: segment, bidder (and its
    combination members and subcontractors), municipalities served, specialisms, the answers to
    the general and this segment's requirements with their review, and the bid figures only
    when the price vault is open (``bids_visible``): while it is closed ``bid`` is None and the
    figures are not in the facts at all, so the screens and the API render what they get.
    ``locked``: ``phase_locked`` where the caller read it already (the price vault opens
    with it)."""
    submission = dossier.submission
    shown = locked if locked is not None else bids_visible(tender=submission.tender, phase=phase)
    answers = list(
        RequirementAnswer.objects.filter(submission=submission)
        .filter(Q(requirement__segment__isnull=True) | Q(requirement__segment=dossier.segment))
        .select_related("requirement", "review")
        .order_by("requirement__segment_id", "requirement__position", "requirement__code")
    )
    members = []
    if submission.combination_id:
        members = [m.name for m in submission.combination.members.all()]
    return {
        "segment": dossier.segment,
        "bidder": submission.bidder,
        "members": members,
        "subcontractors": [s.name for s in submission.subcontractors.all()],
        "municipalities": list(dossier.municipalities.order_by("name")),
        "specialisms": list(dossier.specialisms),
        "answers": answers,
        "bid": _bid_figures(dossier) if shown else None,
        "documents": dossier_documents(dossier),
    }


# -- which dossiers ------------------------------------------------------------------------


def sealed_dossiers(*, tender: Tender) -> QuerySet[Dossier]:
    """Dossiers of the tender's sealed, current submissions of a round that may be read now
    (``readable_rounds_q``): the ones that can be assigned."""
    return Dossier.objects.filter(
        readable_rounds_q("submission__"),
        submission__tender=tender,
        submission__is_current=True,
        submission__state=SubmissionState.SEALED,
    )


def dossiers_in_phase(*, tender: Tender, phase: str) -> QuerySet[Dossier]:
    """The dossiers scored in ``phase``: sealed and current, in a segment with criteria of the
    phase; in the award phase only those selected (either status) in the final selection
    ranking, none while there is no final selection ranking."""
    segments = Segment.objects.filter(tender=tender, criteria__phase=phase)
    dossiers = sealed_dossiers(tender=tender).filter(
        segment__in=segments, submission__round=phase_round(tender=tender, phase=phase)
    )
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
    return Dossier.objects.assigned_to(user)


def assignments_visible_to(user) -> QuerySet[Assignment]:
    """The chair sees every assignment, an evaluator their own, anyone else none."""
    queryset = with_bidder_label(
        Assignment.objects.select_related(
            "evaluator__user",
            "evaluator__tender",
            "dossier__segment",
            "dossier__submission__tender",
        ),
        "dossier__submission__",
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
    # Counted in SQL, for the assigned evaluators only: not every score's rationale text.
    for dossier_id, evaluator_id, n_scored, n_submitted in (
        Score.objects.filter(
            dossier_id__in=dossier_ids,
            evaluator_id__in={a.evaluator_id for a in assignments},
            criterion__phase=phase,
        )
        .values_list("dossier_id", "evaluator_id")
        .annotate(
            n_scored=Count("id", filter=Q(rationale__regex=r"\S")),
            n_submitted=Count("id", filter=Q(submitted_at__isnull=False)),
        )
        .values_list("dossier_id", "evaluator_id", "n_scored", "n_submitted")
        .order_by()
    ):
        scored[(dossier_id, evaluator_id)] = n_scored
        submitted[(dossier_id, evaluator_id)] = n_submitted
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
        with_bidder_label(dossiers.select_related("segment"), "submission__").order_by(
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


# The statuses the evaluator's dossier list filters on (as its status column shows them).
STATUS_TODO, STATUS_BUSY, STATUS_SUBMITTED, STATUS_BLOCKED = "todo", "busy", "submitted", "blocked"


def my_assignments_filtered(
    *,
    user,
    tender: Tender,
    phase: str,
    segment: str = "",
    status: str = "",
    search: str = "",
) -> QuerySet[Assignment]:
    """The user's assignments in ``tender`` for ``phase`` (the evaluator's "my dossiers"
    list), lazily, to paginate; their states come from ``assignment_states`` for one page.

    ``segment`` (code), ``status`` (STATUS_*) and ``search`` (part of the bidder's name)
    narrow the list. A status is computed in SQL as the list shows it: blocked (a declared
    conflict), submitted (a submitted score for every criterion of the phase), busy (a
    criterion with a rationale), else todo."""
    assignments = (
        assignments_visible_to(user)
        .filter(
            evaluator__user=user,
            dossier__submission__tender=tender,
            dossier__in=dossiers_in_phase(tender=tender, phase=phase),
        )
        # The list reads a segment code and a bidder name a row: only those columns are
        # joined and sorted (every row is, before the page is cut; a submission's manifest
        # is a JSON document).
        .select_related(None)
        .select_related(
            "dossier__segment",
            "dossier__submission__bidder",
            "dossier__submission__combination__lead",
        )
        .only(
            "dossier_id",
            "evaluator_id",
            "dossier__segment__code",
            "dossier__submission__bidder__name",
            # a combination's bid is named "Combinatie X (penvoerder A, leden B, C)"
            "dossier__submission__combination__name",
            "dossier__submission__combination__lead__name",
        )
        .prefetch_related("dossier__submission__combination__combinationmember_set__organisation")
        # one tender: no join of the tender table to order by its slug
        .order_by("dossier__segment__code", "dossier_id", "id")
    )
    if segment:
        assignments = assignments.filter(dossier__segment__code=segment)
    if search:
        assignments = assignments.filter(dossier__submission__bidder__name__icontains=search)
    if status:
        assignments = _with_status(assignments, phase=phase).filter(status=status)
    return assignments


def _with_status(assignments: QuerySet[Assignment], *, phase: str) -> QuerySet[Assignment]:
    scores = Score.objects.filter(
        dossier=OuterRef("dossier"), evaluator=OuterRef("evaluator"), criterion__phase=phase
    ).order_by()

    def count(queryset) -> Coalesce:
        counted = queryset.values("dossier").annotate(n=Count("id")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    total = (
        Criterion.objects.filter(segment=OuterRef("dossier__segment"), phase=phase)
        .order_by()
        .values("segment")
        .annotate(n=Count("id"))
        .values("n")
    )
    conflict = ConflictDeclaration.objects.filter(
        evaluator=OuterRef("evaluator"),
        organisation=OuterRef("dossier__submission__bidder"),
        has_conflict=True,
    )
    return assignments.annotate(
        n_scored=count(scores.exclude(rationale__regex=r"^\s*$")),
        n_submitted=count(scores.filter(submitted_at__isnull=False)),
        n_total=Coalesce(Subquery(total, output_field=IntegerField()), 0),
        status=Case(
            When(Exists(conflict), then=Value(STATUS_BLOCKED)),
            When(
                Q(n_total__gt=0, n_submitted__gte=F("n_total")),
                then=Value(STATUS_SUBMITTED),
            ),
            When(n_scored__gt=0, then=Value(STATUS_BUSY)),
            default=Value(STATUS_TODO),
            output_field=CharField(),
        ),
    )


def segments_in_phase(*, tender: Tender, phase: str) -> QuerySet[Segment]:
    return (
        Segment.objects.filter(tender=tender, criteria__phase=phase)
        .distinct()
        .order_by("lot__position", "position", "code")
    )


def tenders_with_assignments_for(user) -> QuerySet[Tender]:
    """Tenders (in a state where bids may be read) in which the user has assignments."""
    return (
        Tender.objects.filter(
            evaluators__user=user,
            evaluators__assignments__isnull=False,
            state__in=BIDS_READABLE_STATES,
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


def own_set_submitted(
    *,
    evaluator: Evaluator | None,
    dossier: Dossier,
    phase: str,
    criteria: list[Criterion] | None = None,
) -> bool:
    """The evaluator submitted a score for every criterion of ``phase`` of the dossier.
    ``criteria``: those criteria (``phase_criteria``) where the caller has them already."""
    if evaluator is None:
        return False
    if criteria is not None:
        total = len(criteria)
    else:
        total = dossier.segment.criteria.filter(phase=phase).count()
    submitted = Score.objects.filter(
        dossier=dossier,
        evaluator=evaluator,
        criterion__phase=phase,
        submitted_at__isnull=False,
    ).count()
    return total > 0 and submitted >= total


def visible_scores(
    *, user, dossier: Dossier, phase: str, own_submitted: bool | None = None
) -> list[Score]:
    """The individual scores of ``dossier`` in ``phase`` that ``user`` may see (blind scoring):

    - their own scores, draft or submitted;
    - other evaluators' *submitted* scores: for the chair once every assigned evaluator
      submitted (``DossierProgress.all_submitted``), for an evaluator once their own set for
      this dossier is submitted.

    Nobody ever sees another evaluator's draft. Callers check ``can_view_scores_of`` first.
    A caller that knows whether the user's own set is submitted passes ``own_submitted``
    (saves two queries for an evaluator).
    """
    scores = (
        Score.objects.filter(dossier=dossier, criterion__phase=phase)
        .select_related("evaluator__user", "criterion")
        .order_by("criterion__position", "criterion_id", "evaluator__name")
    )
    own = [s for s in scores if s.evaluator.user_id == user.pk]
    if can_assign(user, dossier.submission.tender):
        others_visible = dossier_progress(dossier=dossier, phase=phase).all_submitted
    elif own_submitted is not None:
        others_visible = own_submitted
    else:
        evaluator = own[0].evaluator if own else None
        others_visible = own_set_submitted(evaluator=evaluator, dossier=dossier, phase=phase)
    if not others_visible:
        return own
    return [s for s in scores if s.evaluator.user_id == user.pk or s.submitted_at is not None]


# -- scales --------------------------------------------------------------------------------


def scale_of(criterion: Criterion) -> list[Decimal]:
    """The criterion's levels, ascending."""
    return sorted(Decimal(str(level)) for level in criterion.scale)


def step_of(criterion: Criterion, level: Decimal, scale: list[Decimal] | None = None) -> int:
    """The position of ``level`` on the criterion's scale (the nearest level when it is not
    on it, which only imported data can give)."""
    scale = scale if scale is not None else scale_of(criterion)
    return min(range(len(scale)), key=lambda i: (abs(scale[i] - level), i))


def scoring_deadlines(*, tender: Tender) -> dict[str, ScoringDeadline]:
    """The scoring deadline of ``tender`` per phase (only the phases that have one)."""
    return {d.phase: d for d in ScoringDeadline.objects.filter(tender=tender)}


def scoring_deadlines_of(tender_ids: Iterable[int]) -> dict[tuple[int, str], ScoringDeadline]:
    """The scoring deadlines of the tenders by (tender id, phase); one query."""
    return {
        (d.tender_id, d.phase): d
        for d in ScoringDeadline.objects.filter(tender_id__in=list(tender_ids))
    }
