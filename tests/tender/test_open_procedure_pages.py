"""The open procedure has one round and no selection phase: no staff page of such a tender
shows a selection step, button, ranking or link (issue 14). Every staff URL pattern that takes
only the tender's slug is fetched in the states of the open procedure's lifecycle."""

import pytest

from tender.constants import PROCEDURE_STEPS, Procedure
from tender.models import Tender
from tests.url_sweep import leaks, url_patterns

pytestmark = pytest.mark.django_db

#: What a selection step looks like on a page: its phase, its ranking and its round.
SELECTION_MARKERS = [
    "Selectiefase",
    "selectiefase",
    "Ranking selectie",
    "/selection/",
    "Verzoek tot deelneming",
    "Verzoeken tot deelneming",
    "Selectiebeslissing",
]


def test_no_staff_page_of_an_open_tender_shows_a_selection_step(demo_tender, client_for):
    Tender.objects.filter(pk=demo_tender.pk).update(procedure=Procedure.OPEN)
    client = client_for("inkoper")
    client.user.is_superuser = True
    client.user.save(update_fields=["is_superuser"])
    pages = {
        name: route
        for name, (route, params) in url_patterns(prefixes=("aanbestedingen/",)).items()
        if params == {"slug"}
    }
    assert "tender-detail" in pages and "award-decision" in pages
    found, fetched = {}, set()
    for state in PROCEDURE_STEPS[Procedure.OPEN]:
        Tender.objects.filter(pk=demo_tender.pk).update(state=state)
        for name, route in pages.items():
            path = "/" + route.replace("<slug:slug>", demo_tender.slug)
            response = client.get(path)
            if response.status_code != 200:
                continue
            fetched.add(name)
            shown = leaks(response, SELECTION_MARKERS)
            if shown:
                found[(state, name)] = shown
    assert found == {}
    assert {"tender-detail", "award-decision", "communication-hub"} <= fetched
    # The markers do find a selection step: the same page of a restricted tender shows it.
    Tender.objects.filter(pk=demo_tender.pk).update(procedure=Procedure.RESTRICTED)
    detail = client.get(f"/aanbestedingen/{demo_tender.slug}/")
    assert leaks(detail, SELECTION_MARKERS)
