"""Sessions end after 30 minutes without activity and 8 hours after sign-in."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def traveller():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_idle_for_30_minutes_signs_out_with_a_dutch_message(traveller, client_for):
    client = client_for("inkoper")
    assert client.get(reverse("home")).status_code == 200
    traveller.shift(timedelta(minutes=31, seconds=1))
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "U bent uitgelogd omdat u 30 minuten niet actief was." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_short_pause_keeps_the_session(traveller, client_for):
    client = client_for("inkoper")
    traveller.shift(timedelta(minutes=29))
    assert client.get(reverse("home")).status_code == 200


def test_activity_keeps_the_session_until_the_maximum_of_8_hours(traveller, client_for):
    client = client_for("inkoper")
    for _ in range(23):  # a request every 20 minutes: 7 h 40 min
        traveller.shift(timedelta(minutes=20))
        assert client.get(reverse("home")).status_code == 200
    traveller.shift(timedelta(minutes=20))
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "langer dan 8 uur was ingelogd" in response.content.decode()


def test_the_api_treats_an_idle_session_as_signed_out(traveller, client_for):
    client = client_for("inkoper")
    traveller.shift(timedelta(hours=1))
    assert client.get("/api/v1/tenders/").status_code == 403
