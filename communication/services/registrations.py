"""Session registrations: one participant per organisation, placed in the session or its
overflow session in order of registration (DOMAIN.md, "Sessions and Q&A"; docs/rules.md)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from providers.models import Organisation
from providers.permissions import can_act_for_organisation
from tender.constants import TenderState
from tender.errors import ApplicationError
from tender.models import Tender
from tender.services.mail import absolute_url, local_display, mail_after_commit, mail_render

from ..models import Session, SessionRegistration
from ..permissions import can_manage_tender_communication
from .market import is_public


def _check_acts_for(user, organisation: Organisation, tender: Tender) -> None:
    """A provider user acts for its own organisation; staff who manage the tender's
    communication may register or cancel on an organisation's behalf (e.g. by phone)."""
    if not (
        can_act_for_organisation(user, organisation.pk)
        or can_manage_tender_communication(user, tender)
    ):
        raise ApplicationError(_("U kunt alleen voor uw eigen organisatie handelen."))


def _session_group(session: Session) -> tuple[Session, Session | None]:
    """Lock and return the main session and its overflow session (in that order, always, so
    concurrent registrations and cancellations queue on the main session's row)."""
    main = (
        Session.objects.select_for_update(of=("self",)).select_related("tender").get(pk=session.pk)
    )
    overflow = None
    if main.overflow_id is not None:
        overflow = Session.objects.select_for_update().get(pk=main.overflow_id)
    return main, overflow


def _active(session: Session):
    return SessionRegistration.objects.filter(session=session, cancelled_at__isnull=True)


@transaction.atomic
def session_register(
    *,
    session: Session,
    organisation: Organisation,
    participant_name: str,
    participant_email: str,
    user,
    base_url: str = "",
) -> SessionRegistration:
    """Register one participant of ``organisation`` for ``session``.

    Places it in the session while there is room, else in the overflow session (registration
    order: the main session's row lock makes concurrent registrations queue), else refuses:
    the session is full. Refused too: before registration opens, for a cancelled session,
    after the registration deadline, for a second participant of the same organisation in the
    session or its overflow (one group), for an
    overflow session directly (register for its main session), and for a tender that is not
    public or is cancelled. The participant gets a confirmation mail naming the session they
    are placed in.
    """
    if session.main_session is not None:
        raise ApplicationError(
            _("Meld u aan voor de sessie '%(title)s'; deze extra sessie vult zich vanzelf.")
            % {"title": session.main_session.title},
            field="session",
        )
    main, overflow = _session_group(session)
    tender = main.tender
    _check_acts_for(user, organisation, tender)
    if not is_public(tender) or tender.state == TenderState.CANCELLED:
        raise ApplicationError(_("Voor deze sessie kunt u zich niet aanmelden."), field="session")
    now = timezone.now()
    if main.is_cancelled:
        raise ApplicationError(_("Deze sessie is geannuleerd."), field="session")
    if main.registration_not_yet_open(now):
        raise ApplicationError(
            _("Aanmelden kan vanaf %(opens)s.")
            % {"opens": local_display(main.registration_opens_at)},
            field="session",
        )
    if now > main.registration_deadline:
        raise ApplicationError(
            _("Aanmelden kon tot %(deadline)s; de aanmeldtermijn is verstreken.")
            % {"deadline": local_display(main.registration_deadline)},
            field="session",
        )
    group = [main] if overflow is None else [main, overflow]
    if SessionRegistration.objects.filter(
        session__in=group, organisation=organisation, cancelled_at__isnull=True
    ).exists():
        raise ApplicationError(
            _("Uw organisatie is al aangemeld voor deze sessie (maximaal 1 deelnemer)."),
            field="organisation",
        )
    if _active(main).count() < main.capacity:
        placed = main
    elif overflow is not None and _active(overflow).count() < overflow.capacity:
        placed = overflow
    else:
        raise ApplicationError(_("Deze sessie is vol."), field="session")
    registration = SessionRegistration(
        session=placed,
        organisation=organisation,
        participant_name=participant_name.strip(),
        participant_email=participant_email.strip(),
        registered_by=user if getattr(user, "is_authenticated", False) else None,
        registered_at=now,
    )
    registration.full_clean()
    registration.save()
    mail_after_commit(
        [
            mail_render(
                "session_registered",
                {
                    "tender": tender,
                    "session": placed,
                    "main": main,
                    "in_overflow": placed is overflow,
                    "registration": registration,
                    "url": absolute_url(
                        reverse("public-session", args=[tender.slug, main.pk]), base_url
                    ),
                },
                registration.participant_email,
            )
        ]
    )
    return registration


@transaction.atomic
def session_registration_cancel(*, registration: SessionRegistration, user) -> SessionRegistration:
    """Cancel a registration; its place is free for the next registration. Nobody moves up
    from the overflow session by this (docs/rules.md). Refused once the session has begun."""
    placed = Session.objects.select_related("tender").get(pk=registration.session_id)
    main = placed.main_session or placed
    _session_group(main)
    registration = SessionRegistration.objects.select_for_update().get(pk=registration.pk)
    _check_acts_for(user, registration.organisation, placed.tender)
    if registration.cancelled_at is not None:
        raise ApplicationError(_("Deze aanmelding is al afgemeld."))
    if timezone.now() >= placed.starts_at:
        raise ApplicationError(_("De sessie is al begonnen; afmelden kan niet meer."))
    registration.cancelled_at = timezone.now()
    registration.cancelled_by = user if getattr(user, "is_authenticated", False) else None
    registration.save(update_fields=["cancelled_at", "cancelled_by"])
    return registration
