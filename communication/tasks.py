"""Celery tasks of the document library: thin wrappers around
``communication.services.documents``."""

import smtplib

from celery import shared_task
from django.db import OperationalError

from .services.documents import document_announce, document_mail_send, documents_due


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def announce_document(document_id: int) -> bool:
    """Right after an upload that is published at once; idempotent (``announced_at``)."""
    return document_announce(document_id=document_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def announce_due_documents() -> int:
    """Every 5 minutes (beat): announce the documents whose publication moment has come
    (scheduled ones, and any whose task the queue lost)."""
    return sum(document_announce(document_id=pk) for pk in documents_due())


@shared_task(
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, OperationalError),
    retry_backoff=True,
    max_retries=5,
)
def send_document_mail(document_id: int) -> int:
    """The publication mail to the document's audience; retried when the mail server fails."""
    return document_mail_send(document_id=document_id)
