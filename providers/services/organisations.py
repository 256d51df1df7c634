"""Registering an organisation, changing its details and inviting colleagues (provider
portal). Every write is audited in the same transaction; mails leave after commit."""

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.ratelimit import rate_limit
from accounts.roles import AANBIEDER
from audit.services import audit_record
from tender.errors import ApplicationError
from tender.services.mail import absolute_url, mail_after_commit, mail_render

from ..constants import LegalForm
from ..models import Organisation, OrganisationInvitation, OrganisationMembership
from ..permissions import can_manage_organisation
from .verification import email_verification_send

# Organisation fields a registration and an admin's edit may set (KvK is fixed once stored).
DETAIL_FIELDS = (
    "name",
    "legal_form",
    "agb",
    "address",
    "postcode",
    "city",
    "phone",
    "contact_name",
    "contact_email",
)
POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Za-z]{2}$")


def invitation_validity() -> timedelta:
    return timedelta(days=getattr(settings, "PORTAL_INVITATION_DAYS", 7))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _details_clean(data: dict) -> dict:
    """Validate the organisation's details; raise ``ApplicationError`` on the first problem."""
    values = {field: (data.get(field) or "").strip() for field in DETAIL_FIELDS}
    if not values["name"]:
        raise ApplicationError(_("Vul de naam van de organisatie in."), field="name")
    if values["legal_form"] not in LegalForm.values:
        raise ApplicationError(_("Kies een rechtsvorm uit de lijst."), field="legal_form")
    if values["agb"] and not re.fullmatch(r"[0-9]{8}", values["agb"]):
        raise ApplicationError(_("Een AGB-code bestaat uit 8 cijfers."), field="agb")
    if values["postcode"]:
        if not POSTCODE.match(values["postcode"]):
            raise ApplicationError(
                _("Vul een Nederlandse postcode in, bijvoorbeeld 7001 AB."), field="postcode"
            )
        digits, letters = values["postcode"][:4], values["postcode"][-2:]
        values["postcode"] = f"{digits} {letters.upper()}"
    if values["contact_email"]:
        try:
            validate_email(values["contact_email"])
        except ValidationError:
            raise ApplicationError(
                _("Vul een geldig e-mailadres in."), field="contact_email"
            ) from None
    return values


def _check_new_account(email: str, password: str, first_name: str, last_name: str):
    """An unsaved user for a new provider account (username = e-mail address)."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(_("Vul een geldig e-mailadres in."), field="email") from None
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=email).exists() or (
        user_model.objects.filter(email__iexact=email).exists()
    ):
        raise ApplicationError(
            _(
                "Er bestaat al een account met dit e-mailadres. Log in, of vraag de beheerder "
                "van uw organisatie om een uitnodiging."
            ),
            field="email",
        )
    user = user_model(
        username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip()
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    return user


def _save_provider_user(user):
    user.save()
    user.groups.add(Group.objects.get_or_create(name=AANBIEDER)[0])
    return user


@transaction.atomic
def organisation_register(
    *,
    kvk: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    client_address: str | None = None,
    base_url: str = "",
    **details,
) -> tuple:
    """Register an organisation with its first user, who becomes its admin (group
    'aanbieder'). One organisation per KvK number: a second registration is refused and
    stores nothing. Returns ``(user, organisation)``. Rate-limited per client address and
    e-mail address (``accounts.ratelimit.RateLimited``)."""
    rate_limit("register", address=client_address, account=email)
    kvk = (kvk or "").strip().replace(" ", "")
    if not re.fullmatch(r"[0-9]{8}", kvk):
        raise ApplicationError(_("Een KvK-nummer bestaat uit 8 cijfers."), field="kvk")
    values = _details_clean(details)
    if Organisation.objects.filter(kvk=kvk).exists():
        raise ApplicationError(
            _(
                "Er is al een organisatie geregistreerd met KvK-nummer %(kvk)s. Vraag de "
                "beheerder van die organisatie om een uitnodiging."
            )
            % {"kvk": kvk},
            field="kvk",
        )
    user = _check_new_account(email, password, first_name, last_name)
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(kvk=kvk, created_at=timezone.now(), **values)
    except IntegrityError:  # registered concurrently
        raise ApplicationError(
            _("Er is al een organisatie geregistreerd met KvK-nummer %(kvk)s.") % {"kvk": kvk},
            field="kvk",
        ) from None
    _save_provider_user(user)
    OrganisationMembership.objects.create(
        user=user, organisation=organisation, is_admin=True, email_verified=False
    )
    audit_record(
        action="organisation.register",
        actor=user,
        obj=organisation,
        details={"kvk": kvk, "name": organisation.name, "admin": user.username},
        client_address=client_address,
    )
    email_verification_send(user=user, base_url=base_url)
    return user, organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, user, client_address: str | None = None, **details
) -> Organisation:
    """An admin changes the organisation's details (not its KvK number)."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not can_manage_organisation(user, organisation.pk):
        raise ApplicationError(_("Alleen een beheerder van de organisatie kan dit wijzigen."))
    values = _details_clean({**{f: getattr(organisation, f) for f in DETAIL_FIELDS}, **details})
    changed = {f: v for f, v in values.items() if getattr(organisation, f) != v}
    for field, value in changed.items():
        setattr(organisation, field, value)
    if changed:
        organisation.save(update_fields=list(changed))
        audit_record(
            action="organisation.update",
            actor=user,
            obj=organisation,
            details={"changed": changed},
            client_address=client_address,
        )
    return organisation


@transaction.atomic
def invitation_create(
    *,
    organisation: Organisation,
    user,
    email: str,
    base_url: str = "",
    client_address: str | None = None,
) -> tuple[OrganisationInvitation, str]:
    """An admin invites a colleague by e-mail: a single-use link that expires after
    ``PORTAL_INVITATION_DAYS`` (7) days. Returns the invitation and the token (in the mail
    only; the database keeps its hash). Rate-limited per client address and inviting user
    (``accounts.ratelimit.RateLimited``: no invitation, no mail)."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not can_manage_organisation(user, organisation.pk):
        raise ApplicationError(_("Alleen een beheerder van de organisatie kan uitnodigen."))
    rate_limit("organisation-invitation", address=client_address, account=user)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(_("Vul een geldig e-mailadres in."), field="email") from None
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=email).exists() or (
        user_model.objects.filter(email__iexact=email).exists()
    ):
        raise ApplicationError(
            _("Er bestaat al een account met dit e-mailadres; uitnodigen kan niet."),
            field="email",
        )
    now = timezone.now()
    if OrganisationInvitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).exists():
        raise ApplicationError(
            _("Er staat al een uitnodiging open voor dit e-mailadres."), field="email"
        )
    token = secrets.token_urlsafe(32)
    invitation = OrganisationInvitation.objects.create(
        organisation=organisation,
        email=email,
        token_hash=token_hash(token),
        invited_by=user,
        created_at=now,
        expires_at=now + invitation_validity(),
    )
    audit_record(
        action="organisation.invite",
        actor=user,
        obj=invitation,
        details={"organisation": organisation.kvk, "email": email},
        client_address=client_address,
    )
    mail_after_commit(
        [
            mail_render(
                "organisation_invitation",
                {
                    "organisation": organisation,
                    "inviter": user,
                    "invitation": invitation,
                    "url": absolute_url(reverse("portal-invitation", args=[token]), base_url),
                },
                email,
            )
        ]
    )
    return invitation, token


def invitation_by_token(token: str) -> OrganisationInvitation | None:
    return (
        OrganisationInvitation.objects.select_related("organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_refusal(invitation: OrganisationInvitation | None) -> str | None:
    """Why an invitation link cannot be used (Dutch), or None."""
    state = invitation.state(timezone.now()) if invitation else "unknown"
    return {
        "open": None,
        "accepted": _("Deze uitnodiging is al gebruikt. Log in met uw account."),
        "revoked": _("Deze uitnodiging is ingetrokken door de beheerder van de organisatie."),
        "expired": _("Deze uitnodiging is verlopen. Vraag de beheerder om een nieuwe."),
        "unknown": _("Deze uitnodigingslink is niet geldig."),
    }[state]


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    client_address: str | None = None,
):
    """Accept an invitation: creates the colleague's account (username = the invited e-mail
    address) and its membership (not an admin). Single use. Returns the user."""
    invitation = (
        OrganisationInvitation.objects.select_for_update()
        .filter(token_hash=token_hash(token))
        .first()
    )
    refusal = invitation_refusal(invitation)
    if refusal:
        raise ApplicationError(refusal)
    user = _check_new_account(invitation.email, password, first_name, last_name)
    _save_provider_user(user)
    OrganisationMembership.objects.create(
        user=user, organisation_id=invitation.organisation_id, is_admin=False
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit_record(
        action="organisation.invitation_accept",
        actor=user,
        obj=invitation,
        details={"email": invitation.email},
        client_address=client_address,
    )
    return user


@transaction.atomic
def invitation_revoke(
    *, invitation: OrganisationInvitation, user, client_address: str | None = None
) -> OrganisationInvitation:
    invitation = OrganisationInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not can_manage_organisation(user, invitation.organisation_id):
        raise ApplicationError(_("Alleen een beheerder van de organisatie kan intrekken."))
    if invitation.state(timezone.now()) != "open":
        raise ApplicationError(_("Alleen een openstaande uitnodiging kan worden ingetrokken."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        action="organisation.invitation_revoke",
        actor=user,
        obj=invitation,
        details={"email": invitation.email},
        client_address=client_address,
    )
    return invitation


@transaction.atomic
def membership_admin_set(
    *, membership: OrganisationMembership, is_admin: bool, user, client_address: str | None = None
) -> OrganisationMembership:
    """A superuser (Django admin: the portal has no screen for it yet) makes a colleague an
    admin of the organisation or takes that away. User management, not procedure; audited.

    Refused for anyone but a superuser.
    """
    if not user.is_superuser:
        raise ApplicationError(_("Alleen een beheerder van het systeem kan dit wijzigen."))
    membership = OrganisationMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_admin == is_admin:
        return membership
    membership.is_admin = is_admin
    membership.save(update_fields=["is_admin"])
    audit_record(
        action="organisation.member_admin_set",
        actor=user,
        obj=membership.organisation,
        details={"user": membership.user.get_username(), "is_admin": is_admin},
        client_address=client_address,
    )
    return membership


@transaction.atomic
def organisation_two_factor_set(
    *, organisation: Organisation, user, required: bool, client_address: str | None = None
) -> Organisation:
    """An admin makes the second factor required (or optional again) for every user of the
    organisation. Users without an authenticator app set one up at their next sign-in;
    sessions already signed in are not interrupted."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not can_manage_organisation(user, organisation.pk):
        raise ApplicationError(_("Alleen een beheerder van de organisatie kan dit wijzigen."))
    if organisation.two_factor_required != required:
        organisation.two_factor_required = required
        organisation.save(update_fields=["two_factor_required"])
        audit_record(
            action="organisation.two_factor",
            actor=user,
            obj=organisation,
            details={"required": required},
            client_address=client_address,
        )
    return organisation
