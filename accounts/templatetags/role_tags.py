"""Role checks for templates (menu links); the rules themselves live in accounts.permissions."""

from django import template

from accounts.permissions import is_auditor, is_provider, is_staff_member

register = template.Library()


@register.filter
def is_provider_user(user) -> bool:
    """A care provider's user: the portal link instead of the staff screens."""
    return is_provider(user)


@register.filter
def is_staff_user(user) -> bool:
    """Municipal staff: the tenders link."""
    return is_staff_member(user)


@register.filter
def is_auditor_user(user) -> bool:
    """The auditor: the audit log link in the header."""
    return is_auditor(user)
