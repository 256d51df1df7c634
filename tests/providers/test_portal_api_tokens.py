"""API tokens in the portal: a provider makes one (the key is shown once), sees its own tokens
(prefix, created, last used, expiry) and revokes them; tokens expire and are refused with a
401 problem; nobody sees or revokes another user's token."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.roles import INKOPER
from accounts.tokens import api_token_create
from audit.models import AuditEntry
from tests.conftest import verify_second_factor
from tests.problems import problem

from .factories import provider

pytestmark = pytest.mark.django_db

PAGE = reverse("portal-api-tokens")
OWN_ORGANISATION = "/api/v1/portal/organisation/"


def api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_provider_makes_a_token_sees_the_key_once_and_uses_it(org_client):
    me = org_client()
    made = me.post(PAGE, {"action": "create", "name": "Koppeling administratie"})
    assert made.status_code == 200 and made["Cache-Control"].startswith("max-age=0")
    token = ApiToken.objects.get(user=me.user)
    key = made.context["new_key"]
    assert key in made.content.decode() and key.startswith(token.prefix)
    assert token.key_hash != key and key not in token.key_hash
    assert token.expires_at - token.created_at == dt.timedelta(days=90)

    assert api(key).get(OWN_ORGANISATION).data["name"] == me.org.name
    token.refresh_from_db()
    assert token.last_used_at is not None

    listed = me.get(PAGE).content.decode()
    assert key not in listed
    assert "Koppeling administratie" in listed and f"{token.prefix}…" in listed
    entry = AuditEntry.objects.get(action="api_token.create")
    assert entry.actor_id == me.user.pk and entry.client_address == "127.0.0.1"


def test_a_token_without_a_name_is_refused_on_the_form(org_client):
    response = org_client().post(PAGE, {"action": "create", "name": "  "})
    assert response.status_code == 400
    assert "Geef het token een naam." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_expired_unknown_or_revoked_token_gets_a_401_problem(org_client, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    me = org_client()
    token, key = api_token_create(user=me.user, name="Script")
    assert token.expires_at - token.created_at == dt.timedelta(days=30)
    assert api(key).get(OWN_ORGANISATION).status_code == 200
    with time_machine.travel(token.expires_at + dt.timedelta(seconds=1), tick=False):
        expired = api(key).get(OWN_ORGANISATION)
    assert expired.status_code == 401 and expired["WWW-Authenticate"] == "Token"
    assert problem(expired)["detail"] == "Het token is ongeldig, ingetrokken of verlopen."
    assert api("0" * 40).get(OWN_ORGANISATION).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert api(key).get(OWN_ORGANISATION).status_code == 401


def test_a_user_sees_and_revokes_only_their_own_tokens(org_client):
    me, other = org_client(), org_client()
    colleague = provider(me.org, is_admin=True)
    mine, my_key = api_token_create(user=me.user, name="Mijn koppeling")
    theirs, their_key = api_token_create(user=colleague, name="Koppeling van collega")
    _, stranger_key = api_token_create(user=other.user, name="Vreemde koppeling")

    page = me.get(PAGE).content.decode()
    assert "Mijn koppeling" in page
    assert "Koppeling van collega" not in page and "Vreemde koppeling" not in page

    refused = me.post(PAGE, {"action": "revoke", "token": theirs.pk})
    assert refused.status_code == 404
    assert me.post(PAGE, {"action": "revoke", "token": "x"}).status_code == 404
    assert api(their_key).get(OWN_ORGANISATION).status_code == 200

    revoked = me.post(PAGE, {"action": "revoke", "token": mine.pk}, follow=True)
    assert "Het token &#x27;Mijn koppeling&#x27; is ingetrokken." in revoked.content.decode()
    assert "Ingetrokken op" in revoked.content.decode()
    assert api(my_key).get(OWN_ORGANISATION).status_code == 401
    assert api(stranger_key).get(OWN_ORGANISATION).status_code == 200
    entry = AuditEntry.objects.get(action="api_token.revoke")
    assert entry.object_id == str(mine.pk) and entry.client_address == "127.0.0.1"


def test_the_page_refuses_a_post_without_csrf_token(org_client):
    me = org_client()
    me.handler.enforce_csrf_checks = True
    assert me.post(PAGE, {"action": "create", "name": "Zonder CSRF"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_user_with_a_second_factor_makes_no_own_tokens(org_client):
    """A token passes no TOTP step: a provider who is also municipal staff gets no page."""
    me = org_client()
    me.user.groups.add(Group.objects.get(name=INKOPER))
    verify_second_factor(me, me.user)
    assert me.get(PAGE).status_code == 404
    assert me.post(PAGE, {"action": "create", "name": "Omweg"}).status_code == 404
    assert not ApiToken.objects.exists()
