import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for(device, *, offset_steps: int = 0) -> str:
    """The code an authenticator app with ``device``'s secret shows now."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def staff_login(client, make_user):
    """A client signed in with the password only (the TOTP step still to come)."""

    def login(role="inkoper", *, device: bool = True, username: str | None = None, **extra):
        user = make_user(username or f"{role}-2fa", role, **extra)
        client.force_login(user)
        client.user = user
        client.device = (
            TOTPDevice.objects.create(user=user, name="app", confirmed=True) if device else None
        )
        return client

    return login
