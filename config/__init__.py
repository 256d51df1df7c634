"""Project configuration: settings, Celery app and root URLconf."""

from .celery import app as celery_app

__all__ = ["celery_app"]
