"""The procurement staff's start page lines for the tenders themselves (issue 18.1): per
tender in progress its current step and the next action with its deadline, and the openings
that wait for a second person. One query (the user's roles are read once and cached)."""

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.todos import Todo

from .constants import Round, TenderState
from .models import Tender
from .selectors import tenders_visible_to
from .services.lifecycle import available_transitions

#: Tenders whose procedure is over: no start page line.
FINISHED_STATES = (TenderState.CANCELLED, TenderState.CONTRACTED, TenderState.ADMISSION_CLOSED)
#: The state in which an opening waits for its confirmations, and the round it opens.
OPENING_STATES = {
    TenderState.REQUESTS_CLOSED: Round.REQUEST,
    TenderState.OFFERS_CLOSED: Round.OFFER,
}


def tenders_in_progress(user) -> QuerySet[Tender]:
    """The tenders the user may see whose procedure is not over, the nearest deadline first,
    with the number of opening confirmations per round."""
    return (
        tenders_visible_to(user)
        .exclude(state__in=FINISHED_STATES)
        .annotate(
            request_confirmations=Count(
                "opening_confirmations", filter=Q(opening_confirmations__round=Round.REQUEST)
            ),
            offer_confirmations=Count(
                "opening_confirmations", filter=Q(opening_confirmations__round=Round.OFFER)
            ),
        )
        .order_by("deadline", "slug")
    )


#: Transitions that are possible but never "the next action" of a tender's to-do line.
_NOT_NEXT = frozenset({"cancel", "consult"})


def procurement_todos(*, user, tenders: list[Tender]) -> list[Todo]:
    """Per tender (from ``tenders_in_progress``): the next step the user's roles allow, or
    the opening that waits for a second person. No query."""
    todos = []
    for tender in tenders:
        url = reverse("tender-detail", args=[tender.slug])
        step = tender.get_state_display()
        round = OPENING_STATES.get(tender.state)
        confirmations = (
            tender.request_confirmations if round == Round.REQUEST else tender.offer_confirmations
        )
        transitions = available_transitions(tender=tender, user=user)
        if round is not None and confirmations:
            action = _("Opening wacht op een tweede persoon")
        elif transitions:
            # The next step forward: never cancelling, nor the optional market consultation.
            forward = [t for t in transitions if t.name not in _NOT_NEXT]
            action = str(forward[0].label) if forward else _("Bekijken")
        else:
            action = _("Bekijken")
        todos.append(
            Todo(
                subject=tender.title,
                action=action,
                url=url,
                step=step,
                due=tender.current_deadline,
            )
        )
    return todos
