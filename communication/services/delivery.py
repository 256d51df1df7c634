"""Mail that leaves from a Celery task, each recipient once (docs/rules.md, "Mail").

``deliver`` sends one mail per address and records it in ``MailDelivery`` under a key (what the
mail is about) right after it left. A task that fails halfway (the mail server refused) is
retried by Celery and skips the addresses already recorded, so nobody gets a newsletter, a
programme or a reminder twice. A worker that dies between sending and recording may send that
one mail again: at least once, never none.
"""

from collections.abc import Callable, Iterable

from django.core.mail import EmailMessage, get_connection

from ..models import MailDelivery


def delivered(key: str) -> set[str]:
    return set(MailDelivery.objects.filter(key=key).values_list("email", flat=True))


def deliver(key: str, recipients: Iterable[str], build: Callable[[str], EmailMessage]) -> int:
    """Send ``build(address)`` to each of ``recipients`` not yet recorded under ``key``; the
    number of mails sent now. A mail server error propagates (the task retries)."""
    done = delivered(key)
    connection = None
    sent = 0
    for address in dict.fromkeys(a.strip().lower() for a in recipients if a):
        if address in done:
            continue
        connection = connection or get_connection()
        connection.send_messages([build(address)])
        MailDelivery.objects.get_or_create(key=key, email=address)
        done.add(address)
        sent += 1
    return sent
