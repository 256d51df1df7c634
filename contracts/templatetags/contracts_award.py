"""Template tags of the award decision, for pages owned by other features (the portal's
tender page includes ``portal/_tender_award.html``)."""

from django import template

from ..award_selectors import letters_for_organisation, mark_latest

register = template.Library()


@register.simple_tag
def portal_tender_letters(tender, organisation):
    """The organisation's sent letters for ``tender`` (every version, newest first)."""
    if organisation is None or tender is None:
        return []
    return mark_latest(list(letters_for_organisation(organisation=organisation, tender=tender)))
