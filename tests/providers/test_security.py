"""Issue 18.8: a self-registered provider confirms its e-mail address through a signed link
before it can submit; every provider user may add an authenticator app, and an organisation
admin can make the second factor required for the whole organisation (next sign-in)."""

import re

import pytest
from django.core import mail, signing
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from providers.models import OrganisationMembership
from providers.services import submissions as services
from providers.services.verification import SALT
from tender.errors import ApplicationError

from .submission_support import complete_draft, media, open_tender, provider  # noqa: F401
from .test_portal_organisation import PASSWORD, registration

pytestmark = pytest.mark.django_db


def _verify_path(body: str) -> str:
    return re.search(r"(/portaal/e-mail-bevestigen/[^/\s]+/)", body).group(1)


def test_registration_mails_a_signed_link_that_verifies_the_address_once(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal-register"), registration())
    membership = OrganisationMembership.objects.get(user__username="petra@delinde.example")
    assert not membership.email_verified
    assert mail.outbox[-1].to == ["petra@delinde.example"]
    path = _verify_path(mail.outbox[-1].body)
    home = client.get(reverse("portal-home")).content.decode()
    assert "Bevestig uw e-mailadres" in home

    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert client.get(tampered).status_code == 400
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == reverse("portal-home")
    membership.refresh_from_db()
    assert membership.email_verified
    assert client.get(path).status_code == 302  # a second click is harmless
    assert AuditEntry.objects.filter(action="organisation.email_verify").count() == 1


def test_an_expired_link_is_refused(client, settings):
    user, _organisation = provider("Zorg Verlopen")
    OrganisationMembership.objects.filter(user=user).update(email_verified=False)
    token = signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=SALT)
    settings.PORTAL_EMAIL_VERIFICATION_HOURS = -1
    page = client.get(reverse("portal-email-verify", args=[token]))
    assert page.status_code == 400 and "verlopen" in page.content.decode()
    assert not OrganisationMembership.objects.get(user=user).email_verified


@pytest.mark.usefixtures("media")
def test_an_unverified_user_cannot_submit():
    tender = open_tender()
    user, organisation = provider("Zorg Onbevestigd")
    draft = complete_draft(tender, user, organisation)
    OrganisationMembership.objects.filter(user=user).update(email_verified=False)
    user.refresh_from_db()
    with pytest.raises(ApplicationError, match="Bevestig eerst uw e-mailadres"):
        services.submission_seal(submission=draft, user=user)


def _sign_in(client, username):
    client.logout()
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_an_admin_makes_the_second_factor_required_at_the_next_sign_in(client):
    admin, organisation = provider(
        "Zorg Veilig", username="beheer@veilig.example", password=PASSWORD
    )
    colleague, _ = provider("Zorg Ander", username="collega@veilig.example", password=PASSWORD)
    OrganisationMembership.objects.filter(user=colleague).update(
        organisation=organisation, is_admin=False
    )
    _sign_in(client, "collega@veilig.example")
    assert client.get(reverse("portal-home")).status_code == 200  # optional: no step
    assert (
        client.post(
            reverse("portal-security"), {"action": "two_factor", "required": "1"}
        ).status_code
        == 400
    )  # not an admin
    organisation.refresh_from_db()
    assert not organisation.two_factor_required

    _sign_in(client, "beheer@veilig.example")
    page = client.get(reverse("portal-security")).content.decode()
    assert "Tweede factor verplicht" in page
    client.post(reverse("portal-security"), {"action": "two_factor", "required": "1"})
    organisation.refresh_from_db()
    assert organisation.two_factor_required
    assert client.get(reverse("portal-home")).status_code == 200  # this session goes on
    assert AuditEntry.objects.filter(action="organisation.two_factor").exists()

    _sign_in(client, "collega@veilig.example")
    response = client.get(reverse("portal-home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    assert client.get("/api/v1/portal/organisation/").status_code == 403


def test_a_provider_who_enrolled_passes_the_code_step(client):
    user, _organisation = provider("Zorg App", username="app@zorg.example", password=PASSWORD)
    _sign_in(client, "app@zorg.example")
    setup = client.get(reverse("two_factor_setup"))
    assert setup.status_code == 200  # voluntary enrolment from the security page
    TOTPDevice.objects.filter(user=user).update(confirmed=True)
    _sign_in(client, "app@zorg.example")
    response = client.get(reverse("portal-home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
