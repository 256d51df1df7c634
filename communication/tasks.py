"""Celery tasks of the tender's communication: thin wrappers around ``communication.services``.

The mail tasks retry when the mail server fails; each recipient is mailed once even so
(``services.delivery``)."""

import smtplib

from celery import shared_task
from django.db import OperationalError

from .services.documents import document_announce, document_mail_send, documents_due
from .services.newsletters import issue_mail_send
from .services.reminders import deadline_moved_announce, reminders_send
from .services.sessions import (
    session_cancellation_mail,
    session_change_mail,
    session_details_due_send,
    session_details_mail,
    sessions_details_due,
)

MAIL_RETRY = {
    "acks_late": True,
    "autoretry_for": (smtplib.SMTPException, ConnectionError, OperationalError),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def announce_document(document_id: int) -> bool:
    """Right after an upload that is published at once; idempotent (``announced_at``)."""
    return document_announce(document_id=document_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def announce_due_documents() -> int:
    """Every 5 minutes (beat): announce the documents whose publication moment has come
    (scheduled ones, and any whose task the queue lost)."""
    return sum(document_announce(document_id=pk) for pk in documents_due())


@shared_task(**MAIL_RETRY)
def send_document_mail(document_id: int) -> int:
    """The publication mail to the document's audience; retried when the mail server fails."""
    return document_mail_send(document_id=document_id)


@shared_task(**MAIL_RETRY)
def send_newsletter_issue(issue_id: int) -> int:
    """A sent newsletter issue to each confirmed subscriber, once."""
    return issue_mail_send(issue_id=issue_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def send_due_session_details() -> int:
    """Hourly (beat): sessions whose "nadere informatie uiterlijk" date has come get their
    programme and online link mailed, once."""
    return sum(session_details_due_send(session_id=pk) for pk in sessions_details_due())


@shared_task(**MAIL_RETRY)
def send_session_details(session_id: int) -> int:
    return session_details_mail(session_id=session_id)


@shared_task(**MAIL_RETRY)
def send_session_change(session_id: int, revision: int) -> int:
    return session_change_mail(session_id=session_id, revision=revision)


@shared_task(**MAIL_RETRY)
def send_session_cancellation(session_id: int, reason: str = "") -> int:
    return session_cancellation_mail(session_id=session_id, reason=reason)


@shared_task(**MAIL_RETRY)
def send_deadline_reminders() -> int:
    """Hourly (beat): the 7-day and 1-day reminders to unsealed drafts, each once."""
    return reminders_send()


@shared_task(**MAIL_RETRY)
def announce_deadline_moved(tender_id: int, previous: str, deadline: str) -> bool:
    """A deadline moved in the tender's set-up: mail the registered candidates."""
    return deadline_moved_announce(tender_id=tender_id, previous=previous, deadline=deadline)
