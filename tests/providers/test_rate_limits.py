"""Rate limits (accounts.ratelimit) on the provider portal and the public site: registering,
inviting colleagues, inviting organisations into a combination, asking questions, and the
newsletter sign-up, on the screens and in the API. Over the limit: 429 with a Dutch message
(a page; a problem in the API), nothing stored, no mail."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from communication.models import NewsletterSubscription, Question
from providers.models import CombinationMember, Organisation, OrganisationInvitation
from tests.problems import problem

from .factories import OrganisationFactory, provider
from .test_portal_organisation import registration

pytestmark = pytest.mark.django_db

API = "/api/v1/portal/"
REFUSED = "Te veel pogingen in korte tijd."


def api_client(organisation=None):
    client = APIClient()
    client.user = provider(organisation or OrganisationFactory())
    client.force_authenticate(client.user)
    return client


def assert_refused_page(response):
    assert response.status_code == 429
    assert REFUSED in response.content.decode()


def assert_refused_problem(response):
    assert response.status_code == 429
    body = problem(response)
    assert REFUSED in body["detail"] and body["invalid_params"] == []
    assert int(response["Retry-After"]) > 0


# -- registration -------------------------------------------------------------------------


def test_registrations_from_one_address_are_limited_on_the_form(rate_limit_of):
    rate_limit_of("register", ip=2)
    for n in (1, 2):
        response = Client().post(
            reverse("portal-register"), registration(kvk=f"1234567{n}", email=f"p{n}@x.example")
        )
        assert response.status_code == 302

    response = Client().post(
        reverse("portal-register"), registration(kvk="12345673", email="p3@x.example")
    )

    assert_refused_page(response)
    assert not Organisation.objects.filter(kvk="12345673").exists()


def test_registrations_from_one_address_are_limited_in_the_api(rate_limit_of):
    rate_limit_of("register", ip=1)
    payload = {
        "kvk": "61234599",
        "name": "Zorg via API",
        "legal_form": "stichting",
        "email": "beheer@zorgviaapi.example",
        "password": "een-lang-wachtwoord-2026",
    }
    assert APIClient().post(API + "register/", payload, format="json").status_code == 201

    response = APIClient().post(
        API + "register/", {**payload, "kvk": "61234598", "email": "b@x.example"}, format="json"
    )

    assert_refused_problem(response)
    assert not Organisation.objects.filter(kvk="61234598").exists()


# -- colleague invitations ----------------------------------------------------------------


def test_colleague_invitations_per_admin_are_limited_on_the_page_and_send_no_mail(
    org_client, rate_limit_of, mailoutbox, django_capture_on_commit_callbacks
):
    rate_limit_of("organisation-invitation", account=2)
    admin = org_client()
    url = reverse("portal-organisation")
    with django_capture_on_commit_callbacks(execute=True):
        for n in (1, 2):
            response = admin.post(url, {"action": "invite", "email": f"c{n}@delinde.example"})
            assert response.status_code == 302
        response = admin.post(url, {"action": "invite", "email": "c3@delinde.example"})

    assert_refused_page(response)
    assert len(mailoutbox) == 2
    assert not OrganisationInvitation.objects.filter(email="c3@delinde.example").exists()


def test_colleague_invitations_per_admin_are_limited_in_the_api(
    rate_limit_of, mailoutbox, django_capture_on_commit_callbacks
):
    rate_limit_of("organisation-invitation", account=1)
    admin = api_client()
    with django_capture_on_commit_callbacks(execute=True):
        first = admin.post(API + "invitations/", {"email": "c1@x.example"}, format="json")
        assert first.status_code == 201
        response = admin.post(API + "invitations/", {"email": "c2@x.example"}, format="json")

    assert_refused_problem(response)
    assert len(mailoutbox) == 1
    assert OrganisationInvitation.objects.count() == 1


# -- combination invitations --------------------------------------------------------------


def test_combination_invitations_per_lead_are_limited_on_the_page_and_send_no_mail(
    org_client, open_tender, rate_limit_of, mailoutbox, django_capture_on_commit_callbacks
):
    rate_limit_of("combination-invitation", account=1)
    lead, first, second = org_client(), org_client(), org_client()
    url = reverse("portal-combination", args=[open_tender.slug])
    assert lead.post(url, {"action": "create", "name": "Samen"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert lead.post(url, {"action": "invite", "kvk": first.org.kvk}).status_code == 302
        response = lead.post(url, {"action": "invite", "kvk": second.org.kvk})

    assert_refused_page(response)
    assert [m.to for m in mailoutbox] == [[first.user.email]]
    assert not CombinationMember.objects.filter(organisation=second.org).exists()


def test_combination_invitations_per_lead_are_limited_in_the_api(
    open_tender, rate_limit_of, mailoutbox, django_capture_on_commit_callbacks
):
    rate_limit_of("combination-invitation", account=1)
    lead, first, second = api_client(), api_client(), api_client()
    created = lead.post(
        API + "combinations/", {"tender": open_tender.slug, "name": "Samen"}, format="json"
    )
    invite = f"{API}combinations/{created.data['id']}/invite/"
    with django_capture_on_commit_callbacks(execute=True):
        assert lead.post(invite, {"kvk": _kvk(first)}, format="json").status_code == 201
        response = lead.post(invite, {"kvk": _kvk(second)}, format="json")

    assert_refused_problem(response)
    assert len(mailoutbox) == 1
    assert CombinationMember.objects.count() == 1


def _kvk(client) -> str:
    return client.user.organisation_membership.organisation.kvk


# -- questions ----------------------------------------------------------------------------


def test_questions_per_user_are_limited_on_the_page(org_client, open_tender, rate_limit_of):
    rate_limit_of("question", account=2)
    asker = org_client()
    url = reverse("public-questions", args=[open_tender.slug])
    for n in (1, 2):
        response = asker.post(url, {"lot": "", "segment": "", "text": f"Vraag {n}?"})
        assert response.status_code == 302

    response = asker.post(url, {"lot": "", "segment": "", "text": "Vraag 3?"})

    assert_refused_page(response)
    assert Question.objects.count() == 2


def test_questions_per_user_are_limited_in_the_api(open_tender, rate_limit_of):
    rate_limit_of("question", account=1)
    asker = api_client()
    url = "/api/v1/questions/"
    first = asker.post(url, {"tender": open_tender.slug, "text": "Vraag 1?"}, format="json")
    assert first.status_code == 201, first.content

    response = asker.post(url, {"tender": open_tender.slug, "text": "Vraag 2?"}, format="json")

    assert_refused_problem(response)
    assert Question.objects.count() == 1


# -- newsletter sign-up (anonymous, mails a confirmation link) ----------------------------


def test_newsletter_sign_ups_from_one_address_are_limited_and_mail_nothing(
    client, open_tender, rate_limit_of, mailoutbox, django_capture_on_commit_callbacks
):
    rate_limit_of("newsletter", ip=2)
    url = reverse("public-newsletter", args=[open_tender.slug])
    with django_capture_on_commit_callbacks(execute=True):
        for n in (1, 2):
            assert client.post(url, {"email": f"lezer{n}@example.org"}).status_code == 302
        response = client.post(url, {"email": "lezer3@example.org"})

    assert_refused_page(response)
    assert len(mailoutbox) == 2
    assert not NewsletterSubscription.objects.filter(email="lezer3@example.org").exists()
