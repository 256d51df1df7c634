"""``{% submission_summary tender as summary %}``: the current user's organisation's submission
state for a tender (portal tender page)."""

from django import template

from ..selectors import organisation_of
from ..submission_selectors import (
    checklist_missing,
    draft_of,
    sealed_current_of,
    submission_checklist,
    submission_detail,
    submissions_of,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_summary(context, tender) -> dict:
    request = context.get("request")
    organisation = organisation_of(request.user) if request is not None else None
    if organisation is None:
        return {"draft": None, "sealed": None, "withdrawn": None, "missing": 0}
    draft = draft_of(tender=tender, organisation=organisation)
    missing = 0
    if draft is not None:
        missing = len(checklist_missing(submission_checklist(submission_detail(draft.pk))))
    latest = submissions_of(tender=tender, organisation=organisation).exclude(state="draft").first()
    return {
        "draft": draft,
        "sealed": sealed_current_of(tender=tender, organisation=organisation),
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
    """A stored decimal as typed: no trailing zeros, decimal comma ("6,5")."""
    if value in (None, ""):
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")
