"""Who may see and change contracts, payment schedules, contract performance and the award
decision (the views, the API and the services ask here). Roles and the policy helpers are
``accounts.permissions``; acting for an organisation is ``providers.permissions``."""

from accounts.permissions import is_staff_member, role_names
from accounts.roles import CONTRACTMANAGER, INKOPER, VOORZITTER
from providers.permissions import can_act_for_organisation

# -- contracts and payment schedules -----------------------------------------------------------
#
# Municipal staff read contracts, schedules and the finance export; the contract manager and
# procurement staff (inkoper) create contracts, record extension decisions and store payment
# schedules. A provider sees only the contracts its organisation holds, as contractor or as a
# member of the contracting combination (``contracts.selectors.contracts_visible_to``).

CONTRACT_WRITE_ROLES = frozenset({INKOPER, CONTRACTMANAGER})


def can_view_contracts(user, tender) -> bool:
    return is_staff_member(user)


def can_manage_contracts(user, tender) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(role_names(user) & CONTRACT_WRITE_ROLES)


# -- contract performance: settlement, KPIs, OCDS ------------------------------------------
#
# Rule: municipal staff read everything of a tender's contracts (reports, settlements, KPI
# dashboards, the OCDS export); the contract manager and procurement staff (inkoper) define
# KPIs, compute and approve settlements. A care provider sees and reports only on the contracts
# of its own organisation; anything else answers 404.


def can_view_contract_performance(user, tender) -> bool:
    return is_staff_member(user)


def can_manage_contract_performance(user, tender) -> bool:
    return user.is_superuser or bool(role_names(user) & {INKOPER, CONTRACTMANAGER})


def can_report_on_contract(user, contract) -> bool:
    """A provider user of the contracted organisation (the lead of a combination)."""
    return can_act_for_organisation(user, contract.provider_id)


# -- award decision: letters, standstill, objections, final award --------------------------
#
# The award page (every bidder's points and letters) is for municipal staff; procurement
# staff and the chair make and send letters, register and resolve objections and make the
# award final. A provider reads only the sent letters addressed to its own organisation.


def can_view_award(user, tender) -> bool:
    return is_staff_member(user)


def can_manage_award(user, tender) -> bool:
    return user.is_superuser or bool(role_names(user) & {INKOPER, VOORZITTER})


def can_read_letter(user, letter) -> bool:
    """Staff read every letter; a provider its own organisation's letters once sent, also
    those addressed to the lead of a combination it is a member of."""
    if is_staff_member(user):
        return True
    if letter.sent_at is None:
        return False
    if can_act_for_organisation(user, letter.bidder_id):
        return True
    from .award_selectors import letter_member_ids

    return any(can_act_for_organisation(user, pk) for pk in letter_member_ids(letter))
