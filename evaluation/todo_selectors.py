"""Start page lines of the evaluation (issue 18.1).

An evaluator: per assigned dossier in a tender being scored, its status (conflict to declare,
to score, submitted) with a link to the dossier. The chair (voorzitter): per tender the
dossiers without consensus. Each in a fixed number of queries, whatever the number of tenders
and dossiers.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.todos import Todo
from providers.constants import SubmissionState
from providers.models import Dossier
from tender.constants import SCORING_WRITABLE_STATES, Phase
from tender.models import Tender

from .models import Assignment, ConflictDeclaration, FinalLevel, Ranking, Score
from .scoring_selectors import scoring_deadlines_of


def _award_open(tender_ids) -> set[int]:
    """The tenders whose selection ranking is final: their evaluators score the award."""
    return set(
        Ranking.objects.filter(
            tender_id__in=tender_ids, phase=Phase.SELECTION, is_final=True
        ).values_list("tender_id", flat=True)
    )


def evaluator_todos(*, user) -> list[Todo]:
    """The user's assignments in tenders being scored, the ones needing work first, each with
    the phase's scoring deadline ("te laat" once past and not submitted). Three queries."""
    assignments = list(
        Assignment.objects.filter(
            evaluator__user=user,
            dossier__submission__tender__state__in=SCORING_WRITABLE_STATES,
        )
        .select_related(
            "dossier__segment", "dossier__submission__bidder", "dossier__submission__tender"
        )
        .annotate(
            declared=Exists(
                ConflictDeclaration.objects.filter(
                    evaluator_id=OuterRef("evaluator_id"),
                    organisation_id=OuterRef("dossier__submission__bidder_id"),
                )
            ),
            conflict=Exists(
                ConflictDeclaration.objects.filter(
                    evaluator_id=OuterRef("evaluator_id"),
                    organisation_id=OuterRef("dossier__submission__bidder_id"),
                    has_conflict=True,
                )
            ),
            submitted=Exists(
                Score.objects.filter(
                    dossier_id=OuterRef("dossier_id"),
                    evaluator_id=OuterRef("evaluator_id"),
                    submitted_at__isnull=False,
                )
            ),
        )
        .order_by("dossier__submission__tender__deadline", "dossier__segment__code", "pk")
    )
    tender_ids = {a.dossier.submission.tender_id for a in assignments}
    award = _award_open(tender_ids)
    deadlines = scoring_deadlines_of(tender_ids) if tender_ids else {}
    now = timezone.now()
    todos = []
    for a in assignments:
        tender = a.dossier.submission.tender
        phase = Phase.AWARD if tender.pk in award else Phase.SELECTION
        if a.conflict:
            continue  # a declared conflict: nothing to do for this dossier
        if not a.declared:
            action = _("Belangenconflict verklaren")
        elif a.submitted:
            action = _("Ingediend; bekijken")
        else:
            action = _("Beoordelen")
        deadline = deadlines.get((tender.pk, phase))
        due = deadline.due_at if deadline else None
        todos.append(
            Todo(
                subject=f"{tender.title}: {a.dossier}",
                action=action,
                url=reverse("scoring-dossier", args=[tender.slug, phase, a.dossier_id]),
                step=Phase(phase).label,
                due=due,
                late=due is not None and due < now and not a.submitted,
            )
        )
    todos.sort(key=lambda t: t.action == _("Ingediend; bekijken"))
    return todos


def consensus_todos(*, tenders: list[Tender]) -> list[Todo]:
    """Per tender being scored: the current dossiers of the phase that have no consensus
    (no final level) yet. One query (plus one for the phases)."""
    scoring = {t.pk: t for t in tenders if t.state in SCORING_WRITABLE_STATES}
    if not scoring:
        return []
    award = _award_open(scoring)
    without = Q()
    for phase, ids in (
        (Phase.AWARD, [pk for pk in scoring if pk in award]),
        (Phase.SELECTION, [pk for pk in scoring if pk not in award]),
    ):
        agreed = FinalLevel.objects.filter(dossier_id=OuterRef("pk"), criterion__phase=phase)
        without |= Q(
            ~Exists(agreed),
            submission__tender_id__in=ids,
            segment__criteria__phase=phase,
        )
    counts = (
        Dossier.objects.filter(
            without,
            submission__state=SubmissionState.SEALED,
            submission__is_current=True,
            assignments__isnull=False,
        )
        .values("submission__tender_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by("submission__tender_id")
    )
    todos = []
    for row in counts:
        tender = scoring[row["submission__tender_id"]]
        phase = Phase.AWARD if tender.pk in award else Phase.SELECTION
        todos.append(
            Todo(
                subject=tender.title,
                action=ngettext(
                    "%(n)s dossier zonder consensus", "%(n)s dossiers zonder consensus", row["n"]
                )
                % {"n": row["n"]},
                url=reverse("scoring-consensus-overview", args=[tender.slug, phase]),
                step=Phase(phase).label,
                count=row["n"],
            )
        )
    return todos
