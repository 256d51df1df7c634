"""Reading the audit log for pages that show who did what (read only, like the log itself)."""

from collections.abc import Iterable

from django.db import models

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
        visible_entries(AuditEntry.objects.all())
        .filter(action=action, object_type=label, object_id__in=[str(o.pk) for o in objects])
        .order_by("seq")
    )
    return {entry.object_id: entry for entry in entries}
