"""Password reset by mail: a Dutch mail with a one-time link that sets a new password."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nieuw-Wachtwoord-2024!"


def test_the_login_page_links_to_the_password_reset(client):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in html and "Wachtwoord vergeten?" in html


def test_reset_mail_is_sent_and_its_link_sets_a_new_password(client, make_user):
    user = make_user("carla", "contractmanager", email="carla@gemeente.example", first_name="Carla")
    response = client.post(reverse("password_reset"), {"email": "carla@gemeente.example"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert "Controleer uw e-mail" in client.get(response["Location"]).content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carla@gemeente.example"]
    assert message.subject == "Nieuw wachtwoord voor Aanbesteding Sociaal Domein"
    assert message.body.startswith("Beste Carla,")
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert "Nieuw wachtwoord instellen" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert (
        "Uw nieuwe wachtwoord is opgeslagen." in client.get(response["Location"]).content.decode()
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    used = client.get(link, follow=True).content.decode()
    assert "Deze link werkt niet meer" in used


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post(reverse("password_reset"), {"email": "niemand@gemeente.example"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
