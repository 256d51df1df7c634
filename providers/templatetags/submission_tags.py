"""``{% submission_summary tender as summary %}``: the current user's organisation's submission
state for a tender (portal tender page)."""

from django import template

from accounts import dutch_numbers

from ..selectors import organisation_of
from ..submission_selectors import (
    checklist_missing,
    submission_checklist,
    submission_detail,
    submissions_of,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_summary(context, tender) -> dict:
    """One query for the versions (plus the checklist's while a draft is open)."""
    organisation = context.get("organisation")
    if organisation is None:
        request = context.get("request")
        organisation = organisation_of(request.user) if request is not None else None
    if organisation is None:
        return {"draft": None, "sealed": None, "withdrawn": None, "missing": 0}
    versions = list(submissions_of(tender=tender, organisation=organisation))
    draft = next((v for v in versions if v.state == "draft"), None)
    latest = next((v for v in versions if v.state != "draft"), None)
    missing = 0
    if draft is not None:
        missing = len(checklist_missing(submission_checklist(submission_detail(draft.pk))))
    return {
        "draft": draft,
        "sealed": next((v for v in versions if v.state == "sealed" and v.is_current), None),
        "withdrawn": latest if latest is not None and latest.state == "withdrawn" else None,
        "missing": missing,
    }


@register.filter
def document_kind(value: str) -> str:
    """The Dutch label of a document kind code (manifests store the code)."""
    from ..models import DocumentKind

    try:
        return DocumentKind(value).label
    except ValueError:
        return value


@register.filter
def plain_number(value) -> str:
    """A stored decimal (or a manifest's decimal string, "6.500000") as typed: no trailing
    zeros, decimal comma ("6,5")."""
    return dutch_numbers.level(value)
