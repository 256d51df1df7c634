"""Who may read and write a tender's communication with the market."""

from accounts.permissions import is_staff_member, provider_membership, role_names
from accounts.roles import INKOPER, VOORZITTER


def can_view_tender_communication(user, tender) -> bool:
    """Staff screens for news, key dates, sessions with attendees and incoming questions
    (which name the asking organisation): municipal staff only, read-only roles included."""
    return is_staff_member(user)


def can_manage_tender_communication(user, tender) -> bool:
    """Write news, key dates and sessions, answer questions, compose and publish notas."""
    return user.is_superuser or bool(role_names(user) & {INKOPER, VOORZITTER})


def can_move_deadline(user, tender) -> bool:
    """Only authorised procurement staff set or change the deadline (DOMAIN.md)."""
    return user.is_superuser or bool(role_names(user) & {INKOPER, VOORZITTER})


def can_ask_question(user, tender) -> bool:
    """A provider user linked to an organisation; when questions are accepted is the
    service's rule."""
    return provider_membership(user) is not None


def can_register_for_session(user, session) -> bool:
    """A provider user linked to an organisation registers (only) that organisation."""
    return provider_membership(user) is not None
