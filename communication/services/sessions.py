"""Sessions (dialoogsessie, gesprekstafel, webinar) as staff plan them.

Registering for a session is ``registrations.session_register``. The rules for a session and
its overflow session that staff must keep when planning live here.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tender.errors import ApplicationError
from tender.models import Lot, Segment, Tender

from ..models import Session
from .market import require_manager

FIELDS = (
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "location",
    "online_link",
    "capacity",
    "registration_deadline",
)


def active_registration_count(session: Session) -> int:
    return session.registrations.filter(cancelled_at__isnull=True).count()


def _check_overflow(session: Session, overflow: Session | None) -> None:
    """One level only: an overflow session has no overflow of its own, is no main session,
    belongs to the same tender and takes no direct registrations."""
    if overflow is None:
        return
    if overflow.tender_id != session.tender_id:
        raise ApplicationError(
            _("De extra sessie hoort bij een andere aanbesteding."), field="overflow"
        )
    if session.pk is not None and overflow.pk == session.pk:
        raise ApplicationError(
            _("Een sessie kan niet haar eigen extra sessie zijn."), field="overflow"
        )
    if overflow.overflow_id is not None:
        raise ApplicationError(
            _("De gekozen extra sessie heeft zelf een extra sessie; kies een andere."),
            field="overflow",
        )
    taken = Session.objects.filter(overflow=overflow).exclude(pk=session.pk).first()
    if taken is not None:
        raise ApplicationError(
            _("De gekozen sessie is al de extra sessie van '%(title)s'.") % {"title": taken},
            field="overflow",
        )
    if session.pk is not None and session.main_session is not None:
        raise ApplicationError(
            _("Deze sessie is zelf een extra sessie en kan er geen krijgen."), field="overflow"
        )
    newly_chosen = session.pk is None or overflow.pk != session.overflow_id
    if newly_chosen and active_registration_count(overflow):
        raise ApplicationError(
            _("De gekozen sessie heeft al eigen aanmeldingen; kies een lege sessie."),
            field="overflow",
        )


def _check_audience(tender: Tender, lots: Iterable[Lot], segments: Iterable[Segment]) -> None:
    if any(lot.tender_id != tender.pk for lot in lots) or any(
        segment.tender_id != tender.pk for segment in segments
    ):
        raise ApplicationError(
            _("Kies alleen percelen en segmenten van deze aanbesteding."), field="segments"
        )


def _check_times_and_place(session: Session) -> None:
    if session.ends_at <= session.starts_at:
        raise ApplicationError(_("Het einde moet na het begin liggen."), field="ends_at")
    if session.registration_deadline > session.starts_at:
        raise ApplicationError(
            _("Aanmelden moet sluiten vóór de sessie begint."), field="registration_deadline"
        )
    if not (session.location.strip() or session.online_link.strip()):
        raise ApplicationError(_("Vul een plaats of een deelnamelink in."), field="location")


def _save(session: Session, lots, segments, overflow) -> Session:
    lots, segments = list(lots), list(segments)
    _check_times_and_place(session)
    _check_audience(session.tender, lots, segments)
    _check_overflow(session, overflow)
    session.overflow = overflow
    try:
        session.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ApplicationError(messages[0], field=field) from exc
    session.save()
    session.lots.set(lots)
    session.segments.set(segments)
    return session


@transaction.atomic
def session_create(
    *,
    tender: Tender,
    user,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    registration_deadline: datetime,
    description: str = "",
    location: str = "",
    online_link: str = "",
    lots: Iterable[Lot] = (),
    segments: Iterable[Segment] = (),
    overflow: Session | None = None,
) -> Session:
    """Plan a session; refused for a cancelled tender and for the rules above."""
    require_manager(user, tender)
    if tender.state == "cancelled":
        raise ApplicationError(_("De aanbesteding is ingetrokken."))
    session = Session(
        tender=tender,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        location=location.strip(),
        online_link=online_link.strip(),
        capacity=capacity,
        registration_deadline=registration_deadline,
    )
    return _save(session, lots, segments, overflow)


@transaction.atomic
def session_update(
    *,
    session: Session,
    user,
    lots: Iterable[Lot] | None = None,
    segments: Iterable[Segment] | None = None,
    overflow: Session | None | Literal[False] = False,
    **changes,
) -> Session:
    """Change a session. The capacity cannot drop below the places already taken, and an
    overflow session that holds registrations stays attached. ``overflow=False`` (default)
    keeps the current one; ``None`` removes it."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    session = Session.objects.select_for_update().get(pk=session.pk)
    require_manager(user, session.tender)
    for name, value in changes.items():
        setattr(session, name, value.strip() if isinstance(value, str) else value)
    taken = active_registration_count(session)
    if session.capacity < taken:
        raise ApplicationError(
            ngettext(
                "Er is al %(count)s aanmelding; de capaciteit kan niet lager zijn.",
                "Er zijn al %(count)s aanmeldingen; de capaciteit kan niet lager zijn.",
                taken,
            )
            % {"count": taken},
            field="capacity",
        )
    new_overflow = session.overflow if overflow is False else overflow
    if (
        session.overflow_id is not None
        and (new_overflow is None or new_overflow.pk != session.overflow_id)
        and active_registration_count(session.overflow)
    ):
        raise ApplicationError(
            _("De huidige extra sessie heeft aanmeldingen en blijft daarom gekoppeld."),
            field="overflow",
        )
    return _save(
        session,
        session.lots.all() if lots is None else lots,
        session.segments.all() if segments is None else segments,
        new_overflow,
    )
