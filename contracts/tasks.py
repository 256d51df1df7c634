"""Celery tasks of contracts (award letters, final award, extension reminders): thin wrappers
around the services."""

from celery import group, shared_task
from django.db import OperationalError

from .services.awards import (
    award_finalise_due,
    delivery_execute,
    delivery_failed,
    letter_make,
    letters_start,
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
    """Start (or resume) a letter run: one ``generate_letter`` task per letter still missing,
    sent to the queue this task came from, so the workers make them in parallel. Idempotent:
    a retried, redelivered or resumed run queues only the letters still missing, and a letter
    made meanwhile is skipped by its task. Eager (tests, no broker), the letters are made here,
    one after another."""
    run, missing = letters_start(run_id=run_id)
    if missing:
        routing_key = (self.request.delivery_info or {}).get("routing_key")
        options = {"queue": routing_key} if routing_key and not self.request.is_eager else {}
        group(generate_letter.s(run.pk, bidder_id) for bidder_id in missing).apply_async(**options)
        run.refresh_from_db()
    return {"run": run.pk, "status": run.status, "done": run.done, "total": run.total}


@shared_task(
    acks_late=True,
    time_limit=300,
    soft_time_limit=280,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def generate_letter(run_id: int, bidder_id: int) -> dict:
    """Make one letter of a run (skipped when it exists), one transaction; the task that
    finds no letter missing marks the run done."""
    run = letter_make(run_id=run_id, bidder_id=bidder_id)
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
