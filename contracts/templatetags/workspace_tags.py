"""``{% tender_workspace tender "tab" %}``: the timeline and the tabs of the tender workspace
(``contracts.workspace``) on top of each staff screen of a tender."""

from django import template

from tender.services.lifecycle import steps_of

from ..workspace import workspace_tabs

register = template.Library()


@register.inclusion_tag("workspace/_tabs.html", takes_context=True)
def tender_workspace(context, tender, current: str = ""):
    return {
        "tender": tender,
        "steps": steps_of(tender),
        "tabs": workspace_tabs(user=context["request"].user, tender=tender),
        "current": current,
    }
