"""Shared builders of the provider portal tests."""

import pytest

from tests.tender.communication_helpers import build_tender

from .factories import OrganisationFactory, provider


@pytest.fixture
def open_tender(db):
    """A published tender whose deadline is 30 days ahead."""
    return build_tender(slug="portaal-2026", state="requests_open")


@pytest.fixture
def org_client(client):
    """``org_client(organisation=None, is_admin=True)``: a test client logged in as a provider
    user of ``organisation`` (a new one when None); the client has ``.user`` and ``.org``."""
    from django.test import Client

    def make(organisation=None, *, is_admin=True):
        organisation = organisation or OrganisationFactory()
        user = provider(organisation, is_admin=is_admin)
        c = Client()
        c.force_login(user)
        c.user, c.org = user, organisation
        return c

    return make
