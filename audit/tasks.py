"""Celery tasks: thin wrappers around the services."""

from celery import shared_task
from django.db import OperationalError

from .services import audit_verification_execute


@shared_task(
    bind=True,
    acks_late=True,
    # Within CELERY_LONGEST_TASK_SECONDS, which sets the broker's visibility timeout: a longer
    # task would be redelivered to a second worker while the first still runs.
    time_limit=1800,
    soft_time_limit=1740,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def verify_audit_chain(self, verification_id: int) -> dict:
    """Check the whole audit chain for a requested verification; idempotent."""
    verification = audit_verification_execute(verification_id=verification_id)
    return {"verification": verification.pk, "intact": verification.intact}
