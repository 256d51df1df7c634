"""Assigning evaluators to dossiers, their conflict-of-interest declarations, and the guard
that keeps a ranking from being finalised before enough evaluators scored.

Rules (docs/rules.md, "Evaluation"):

- The chair assigns evaluators per dossier or per segment (every sealed dossier of it), and
  can remove or replace an assignment. Assignments hold for both phases.
- Before a dossier opens for an evaluator, they declare per bidder whether they have a
  conflict of interest. A declared conflict blocks every assignment of that evaluator to the
  bidder's dossiers, removes their scores of those dossiers in phases that are not final, and
  tells the chair (on the assignment screen, and by mail).
- ``ranking_finalise_guard``: a tender with assignments needs, for every dossier taking part in
  the phase, ``EVALUATORS_PER_DOSSIER`` evaluators with a submitted set. A tender without any
  assignment (an imported scenario) was evaluated outside the system and is judged by its final
  levels alone.
"""

from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import can_be_assigned, role_names
from accounts.roles import VOORZITTER
from audit.services import audit_record
from providers.models import Dossier
from tender.constants import SCORING_WRITABLE_STATES, Phase
from tender.errors import ApplicationError
from tender.models import Segment, Tender

from ..models import Assignment, ConflictDeclaration, Evaluator, Ranking, Score, ScoringDeadline
from ..permissions import can_assign
from ..scoring_selectors import (
    dossiers_in_phase,
    evaluators_required,
    phase_locked,
    sealed_dossiers,
    submitted_counts,
)


def _display(user) -> str:
    return user.get_full_name() or user.get_username()


def _check_chair(user, tender: Tender) -> None:
    if not can_assign(user, tender):
        raise ApplicationError(_("Alleen de voorzitter wijst beoordelaars toe."))
    if tender.state not in SCORING_WRITABLE_STATES:
        raise ApplicationError(
            _("De aanbesteding heeft de status '%(state)s'; toewijzen kan nu niet.")
            % {"state": tender.get_state_display()}
        )


def evaluator_of(*, tender: Tender, user) -> Evaluator:
    """The user's evaluator record for ``tender``, created on first assignment."""
    evaluator, created = Evaluator.objects.get_or_create(
        tender=tender,
        user=user,
        defaults={
            "name": _display(user)[:200],
            "is_chair": VOORZITTER in role_names(user),
        },
    )
    if created:
        evaluator.full_clean()
    return evaluator


def _conflict_with(evaluator: Evaluator, dossier: Dossier) -> ConflictDeclaration | None:
    return ConflictDeclaration.objects.filter(
        evaluator=evaluator, organisation_id=dossier.submission.bidder_id, has_conflict=True
    ).first()


def _assign(*, dossier: Dossier, user, assigned_by, client_address) -> Assignment:
    tender = dossier.submission.tender
    if not sealed_dossiers(tender=tender).filter(pk=dossier.pk).exists():
        raise ApplicationError(_("Dit dossier doet niet mee: de inschrijving is niet verzegeld."))
    if not can_be_assigned(user):
        raise ApplicationError(
            _("%(name)s heeft geen rol als beoordelaar.") % {"name": _display(user)},
            field="evaluator",
        )
    evaluator = evaluator_of(tender=tender, user=user)
    if Assignment.objects.filter(dossier=dossier, evaluator=evaluator).exists():
        raise ApplicationError(
            _("%(name)s is al toegewezen aan dit dossier.") % {"name": evaluator.name},
            field="evaluator",
        )
    if _conflict_with(evaluator, dossier):
        raise ApplicationError(
            _(
                "%(name)s heeft een belangenconflict gemeld met %(bidder)s; "
                "kies een andere beoordelaar."
            )
            % {"name": evaluator.name, "bidder": dossier.submission.bidder.name},
            field="evaluator",
        )
    assignment = Assignment(
        dossier=dossier, evaluator=evaluator, assigned_by=assigned_by, assigned_at=timezone.now()
    )
    assignment.full_clean()
    assignment.save()
    audit_record(
        action="assignment.create",
        actor=assigned_by,
        obj=assignment,
        tender=tender,
        client_address=client_address,
        details={
            "dossier": dossier.pk,
            "segment": dossier.segment.code,
            "bidder": dossier.submission.bidder.kvk,
            "evaluator": user.get_username(),
        },
    )
    return assignment


@transaction.atomic
def assignment_create(
    *, dossier: Dossier, user, assigned_by, client_address: str | None = None
) -> Assignment:
    """Assign ``user`` (an evaluator or chair) to score ``dossier``.

    Refused for anyone but the chair, outside the evaluation states, for a dossier that is not
    sealed, a user without an evaluating role, a double assignment and a declared conflict.
    """
    _check_chair(assigned_by, dossier.submission.tender)
    return _assign(
        dossier=dossier, user=user, assigned_by=assigned_by, client_address=client_address
    )


@dataclass(frozen=True)
class SegmentAssignmentResult:
    created: list[Assignment]
    skipped: list[tuple[Dossier, str]]  # dossier, Dutch reason


@transaction.atomic
def assignments_create_for_segment(
    *, segment: Segment, user, assigned_by, client_address: str | None = None
) -> SegmentAssignmentResult:
    """Assign ``user`` to every sealed dossier of ``segment``; dossiers where that is refused
    (already assigned, a declared conflict) are skipped with the reason."""
    tender = segment.tender
    _check_chair(assigned_by, tender)
    if not can_be_assigned(user):
        raise ApplicationError(
            _("%(name)s heeft geen rol als beoordelaar.") % {"name": _display(user)},
            field="evaluator",
        )
    dossiers = (
        sealed_dossiers(tender=tender)
        .filter(segment=segment)
        .select_related("segment", "submission__bidder", "submission__tender")
        .order_by("submission__bidder__name")
    )
    created, skipped = [], []
    for dossier in dossiers:
        try:
            with transaction.atomic():
                created.append(
                    _assign(
                        dossier=dossier,
                        user=user,
                        assigned_by=assigned_by,
                        client_address=client_address,
                    )
                )
        except ApplicationError as exc:
            if exc.field != "evaluator":  # not about this dossier: refuse the whole action
                raise
            skipped.append((dossier, exc.message))
    return SegmentAssignmentResult(created=created, skipped=skipped)


def _unassign(*, assignment: Assignment, removed_by, client_address, reason: str) -> None:
    dossier = assignment.dossier
    tender = dossier.submission.tender
    scores = Score.objects.filter(dossier=dossier, evaluator=assignment.evaluator)
    open_phases = [p for p in ("selection", "award") if not phase_locked(tender=tender, phase=p)]
    if scores.filter(criterion__phase__in=open_phases, submitted_at__isnull=False).exists():
        raise ApplicationError(
            _(
                "%(name)s heeft voor dit dossier al een beoordeling ingediend; "
                "die toewijzing kan niet meer worden ingetrokken."
            )
            % {"name": assignment.evaluator.name}
        )
    drafts, _deleted = scores.filter(
        criterion__phase__in=open_phases, submitted_at__isnull=True
    ).delete()
    audit_record(
        action="assignment.remove",
        actor=removed_by,
        obj=assignment,
        tender=tender,
        client_address=client_address,
        details={
            "dossier": dossier.pk,
            "evaluator": assignment.evaluator.user.get_username(),
            "draft_scores_removed": drafts,
            "reason": reason,
        },
    )
    assignment.delete()


@transaction.atomic
def assignment_remove(
    *, assignment: Assignment, removed_by, client_address: str | None = None
) -> None:
    """Withdraw an assignment; the evaluator's draft scores of the dossier go with it. Refused
    once they submitted a set in a phase that is not final."""
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("evaluator__user", "dossier__submission__tender")
        .get(pk=assignment.pk)
    )
    _check_chair(removed_by, assignment.dossier.submission.tender)
    _unassign(
        assignment=assignment, removed_by=removed_by, client_address=client_address, reason=""
    )


@transaction.atomic
def assignment_reassign(
    *, assignment: Assignment, user, assigned_by, client_address: str | None = None
) -> Assignment:
    """Replace the evaluator of an assignment by ``user`` (after a conflict, or to balance the
    load): the removal and the new assignment succeed or fail together."""
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("evaluator__user", "dossier__submission__tender", "dossier__segment")
        .get(pk=assignment.pk)
    )
    dossier = assignment.dossier
    _check_chair(assigned_by, dossier.submission.tender)
    if assignment.evaluator.user_id == user.pk:
        raise ApplicationError(_("Kies een andere beoordelaar dan de huidige."), field="evaluator")
    _unassign(
        assignment=assignment,
        removed_by=assigned_by,
        client_address=client_address,
        reason="reassign",
    )
    return _assign(
        dossier=dossier, user=user, assigned_by=assigned_by, client_address=client_address
    )


@transaction.atomic
def conflict_declare(
    *,
    dossier: Dossier,
    user,
    has_conflict: bool,
    note: str = "",
    client_address: str | None = None,
) -> ConflictDeclaration:
    """The assigned evaluator declares, for the bidder of ``dossier``, whether they have a
    conflict of interest. The declaration holds for every dossier of that bidder.

    "No conflict" can later become "conflict" (a conflict that comes to light), never the other
    way round: a declared conflict stands until the chair reassigns. A conflict needs a note.
    """
    tender = dossier.submission.tender
    bidder = dossier.submission.bidder
    evaluator = Evaluator.objects.filter(tender=tender, user=user).first()
    if (
        evaluator is None
        or not can_be_assigned(user)
        or not Assignment.objects.filter(dossier=dossier, evaluator=evaluator).exists()
    ):
        raise ApplicationError(_("U bent niet aan dit dossier toegewezen."))
    if tender.state not in SCORING_WRITABLE_STATES:
        raise ApplicationError(
            _("De aanbesteding heeft de status '%(state)s'; verklaren kan nu niet.")
            % {"state": tender.get_state_display()}
        )
    note = (note or "").strip()
    if has_conflict and not note:
        raise ApplicationError(_("Licht toe waarom er een belangenconflict is."), field="note")
    declaration = (
        ConflictDeclaration.objects.select_for_update()
        .filter(evaluator=evaluator, organisation=bidder)
        .first()
    )
    if declaration is not None:
        if declaration.has_conflict:
            raise ApplicationError(_("U hebt al een belangenconflict gemeld met deze inschrijver."))
        if not has_conflict:
            raise ApplicationError(
                _("U hebt al verklaard dat u geen belangenconflict hebt met deze inschrijver.")
            )
        declaration.has_conflict, declaration.note = True, note
        declaration.declared_at = timezone.now()
    else:
        declaration = ConflictDeclaration(
            evaluator=evaluator,
            organisation=bidder,
            has_conflict=has_conflict,
            note=note,
            declared_at=timezone.now(),
        )
    declaration.full_clean()
    declaration.save()
    removed = 0
    if has_conflict:
        open_phases = [
            p for p in ("selection", "award") if not phase_locked(tender=tender, phase=p)
        ]
        removed, _deleted = Score.objects.filter(
            evaluator=evaluator,
            dossier__submission=dossier.submission,
            criterion__phase__in=open_phases,
        ).delete()
    audit_record(
        action="conflict.declare",
        actor=user,
        obj=declaration,
        tender=tender,
        client_address=client_address,
        details={
            "bidder": bidder.kvk,
            "has_conflict": has_conflict,
            "note": note,
            "scores_removed": removed,
        },
    )
    if has_conflict:
        _notify_chairs_of_conflict(declaration=declaration, tender=tender)
    return declaration


def _notify_chairs_of_conflict(*, declaration: ConflictDeclaration, tender: Tender) -> None:
    """Mail the chairs of the tender and whoever assigned the blocked dossiers, once the
    declaration is committed. The assignment screen shows the conflict as well."""
    assigners = Assignment.objects.filter(
        evaluator=declaration.evaluator,
        dossier__submission__bidder=declaration.organisation,
        dossier__submission__tender=tender,
        assigned_by__isnull=False,
    ).values_list("assigned_by__email", flat=True)
    chairs = Evaluator.objects.filter(tender=tender, is_chair=True).values_list(
        "user__email", flat=True
    )
    recipients = sorted({email for email in [*assigners, *chairs] if email})
    if not recipients:
        return
    subject = _("Belangenconflict gemeld: %(tender)s") % {"tender": tender.title}
    body = _(
        "%(evaluator)s heeft een belangenconflict gemeld met inschrijver %(bidder)s "
        "(KvK %(kvk)s) in de aanbesteding %(tender)s.\n\nToelichting: %(note)s\n\n"
        "De dossiers van deze inschrijver zijn voor deze beoordelaar geblokkeerd. "
        "Wijs op het toewijzingsscherm een andere beoordelaar toe."
    ) % {
        "evaluator": declaration.evaluator.name,
        "bidder": declaration.organisation.name,
        "kvk": declaration.organisation.kvk,
        "tender": tender.title,
        "note": declaration.note,
    }
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def ranking_finalise_guard(ranking: Ranking) -> str | None:
    """Why ``ranking`` may not be finalised for lack of evaluators (Dutch), or None.

    Applies to tenders with assignments: every dossier that takes part in the phase needs
    ``EVALUATORS_PER_DOSSIER`` assigned evaluators (without a declared conflict) with a
    submitted set. A tender without any assignment (an imported scenario, evaluated outside
    the system) is judged by its final levels alone.
    """
    tender = ranking.tender
    if not Assignment.objects.filter(dossier__submission__tender=tender).exists():
        return None
    required = evaluators_required()
    dossiers = list(
        dossiers_in_phase(tender=tender, phase=ranking.phase)
        .select_related("segment", "submission__bidder")
        .order_by("segment__code", "submission__bidder__name")
    )
    counts = submitted_counts(dossier_ids=[d.pk for d in dossiers], phase=ranking.phase)
    short = [d for d in dossiers if counts.get(d.pk, 0) < required]
    if not short:
        return None
    named = ", ".join(
        f"{d.segment.code} {d.submission.bidder.name} ({counts.get(d.pk, 0)})" for d in short[:5]
    )
    if len(short) > 5:
        named += _(" en %(n)s meer") % {"n": len(short) - 5}
    return _(
        "Nog niet elk dossier is door %(required)s beoordelaars beoordeeld "
        "(ingediende sets tussen haakjes): %(dossiers)s."
    ) % {"required": required, "dossiers": named}


@transaction.atomic
def scoring_deadline_set(
    *, tender: Tender, phase: str, due_at, user, client_address: str | None = None
) -> ScoringDeadline:
    """Set (or move) the moment by which the evaluators of ``tender`` submit their scores in
    ``phase``. Only the chair, only while the tender is being evaluated, only a moment in the
    future. Audited with the previous moment."""
    _check_chair(user, tender)
    if phase not in Phase.values:
        raise ApplicationError(_("Kies de fase: selectie of gunning."), field="phase")
    if due_at is None or due_at <= timezone.now():
        raise ApplicationError(
            _("De beoordelingstermijn moet in de toekomst liggen."), field="due_at"
        )
    deadline = (
        ScoringDeadline.objects.select_for_update().filter(tender=tender, phase=phase).first()
    )
    previous = deadline.due_at if deadline else None
    if deadline is None:
        deadline = ScoringDeadline(tender=tender, phase=phase)
    deadline.due_at = due_at
    deadline.set_by = user
    deadline.set_at = timezone.now()
    deadline.full_clean()
    deadline.save()
    audit_record(
        action="scoring_deadline.set",
        actor=user,
        obj=deadline,
        tender=tender,
        client_address=client_address,
        details={
            "phase": phase,
            "due_at": due_at.isoformat(),
            "previous": previous.isoformat() if previous else None,
        },
    )
    return deadline
