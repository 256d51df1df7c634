"""Who may see what: one place for the predicates the views, the API and querysets use."""

from .roles import AUDITOR, BEOORDELAAR, INKOPER, STAFF_ROLES, VOORZITTER


def role_names(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def is_staff_member(user) -> bool:
    """Municipal procurement staff (inkoper, voorzitter, contractmanager, auditor)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(role_names(user) & set(STAFF_ROLES))


def is_evaluator(user) -> bool:
    return BEOORDELAAR in role_names(user)


def can_view_tender(user, tender) -> bool:
    return is_staff_member(user)


def can_view_ranking(user, tender) -> bool:
    """Rankings show every bidder's points: staff only, never evaluators or providers."""
    return is_staff_member(user)


def can_run_ranking(user, tender) -> bool:
    """The chair and procurement staff start ranking computations."""
    return user.is_superuser or bool(role_names(user) & {INKOPER, VOORZITTER})


def can_finalise_ranking(user, tender) -> bool:
    """Only the chair (procurement specialist) finalises a ranking."""
    return user.is_superuser or VOORZITTER in role_names(user)


# -- evaluation: assignments, scoring, consensus, requirement review -----------------------
#
# Who may do what; *when* (tender state, blind scoring, a final ranking) is decided by the
# evaluation app (``evaluation.scoring_selectors``). These predicates follow relations of the
# objects they get, so this module imports no model of a later app.

EVALUATING_ROLES = frozenset({BEOORDELAAR, VOORZITTER})


def can_assign(user, tender) -> bool:
    """The chair (procurement specialist) assigns evaluators, sees their load, reviews
    requirement answers and sets the consensus."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or VOORZITTER in role_names(user)


def can_set_consensus(user, tender) -> bool:
    return can_assign(user, tender)


def can_be_assigned(user) -> bool:
    """Evaluators and chairs (an active account) can be assigned dossiers to score."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(role_names(user) & EVALUATING_ROLES)


def is_assigned_to(user, dossier) -> bool:
    """Assigned to ``dossier``, whatever the conflict declaration says (the dossier then shows
    the declaration first)."""
    return can_be_assigned(user) and dossier.assignments.filter(evaluator__user=user).exists()


def can_score(user, dossier) -> bool:
    """An assigned evaluator who declared no conflict of interest with the dossier's bidder.
    ``dossier.submission`` is read, so select it along."""
    if not can_be_assigned(user):
        return False
    return dossier.assignments.filter(
        evaluator__user=user,
        evaluator__conflict_declarations__organisation_id=dossier.submission.bidder_id,
        evaluator__conflict_declarations__has_conflict=False,
    ).exists()


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
    if not can_be_assigned(user):
        return False
    dossiers = submission.dossiers.filter(
        assignments__evaluator__user=user,
        assignments__evaluator__conflict_declarations__organisation_id=submission.bidder_id,
        assignments__evaluator__conflict_declarations__has_conflict=False,
    )
    if answer.requirement.segment_id is not None:
        dossiers = dossiers.filter(segment_id=answer.requirement.segment_id)
    return dossiers.exists()


def can_reopen_ranking(user, tender) -> bool:
    """Reopening a final ranking undoes the chair's decision: only the chair may do it."""
    return user.is_superuser or VOORZITTER in role_names(user)


def can_export_scores(user, tender) -> bool:
    """The scores workbook and the ranking CSV for the procurement file show every evaluator's
    levels: procurement staff, the chair and the auditor, not the contract manager."""
    return user.is_superuser or bool(role_names(user) & {INKOPER, VOORZITTER, AUDITOR})
