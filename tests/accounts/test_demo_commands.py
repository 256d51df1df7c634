"""The demo-only commands: demo users with a fixed TOTP secret, and the current code."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from communication.permissions import can_ask_question
from providers.management.commands.create_demo_users import DEMO_TOTP_SECRET
from providers.models import Organisation, OrganisationMembership

pytestmark = pytest.mark.django_db


def test_demo_users_get_the_published_totp_secret_and_demo_totp_prints_a_valid_code(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    assert DEMO_TOTP_SECRET in out.getvalue() and "otpauth://totp/" in out.getvalue()
    devices = TOTPDevice.objects.filter(confirmed=True)
    assert sorted(d.user.username for d in devices) == [
        "admin",
        "auditor",
        "beoordelaar1",
        "beoordelaar2",
        "contractmanager",
        "inkoper",
        "voorzitter",
    ]  # not the provider
    call_command("create_demo_users", stdout=StringIO())  # again: still one device each
    assert TOTPDevice.objects.filter(user__username="inkoper").count() == 1

    code = StringIO()
    call_command("demo_totp", "voorzitter", stdout=code, stderr=StringIO())
    device = TOTPDevice.objects.get(user__username="voorzitter")
    assert device.verify_token(code.getvalue().strip())


def test_the_demo_provider_is_admin_of_a_demo_organisation_of_its_own(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    membership = OrganisationMembership.objects.get(user__username="aanbieder")
    assert membership.is_admin
    assert (membership.organisation.kvk, membership.organisation.name) == (
        "39999999",
        "Demo Zorgaanbieder",
    )
    assert "beheerder van Demo Zorgaanbieder (39999999)" in out.getvalue()
    assert can_ask_question(membership.user, None)
    call_command("create_demo_users", stdout=StringIO())  # again: one organisation, one link
    assert Organisation.objects.filter(kvk="39999999").count() == 1
    assert OrganisationMembership.objects.filter(user__username="aanbieder").count() == 1


def test_the_demo_provider_acts_for_the_achterhoek_bidder_once_loaded(settings, demo_tender):
    settings.DEBUG = True
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    membership = OrganisationMembership.objects.get(user__username="aanbieder")
    assert membership.is_admin and membership.organisation.kvk == "30000002"
    assert "beheerder van Stichting De Achterhoekse Brug (30000002)" in out.getvalue()
    assert not Organisation.objects.filter(kvk="39999999").exists()
    # Only staff and the provider: the other demo users act for no organisation.
    assert OrganisationMembership.objects.count() == 1


def test_demo_totp_is_refused_without_debug(settings, make_user):
    settings.DEBUG = False
    make_user("inkoper", "inkoper")
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "inkoper")
