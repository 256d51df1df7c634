"""Registration of an organisation, its page, and inviting colleagues."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from providers.models import Organisation, OrganisationInvitation, OrganisationMembership

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Zorg-Achterhoek-2026!"


def registration(**overrides):
    data = {
        "kvk": "12345678",
        "name": "Stichting De Linde",
        "legal_form": "stichting",
        "agb": "",
        "address": "Lindelaan 4",
        "postcode": "7001ab",
        "city": "Doetinchem",
        "phone": "0314 123456",
        "contact_name": "Petra de Boer",
        "contact_email": "inkoop@delinde.example",
        "first_name": "Petra",
        "last_name": "de Boer",
        "email": "Petra@DeLinde.example",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return {**data, **overrides}


def test_registration_creates_admin_and_logs_in(client):
    response = client.post(reverse("portal-register"), registration())

    assert response.status_code == 302
    assert response["Location"] == reverse("portal-organisation")
    organisation = Organisation.objects.get(kvk="12345678")
    assert organisation.postcode == "7001 AB"
    user = get_user_model().objects.get(username="petra@delinde.example")
    assert user.groups.filter(name="aanbieder").exists()
    membership = OrganisationMembership.objects.get(user=user)
    assert membership.organisation == organisation and membership.is_admin
    assert AuditEntry.objects.filter(action="organisation.register").count() == 1
    page = client.get(reverse("portal-organisation"))
    assert page.status_code == 200
    assert "Stichting De Linde" in page.content.decode()
    # The provider can sign in again with the e-mail address and password (axes, no 2FA).
    client.logout()
    login = client.post(
        reverse("login"), {"username": "petra@delinde.example", "password": PASSWORD}
    )
    assert login.status_code == 302
    assert client.get(reverse("portal-home")).status_code == 200


def test_duplicate_kvk_is_refused_and_stores_nothing(client):
    OrganisationFactory(kvk="12345678", name="Bestaande BV")
    users = get_user_model().objects.count()

    response = client.post(reverse("portal-register"), registration())

    assert response.status_code == 400
    assert "Er is al een organisatie geregistreerd met KvK-nummer 12345678" in (
        response.content.decode()
    )
    assert get_user_model().objects.count() == users
    assert Organisation.objects.filter(kvk="12345678").count() == 1
    assert not AuditEntry.objects.filter(action="organisation.register").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kvk", "1234567", "Een KvK-nummer bestaat uit 8 cijfers."),
        ("kvk", "1234567a", "Een KvK-nummer bestaat uit 8 cijfers."),
        ("agb", "123", "Een AGB-code bestaat uit 8 cijfers."),
        ("legal_form", "nv", "Selecteer een geldige keuze"),
        ("password2", "iets-anders-2026", "De twee wachtwoorden zijn niet gelijk."),
        ("password1", "kort", "12"),  # Django's minimum length (its text is English in 5.2)
    ],
)
def test_registration_refuses_bad_input(client, field, value, message):
    data = registration(**{field: value})
    if field == "password1":
        data["password2"] = value

    response = client.post(reverse("portal-register"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Organisation.objects.exists()
    assert not get_user_model().objects.exists()


def test_legal_forms_offered():
    from providers.portal_forms import RegistrationForm

    labels = [str(label) for _, label in RegistrationForm().fields["legal_form"].choices]
    for form in ("Stichting", "BV", "ZZP", "VOF", "Coöperatie", "Coöperatie i.o.", "Consortium"):
        assert form in labels


def _invite(client, email="collega@delinde.example"):
    return client.post(reverse("portal-organisation"), {"action": "invite", "email": email})


def _token_from_mail() -> str:
    return re.search(r"/portaal/uitnodiging/([^/\s]+)/", mail.outbox[-1].body).group(1)


def test_invitation_creates_account_once(org_client, client, django_capture_on_commit_callbacks):
    admin = org_client()
    with django_capture_on_commit_callbacks(execute=True):
        assert _invite(admin).status_code == 302
    assert mail.outbox[-1].to == ["collega@delinde.example"]
    token = _token_from_mail()
    url = reverse("portal-invitation", args=[token])

    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"first_name": "Karin", "last_name": "Smit", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    user = get_user_model().objects.get(username="collega@delinde.example")
    membership = user.organisation_membership
    assert membership.organisation == admin.org and not membership.is_admin
    assert client.get(reverse("portal-organisation")).status_code == 200
    # Single use.
    client.logout()
    again = client.get(url)
    assert again.status_code == 410
    assert "al gebruikt" in again.content.decode()
    assert AuditEntry.objects.filter(action="organisation.invitation_accept").count() == 1


def test_expired_and_revoked_invitations_cannot_be_used(
    org_client, client, django_capture_on_commit_callbacks
):
    admin = org_client()
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin, "een@example.org")
    expired_token = _token_from_mail()
    OrganisationInvitation.objects.filter(email="een@example.org").update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin, "twee@example.org")
    revoked_token = _token_from_mail()
    invitation = OrganisationInvitation.objects.get(email="twee@example.org")
    assert (
        admin.post(
            reverse("portal-organisation"), {"action": "revoke", "invitation": invitation.pk}
        ).status_code
        == 302
    )

    form = {"first_name": "X", "last_name": "Y", "password1": PASSWORD, "password2": PASSWORD}
    expired = client.post(reverse("portal-invitation", args=[expired_token]), form)
    revoked = client.post(reverse("portal-invitation", args=[revoked_token]), form)
    unknown = client.get(reverse("portal-invitation", args=["onzin"]))

    assert "verlopen" in expired.content.decode()
    assert "ingetrokken" in revoked.content.decode()
    assert unknown.status_code == 404
    assert not get_user_model().objects.filter(username__in=["een@example.org", "twee@example.org"])


def test_only_admin_edits_and_invites(org_client):
    admin = org_client()
    colleague = org_client(admin.org, is_admin=False)

    page = colleague.get(reverse("portal-organisation"))
    assert page.status_code == 200
    assert "Collega uitnodigen" not in page.content.decode()
    assert _invite(colleague).status_code == 404
    assert not OrganisationInvitation.objects.exists()

    response = admin.post(
        reverse("portal-organisation"),
        {
            "action": "update",
            "name": "Stichting Nieuw",
            "legal_form": "bv",
            "agb": "12345678",
            "address": "Markt 1",
            "postcode": "7001 AA",
            "city": "Doetinchem",
            "phone": "0314 1",
            "contact_name": "Jan",
            "contact_email": "jan@example.org",
        },
    )
    assert response.status_code == 302
    admin.org.refresh_from_db()
    assert admin.org.name == "Stichting Nieuw" and admin.org.agb == "12345678"
    assert AuditEntry.objects.filter(action="organisation.update").count() == 1


def test_revoking_another_organisations_invitation_is_404(org_client):
    a, b = org_client(), org_client()
    _invite(a, "x@example.org")
    invitation = OrganisationInvitation.objects.get()
    response = b.post(
        reverse("portal-organisation"), {"action": "revoke", "invitation": invitation.pk}
    )
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_organisation_page_query_count(org_client, django_assert_num_queries):
    admin = org_client()
    for n in range(3):
        org_client(admin.org, is_admin=False)
        _invite(admin, f"c{n}@example.org")
    admin.get(reverse("portal-organisation"))  # warm up session
    with django_assert_num_queries(7):
        assert admin.get(reverse("portal-organisation")).status_code == 200
