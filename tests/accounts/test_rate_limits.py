"""Rate limits (accounts.ratelimit) on signing in and on password-reset mails: over the limit
the request is refused with 429 and a Dutch message, and nothing is sent. The provider-portal
paths (registration, invitations, questions) are in tests/providers/test_rate_limits.py."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.ratelimit import RateLimited, rate_limit

pytestmark = pytest.mark.django_db

REFUSED = "Te veel pogingen in korte tijd."


def test_limits_count_per_address_and_per_account_separately(rate_limit_of):
    rate_limit_of("question", ip=2, account=3)
    rate_limit("question", address="192.0.2.1", account="a@example.org")
    rate_limit("question", address="192.0.2.1", account="b@example.org")
    with pytest.raises(RateLimited, match="over 60 minuten"):  # the address's third
        rate_limit("question", address="192.0.2.1", account="c@example.org")
    rate_limit("question", address="192.0.2.2", account="A@example.org")  # a's second
    rate_limit("question", address="192.0.2.3", account="a@example.org")  # a's third
    with pytest.raises(RateLimited):  # a's fourth, from a fresh address
        rate_limit("question", address="192.0.2.4", account="a@example.org")


def test_failed_sign_ins_per_address_are_limited_over_usernames(client, make_user, rate_limit_of):
    rate_limit_of("login", ip=2)
    make_user("ingrid", "aanbieder")
    for username in ("anna", "bert"):  # wrong usernames: below django-axes' lockout
        response = client.post(
            reverse("login"), {"username": username, "password": "geraden-wachtwoord"}
        )
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "ingrid", "password": "x" * 16})

    assert response.status_code == 429
    assert REFUSED in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert SESSION_KEY not in client.session  # the right password did not sign in
    other_address = client.post(
        reverse("login"), {"username": "ingrid", "password": "x" * 16}, REMOTE_ADDR="192.0.2.7"
    )
    assert other_address.status_code == 302


def test_successful_sign_ins_do_not_count(client, make_user, rate_limit_of):
    rate_limit_of("login", ip=1)
    make_user("ingrid", "aanbieder")
    for _ in range(3):
        response = client.post(reverse("login"), {"username": "ingrid", "password": "x" * 16})
        assert response.status_code == 302
        client.logout()


def test_password_reset_mails_per_address_are_limited(client, make_user, rate_limit_of, mailoutbox):
    rate_limit_of("password-reset", ip=2)
    for name in ("carla", "dirk", "eva"):
        make_user(name, "contractmanager", email=f"{name}@gemeente.example")
    for name in ("carla", "dirk"):
        response = client.post(reverse("password_reset"), {"email": f"{name}@gemeente.example"})
        assert response.status_code == 302

    response = client.post(reverse("password_reset"), {"email": "eva@gemeente.example"})

    assert response.status_code == 429
    assert REFUSED in response.content.decode()
    assert [m.to for m in mailoutbox] == [["carla@gemeente.example"], ["dirk@gemeente.example"]]


def test_password_reset_mails_per_address_of_the_account_are_limited(
    client, make_user, rate_limit_of, mailoutbox
):
    rate_limit_of("password-reset", ip=100, account=1)
    make_user("carla", "contractmanager", email="carla@gemeente.example")
    first = client.post(
        reverse("password_reset"), {"email": "carla@gemeente.example"}, REMOTE_ADDR="192.0.2.1"
    )
    assert first.status_code == 302

    second = client.post(
        reverse("password_reset"), {"email": "Carla@gemeente.example"}, REMOTE_ADDR="192.0.2.2"
    )

    assert second.status_code == 429 and REFUSED in second.content.decode()
    assert len(mailoutbox) == 1
