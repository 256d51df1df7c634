"""Who may see and change tenders, their set-up and regions (the views, the API, the services
and the template tags ask here). Roles and the policy helpers are ``accounts.permissions``;
the states are named in ``tender.constants``."""

from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_staff_member, role_names
from accounts.roles import AUDITOR, INKOPER, VOORZITTER

from .constants import SETUP_EDITABLE_STATES, TenderState


def can_view_tender(user, tender) -> bool:
    return is_staff_member(user)


# -- tender set-up ------------------------------------------------------------------------
#
# Rule: the set-up of a tender (its data, lots, segments, subsegments, requirements and
# criteria) is changed by procurement staff (inkoper, or a superuser) only while the tender is
# in "draft" or "published" (``SETUP_EDITABLE_STATES``) and no submission exists. From
# the opening of the first round on the set-up is frozen, because bidders prepare their bids
# against it; the deadline then moves only through the lifecycle. A tender that already holds
# submissions (one loaded from a scenario file) is frozen in every state: its bids refer to the
# set-up as it is; replace it by an import instead.


def can_create_tender(user) -> bool:
    """Create tenders and import scenario files: procurement staff (inkoper) only."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or INKOPER in role_names(user)


def setup_refusal(user, tender) -> str | None:
    """Why ``user`` may not change the set-up of ``tender`` (Dutch), or None when allowed."""
    if not can_create_tender(user):
        return str(_("Alleen een inkoper mag de opzet van een aanbesteding wijzigen."))
    if tender.state not in SETUP_EDITABLE_STATES:
        return str(
            _("De opzet ligt vast sinds de inschrijving is opengesteld (status '%(state)s').")
            % {"state": tender.get_state_display()}
        )
    if tender.submissions.exists():
        return str(
            _(
                "Er zijn al inschrijvingen voor deze aanbesteding; de opzet ligt vast. "
                "Vervang de aanbesteding zo nodig via een scenario-import."
            )
        )
    return None


def can_edit_tender(user, tender) -> bool:
    """The set-up rule above; ``setup_refusal`` says why not."""
    return setup_refusal(user, tender) is None


def can_open_setup(user, tender) -> bool:
    """Whether to offer the set-up screens (the link on the tender page): an inkoper, while the
    tender is in a set-up state. Costs no query; the screens themselves apply the whole rule
    and explain a freeze by submissions (``setup_refusal``)."""
    return can_create_tender(user) and tender.state in SETUP_EDITABLE_STATES


def can_replace_tender(user, tender) -> bool:
    """A scenario import may replace (delete and recreate) a tender only while it is a draft."""
    return can_create_tender(user) and tender.state == TenderState.DRAFT


def can_export_tender(user, tender) -> bool:
    """Exporting a tender as a scenario file: procurement staff (inkoper) only, any state."""
    return can_create_tender(user)


# -- regions --------------------------------------------------------------------------------


def can_manage_regions(user) -> bool:
    """Create and change regions and their municipalities: procurement staff (inkoper) only,
    like creating tenders. Whether a municipality may leave a region (no lot uses it) is the
    service's rule."""
    return can_create_tender(user)


# -- the audit log ----------------------------------------------------------------------------
#
# Rule: the audit log of a tender is read by the auditor and by the procurement staff who run
# tenders (inkoper, voorzitter), and by superusers; not by the contract manager, evaluators or
# providers. There is no per-tender staff assignment: staff who may see a tender see them all
# (``can_view_tender``), so "their tenders" are every tender. The same people start a check of
# the whole chain and re-run a final ranking (``evaluation.permissions.can_rerun_ranking``).

AUDIT_LOG_ROLES = frozenset({AUDITOR, INKOPER, VOORZITTER})


def can_use_audit_log(user) -> bool:
    """Whether the audit log screens (and the header link) are offered at all."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(role_names(user) & AUDIT_LOG_ROLES)


def can_view_audit_log(user, tender) -> bool:
    """Read, filter and export the audit log of ``tender`` and check its entries."""
    return can_use_audit_log(user) and can_view_tender(user, tender)
