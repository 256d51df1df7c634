"""Create one demo login per role for ``make run``. Refused unless DEBUG is on.

The provider demo user ``aanbieder`` is admin of a demo organisation (the Achterhoek demo's
Stichting De Achterhoekse Brug, KvK 30000002, when that scenario is loaded; else "Demo
Zorgaanbieder"), so it can register for sessions and ask questions on the public site. That bidder
is selected and wins WMO-BEG with seed 0, so after ``demo_award`` and the award steps it finds its
letters, its contract and its payment schedule in the portal.

The municipal demo users (and ``admin``) get a confirmed TOTP device with one fixed, published
secret, ``DEMO_TOTP_SECRET``: add it once to an authenticator app (or use
``manage.py demo_totp USERNAME``) to pass the second sign-in step. Never use it outside a demo.
"""

from base64 import b32decode
from io import StringIO
from urllib.parse import quote, urlencode

import qrcode
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.permissions import requires_two_factor
from accounts.roles import (
    AANBIEDER,
    AUDITOR,
    BEOORDELAAR,
    CONTRACTMANAGER,
    INKOPER,
    ROLES,
    VOORZITTER,
)
from providers.constants import LegalForm
from providers.models import Organisation, OrganisationMembership
from providers.services.scenario import DEMO_CONTACT_NAME

DEMO_USERS = [
    ("inkoper", INKOPER, "Ingrid", "Inkoper"),
    ("voorzitter", VOORZITTER, "Victor", "Voorzitter"),
    ("beoordelaar1", BEOORDELAAR, "Bea", "Beoordelaar"),
    ("beoordelaar2", BEOORDELAAR, "Bram", "Beoordelaar"),
    ("contractmanager", CONTRACTMANAGER, "Carla", "Contractmanager"),
    ("auditor", AUDITOR, "Anton", "Auditor"),
    ("aanbieder", AANBIEDER, "Anna", "Aanbieder"),
]

# Base32, 20 bytes; published in the README. Demo only.
DEMO_TOTP_SECRET = "AANBESTEDINGDEMOACHTERHOEKTWEE22"  # noqa: S105 - published, demo only
DEMO_DEVICE_NAME = "Demo-authenticator"

# The organisation of the provider demo user: a winning bidder of the Achterhoek demo if it is
# loaded (30000001 is not selected, so it would never get a contract), else one of its own (a KvK
# number outside the scenario's range).
DEMO_ORGANISATION_KVK = "30000002"
FALLBACK_ORGANISATION = {"kvk": "39999999", "name": "Demo Zorgaanbieder"}


def demo_otpauth_uri() -> str:
    """One authenticator entry for every demo user (they share the secret)."""
    issuer = settings.OTP_TOTP_ISSUER
    params = urlencode({"secret": DEMO_TOTP_SECRET, "digits": 6, "period": 30})
    return f"otpauth://totp/{quote(issuer + ':demo')}?{params}&issuer={quote(issuer)}"


class Command(BaseCommand):
    help = "Maak demo-accounts voor elke rol (alleen met DEBUG aan) en toon de inloggegevens."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default="demo-Achterhoek-2022", help="Wachtwoord voor alle demo-accounts."
        )

    @transaction.atomic
    def handle(self, *args, password, **options):
        if not settings.DEBUG:
            raise CommandError("Demo-accounts worden alleen aangemaakt met DEBUG aan.")
        User = get_user_model()
        groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
        self.stdout.write(f"Demo-accounts (wachtwoord voor allemaal: {password}):")
        for username, role, first, last in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.email = user.email or f"{username}@demo.example"
            user.set_password(password)
            user.save()
            user.groups.add(groups[role])
            self._set_demo_device(user)
            line = f"  {username:<16} {ROLES[role]}"
            if role == AANBIEDER:
                organisation = self._link_demo_organisation(user)
                line += f", beheerder van {organisation}"
            self.stdout.write(line)
        admin, _ = User.objects.get_or_create(username="admin")
        admin.is_staff = admin.is_superuser = True
        admin.email = admin.email or "admin@demo.example"
        admin.set_password(password)
        admin.save()
        self._set_demo_device(admin)
        self.stdout.write(f"  {'admin':<16} Beheerder (Django-admin op /admin/)")
        self._explain_totp()

    def _set_demo_device(self, user) -> None:
        """Exactly one confirmed device with the demo secret (a device set up by hand in an
        earlier demo is replaced)."""
        TOTPDevice.objects.filter(user=user).delete()
        if requires_two_factor(user):
            TOTPDevice.objects.create(
                user=user,
                name=DEMO_DEVICE_NAME,
                key=b32decode(DEMO_TOTP_SECRET).hex(),
                confirmed=True,
            )

    def _link_demo_organisation(self, user) -> Organisation:
        """Make ``user`` admin of the demo organisation (a user has one organisation)."""
        organisation = Organisation.objects.filter(kvk=DEMO_ORGANISATION_KVK).first()
        if organisation is None:
            organisation, _ = Organisation.objects.get_or_create(
                kvk=FALLBACK_ORGANISATION["kvk"],
                defaults={
                    "name": FALLBACK_ORGANISATION["name"],
                    "legal_form": LegalForm.STICHTING,
                    "contact_name": user.get_full_name() or DEMO_CONTACT_NAME,
                    "contact_email": user.email,
                },
            )
        OrganisationMembership.objects.update_or_create(
            user=user, defaults={"organisation": organisation, "is_admin": True}
        )
        return organisation

    def _explain_totp(self) -> None:
        uri = demo_otpauth_uri()
        self.stdout.write(
            "\nTweestapsverificatie: alle gemeentelijke demo-accounts en admin vragen na het "
            "wachtwoord een code.\n"
            f"  Demo-geheim (alleen voor de demo): {DEMO_TOTP_SECRET}\n"
            f"  otpauth-URI: {uri}\n"
            "  Scan de QR-code hieronder met een authenticator-app, of toon de huidige code met\n"
            "  `python manage.py demo_totp inkoper`."
        )
        code, picture = qrcode.QRCode(border=2), StringIO()
        code.add_data(uri)
        code.print_ascii(out=picture, invert=True)
        self.stdout.write(picture.getvalue())
