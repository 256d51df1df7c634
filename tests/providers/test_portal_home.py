"""The portal home: providers only, published tenders only, their own organisation named."""

import pytest
from django.urls import reverse

from accounts.roles import AANBIEDER, INKOPER
from providers.models import Organisation, OrganisationMembership

pytestmark = pytest.mark.django_db


def test_provider_sees_own_organisation_and_only_published_tenders(client_for, demo_tender):
    client = client_for(AANBIEDER, "zorg1")
    organisation = Organisation.objects.get(kvk="30000001")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="zorg1")
    OrganisationMembership.objects.create(user=user, organisation=organisation, is_admin=True)

    response = client.get(reverse("portal-home"))

    assert response.status_code == 200
    assert organisation.name in response.content.decode()
    # The demo tender is a draft: not shown to providers.
    assert demo_tender.title not in response.content.decode()

    demo_tender.state = "published"
    demo_tender.save(update_fields=["state"])
    assert demo_tender.title in client.get(reverse("portal-home")).content.decode()


def test_staff_user_gets_no_portal(client_for):
    client = client_for(INKOPER)
    assert client.get(reverse("portal-home")).status_code == 403


def test_provider_home_redirects_to_the_start_page(client_for):
    client = client_for(AANBIEDER)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("start")
