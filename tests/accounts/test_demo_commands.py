"""The demo-only commands: demo users with a fixed TOTP secret, and the current code."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.management.commands.create_demo_users import DEMO_TOTP_SECRET

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


def test_demo_totp_is_refused_without_debug(settings, make_user):
    settings.DEBUG = False
    make_user("inkoper", "inkoper")
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "inkoper")
