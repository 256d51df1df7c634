"""With the broker (Redis) unreachable, starting background work still answers with a page:
the job is kept pending in the database, the failure is logged, and the page that started it
says "Achtergrondwerk is vertraagd". The broker is a Redis server of the test's own, started
and then killed (the suite's Redis keeps running).

Transactional: the task is sent when the request's transaction really commits, inside the
request, as in production (a test transaction would run it after the response)."""

import socket
import subprocess
import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.roles import VOORZITTER
from config import celery_app
from evaluation.constants import RankingStatus
from evaluation.models import Ranking
from tests.factories import TenderFactory

pytestmark = pytest.mark.django_db(transaction=True)

DELAYED = "Achtergrondwerk is vertraagd"
READY_TIMEOUT = 10  # seconds for the test's own Redis to answer a ping


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker_down(tmp_path):
    """The broker is a ``redis-server`` of this test's own: started, answering, then killed
    (SIGKILL), so every send meets a refused connection as after a crash."""
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                if redis.Redis.from_url(url, socket_timeout=1).ping():
                    break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
        server.kill()
        server.wait(timeout=10)
        conf.task_always_eager, conf.broker_url = False, url
        celery_app._pool = None  # the connection pools are made from broker_url on first use
        celery_app.amqp._producer_pool = None
        yield
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)
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
