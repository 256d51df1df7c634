"""The audit log as CSV, for auditors: semicolons and a byte order mark (Dutch Excel), times
in Europe/Amsterdam, and no cell a spreadsheet would run as a formula."""

import json
from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEntry
from .selectors import AMSTERDAM

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BYTE_ORDER_MARK = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """Text a spreadsheet must not run as a formula (CSV injection): a leading ``= + - @``
    (or tab, carriage return) gets a quote. Object names and details come from users."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def audit_csv_header() -> list[str]:
    return [
        _("Volgnummer"),
        _("Tijdstip (Europe/Amsterdam)"),
        _("Gebruiker"),
        _("Handeling"),
        _("Objecttype"),
        _("Object-id"),
        _("Object"),
        _("Aanbesteding"),
        _("IP-adres"),
        _("Details"),
        _("Vorige hash"),
        _("Hash"),
    ]


def audit_csv_row(entry: AuditEntry) -> list[str]:
    cells = [
        str(entry.seq),
        timezone.localtime(entry.created_at, AMSTERDAM).strftime("%d-%m-%Y %H:%M:%S"),
        entry.actor_repr,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.tender_slug,
        entry.client_address or "",
        json.dumps(entry.details, ensure_ascii=False, sort_keys=True) if entry.details else "",
        entry.prev_hash,
        entry.hash,
    ]
    return [spreadsheet_safe(cell) for cell in cells]


def audit_csv_rows(entries: Iterable[AuditEntry]) -> Iterator[list[str]]:
    """The header, then one row per entry, in the order given."""
    yield audit_csv_header()
    for entry in entries:
        yield audit_csv_row(entry)
