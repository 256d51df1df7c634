"""Template helpers of the scoring screens."""

from decimal import Decimal

from django import template

from accounts.permissions import can_be_assigned

from ..permissions import can_assign
from ..scoring_forms import level_label

register = template.Library()


@register.filter
def level(value) -> str:
    """A level as Dutch text: ``Decimal("0.50000000")`` -> ``0,5``; empty for None."""
    if value is None or value == "":
        return ""
    return level_label(Decimal(str(value)))


@register.filter
def evaluates(user) -> bool:
    """Whether the user has the scoring screens (an evaluator or the chair): the menu link."""
    return can_be_assigned(user) or can_assign(user, None)
