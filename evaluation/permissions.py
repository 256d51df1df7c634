"""Who may assign, score, review, rank and export scores (the views, the API, the selectors and
the services ask here). *When* (tender state, blind scoring, a final ranking) is decided by the
evaluation selectors (``evaluation.scoring_selectors``); roles and the policy helpers are
``accounts.permissions``; the "may score" query is ``Dossier.objects.scorable_by``."""

from accounts.permissions import is_staff_member, role_names
from accounts.roles import AUDITOR, INKOPER, VOORZITTER
from providers.models import Dossier
from tender.permissions import can_view_audit_log

# -- ranking -----------------------------------------------------------------------------------


def can_view_ranking(user, tender) -> bool:
    """Rankings show every bidder's points: staff only, never evaluators or providers."""
    return is_staff_member(user)


def can_run_ranking(user, tender) -> bool:
    """The chair and procurement staff start ranking computations."""
    return user.is_superuser or bool(role_names(user) & {INKOPER, VOORZITTER})


def can_finalise_ranking(user, tender) -> bool:
    """Only the chair (procurement specialist) finalises a ranking."""
    return user.is_superuser or VOORZITTER in role_names(user)


def can_reopen_ranking(user, tender) -> bool:
    """Reopening a final ranking undoes the chair's decision: only the chair may do it."""
    return user.is_superuser or VOORZITTER in role_names(user)


def can_export_scores(user, tender) -> bool:
    """The scores workbook and the ranking CSV for the procurement file show every evaluator's
    levels: procurement staff, the chair and the auditor, not the contract manager."""
    return user.is_superuser or bool(role_names(user) & {INKOPER, VOORZITTER, AUDITOR})


# -- assignments, scoring, consensus, requirement review -----------------------------------


def can_assign(user, tender) -> bool:
    """The chair (procurement specialist) assigns evaluators, sees their load, reviews
    requirement answers and sets the consensus."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or VOORZITTER in role_names(user)


def can_set_consensus(user, tender) -> bool:
    return can_assign(user, tender)


def is_assigned_to(user, dossier) -> bool:
    """Assigned to ``dossier``, whatever the conflict declaration says (the dossier then shows
    the declaration first)."""
    return Dossier.objects.assigned_to(user).filter(pk=dossier.pk).exists()


def can_score(user, dossier) -> bool:
    """An assigned evaluator who declared no conflict of interest with the dossier's bidder
    (``Dossier.objects.scorable_by``)."""
    return Dossier.objects.scorable_by(user).filter(pk=dossier.pk).exists()


def can_view_scores_of(user, dossier) -> bool:
    """Whether ``user`` may see individual scores of ``dossier`` at all: the chair and the
    evaluators who may score it. The blind rule (not before one's own set is submitted, for
    the chair not before every set is) is ``evaluation.scoring_selectors.visible_scores``."""
    return can_assign(user, dossier.submission.tender) or can_score(user, dossier)


def can_review_answer(user, answer) -> bool:
    """The chair, or an evaluator who may score a dossier of the answer's submission (for a
    segment requirement: the dossier of that segment)."""
    submission = answer.submission
    if can_assign(user, submission.tender):
        return True
    dossiers = Dossier.objects.scorable_by(user).filter(submission=submission)
    if answer.requirement.segment_id is not None:
        dossiers = dossiers.filter(segment_id=answer.requirement.segment_id)
    return dossiers.exists()


def can_rerun_ranking(user, tender) -> bool:
    """Re-running a final ranking to check it: whoever reads the audit log of the tender (the
    auditor, procurement staff, the chair; ``tender.permissions.can_view_audit_log``)."""
    return can_view_audit_log(user, tender)
