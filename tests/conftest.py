"""Shared fixtures: users per role, the Achterhoek demo tender, logged-in clients."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.permissions import requires_two_factor
from accounts.roles import ROLES
from evaluation.services.scenario import scenario_load
from tender.scenario import DEMO_DIR, load_scenario_file


@pytest.fixture(scope="session")
def achterhoek_data():
    return load_scenario_file(DEMO_DIR / "achterhoek-2022.json")


@pytest.fixture
def demo_tender(db, achterhoek_data):
    """The Achterhoek demo scenario, loaded through the same service as ``load_scenario``."""
    return scenario_load(data=achterhoek_data)


@pytest.fixture
def make_user(db):
    def make(username: str, role: str | None = None, **extra):
        user = get_user_model().objects.create_user(username=username, password="x" * 16, **extra)
        if role:
            assert role in ROLES
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        return user

    return make


def verify_second_factor(client, user):
    """Give ``user`` a confirmed TOTP device and mark the client's session as having passed the
    TOTP step, as ``django_otp.login`` does after a right code."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def client_for(client, make_user):
    """A Django test client logged in as a fresh user with ``role``; municipal roles have
    passed the TOTP step as well."""

    def login(role: str | None, username: str | None = None):
        user = make_user(username or f"user-{role or 'none'}", role)
        client.force_login(user)
        if requires_two_factor(user):
            verify_second_factor(client, user)
        client.user = user
        return client

    return login


@pytest.fixture(autouse=True)
def dutch():
    """Every test starts in Dutch, whatever language an earlier request switched to."""
    from django.utils import translation

    translation.activate("nl")
    yield
    translation.activate("nl")
