"""Production logs are JSON lines with the request id; Sentry only where SENTRY_DSN is set."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.logs import REQUEST_ID_HEADER, JsonFormatter

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-long-random-test-secret-" + "x" * 40 + "-not-used-anywhere",
    "ALLOWED_HOSTS": "aanbesteding.example.org",
    "SUBMISSION_MASTER_KEY": "dGVzdC1vbmx5LWRlcGxveS1jaGVjay1tYXN0ZXIta3k=",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
}


def run_with_production_settings(code: str, **extra: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SENTRY_DSN", "DJANGO_SETTINGS_MODULE")
    }
    env.update(PRODUCTION_ENV, **extra)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord(
        "contracts.tasks", logging.WARNING, __file__, 1, message, args, exc_info
    )


def test_a_record_is_one_json_line_with_utc_time_level_logger_and_message():
    line = JsonFormatter().format(record("%s brieven gemaakt", 3))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry.keys() == {"time", "level", "logger", "message"}
    assert entry["time"].endswith("Z") and "T" in entry["time"]
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "WARNING",
        "contracts.tasks",
        "3 brieven gemaakt",
    )


def test_an_exception_stays_on_the_same_line():
    try:
        raise ValueError("kapot")
    except ValueError:
        line = JsonFormatter().format(record("mislukt", exc_info=sys.exc_info()))
    assert "\n" not in line
    assert "ValueError: kapot" in json.loads(line)["exception"]


@pytest.fixture
def health_log():
    """The JSON lines of the /healthz logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("config.health")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_log_lines_made_while_serving_a_request_carry_its_id(client, settings, health_log):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # /healthz logs why Redis failed
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234")
    assert response[REQUEST_ID_HEADER] == "lb-1234"
    entry = json.loads(health_log.getvalue().splitlines()[0])
    assert entry["request_id"] == "lb-1234"
    assert entry["message"] == "healthz: the redis check failed"
    other = client.get("/healthz", HTTP_X_REQUEST_ID="no spaces or\nnewlines")
    assert len(other[REQUEST_ID_HEADER]) == 32  # a made id instead of the odd one
    assert "request_id" not in JsonFormatter().format(record("buiten een verzoek"))


def test_production_logs_json_and_has_no_sentry_without_a_dsn():
    result = run_with_production_settings(
        "import logging, sys\n"
        "logging.getLogger('tender').warning('deadline verzet')\n"
        "print('sentry_sdk' in sys.modules)\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["logger"] == "tender" and entry["message"] == "deadline verzet"


def test_production_reports_to_sentry_where_a_dsn_is_set():
    result = run_with_production_settings(
        "import sentry_sdk\n"
        "client = sentry_sdk.get_client()\n"
        "names = sorted(client.integrations)\n"
        "print(client.is_active(), client.options['send_default_pii'], 'django' in names,"
        " 'celery' in names)\n",
        SENTRY_DSN="http://public@127.0.0.1:9/1",  # never contacted: no event is sent
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "True", "True"]
