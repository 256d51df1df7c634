"""The surge benchmark's set-up helpers (bench/surge.py): what it runs against and which
database it is allowed to drop. The surge itself runs with `make bench`, not here."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def surge():
    path = list(sys.path)
    spec = importlib.util.spec_from_file_location("surge_bench", BENCH / "surge.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    sys.path[:] = path
    for name in ("surge_bench", "surge_client"):
        sys.modules.pop(name, None)


def test_default_surge_is_500_seals_by_50_clients_in_the_last_minute(surge):
    config = surge.parse_args([])
    assert (config.providers, config.tenders, config.drafts) == (500, 1, 500)
    assert (config.concurrency, config.window, config.margin) == (50, 60.0, 5.0)
    assert (config.workers, config.worker_class, config.conn_max_age) == (3, "sync", None)


@pytest.mark.parametrize(
    "argv", [["--providers", "0"], ["--concurrency", "0"], ["--margin", "0"], ["--window", "-1"]]
)
def test_impossible_surges_are_refused(surge, argv, capsys):
    with pytest.raises(SystemExit):
        surge.parse_args(argv)
    assert "must be" in capsys.readouterr().err


def test_bench_database_is_asd_surge_bench_on_the_server_of_database_url(surge):
    url = surge.bench_database_url({"DATABASE_URL": "postgres://u:p@db.local:5433/aanbesteding"})
    assert url == "postgres://u:p@db.local:5433/asd_surge_bench"
    assert surge.bench_database_url({"DATABASE_URL": "sqlite:///db.sqlite3"}).endswith(
        "127.0.0.1:5432/asd_surge_bench"
    )


@pytest.mark.parametrize(
    "url", ["postgres://postgres@127.0.0.1/aanbesteding", "sqlite:////tmp/x_bench"]
)
def test_a_database_that_is_not_a_postgresql_bench_database_is_never_used(surge, url):
    """The bench drops its database at the end: never a real one."""
    with pytest.raises(SystemExit):
        surge.bench_database_url({"SURGE_DATABASE_URL": url})


def test_web_processes_get_production_settings_and_the_connection_age_asked_for(surge):
    env = surge.server_environment(
        database_url="postgres://postgres@127.0.0.1:5432/x_bench?conn_max_age=5",
        media_root="media",
        smtp_port=2525,
        conn_max_age=60,
    )
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert env["DATABASE_URL"] == "postgres://postgres@127.0.0.1:5432/x_bench?conn_max_age=60"
    assert env["EMAIL_URL"] == "smtp://127.0.0.1:2525"
    assert env["SENTRY_DSN"] == ""


def test_percentile_is_nearest_rank(surge):
    values = [float(n) for n in range(1, 101)]
    assert surge.percentile(values, 50) == 50.0
    assert surge.percentile(values, 95) == 95.0
    assert surge.percentile([0.3], 95) == 0.3
    assert surge.percentile([], 95) == 0.0
