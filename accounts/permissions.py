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


def can_reopen_ranking(user, tender) -> bool:
    """Reopening a final ranking undoes the chair's decision: only the chair may do it."""
    return user.is_superuser or VOORZITTER in role_names(user)


def can_export_scores(user, tender) -> bool:
    """The scores workbook and the ranking CSV for the procurement file show every evaluator's
    levels: procurement staff, the chair and the auditor, not the contract manager."""
    return user.is_superuser or bool(role_names(user) & {INKOPER, VOORZITTER, AUDITOR})
