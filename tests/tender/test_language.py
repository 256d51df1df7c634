"""Dutch by default, English when the user picks it."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_browser_language_does_not_override_dutch(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "nl"
    assert "Gebruikersnaam" in response.content.decode()


def test_language_switch_shows_english(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/accounts/login/"}, follow=True
    )
    assert response.headers["Content-Language"] == "en"
    assert settings.LANGUAGE_COOKIE_NAME in client.cookies
    html = response.content.decode()
    assert "Username" in html and "Gebruikersnaam" not in html
