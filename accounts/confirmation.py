"""Irreversible actions ask first (issue 18.3).

Every HTML view of an action that cannot be undone (publish, open, finalise, send letters,
seal, withdraw, sign, delete) posts with ``confirm=1`` only from its confirmation page. A post
without it - the first click on the action's button, a crafted request, a double submit from an
old page - does nothing and shows that page instead: what will happen, that it cannot be undone,
and a button that repeats the same post with ``confirm=1``. The page is a plain form, so it works
without JavaScript. The API is explicit and needs no confirmation (docs/rules.md).
"""

from dataclasses import dataclass, field

from django.shortcuts import render

CONFIRM_FIELD = "confirm"
SKIPPED = {"csrfmiddlewaretoken", CONFIRM_FIELD}


def confirmed(request) -> bool:
    """Whether the post came from the confirmation page."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "1"


@dataclass
class Confirmation:
    """What the confirmation page says: ``title`` (the heading), ``consequence`` (what happens
    and that it cannot be undone), ``button`` (the label of the confirming button), where
    ``cancel_url`` goes back to and, optionally, a template of its own that extends
    ``includes/confirm.html`` (the seal review) with ``context``."""

    title: str
    consequence: str
    button: str
    cancel_url: str
    template: str = "includes/confirm.html"
    context: dict = field(default_factory=dict)


def confirmation_page(request, confirmation: Confirmation, *, action_url: str | None = None):
    """The page that asks; its form posts the fields of this request again (so a reason typed
    next to the first button is kept) to ``action_url`` (default: this URL) with confirm=1."""
    fields = []
    if request.method == "POST":
        fields = [
            (name, value)
            for name in request.POST
            if name not in SKIPPED
            for value in request.POST.getlist(name)
        ]
    return render(
        request,
        confirmation.template,
        {
            **confirmation.context,
            "confirmation": confirmation,
            "action_url": action_url or request.path,
            "fields": fields,
        },
    )
