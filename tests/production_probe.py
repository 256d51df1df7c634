"""One process with the production settings, shared by the tests that need a real one.

Starting Django costs seconds of CPU, so the deploy check, the missing-SECRET_KEY refusal, the
JSON logs and the Sentry setup are probed in ONE subprocess per test run (`production_probe()`;
parallel workers share the first one's result); each test asserts on its own part of it.
"""

import fcntl
import functools
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-long-random-test-secret-" + "x" * 40 + "-not-used-anywhere",
    "ALLOWED_HOSTS": "aanbesteding.example.org",
    "SUBMISSION_MASTER_KEY": "dGVzdC1vbmx5LWRlcGxveS1jaGVjay1tYXN0ZXIta3k=",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
}
SENTRY_DSN = "http://public@127.0.0.1:9/1"  # never contacted: no event is sent

# Runs with PRODUCTION_ENV and no SENTRY_DSN; prints one JSON object on its last stdout line.
PROBE = f"""
import io, json, logging, os, runpy, sys, traceback
result = {{}}

# 1. Start Django with the production settings; the console log handler writes to the stderr of
#    that moment, caught here to see what a production log line looks like.
real_stderr, sys.stderr = sys.stderr, io.StringIO()
import django
django.setup()
result["sentry_imported_without_dsn"] = "sentry_sdk" in sys.modules
logging.getLogger("tender").warning("deadline verzet")
result["log_stderr"], sys.stderr = sys.stderr.getvalue(), real_stderr

# 2. manage.py check --deploy --fail-level WARNING
from django.core.management import call_command
from django.core.management.base import CommandError
out, err = io.StringIO(), io.StringIO()
try:
    call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=err)
    result["deploy_check"] = {{"ok": True, "output": out.getvalue() + err.getvalue()}}
except CommandError as error:
    result["deploy_check"] = {{"ok": False, "output": str(error) + out.getvalue() + err.getvalue()}}

# 3. The production settings module, loaded afresh without SECRET_KEY, must refuse.
secret = os.environ.pop("SECRET_KEY")
try:
    runpy.run_module("config.settings.production")
    result["without_secret_key"] = {{"refused": False, "error": ""}}
except Exception:
    result["without_secret_key"] = {{"refused": True, "error": traceback.format_exc()}}
os.environ["SECRET_KEY"] = secret

# 4. The production settings module, loaded afresh with SENTRY_DSN, starts Sentry.
os.environ["SENTRY_DSN"] = {SENTRY_DSN!r}
runpy.run_module("config.settings.production")
import sentry_sdk
client = sentry_sdk.get_client()
names = sorted(client.integrations)
result["sentry_with_dsn"] = [
    client.is_active(), client.options["send_default_pii"], "django" in names, "celery" in names
]
print(json.dumps(result))
"""


def production_probe(tmp_path_factory) -> dict:
    """The probe's result; under pytest-xdist the first worker runs it, the others read it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return run_probe()
    shared = tmp_path_factory.getbasetemp().parent  # one folder per run, common to the workers
    result = shared / "production_probe.json"
    with open(shared / "production_probe.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result.is_file():
            result.write_text(json.dumps(run_probe()))
        return json.loads(result.read_text())


@functools.cache
def run_probe() -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SENTRY_DSN", "DJANGO_SETTINGS_MODULE")
    }
    env.update(PRODUCTION_ENV)
    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])
