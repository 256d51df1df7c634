"""``{{ submission|bidder_label }}``: the bidder as every staff list and document names it
(``providers.selectors.bidder_label``); lists load it with ``with_bidder_label``."""

from django import template

from ..selectors import bidder_label as _bidder_label

register = template.Library()


@register.filter
def bidder_label(submission) -> str:
    return "" if submission is None else _bidder_label(submission)
