"""Helpers shared by the set-up services: validation pieces, locking, saving, auditing."""

import re
from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from audit.services import audit_record

from ...errors import ApplicationError
from ...models import (
    Tender,
    code_validator,
)
from ...permissions import setup_refusal

Problems = list[tuple[str, str]]

# The scenario schema's slug: a tender made here can always be exported and loaded again.
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


# -- helpers ------------------------------------------------------------------------------


def raise_first(problems: Problems) -> None:
    if problems:
        field, message = problems[0]
        raise ApplicationError(message, field=field)


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def code_problems(code: str, field: str = "code") -> Problems:
    if blank(code):
        return [(field, _("Vul een code in."))]
    try:
        code_validator(code)
    except ValidationError:
        return [
            (field, _("Een code bestaat uit letters, cijfers, '.', '_' of '-' (max. 32 tekens)."))
        ]
    return []


def not_negative(value, field: str, label: str) -> Problems:
    if value is not None and value < 0:
        return [(field, _("%(label)s mag niet negatief zijn.") % {"label": label})]
    return []


def choice(value, choices, field: str) -> Problems:
    if value not in choices.values:
        return [(field, _("Kies een van de mogelijkheden."))]
    return []


def taken(queryset: QuerySet, instance) -> bool:
    if instance is not None and instance.pk:
        queryset = queryset.exclude(pk=instance.pk)
    return queryset.exists()


def next_position(queryset: QuerySet) -> int:
    highest = queryset.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def full_clean(instance, exclude: Iterable[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ApplicationError(
            messages[0], field=None if field == NON_FIELD_ERRORS else field
        ) from exc


def save(instance, conflict_field: str = "code") -> None:
    """full_clean() and save; a unique constraint that still fails (a concurrent writer)
    becomes an ApplicationError instead of a server error."""
    full_clean(instance)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ApplicationError(
            _("Deze code is zojuist door een andere wijziging in gebruik genomen."),
            field=conflict_field,
        ) from exc


def lock_for_setup(tender: Tender, user) -> Tender:
    """The tender row, locked for this transaction; refused when the set-up may not change."""
    tender = Tender.objects.select_for_update().select_related("region").get(pk=tender.pk)
    reason = setup_refusal(user, tender)
    if reason:
        raise ApplicationError(reason)
    return tender


def changes(instance, values: dict) -> dict:
    """Set ``values`` on ``instance``; return {field: [old, new]} for the audit log."""
    changed = {}
    for name, value in values.items():
        old = getattr(instance, name)
        if old != value:
            changed[name] = [str(old) if old is not None else None, str(value)]
            setattr(instance, name, value)
    return changed


def audit(action: str, *, user, obj, tender: Tender, client_address, details=None) -> None:
    audit_record(
        action=f"setup.{action}",
        actor=user,
        obj=obj,
        tender=tender,
        client_address=client_address,
        details=details or {},
    )
