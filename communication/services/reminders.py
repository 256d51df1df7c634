"""Reminders about deadlines (docs/rules.md, "Reminders").

A provider with an unsealed draft gets a mail 7 days and 1 day before a deadline: the beat task
``communication.tasks.send_deadline_reminders`` (hourly) sends each reminder once per draft per
kind (recorded per address in ``MailDelivery``). Which deadlines apply is ``deadlines_of``, the
one place that knows them. When a deadline moves, the registered candidates and subscribers are
mailed (``deadline_moved_mail``), wherever the move happened: on the communication screen
(``market.tender_deadline_move``) or in the tender's set-up (``tender_update`` queues
``communication.tasks.announce_deadline_moved``).
"""

from datetime import datetime, timedelta
from functools import partial

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from providers.constants import SubmissionState
from providers.models import Submission
from tender.constants import SUBMISSIONS_WRITABLE_STATES
from tender.models import Tender
from tender.services.mail import absolute_url, local_display, mail_render

from .delivery import deliver
from .market import deadline_moved_mail

#: Days before a deadline on which an unsealed draft is reminded, largest first.
REMINDER_DAYS = (7, 1)


def deadlines_of(tender: Tender) -> list[tuple[str, datetime]]:
    """The deadlines that apply to drafts now, as (round, moment): the deadline of the round
    whose submissions may be written (requests or offers: ``Tender.round_deadline``)."""
    if tender.state not in SUBMISSIONS_WRITABLE_STATES:
        return []
    round = tender.writable_round()
    deadline = tender.round_deadline(round) if round else None
    return [(round, deadline)] if round and deadline else []


def reminder_kind(deadline: datetime, now: datetime) -> int | None:
    """The reminder due at ``now``: 7 from 7 days before the deadline, 1 from 1 day before,
    none before that or after the deadline (a late beat never sends the 7-day one in the last
    day)."""
    if now >= deadline:
        return None
    for days in sorted(REMINDER_DAYS):
        if now >= deadline - timedelta(days=days):
            return days
    return None


def _organisation_addresses(organisation) -> list[str]:
    users = get_user_model().objects.filter(
        organisation_membership__organisation=organisation, is_active=True
    )
    return [*users.values_list("email", flat=True), organisation.contact_email]


def reminders_send(now: datetime | None = None) -> int:
    """Send the due reminders; the number of mails sent. Idempotent."""
    now = now or timezone.now()
    sent = 0
    tenders = Tender.objects.filter(state__in=SUBMISSIONS_WRITABLE_STATES).select_related("region")
    for tender in tenders:
        for name, deadline in deadlines_of(tender):
            days = reminder_kind(deadline, now)
            if days is None:
                continue
            drafts = Submission.objects.filter(
                tender=tender, round=name, state=SubmissionState.DRAFT
            ).select_related("bidder")
            url = absolute_url(reverse("portal-tender", args=[tender.slug]))
            for draft in drafts:
                context = {
                    "tender": tender,
                    "organisation": draft.bidder,
                    "deadline": local_display(deadline),
                    "days": days,
                    "url": url,
                }
                sent += deliver(
                    f"reminder:{draft.pk}:{name}:{days}",
                    _organisation_addresses(draft.bidder),
                    partial(mail_render, "submission_reminder", context),
                )
    return sent


def deadline_moved_announce(*, tender_id: int, previous: str, deadline: str) -> bool:
    """The task's part for a move in the tender's set-up; skipped when the deadline has moved
    again since (that move sends its own mail)."""
    tender = Tender.objects.select_related("region").filter(pk=tender_id).first()
    moved_to = datetime.fromisoformat(deadline)
    if tender is None or tender.deadline != moved_to:
        return False
    deadline_moved_mail(tender=tender, previous=datetime.fromisoformat(previous), deadline=moved_to)
    return True
