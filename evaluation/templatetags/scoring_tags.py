"""Template helpers of the scoring screens."""

from django import template

from accounts.permissions import can_be_assigned

from ..permissions import can_assign

register = template.Library()


@register.filter
def evaluates(user) -> bool:
    """Whether the user has the scoring screens (an evaluator or the chair): the menu link."""
    return can_be_assigned(user) or can_assign(user, None)
