"""Settings for the test suite: PostgreSQL and Redis, the production engines.

Tasks run eagerly by default; the worker tests (marker ``worker``) switch the Celery app to a
real broker and start a worker process against the same test database.
"""

import atexit
import os
import shutil
import tempfile

from .base import *  # noqa: F403
from .base import env

# The files the suite writes (letters, uploads) go to a directory of this run, never to the
# checkout's media/: the first process makes it, its children (xdist workers, the real Celery
# workers) inherit it through the environment, and it is removed when that process ends.
if "MEDIA_ROOT" not in os.environ:
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="asd-test-media-")
    atexit.register(shutil.rmtree, os.environ["MEDIA_ROOT"], True)
MEDIA_ROOT = os.environ["MEDIA_ROOT"]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/aanbesteding"),
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A test database is thrown away after the run: its commits need not wait for the WAL to
    # reach the disk (the browser and worker tests commit and truncate after every test).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
HEALTHZ_CHECK_REDIS = True  # the suite runs with Redis
# One heartbeat per test process (pytest-xdist worker): the health tests of one process must
# not see the heartbeat of a real Celery worker that another process started (the worker
# subprocess inherits the variable, so its heartbeat is its own process's).
HEALTHZ_HEARTBEAT_KEY = "aanbesteding:worker-heartbeat:" + os.environ.get(
    "PYTEST_XDIST_WORKER", "main"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},  # S3: tests/s3
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A fixed, published key for development and tests only; production refuses it (system
# check providers.E001), these settings allow it.
ALLOW_DEVELOPMENT_MASTER_KEY = True
SUBMISSION_MASTER_KEY = env(
    "SUBMISSION_MASTER_KEY", default="ZGV2LW9ubHktc3VibWlzc2lvbi1tYXN0ZXIta2V5ISE="
)
