"""django-axes: five failed sign-ins per username and address lock that pair out for 30 minutes."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOCKED = (
    "Te veel mislukte inlogpogingen. Probeer het over 30 minuten opnieuw of neem contact op met "
    "de beheerder."
)


def sign_in(client, password, username="ingrid", address="192.0.2.10"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.fixture
def ingrid(make_user):
    return make_user("ingrid", "aanbieder")  # no second factor: the password is all that counts


def test_five_failures_lock_out_and_the_right_password_is_refused_after(client, ingrid):
    for _ in range(4):
        response = sign_in(client, "wrong-password")
        assert response.status_code == 200
        assert "Voer een juiste gebruikersnaam en wachtwoord in." in response.content.decode()
    response = sign_in(client, "wrong-password")
    assert response.status_code == 429 and LOCKED in response.content.decode()

    response = sign_in(client, "x" * 16)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_lockout_is_per_username_and_address(client, ingrid, make_user):
    make_user("bram", "aanbieder")
    for _ in range(5):
        sign_in(client, "wrong-password")
    assert sign_in(client, "x" * 16, address="192.0.2.99").status_code == 302
    client.logout()
    assert sign_in(client, "x" * 16, username="bram").status_code == 302


def test_the_lockout_ends_after_30_minutes(client, ingrid):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            sign_in(client, "wrong-password")
        traveller.shift(timedelta(minutes=29))
        assert sign_in(client, "x" * 16).status_code == 429
        traveller.shift(timedelta(minutes=31))
        assert sign_in(client, "x" * 16).status_code == 302


def test_a_successful_sign_in_resets_the_count(client, ingrid):
    for _ in range(4):
        sign_in(client, "wrong-password")
    assert sign_in(client, "x" * 16).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "wrong-password").status_code == 200
