"""Second factor (TOTP, django-otp): setting up a device and passing the TOTP step.

A municipal user sets up one authenticator app on the first sign-in (an unconfirmed device
whose secret the setup page shows), confirms it with a code, and from then on enters a code
after every password sign-in. A lost phone is a task for an administrator: delete the user's
TOTP device in the Django admin; the next sign-in starts the setup again.
"""

import math
from base64 import b32encode
from xml.etree import ElementTree

import django_otp
import qrcode
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathFillImage

from audit.services import audit_record, client_address_of

DEVICE_NAME = "Authenticator-app"


class TwoFactorError(Exception):
    """A code was refused. ``message`` is Dutch and shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def totp_device_confirmed(*, user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def totp_device_for_setup(*, user) -> TOTPDevice:
    """The user's unconfirmed device, created on first use; the same one on every visit of
    the setup page, so a reload does not invalidate a QR code that was already scanned."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The secret as the authenticator apps expect it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice, *, label: str) -> str:
    """The device's ``otpauth://`` URI as an inline SVG QR code (no request leaves the page).
    ``label`` is the accessible name of the image."""
    image = qrcode.make(device.config_url, image_factory=SvgPathFillImage, border=4)
    svg = image.get_image()
    svg.attrib.update(
        {"width": "220", "height": "220", "role": "img", "aria-label": label, "focusable": "false"}
    )
    return ElementTree.tostring(svg, encoding="unicode")


def _refusal(device: TOTPDevice | None, token: str) -> str | None:
    """Why ``token`` is refused for ``device`` (Dutch), or None when it is accepted. A refused
    code counts towards the device's throttling (saved at once by django-otp), so callers
    must not roll the transaction back on a refusal."""
    if device is None:
        return _("Er is geen authenticator-app gevonden. Log opnieuw in en begin opnieuw.")
    allowed, details = device.verify_is_allowed()
    if not allowed:
        now = timezone.now()
        seconds = max(
            1, math.ceil(((details or {}).get("locked_until", now) - now).total_seconds())
        )
        if seconds < 120:
            wait = ngettext("%(count)d seconde", "%(count)d seconden", seconds) % {"count": seconds}
        else:
            minutes = math.ceil(seconds / 60)
            wait = ngettext("%(count)d minuut", "%(count)d minuten", minutes) % {"count": minutes}
        return _(
            "Te veel onjuiste codes achter elkaar. Wacht %(wait)s en probeer het dan opnieuw."
        ) % {"wait": wait}
    if not device.verify_token(token):
        return _("De code is onjuist of verlopen. Voer de code in die uw app nu toont.")
    return None


def totp_device_confirm(*, request, token: str) -> TOTPDevice:
    """Confirm the device of the setup page with a first code and mark the session as verified.

    Raises ``TwoFactorError`` for a wrong or expired code (the device stays unconfirmed), or
    when the user has no device in setup.
    """
    user = request.user
    with transaction.atomic():
        device = (
            TOTPDevice.objects.devices_for_user(user, confirmed=False)
            .select_for_update()
            .order_by("pk")
            .first()
        )
        refusal = _refusal(device, token)
        if refusal is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
            audit_record(
                action="accounts.totp_confirmed",
                actor=user,
                obj=device,
                client_address=client_address_of(request),
            )
    if refusal is not None:
        raise TwoFactorError(refusal)
    django_otp.login(request, device)
    return device


def totp_verify(*, request, token: str) -> TOTPDevice:
    """The TOTP step after the password: check the code against the user's confirmed devices
    (normally one; an administrator may add more) and mark the session as verified.

    Raises ``TwoFactorError`` for a wrong, reused or expired code, and while the device is
    throttled after repeated wrong codes (django-otp doubles the wait after every failure).
    """
    verified, refusal = None, None
    with transaction.atomic():
        devices = list(
            TOTPDevice.objects.devices_for_user(request.user, confirmed=True)
            .select_for_update()
            .order_by("pk")
        )
        for device in devices or [None]:  # None: no device, refused with its own message
            refusal = _refusal(device, token)
            if refusal is None:
                verified = device
                break
    if refusal is not None:  # every device refused the code (or there is none)
        raise TwoFactorError(refusal)
    django_otp.login(request, verified)
    return verified
