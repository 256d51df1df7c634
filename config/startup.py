"""Refuse to serve with a serious security error (e.g. the published development master key,
``providers.E001``): gunicorn and the Celery worker run no system checks of their own."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def refuse_serious_security_errors() -> None:
    serious = [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.is_serious()]
    if serious:
        raise ImproperlyConfigured("; ".join(f"{m.id}: {m.msg}" for m in serious))
