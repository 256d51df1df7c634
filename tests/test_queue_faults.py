"""With the broker (Redis) unreachable, starting background work still answers with a page:
the job is kept pending in the database, the failure is logged, and the page that started it
says "Achtergrondwerk is vertraagd". The broker is pointed at a closed port; the real Redis
keeps running.

Transactional: the task is sent when the request's transaction really commits, inside the
request, as in production (a test transaction would run it after the response)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.roles import VOORZITTER
from config import celery_app
from evaluation.constants import RankingStatus
from evaluation.models import Ranking
from tests.factories import TenderFactory

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused
DELAYED = "Achtergrondwerk is vertraagd"


@pytest.fixture
def broker_down():
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, CLOSED_PORT
    celery_app._pool = None  # the connection pools are made from broker_url on first use
    celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url = saved
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


def test_with_the_broker_down_the_page_says_work_is_delayed_and_the_job_waits(
    broker_down, client_for, caplog
):
    tender = TenderFactory(selection=True)
    chair = client_for(VOORZITTER)
    overview = reverse("ranking-overview", args=[tender.slug, "selection"])

    response = chair.post(overview, {"seed": "0"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert DELAYED in page and "De ranking wordt berekend" in page
    ranking = Ranking.objects.get(tender=tender, phase="selection")
    assert ranking.status == RankingStatus.PENDING  # kept in the database, not lost
    assert "the broker cannot be reached" in caplog.text
    assert DELAYED not in chair.get(overview).content.decode()  # said once, where it started

    # Once it counts as stalled it can be resumed; with the broker still down the resume
    # says so again and the ranking stays pending.
    moment = timezone.now() - timedelta(seconds=settings.JOB_STALL_SECONDS + 1)
    Ranking.objects.filter(pk=ranking.pk).update(created_at=moment)
    resume = reverse("ranking-resume", args=[tender.slug, "selection", ranking.pk])
    assert DELAYED in chair.post(resume, follow=True).content.decode()
    assert Ranking.objects.get(pk=ranking.pk).status == RankingStatus.PENDING
