"""Project-wide guarantees: migrations complete, deploy checks clean, no ../shared at run time."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_production_settings_pass_the_deploy_check():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-long-random-test-secret-" + "x" * 40 + "-not-used-anywhere",
        "ALLOWED_HOSTS": "aanbesteding.example.org",
        "SUBMISSION_MASTER_KEY": "dGVzdC1vbmx5LWRlcGxveS1jaGVjay1tYXN0ZXIta3k=",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="x.org",
        SUBMISSION_MASTER_KEY="dGVzdC1vbmx5LWRlcGxveS1jaGVjay1tYXN0ZXIta3k=",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_the_project_never_reads_the_shared_folder():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if ".venv" not in path.parts
        and "node_modules" not in path.parts
        and "tests" not in path.parts
        and "../shared" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
