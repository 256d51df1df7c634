"""Celery tasks: thin wrappers around the services."""

from celery import shared_task
from django.db import OperationalError

from .services.ranking import ranking_execute


@shared_task(
    bind=True,
    acks_late=True,
    time_limit=600,
    soft_time_limit=540,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def rank_tender(self, ranking_id: int) -> dict:
    """Compute a requested ranking; idempotent, so a redelivered message does no harm."""
    ranking = ranking_execute(ranking_id=ranking_id)
    return {"ranking": ranking.pk, "status": ranking.status, "input_hash": ranking.input_hash}
