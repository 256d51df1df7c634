"""The embedded default under concurrent use: two evaluators autosaving at the same time on
SQLite (a file database, the settings of ``make run``) never get "database is locked". The
work runs in a subprocess (``sqlite_concurrency.py``) because the suite's own database is
PostgreSQL."""

import json
import os
import subprocess
import sys

from django.conf import settings

TIMEOUT = 120  # seconds; the run takes ~5 s of CPU


def test_two_evaluators_saving_at_once_on_sqlite_get_no_database_locked_error(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    finished = subprocess.run(
        [sys.executable, "-m", "tests.evaluation.sqlite_concurrency"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    outcome = json.loads(finished.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert outcome["saved"] == 2 * 20
    assert outcome["journal_mode"] == "wal"
