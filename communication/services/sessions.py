"""Sessions (gesprekstafel, workshop, kennissessie, webinar, informatiebijeenkomst) as staff
plan them, and the mails to their registrants (docs/rules.md, "Sessions").

Registering for a session is ``registrations.session_register``. The rules for a session and
its overflow session that staff must keep when planning live here. Registrants are mailed the
programme and the online link by the date staff set (``details_send_by``; the beat task
``communication.tasks.send_due_session_details``, or earlier by hand), every change of time,
place or link, and a cancellation. The mails leave from Celery tasks, each registrant once
(``delivery.deliver``).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_record
from config.queue import enqueue
from tender.constants import PUBLIC_STATES, TenderState
from tender.errors import ApplicationError
from tender.models import Lot, Segment, Tender
from tender.services.mail import absolute_url, mail_render

from ..models import Session, SessionRegistration, TenderDocument
from .delivery import deliver
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
    "registration_opens_at",
    "registration_deadline",
    "programme",
    "details_send_by",
    "report",
)
#: A change of these is mailed to the registrants.
MAILED_CHANGES = ("starts_at", "ends_at", "location", "online_link")


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
    if (
        session.registration_opens_at is not None
        and session.registration_opens_at >= session.registration_deadline
    ):
        raise ApplicationError(
            _("Aanmelden moet openen vóór het sluit."), field="registration_opens_at"
        )
    if session.details_send_by is not None and session.details_send_by > timezone.localdate(
        session.starts_at
    ):
        raise ApplicationError(
            _("De nadere informatie moet uiterlijk op de dag van de sessie verstuurd zijn."),
            field="details_send_by",
        )


def _check_report(session: Session) -> None:
    report = session.report
    if report is not None and (
        report.tender_id != session.tender_id or report.category != TenderDocument.Category.REPORT
    ):
        raise ApplicationError(
            _("Kies een verslag uit de documentenbibliotheek van deze aanbesteding."),
            field="report",
        )


def _save(session: Session, lots, segments, overflow) -> Session:
    lots, segments = list(lots), list(segments)
    _check_times_and_place(session)
    _check_report(session)
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
    registration_opens_at: datetime | None = None,
    programme: str = "",
    details_send_by=None,
    report: TenderDocument | None = None,
    description: str = "",
    location: str = "",
    online_link: str = "",
    lots: Iterable[Lot] = (),
    segments: Iterable[Segment] = (),
    overflow: Session | None = None,
) -> Session:
    """Plan a session; refused for a cancelled tender and for the rules above."""
    require_manager(user, tender)
    if tender.state == TenderState.CANCELLED:
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
        registration_opens_at=registration_opens_at,
        registration_deadline=registration_deadline,
        programme=programme.strip(),
        details_send_by=details_send_by,
        report=report,
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
    keeps the current one; ``None`` removes it. A change of time, place or link is mailed to
    the registrants (a task, after commit); a cancelled session cannot change any more."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    session = Session.objects.select_for_update().get(pk=session.pk)
    require_manager(user, session.tender)
    if session.is_cancelled:
        raise ApplicationError(_("Deze sessie is geannuleerd en kan niet meer wijzigen."))
    before = {name: getattr(session, name) for name in MAILED_CHANGES}
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
    saved = _save(
        session,
        session.lots.all() if lots is None else lots,
        session.segments.all() if segments is None else segments,
        new_overflow,
    )
    changed = [name for name in MAILED_CHANGES if getattr(saved, name) != before[name]]
    if changed and _registrations(saved).exists():
        saved.revision += 1
        saved.save(update_fields=["revision"])
        enqueue("communication.tasks.send_session_change", saved.pk, saved.revision)
    return saved


# -- mails to the registrants ---------------------------------------------------------------


def _registrations(session: Session):
    return SessionRegistration.objects.filter(
        session=session, cancelled_at__isnull=True
    ).select_related("organisation")


@transaction.atomic
def session_cancel(*, session: Session, user, reason: str = "") -> Session:
    """Cancel a session (and its overflow session with it); the registrants are mailed. The
    session stays listed as cancelled; nobody can register any more."""
    session = Session.objects.select_for_update().select_related("tender").get(pk=session.pk)
    require_manager(user, session.tender)
    if session.is_cancelled:
        raise ApplicationError(_("Deze sessie is al geannuleerd."))
    if timezone.now() >= session.starts_at:
        raise ApplicationError(_("De sessie is al begonnen; annuleren kan niet meer."))
    group = [session] + ([session.overflow] if session.overflow_id else [])
    now = timezone.now()
    for member in group:
        Session.objects.filter(pk=member.pk, cancelled_at__isnull=True).update(cancelled_at=now)
        audit_record(
            action="session.cancel",
            actor=user,
            obj=member,
            tender=session.tender,
            details={"title": member.title, "reason": reason.strip()},
        )
        enqueue("communication.tasks.send_session_cancellation", member.pk, reason.strip())
    session.refresh_from_db()
    return session


@transaction.atomic
def session_details_send(*, session: Session, user) -> Session:
    """Staff send the programme and the online link now, before the date they set."""
    session = Session.objects.select_for_update().select_related("tender").get(pk=session.pk)
    require_manager(user, session.tender)
    if session.is_cancelled:
        raise ApplicationError(_("Deze sessie is geannuleerd."))
    if session.details_sent_at is not None:
        raise ApplicationError(_("Het programma en de deelnamelink zijn al verstuurd."))
    if not (session.programme.strip() or session.online_link.strip()):
        raise ApplicationError(_("Vul eerst het programma of de deelnamelink in."))
    _mark_details_sent(session)
    return session


def _mark_details_sent(session: Session) -> None:
    session.details_sent_at = timezone.now()
    session.save(update_fields=["details_sent_at"])
    enqueue("communication.tasks.send_session_details", session.pk)
    if session.overflow_id:
        overflow = Session.objects.select_for_update().get(pk=session.overflow_id)
        if overflow.details_sent_at is None:
            overflow.details_sent_at = session.details_sent_at
            overflow.save(update_fields=["details_sent_at"])
            enqueue("communication.tasks.send_session_details", overflow.pk)


def sessions_details_due() -> list[int]:
    """Sessions whose send-by date has come (Amsterdam date) and whose programme has not left
    yet; not cancelled, not begun, of a tender on the public site that is not withdrawn."""
    return list(
        Session.objects.filter(
            details_send_by__lte=timezone.localdate(),
            details_sent_at__isnull=True,
            cancelled_at__isnull=True,
            starts_at__gt=timezone.now(),
            tender__state__in=PUBLIC_STATES - {TenderState.CANCELLED},
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def session_details_due_send(*, session_id: int) -> bool:
    """The beat's part: mark one due session sent (once) and queue its mail."""
    session = Session.objects.select_for_update().filter(pk=session_id).first()
    if session is None or session.details_sent_at is not None or session.is_cancelled:
        return False
    _mark_details_sent(session)
    return True


def _session_mail(template: str, session: Session, key: str, **extra) -> int:
    main = session.main_session or session
    url = absolute_url(reverse("public-session", args=[session.tender.slug, main.pk]))

    def build(address):
        registration = registrations[address]
        context = {
            "tender": session.tender,
            "session": session,
            "registration": registration,
            "url": url,
            **extra,
        }
        return mail_render(template, context, address)

    registrations = {
        r.participant_email.strip().lower(): r for r in _registrations(session).order_by("pk")
    }
    return deliver(key, registrations, build)


def session_details_mail(*, session_id: int) -> int:
    """The programme and the online link to each active registrant, once."""
    session = Session.objects.select_related("tender", "tender__region").get(pk=session_id)
    if session.details_sent_at is None or session.is_cancelled:
        return 0
    return _session_mail("session_details", session, f"session:{session.pk}:details")


def session_change_mail(*, session_id: int, revision: int) -> int:
    """The changed time, place or link to each active registrant, once per change."""
    session = Session.objects.select_related("tender", "tender__region").get(pk=session_id)
    if session.is_cancelled:
        return 0
    return _session_mail("session_changed", session, f"session:{session.pk}:change:{revision}")


def session_cancellation_mail(*, session_id: int, reason: str = "") -> int:
    session = Session.objects.select_related("tender", "tender__region").get(pk=session_id)
    return _session_mail(
        "session_cancelled", session, f"session:{session.pk}:cancelled", reason=reason
    )
