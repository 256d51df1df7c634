"""/healthz: database, Redis and the worker heartbeat; 200 or 503 with JSON, no login."""

import time

import pytest
import redis
from django.conf import settings
from django.db import OperationalError, connection, connections
from django.test import Client

from accounts.roles import INKOPER
from config import celery_app
from config.celery import worker_heartbeat
from config.health import heartbeat_write
from tests.worker_support import READY_TIMEOUT, start_worker, stop_worker, wait_until_ready

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_heartbeat():
    """Each test starts without a recorded heartbeat on the test Redis database."""
    store = redis.Redis.from_url(settings.REDIS_URL)
    store.delete(settings.HEALTHZ_HEARTBEAT_KEY)
    yield store
    store.delete(settings.HEALTHZ_HEARTBEAT_KEY)


@pytest.fixture
def real_worker(settings):
    """Tasks through a broker (as in production), so /healthz looks for a worker heartbeat."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.HEALTHZ_WORKER_MAX_AGE = 180


def test_healthy_with_eager_tasks(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "worker": "eager"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthy_with_a_recent_worker_heartbeat(client, real_worker):
    heartbeat_write(now=time.time() - 30)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}


def test_the_beat_job_records_the_heartbeat(client, real_worker, no_heartbeat):
    assert client.get("/healthz").status_code == 503
    worker_heartbeat()
    assert client.get("/healthz").status_code == 200
    schedule = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    assert schedule["task"] == worker_heartbeat.name
    assert schedule["schedule"] < settings.HEALTHZ_WORKER_MAX_AGE


def test_unhealthy_when_the_database_fails(client, monkeypatch):
    def refuse():
        raise OperationalError("connection to server failed")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "error", "redis": "ok", "worker": "eager"},
    }
    assert b"connection to server" not in response.content  # the reason is logged, not shown


def test_unhealthy_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["checks"]["redis"] == "error"
    assert b"127.0.0.1" not in response.content


def test_unhealthy_when_the_worker_heartbeat_is_stale(client, real_worker):
    heartbeat_write(now=time.time() - 181)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "worker": "error"}


def test_unhealthy_without_any_worker_heartbeat(client, real_worker):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "error"


def test_redis_is_not_checked_where_it_is_not_used(client, settings):
    settings.HEALTHZ_CHECK_REDIS = False
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "not used"


def test_no_login_and_no_second_factor_step(client, make_user):
    """A signed-in municipal user who has not passed the TOTP step still gets the JSON."""
    client.force_login(make_user("inkoper-zonder-2fa", INKOPER))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_only_reads(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)  # the worker reads the committed test database
def test_a_real_worker_records_its_heartbeat_at_start_and_on_the_beat_job(
    tmp_path, settings, no_heartbeat
):
    """``celery -A config worker`` writes the heartbeat when it is ready, and again for every
    ``config.worker_heartbeat`` job (sent here to the worker's own queue, as beat would)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    worker = start_worker(settings_dict=connection.settings_dict, log_path=tmp_path / "w.log")
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        wait_until_ready(worker, celery_app)
        at_start = float(no_heartbeat.get(settings.HEALTHZ_HEARTBEAT_KEY))
        assert time.time() - at_start < READY_TIMEOUT
        assert Client().get("/healthz").json()["checks"]["worker"] == "ok"

        worker_heartbeat.apply_async(queue=worker.queue)  # no result to wait for: poll
        deadline = time.monotonic() + 30
        while float(no_heartbeat.get(settings.HEALTHZ_HEARTBEAT_KEY)) == at_start:
            assert time.monotonic() < deadline, "the heartbeat job did not run"
            time.sleep(0.1)
    finally:
        celery_app.conf.task_always_eager = eager
        stop_worker(worker, celery_app)
        print(f"--- Celery worker log ({worker.log_path}) ---\n{worker.log()}")
        connections.close_all()
