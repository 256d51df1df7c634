"""When a background job (a ranking, a letter run) counts as stalled: its worker died, or its
message never reached a worker. Such a job can be resumed from its screen; the jobs are
idempotent, so resuming one that was only slow does no harm."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

ACTIVE_STATUSES = ("pending", "running")


def job_stalled(
    *,
    status: str,
    heartbeat_at: datetime | None,
    created_at: datetime | None,
    now: datetime | None = None,
) -> bool:
    """A pending or running job without a sign of life for ``JOB_STALL_SECONDS``: its worker
    died (or it was never queued). The last sign of life is the job's heartbeat (written at the
    start and after every step) or, before its first one, its creation."""
    if status not in ACTIVE_STATUSES:
        return False
    last = heartbeat_at or created_at
    if last is None:
        return False
    now = now or timezone.now()
    return now - last > timedelta(seconds=settings.JOB_STALL_SECONDS)
