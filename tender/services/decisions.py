"""Provisional segments and the decision records that make them definitive (issue 15.1).

During the market consultation the structure of a tender is still being designed: a segment
may be marked provisional with a note ("onder voorbehoud van besluitvorming"). A decision of a
municipal body (college, raad or bestuurlijk overleg: date, what was decided, optionally the
decision document from the tender's document library) makes it definitive. Publishing needs
every segment definitive (``lifecycle._segments_definitive``); the decisions are in the audit
log (``segment.provisional``, ``segment.decision``) and on the tender's pages.

Both actions are set-up changes: procurement staff, while the set-up may change
(``tender.permissions.setup_refusal``).
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from ..constants import PROVISIONAL_NOTE, DecisionBody
from ..errors import ApplicationError
from ..models import DecisionRecord, Segment
from .setup._base import full_clean, lock_for_setup


def _locked_segment(segment: Segment, user) -> Segment:
    lock_for_setup(segment.tender, user)
    return Segment.objects.select_for_update().select_related("tender").get(pk=segment.pk)


@transaction.atomic
def segment_provisional_set(
    *, segment: Segment, user, note: str = "", client_address: str | None = None
) -> Segment:
    """Mark ``segment`` provisional with ``note`` (default: the seeds' "onder voorbehoud van
    besluitvorming"). Refused for a segment that is provisional already."""
    segment = _locked_segment(segment, user)
    if segment.provisional:
        raise ApplicationError(
            _("Segment %(code)s staat al onder voorbehoud.") % {"code": segment.code}
        )
    segment.provisional = True
    segment.provisional_note = (note or "").strip() or PROVISIONAL_NOTE
    full_clean(segment)
    segment.save(update_fields=["provisional", "provisional_note"])
    audit_record(
        action="segment.provisional",
        actor=user,
        obj=segment,
        tender=segment.tender,
        client_address=client_address,
        details={"segment": segment.code, "note": segment.provisional_note},
    )
    return segment


def decision_problems(
    *, segment: Segment, body: str, decided_on: date | None, decision: str, document=None
) -> list[tuple[str, str]]:
    problems = []
    if body not in DecisionBody.values:
        problems.append(("body", _("Kies wie het besluit nam.")))
    if decided_on is None:
        problems.append(("decided_on", _("Vul de datum van het besluit in.")))
    elif decided_on > timezone.localdate():
        problems.append(("decided_on", _("De datum van het besluit ligt in de toekomst.")))
    if not (decision or "").strip():
        problems.append(("decision", _("Beschrijf wat er besloten is.")))
    if document is not None and document.tender_id != segment.tender_id:
        problems.append(("document", _("Kies een document van deze aanbesteding.")))
    return problems


@transaction.atomic
def decision_record(
    *,
    segment: Segment,
    user,
    body: str,
    decided_on: date | None,
    decision: str,
    document=None,
    client_address: str | None = None,
) -> DecisionRecord:
    """Record the decision that makes the provisional ``segment`` definitive. Refused for a
    definitive segment, a date in the future, an empty decision and a document of another
    tender. Audited (``segment.decision``): the tender's history shows it."""
    segment = _locked_segment(segment, user)
    if not segment.provisional:
        raise ApplicationError(
            _("Segment %(code)s is al definitief.") % {"code": segment.code}, field="segment"
        )
    problems = decision_problems(
        segment=segment, body=body, decided_on=decided_on, decision=decision, document=document
    )
    if problems:
        field, message = problems[0]
        raise ApplicationError(message, field=field)
    record = DecisionRecord(
        segment=segment,
        body=body,
        decided_on=decided_on,
        decision=decision.strip(),
        document=document,
        recorded_by=user,
    )
    full_clean(record)
    record.save()
    segment.provisional = False
    segment.save(update_fields=["provisional"])
    audit_record(
        action="segment.decision",
        actor=user,
        obj=segment,
        tender=segment.tender,
        client_address=client_address,
        details={
            "segment": segment.code,
            "body": body,
            "decided_on": decided_on.isoformat() if decided_on else None,
            "decision": record.decision,
            "note": segment.provisional_note,
            "document": document.pk if document is not None else None,
        },
    )
    return record


def decisions_of(tender) -> list[DecisionRecord]:
    """The tender's decision records in date order (the history on the tender pages)."""
    return list(
        DecisionRecord.objects.filter(segment__tender=tender)
        .select_related("segment", "document")
        .order_by("decided_on", "pk")
    )
