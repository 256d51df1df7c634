"""The Achterhoek demo brought to a final award: both rankings finalised, tender 'awarded'."""

import pytest

from evaluation.services.ranking import ranking_finalise, ranking_request
from tender.models import Tender


@pytest.fixture
def awarded_tender(demo_tender, make_user, django_capture_on_commit_callbacks):
    chair = make_user("voorzitter-c", "voorzitter")
    for phase in ("selection", "award"):
        with django_capture_on_commit_callbacks(execute=True):
            ranking = ranking_request(tender=demo_tender, phase=phase, seed=0)
        ranking.refresh_from_db()
        ranking_finalise(ranking=ranking, user=chair)
    Tender.objects.filter(pk=demo_tender.pk).update(state="awarded")
    demo_tender.refresh_from_db()
    return demo_tender


@pytest.fixture
def contract_manager(make_user):
    return make_user("cm", "contractmanager")


@pytest.fixture
def contracts(awarded_tender, contract_manager):
    from contracts.services.contracts import contracts_create_from_awards

    return contracts_create_from_awards(tender=awarded_tender, user=contract_manager)
