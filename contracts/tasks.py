"""Celery tasks of contracts (award letters, final award, extension reminders): thin wrappers
around the services."""

from celery import shared_task
from django.db import OperationalError

from .services.awards import (
    award_finalise_due,
    delivery_execute,
    delivery_failed,
    letters_execute,
)
from .services.contracts import contract_reminders_send, contracts_end_expired


@shared_task(
    bind=True,
    acks_late=True,
    time_limit=1800,
    soft_time_limit=1740,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def generate_letters(self, run_id: int) -> dict:
    """Make the letters of a run, one transaction per letter; idempotent, so a retried,
    redelivered or restarted task makes only the letters still missing."""
    run = letters_execute(run_id=run_id)
    return {"run": run.pk, "status": run.status, "done": run.done, "total": run.total}


@shared_task(acks_late=True)
def finalise_due_awards() -> dict:
    """Scheduled (hourly): make the award final where the standstill has ended without an
    open objection."""
    results = award_finalise_due()
    return {
        slug: {"finalised": r.finalised, "refused": [code for code, _ in r.refused]}
        for slug, r in results.items()
    }


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def contract_send_extension_reminders() -> dict:
    """Daily (beat): reminders before extension deadlines; idempotent per threshold."""
    return {"contracts_reminded": contract_reminders_send()}


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def contracts_end_expired_task() -> dict:
    """Daily (beat): contracts past their end date are marked ended."""
    return {"contracts_ended": contracts_end_expired()}


@shared_task(bind=True, acks_late=True, max_retries=3)
def deliver_letter(self, delivery_id: int, base_url: str = "") -> str:
    """Mail one sent letter to one address; retried with a growing delay, then recorded as
    failed (shown on the award page's delivery table, where staff resend it or record
    another way of delivery). Run eagerly (tests, no broker), the retries follow at once."""
    while True:
        try:
            return delivery_execute(delivery_id=delivery_id, base_url=base_url).status
        except Exception as exc:
            if self.request.retries >= self.max_retries:
                delivery_failed(delivery_id=delivery_id, error=str(exc) or type(exc).__name__)
                return "failed"
            if not self.request.is_eager:
                raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
            self.request.retries += 1
