"""Signing in with a second factor in a real browser: first sign-in sets up the authenticator
app from the page (the secret as text), a later sign-in asks for the code; the pages pass
axe-core. And the password-reset page is reachable from the login page."""

import base64
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.roles import INKOPER

from .conftest import assert_no_axe_violations, login, screenshot, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zorg-Inkoop-2022!"


def make_inkoper(username):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=INKOPER)[0])
    return user


def sign_in_with_password(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()


def test_first_sign_in_sets_up_the_app_and_the_next_asks_for_the_code(live_server, page):
    user = make_inkoper("inkoper-2fa")
    sign_in_with_password(page, live_server, "inkoper-2fa")
    assert page.url.startswith(live_server.url + "/accounts/2fa/instellen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie instellen")
    expect(
        page.get_by_role("img", name="QR-code om uw authenticator-app te koppelen")
    ).to_be_visible()
    screenshot(page, "two-factor-setup")
    assert_no_axe_violations(page)

    # What a tester types into an authenticator app: the secret shown as text.
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    app = TOTP(base64.b32decode(secret))
    page.get_by_label("Code uit uw authenticator-app").fill("000000" if app.token() else "111111")
    with page.expect_navigation():
        page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_text("De code is onjuist of verlopen.")).to_be_visible()
    assert_no_axe_violations(page)
    # django-otp throttles the device for a second after one wrong code; that second passes
    # (the failure stays counted) instead of the test waiting for it.
    device = TOTPDevice.objects.get(user=user)
    assert device.throttling_failure_count == 1
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=2)
    )

    page.get_by_label("Code uit uw authenticator-app").fill(f"{app.token():06d}")
    with page.expect_navigation():
        page.get_by_role("button", name="Bevestigen").click()
    assert page.url == live_server.url + reverse("start")  # the page after login
    expect(page.get_by_text("Tweestapsverificatie is ingesteld.")).to_be_visible()

    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(live_server.url + reverse("login"))
    sign_in_with_password(page, live_server, "inkoper-2fa")
    assert page.url.startswith(live_server.url + "/accounts/2fa/?")
    screenshot(page, "two-factor-verify")
    assert_no_axe_violations(page)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.get_by_label("Code uit uw authenticator-app").fill(totp_code(device))
    with page.expect_navigation():
        page.get_by_role("button", name="Verder").click()
    assert page.url == live_server.url + reverse("start")  # the page after login


def test_login_helper_passes_the_code_step(live_server, page):
    make_inkoper("inkoper-helper")
    login(page, live_server, "inkoper-helper", PASSWORD)
    assert page.url == live_server.url + reverse("start")  # the page after login


def test_password_reset_pages_are_linked_and_accessible(live_server, page):
    page.goto(live_server.url + reverse("login"))
    with page.expect_navigation():
        page.get_by_role("link", name="Wachtwoord vergeten?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtwoord vergeten")
    assert_no_axe_violations(page)
    page.get_by_label("E-mailadres").fill("iemand@gemeente.example")
    with page.expect_navigation():
        page.get_by_role("button", name="Link versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw e-mail")
    assert_no_axe_violations(page)
