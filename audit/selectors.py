"""Reading the audit log for pages that show who did what (read only, like the log itself)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Q, QuerySet

from .models import AuditEntry
from .sealing import visible_entries


def audit_entries_for(*, action: str, objects: Iterable[models.Model]) -> dict[str, AuditEntry]:
    """The newest entry with ``action`` per object, keyed by the object's primary key as text.

    One query, whatever the number of objects; objects without such an entry are left out.
    """
    objects = list(objects)
    if not objects:
        return {}
    label = objects[0]._meta.label_lower
    entries = (
        visible_entries(AuditEntry.objects.all(), action=action)
        .filter(action=action, object_type=label, object_id__in=[str(o.pk) for o in objects])
        .order_by("seq")
    )
    return {entry.object_id: entry for entry in entries}


# -- the audit log screens (issue 18) ---------------------------------------------------------

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class AuditLogFilter:
    """What the audit log screen filters on; empty values filter nothing. Dates are calendar
    days in Europe/Amsterdam, both ends included."""

    action: str = ""
    actor: str = ""
    object_type: str = ""
    object: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM)


def tender_audit_log(*, tender_slug: str, filters: AuditLogFilter | None = None) -> QuerySet:
    """The visible entries about one tender (``visible_entries``: nothing about bids that are
    still sealed), newest first, filtered. A lazy queryset: paginate or stream it."""
    filters = filters or AuditLogFilter()
    entries = visible_entries(AuditEntry.objects.filter(tender_slug=tender_slug))
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.actor:
        entries = entries.filter(actor_repr=filters.actor)
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.object:
        entries = entries.filter(
            Q(object_repr__icontains=filters.object) | Q(object_id=filters.object)
        )
    if filters.date_from:
        entries = entries.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        entries = entries.filter(created_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    return entries.order_by("-seq")


def tender_audit_log_choices(*, tender_slug: str) -> dict[str, list[str]]:
    """The actions, people and object types that occur in the visible log of one tender, for
    the filter's lists (three queries)."""
    entries = visible_entries(AuditEntry.objects.filter(tender_slug=tender_slug))

    def distinct(field: str) -> list[str]:
        values = entries.exclude(**{field: ""}).values_list(field, flat=True)
        return list(values.order_by(field).distinct())

    return {
        "action": distinct("action"),
        "actor": distinct("actor_repr"),
        "object_type": distinct("object_type"),
    }


def tender_audit_entry(*, tender_slug: str, seq: int) -> AuditEntry | None:
    """One visible entry about the tender, or None (also while it is sealed)."""
    return tender_audit_log(tender_slug=tender_slug).filter(seq=seq).first()
