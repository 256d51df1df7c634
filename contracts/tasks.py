"""Celery tasks of contracts: thin wrappers around the services."""

from celery import shared_task
from django.db import OperationalError

from .services.contracts import contract_reminders_send


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def contract_send_extension_reminders() -> dict:
    """Daily (beat): reminders before extension deadlines; idempotent per threshold."""
    return {"contracts_reminded": contract_reminders_send()}
