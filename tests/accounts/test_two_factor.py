"""The second factor (TOTP): who needs it, setting it up, passing it, and the API side."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tokens import api_token_create
from audit.models import AuditEntry

from .conftest import code_for

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/2fa/"
SETUP = "/accounts/2fa/instellen/"


def secret_from_page(html: str) -> str:
    start = html.index('id="totp-secret">') + len('id="totp-secret">')
    return html[start : html.index("</code>", start)].replace(" ", "")


@pytest.mark.parametrize(
    "role", ["inkoper", "voorzitter", "beoordelaar", "contractmanager", "auditor"]
)
def test_staff_user_without_a_device_is_sent_to_the_setup(staff_login, role):
    client = staff_login(role, device=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2F"


def test_staff_user_with_a_device_but_no_code_yet_is_sent_to_verify(staff_login, demo_tender):
    client = staff_login("voorzitter")
    url = reverse("tender-detail", args=["inkoop-2022"])
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == VERIFY and parse_qs(location.query) == {"next": [url]}


def test_the_login_form_leads_to_the_code_page(client, make_user):
    user = make_user("ingrid", "inkoper")
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    response = client.post(
        reverse("login"), {"username": "ingrid", "password": "x" * 16}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{VERIFY}?next=%2Fstart%2F"  # the start page
    assert "Voer de code van 6 cijfers in" in response.content.decode()


def test_a_wrong_code_gives_a_dutch_error_and_no_access(staff_login):
    client = staff_login()
    wrong = "000000" if code_for(client.device) != "000000" else "111111"
    response = client.post(VERIFY, {"token": wrong, "next": "/"})
    assert response.status_code == 200
    assert "De code is onjuist of verlopen." in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_a_code_that_is_not_six_digits_is_refused_by_the_form(staff_login):
    response = staff_login().post(VERIFY, {"token": "12a456"})
    assert "Voer de 6 cijfers van de code in." in response.content.decode()


def test_the_right_code_lets_the_user_through_to_where_they_were_going(staff_login, demo_tender):
    client = staff_login("voorzitter")
    url = reverse("tender-detail", args=["inkoop-2022"])
    response = client.post(VERIFY, {"token": code_for(client.device), "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert client.session[DEVICE_ID_SESSION_KEY] == client.device.persistent_id
    assert client.get(url).status_code == 200


def test_a_code_with_a_space_is_accepted(staff_login):
    client = staff_login()
    code = code_for(client.device)
    response = client.post(VERIFY, {"token": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302 and response["Location"] == reverse("start")


def test_a_code_is_accepted_only_once(staff_login, client):
    client = staff_login()
    code = code_for(client.device)
    assert client.post(VERIFY, {"token": code}).status_code == 302
    client.force_login(client.user)  # a new sign-in in another session
    del_session = client.session
    del_session.pop(DEVICE_ID_SESSION_KEY, None)
    del_session.save()
    response = client.post(VERIFY, {"token": code})
    assert "De code is onjuist of verlopen." in response.content.decode()


def test_repeated_wrong_codes_are_throttled(staff_login):
    client = staff_login()
    client.post(VERIFY, {"token": "000000"})
    client.post(VERIFY, {"token": "000001"})
    response = client.post(VERIFY, {"token": code_for(client.device)})
    assert "Te veel onjuiste codes achter elkaar." in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_next_only_leads_to_this_site(staff_login):
    client = staff_login()
    response = client.post(
        VERIFY, {"token": code_for(client.device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("start")  # LOGIN_REDIRECT_URL


def test_setup_shows_an_inline_qr_code_and_the_secret_and_confirms_the_device(staff_login):
    client = staff_login("auditor", device=False)
    html = client.get(f"{SETUP}?next=/").content.decode()
    assert "<svg" in html and 'role="img"' in html and "otpauth" not in html
    secret = secret_from_page(html)
    device = TOTPDevice.objects.get(user=client.user, confirmed=False)
    assert secret == device.config_url.split("secret=")[1].split("&")[0]
    # A reload shows the same secret: a QR code scanned before the reload keeps working.
    assert secret_from_page(client.get(SETUP).content.decode()) == secret

    response = client.post(SETUP, {"token": code_for(device), "next": "/"}, follow=True)
    assert response.redirect_chain[0] == ("/", 302)
    assert "Tweestapsverificatie is ingesteld." in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed and client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert AuditEntry.objects.filter(action="accounts.totp_confirmed", actor=client.user).exists()


def test_setup_with_a_wrong_code_leaves_the_device_unconfirmed(staff_login):
    client = staff_login(device=False)
    client.get(SETUP)
    response = client.post(SETUP, {"token": "000000"})
    assert "De code is onjuist of verlopen." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=client.user, confirmed=True).exists()


def test_setup_is_not_offered_again_once_a_device_is_confirmed(staff_login):
    client = staff_login()
    response = client.get(f"{SETUP}?next=/x/")
    assert response.status_code == 302 and response["Location"] == f"{VERIFY}?next=%2Fx%2F"


def test_a_provider_needs_no_second_factor(staff_login):
    client = staff_login("aanbieder", device=False)
    response = client.get(reverse("home"))
    assert not response.get("Location", "").startswith("/accounts/2fa/")
    assert client.get(VERIFY).status_code == 302  # nothing to verify: on to the home page


def test_the_admin_asks_a_superuser_for_the_second_factor(staff_login):
    client = staff_login(None, device=False, username="root", is_staff=True, is_superuser=True)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    # The admin's own login page is exempt; it passes the signed-in user on to the admin,
    # which asks for the second factor again (no loop, no way around it).
    response = client.get(reverse("admin:login"), follow=True)
    assert response.redirect_chain[-1][0].startswith(SETUP)


def test_logout_and_language_switch_work_before_the_second_factor(staff_login):
    client = staff_login()
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert SESSION_KEY not in client.session


def test_api_session_of_an_unverified_staff_user_gets_403_json(staff_login):
    client = staff_login()
    response = client.get("/api/v1/tenders/")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Tweestapsverificatie is vereist")


def test_api_session_of_a_verified_staff_user_is_served(client_for):
    assert client_for("inkoper").get("/api/v1/tenders/").status_code == 200


def test_api_token_of_a_staff_user_is_served(client, make_user):
    _token, key = api_token_create(user=make_user("integratie", "auditor"), name="Koppeling")
    response = client.get("/api/v1/tenders/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_htmx_requests_are_sent_to_the_code_page_as_a_whole_page(staff_login):
    response = staff_login().get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"].startswith(VERIFY)


def test_the_code_page_is_available_in_english(staff_login, settings):
    client = staff_login()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.post(VERIFY, {"token": "12a456"}).content.decode()
    assert "Enter code" in html and "Enter the 6 digits of the code." in html
