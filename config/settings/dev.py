"""Embedded default for ``make run``: SQLite, Celery tasks in-process, debug on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
