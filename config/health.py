"""``/healthz``: is this instance able to serve? For load balancers and container probes.

Checks the database (``SELECT 1``), Redis (``PING`` on ``REDIS_URL``) and a recent heartbeat of
a Celery worker. Answers 200 ``{"status": "ok", "checks": {...}}`` or 503 with
``"status": "error"`` and the failing checks marked ``"error"``; the reasons go to the log, not
to the (anonymous) caller.

The worker heartbeat is a timestamp in Redis (key ``HEALTHZ_HEARTBEAT_KEY``), written by every
worker when it starts (``worker_ready``) and by the ``config.worker_heartbeat`` beat job every
minute (``config/celery.py``); it is recent when younger than ``HEALTHZ_WORKER_MAX_AGE``
seconds. With eager tasks (the embedded default) there is no worker: the check says ``"eager"``
and passes.
"""

import logging
import time

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

REDIS_TIMEOUT = 2  # seconds, to connect and to answer: a probe must not hang

OK, ERROR = "ok", "error"


def _redis() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )


def heartbeat_write(now: float | None = None) -> None:
    """Record that a worker is alive (epoch seconds)."""
    _redis().set(settings.HEALTHZ_HEARTBEAT_KEY, repr(time.time() if now is None else now))


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def _check_redis() -> str:
    if not settings.HEALTHZ_CHECK_REDIS:
        return "not used"
    _redis().ping()
    return OK


def _check_worker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    raw = _redis().get(settings.HEALTHZ_HEARTBEAT_KEY)
    if raw is None:
        raise LookupError("no worker heartbeat recorded")
    age = time.time() - float(raw)
    if age > settings.HEALTHZ_WORKER_MAX_AGE:
        raise LookupError(f"last worker heartbeat {age:.0f} s ago")
    return OK


CHECKS = {"database": _check_database, "redis": _check_redis, "worker": _check_worker}


def health_checks() -> dict[str, str]:
    """Each check's outcome: ``ok`` (or why it does not apply), else ``error``."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:  # any failure means "not healthy"; the reason goes to the log
            logger.warning("healthz: the %s check failed", name, exc_info=True)
            results[name] = ERROR
    return results


@never_cache
@require_safe
def healthz(request):
    checks = health_checks()
    healthy = ERROR not in checks.values()
    return JsonResponse(
        {"status": OK if healthy else ERROR, "checks": checks}, status=200 if healthy else 503
    )
