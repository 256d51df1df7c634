"""Create one demo login per role for ``make run``. Refused unless DEBUG is on."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.roles import (
    AANBIEDER,
    AUDITOR,
    BEOORDELAAR,
    CONTRACTMANAGER,
    INKOPER,
    ROLES,
    VOORZITTER,
)

DEMO_USERS = [
    ("inkoper", INKOPER, "Ingrid", "Inkoper"),
    ("voorzitter", VOORZITTER, "Victor", "Voorzitter"),
    ("beoordelaar1", BEOORDELAAR, "Bea", "Beoordelaar"),
    ("beoordelaar2", BEOORDELAAR, "Bram", "Beoordelaar"),
    ("contractmanager", CONTRACTMANAGER, "Carla", "Contractmanager"),
    ("auditor", AUDITOR, "Anton", "Auditor"),
    ("aanbieder", AANBIEDER, "Anna", "Aanbieder"),
]


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
            user.set_password(password)
            user.save()
            user.groups.add(groups[role])
            self.stdout.write(f"  {username:<16} {ROLES[role]}")
        admin, _ = User.objects.get_or_create(username="admin")
        admin.is_staff = admin.is_superuser = True
        admin.set_password(password)
        admin.save()
        self.stdout.write(f"  {'admin':<16} Beheerder (Django-admin op /admin/)")
