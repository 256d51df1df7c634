"""API tokens and passwords: a new password (changed, or reset by mail) revokes every token of
the user; signing in does not."""

import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import api_token_create
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

OLD, NEW = "Oud-Wachtwoord-2026!", "Nieuw-Wachtwoord-2026!"


def status_with(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/tenders/").status_code


def works(key: str) -> bool:
    return status_with(key) == 200


@pytest.fixture
def user_with_tokens(make_user):
    user = make_user("koppeling", "auditor", email="koppeling@gemeente.example")
    user.set_password(OLD)
    user.save()
    keys = [api_token_create(user=user, name=name)[1] for name in ("BI", "Archief")]
    assert all(works(key) for key in keys)
    return user, keys


def test_changing_the_password_revokes_every_token(client, make_user, user_with_tokens):
    user, keys = user_with_tokens
    _, bystander_key = api_token_create(user=make_user("collega", "auditor"), name="BI")
    signed_in = client.post(reverse("login"), {"username": user.username, "password": OLD})
    assert signed_in.status_code == 302  # signing in (last_login saved) revokes nothing
    assert all(works(key) for key in keys)

    user.set_password(NEW)
    user.save()
    assert [status_with(key) for key in keys] == [401, 401]
    assert works(bystander_key)
    entry = AuditEntry.objects.get(action="api_token.revoke_all")
    assert entry.actor_id == user.pk and entry.details == {"reason": "password_changed", "count": 2}


def test_a_password_reset_by_mail_revokes_every_token(client, user_with_tokens):
    user, keys = user_with_tokens
    client.post(reverse("password_reset"), {"email": "koppeling@gemeente.example"})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert not any(works(key) for key in keys)
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 0


def test_the_password_change_page_revokes_the_providers_tokens(client, make_user):
    user = make_user("aanbieder", "aanbieder")
    user.set_password(OLD)
    user.save()
    _token, key = api_token_create(user=user, name="Script")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert status_with(key) == 401


def test_an_administrator_makes_an_integration_token_with_the_command(make_user, capsys):
    user = make_user("bi-koppeling", "auditor")
    call_command("api_token_create", "bi-koppeling", "Koppeling BI")
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=user)
    assert token.name == "Koppeling BI" and key.startswith(token.prefix) and works(key)
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("api_token_create", "niemand", "X")
