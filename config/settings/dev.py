"""Embedded default for ``make run``: SQLite, Celery tasks in-process, debug on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)

# A fixed, published key for development and tests only; production refuses it (system
# check providers.E001), these settings allow it.
ALLOW_DEVELOPMENT_MASTER_KEY = True
SUBMISSION_MASTER_KEY = env(
    "SUBMISSION_MASTER_KEY", default="ZGV2LW9ubHktc3VibWlzc2lvbi1tYXN0ZXIta2V5ISE="
)
