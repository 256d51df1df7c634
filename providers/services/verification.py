"""E-mail verification of a self-registered provider user (issue 18.8): a signed link
(``django.core.signing``, valid ``PORTAL_EMAIL_VERIFICATION_HOURS``) is mailed at registration
and on request; until the user opens it, the user cannot submit (``submission_seal``).
Invited colleagues proved their address by opening the invitation link; demo users are
verified (``OrganisationMembership.email_verified`` defaults to true)."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.ratelimit import rate_limit
from audit.services import audit_record
from tender.errors import ApplicationError
from tender.services.mail import absolute_url, mail_after_commit, mail_render

from ..models import OrganisationMembership

SALT = "providers.email-verification"


def email_verification_hours() -> int:
    return int(getattr(settings, "PORTAL_EMAIL_VERIFICATION_HOURS", 72))


def email_verification_token(user) -> str:
    """Names the user and the address it confirms: a changed address needs a new link."""
    return signing.dumps({"u": user.pk, "e": (user.email or "").lower()}, salt=SALT)


def email_verification_send(*, user, base_url: str = "") -> None:
    """Mail the link (after commit); registration calls it."""
    path = reverse("portal-email-verify", args=[email_verification_token(user)])
    url = absolute_url(path, base_url)
    mail_after_commit(
        [
            mail_render(
                "email_verification",
                {"user": user, "url": url, "hours": email_verification_hours()},
                user.email,
            )
        ]
    )


@transaction.atomic
def email_verification_resend(*, user, base_url: str = "", client_address: str | None = None):
    """A new link on request (portal home). Rate-limited like registrations, per client
    address and user (``accounts.ratelimit.RateLimited``: no mail); refused once verified."""
    membership = OrganisationMembership.objects.filter(user=user).first()
    if membership is None or membership.email_verified:
        raise ApplicationError(_("Uw e-mailadres is al bevestigd."))
    rate_limit("register", address=client_address, account=user)
    email_verification_send(user=user, base_url=base_url)


@transaction.atomic
def email_verify(*, token: str, client_address: str | None = None) -> OrganisationMembership:
    """Mark the user's address verified. Refused: a link that is expired, altered, or made
    for an address the user no longer has. Opening a link twice is harmless."""
    invalid = _("Deze bevestigingslink is ongeldig. Vraag in het portaal een nieuwe aan.")
    try:
        data = signing.loads(token, salt=SALT, max_age=email_verification_hours() * 3600)
    except signing.SignatureExpired:
        raise ApplicationError(
            _("Deze bevestigingslink is verlopen. Vraag in het portaal een nieuwe aan.")
        ) from None
    except signing.BadSignature:
        raise ApplicationError(invalid) from None
    membership = (
        OrganisationMembership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(user_id=data.get("u"))
        .first()
    )
    if membership is None or (membership.user.email or "").lower() != data.get("e"):
        raise ApplicationError(invalid)
    if not membership.email_verified:
        membership.email_verified = True
        membership.save(update_fields=["email_verified"])
        audit_record(
            action="organisation.email_verify",
            actor=membership.user,
            obj=membership,
            details={"email": membership.user.email},
            client_address=client_address,
        )
    return membership
