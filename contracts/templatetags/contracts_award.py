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


@register.simple_tag(takes_context=True)
def portal_tender_contracts(context, tender):
    """The user's organisation's contracts of ``tender`` (as lead or member), by number."""
    from ..selectors import contracts_visible_to

    request = context.get("request")
    if request is None or tender is None:
        return []
    return list(contracts_visible_to(request.user).filter(tender=tender).order_by("number"))


@register.filter
def one_line(text: str) -> str:
    """A multi-line postal address as one line inside a sentence: "A, B, 1234 AB Plaats"."""
    return ", ".join(line.strip().rstrip(",") for line in (text or "").splitlines() if line.strip())
