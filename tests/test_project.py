"""Project-wide guarantees: migrations complete, deploy checks clean, no ../shared at run time."""

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.production_probe import production_probe

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """What one process started with the production settings shows (tests/production_probe.py)."""
    return production_probe(tmp_path_factory)


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_production_settings_pass_the_deploy_check(production):
    # manage.py check --deploy --fail-level WARNING
    deploy_check = production["deploy_check"]
    assert deploy_check["ok"], deploy_check["output"]


def test_production_settings_refuse_to_start_without_a_secret_key(production):
    refusal = production["without_secret_key"]
    assert refusal["refused"]
    assert refusal["error"].strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: Set the SECRET_KEY environment variable"
    )


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
