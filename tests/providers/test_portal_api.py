"""The provider portal API: the same rules as the screens; other organisations' objects 404."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.roles import INKOPER
from providers.models import CombinationMember, OrganisationInvitation, UEADeclaration
from tests.problems import field_errors, problem

from .factories import OrganisationFactory, provider
from .test_portal_uea import complete_answers

pytestmark = pytest.mark.django_db

API = "/api/v1/portal/"


@pytest.fixture
def api():
    def make(organisation=None, *, is_admin=True):
        organisation = organisation or OrganisationFactory()
        user = provider(organisation, is_admin=is_admin)
        client = APIClient()
        client.force_authenticate(user)
        client.user, client.org = user, organisation
        return client

    return make


def uea_payload():
    answers = {}
    for code, value in complete_answers().items():
        if code in ("signer_name", "signer_role", "signed_place"):
            continue
        answers[code] = {"ja": True, "nee": False}.get(value, value)
    return {
        "answers": answers,
        "signer_name": "Petra de Boer",
        "signer_role": "Bestuurder",
        "signed_place": "Doetinchem",
    }


def test_own_organisation_read_and_update(api):
    admin = api()
    response = admin.get(API + "organisation/")
    assert response.status_code == 200 and response.data["kvk"] == admin.org.kvk
    changed = admin.patch(API + "organisation/", {"city": "Winterswijk"}, format="json")
    assert changed.status_code == 200 and changed.data["city"] == "Winterswijk"
    bad = admin.patch(API + "organisation/", {"agb": "12"}, format="json")
    assert bad.status_code == 400 and "agb" in field_errors(bad)
    colleague = api(admin.org, is_admin=False)
    assert colleague.patch(API + "organisation/", {"city": "X"}, format="json").status_code == 400


def test_invitations_and_isolation(api):
    a, b = api(), api()
    created = a.post(API + "invitations/", {"email": "nieuw@example.org"}, format="json")
    assert created.status_code == 201 and created.data["state"] == "open"
    pk = created.data["id"]
    assert b.get(f"{API}invitations/{pk}/").status_code == 404
    assert b.post(f"{API}invitations/{pk}/revoke/").status_code == 404
    assert a.post(f"{API}invitations/{pk}/revoke/").data["state"] == "revoked"
    assert OrganisationInvitation.objects.get().revoked_at is not None
    assert [m["is_admin"] for m in a.get(API + "members/").data["results"]] == [True]


def test_combination_flow_and_isolation(api, open_tender):
    lead, member, outsider = api(), api(), api()
    created = lead.post(
        API + "combinations/", {"tender": open_tender.slug, "name": "Samen"}, format="json"
    )
    assert created.status_code == 201
    pk = created.data["id"]
    unknown = lead.post(f"{API}combinations/{pk}/invite/", {"kvk": "99999999"}, format="json")
    assert unknown.status_code == 400 and "geregistreerd" in str(field_errors(unknown)["kvk"])
    invited = lead.post(f"{API}combinations/{pk}/invite/", {"kvk": member.org.kvk}, format="json")
    assert invited.status_code == 201
    row = invited.data["id"]

    assert outsider.get(f"{API}combinations/{pk}/").status_code == 404
    assert outsider.post(f"{API}combination-members/{row}/confirm/").status_code == 404
    assert lead.post(f"{API}combination-members/{row}/confirm/").status_code == 404
    assert member.post(f"{API}combinations/{pk}/invite/", {"kvk": "1"}).status_code == 404

    confirmed = member.post(f"{API}combination-members/{row}/confirm/")
    assert confirmed.status_code == 200 and confirmed.data["state"] == "confirmed"
    assert lead.get(f"{API}combinations/{pk}/").data["complete"] is True
    assert lead.delete(f"{API}combination-members/{row}/").status_code == 400
    overview = member.get(f"{API}tenders/{open_tender.slug}/")
    assert overview.data["combination"]["name"] == "Samen"
    assert CombinationMember.objects.get().confirmed_at is not None


def test_uea_draft_sign_pdf_and_isolation(api, open_tender):
    a, b = api(), api()
    base = f"{API}tenders/{open_tender.slug}/uea/"
    assert a.get(base).status_code == 404
    bad = a.put(base, {"answers": {"onzin": True}}, format="json")
    assert bad.status_code == 400
    saved = a.put(base, uea_payload(), format="json")
    assert saved.status_code == 200 and saved.data["problems"] == {}
    assert b.get(base).status_code == 404
    assert b.get(base + "pdf/").status_code == 404
    signed = a.post(base + "sign/")
    assert signed.status_code == 200 and signed.data["is_signed"]
    again = a.put(base, uea_payload(), format="json")
    assert again.status_code == 400
    pdf = a.get(base + "pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert UEADeclaration.objects.get().is_signed


def test_staff_and_users_without_organisation_get_404(client_for, open_tender):
    staff = APIClient()
    staff.force_authenticate(client_for(INKOPER).user)
    assert staff.get(API + "organisation/").status_code == 404
    assert staff.get(f"{API}tenders/{open_tender.slug}/").status_code == 404


def test_registration_and_invitation_through_the_api():
    anonymous = APIClient()
    payload = {
        "kvk": "61234599",
        "name": "Zorg via API",
        "legal_form": "stichting",
        "email": "beheer@zorgviaapi.example",
        "password": "een-lang-wachtwoord-2026",
        "first_name": "Bea",
        "last_name": "Beheer",
    }
    weak = anonymous.post(API + "register/", {**payload, "password": "kort"}, format="json")
    assert weak.status_code == 400 and "password" in field_errors(weak)
    bad = anonymous.post(API + "register/", {**payload, "kvk": "123"}, format="json")
    assert bad.status_code == 400 and "kvk" in field_errors(bad)

    created = anonymous.post(API + "register/", payload, format="json")
    assert created.status_code == 201, created.data
    assert created.data["organisation"]["kvk"] == "61234599"
    again = anonymous.post(
        API + "register/", {**payload, "email": "ander@zorgviaapi.example"}, format="json"
    )
    assert again.status_code == 400 and "61234599" in field_errors(again)["kvk"][0]

    admin = APIClient()
    admin.credentials(HTTP_AUTHORIZATION="Token " + created.data["token"])
    assert admin.get(API + "organisation/").data["name"] == "Zorg via API"

    from providers.models import Organisation
    from providers.services.organisations import invitation_create

    _invitation, token = invitation_create(
        organisation=Organisation.objects.get(kvk="61234599"),
        user=get_user_model().objects.get(username="beheer@zorgviaapi.example"),
        email="collega@zorgviaapi.example",
    )
    accept = {"token": token, "password": "nog-een-lang-wachtwoord-26", "first_name": "Cor"}
    accepted = anonymous.post(API + "invitations/accept/", accept, format="json")
    assert accepted.status_code == 201, accepted.data
    assert accepted.data["username"] == "collega@zorgviaapi.example"
    reused = anonymous.post(API + "invitations/accept/", accept, format="json")
    assert reused.status_code == 400 and "al gebruikt" in problem(reused)["detail"]


def test_a_combination_invitation_answers_the_same_whatever_the_kvk_does_elsewhere(
    api, open_tender
):
    """The API tells the inviter nothing about the invited organisation's other combination:
    the same status and body (bar ids and names) as for a free organisation; the conflict is
    refused when the invited organisation confirms."""
    other_lead, engaged, free = api(), api(), api()
    other = other_lead.post(
        API + "combinations/", {"tender": open_tender.slug, "name": "Bestaand"}, format="json"
    )
    row = other_lead.post(
        f"{API}combinations/{other.data['id']}/invite/", {"kvk": engaged.org.kvk}, format="json"
    )
    assert engaged.post(f"{API}combination-members/{row.data['id']}/confirm/").status_code == 200

    def invited(invitee):
        lead = api()
        made = lead.post(
            API + "combinations/", {"tender": open_tender.slug, "name": "Nieuw"}, format="json"
        )
        response = lead.post(
            f"{API}combinations/{made.data['id']}/invite/", {"kvk": invitee.org.kvk}, format="json"
        )
        body = {
            key: value
            for key, value in response.data.items()
            if key not in ("id", "combination", "kvk", "name", "invited_at")
        }
        return response.status_code, sorted(response.data), body, response.data["id"]

    to_engaged, to_free = invited(engaged), invited(free)
    assert to_engaged[0] == 201 and to_engaged[:3] == to_free[:3]
    refused = engaged.post(f"{API}combination-members/{to_engaged[3]}/confirm/")
    assert refused.status_code == 400
    assert "neemt al deel aan een andere combinatie" in problem(refused)["detail"]
