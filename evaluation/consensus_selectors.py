"""Reading the consensus: individual levels side by side with their spread in scale steps,
the flags, the inter-rater figures, and the chair's overviews (load per evaluator, declared
conflicts, consensus progress per dossier)."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef

from providers.models import Dossier
from providers.selectors import with_bidder_label
from tender.constants import Phase
from tender.models import Criterion, Tender

from .models import Assignment, ConflictDeclaration, Evaluator, FinalLevel, Score
from .scoring_selectors import (
    DECLARATION_PENDING,
    DossierProgress,
    assignment_states,
    phase_criteria,
    scale_of,
    step_of,
    tender_progress,
)

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
    # evaluators with a score or an assignment (one query, not one per evaluator)
    evaluators = Evaluator.objects.filter(tender=tender).annotate(
        assigned=Exists(Assignment.objects.filter(evaluator=OuterRef("pk")))
    )
    for evaluator in evaluators.order_by("name"):
        values = deviations.get(evaluator.pk, [])
        if not values and not evaluator.assigned:
            continue
        mean = (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01")) if values else None
        figures.append(RaterFigures(evaluator=evaluator, count=len(values), mean_deviation=mean))
    return figures


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
    ).select_related("evaluator", "dossier__segment")
    assignments = with_bidder_label(assignments, "dossier__submission__")
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


def consensus_overview(*, tender: Tender, phase: str, dossiers=None) -> list[ConsensusRow]:
    """Per dossier of ``phase`` (or of the given ``dossiers``, a page of them): its progress,
    how many criteria have a final level and, once every set is in, how many criteria are
    flagged for discussion."""
    progress = tender_progress(tender=tender, phase=phase, dossiers=dossiers)
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
