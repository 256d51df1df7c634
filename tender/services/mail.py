"""Mail to the market: rendered from ``templates/emails/``, always in Dutch, sent after commit.

Mails leave only when the transaction that caused them commits, so a refused or rolled-back
action never mails anyone. A mail server that is down does not undo the action: the failure
is logged. Links in mails are absolute: ``base_url`` is the address of the site as the request
saw it (views and the API pass ``request.build_absolute_uri("/")``), else ``SITE_URL``.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

logger = logging.getLogger(__name__)

DEFAULT_SITE_URL = "http://127.0.0.1:8000/"


def base_url_of(request) -> str:
    """The address of the site as ``request`` saw it, for the links in mails."""
    return request.build_absolute_uri("/")


def absolute_url(path: str, base_url: str = "") -> str:
    base = base_url or getattr(settings, "SITE_URL", "") or DEFAULT_SITE_URL
    return urljoin(base, path)


def mail_render(
    template: str, context: dict, to: str, *, unsubscribe_url: str | None = None
) -> EmailMessage:
    """One plain-text mail from ``emails/<template>_subject.txt`` and ``emails/<template>.txt``.

    With ``unsubscribe_url`` the mail carries it in the body (the template shows it) and in a
    ``List-Unsubscribe`` header with ``List-Unsubscribe-Post`` (RFC 8058 one-click), so mail
    clients offer their own unsubscribe button.
    """
    context = {**context, "unsubscribe_url": unsubscribe_url}
    with translation.override("nl"):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        body = render_to_string(f"emails/{template}.txt", context)
    headers = (
        {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        if unsubscribe_url
        else {}
    )
    return EmailMessage(subject=subject, body=body, to=[to], headers=headers)


def _send(messages: list[EmailMessage]) -> None:
    try:
        get_connection().send_messages(messages)
    except (smtplib.SMTPException, OSError):
        logger.exception("Sending %d mail(s) failed", len(messages))


def mail_after_commit(messages: Iterable[EmailMessage]) -> None:
    """Send ``messages`` (one connection) once the current transaction commits."""
    messages = list(messages)
    if messages:
        transaction.on_commit(lambda: _send(messages))


def local_display(moment: datetime) -> str:
    """A moment as Dutch users read it: Amsterdam time, e.g. '1 juni 2021 12:00'."""
    return date_format(timezone.localtime(moment), "j F Y H:i")
