"""Production logs are JSON lines with the request id; Sentry only where SENTRY_DSN is set."""

import io
import json
import logging
import sys

import pytest

from config.logs import REQUEST_ID_HEADER, JsonFormatter
from tests.production_probe import production_probe


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """What one process started with the production settings shows (tests/production_probe.py)."""
    return production_probe(tmp_path_factory)


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


def test_production_logs_json_and_has_no_sentry_without_a_dsn(production):
    # the process started with the production settings and no SENTRY_DSN
    assert production["sentry_imported_without_dsn"] is False
    entry = json.loads(production["log_stderr"].strip().splitlines()[-1])
    assert entry["logger"] == "tender" and entry["message"] == "deadline verzet"


def test_production_reports_to_sentry_where_a_dsn_is_set(production):
    # [active, send_default_pii, Django integration, Celery integration] after the production
    # settings load with SENTRY_DSN set
    assert production["sentry_with_dsn"] == [True, False, True, True]
