"""Celery tasks: thin wrappers around the services."""

from celery import shared_task
from django.db import OperationalError

from .services import audit_verification_execute


@shared_task(
    bind=True,
    acks_late=True,
    time_limit=3600,
    soft_time_limit=3500,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def verify_audit_chain(self, verification_id: int) -> dict:
    """Check the whole audit chain for a requested verification; idempotent."""
    verification = audit_verification_execute(verification_id=verification_id)
    return {"verification": verification.pk, "intact": verification.intact}
