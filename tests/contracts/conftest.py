"""Contracts on the Achterhoek demo tender, built with the factories."""

from datetime import date
from decimal import Decimal

import pytest

from providers.models import Dossier, OrganisationMembership

from .factories import ContractFactory, ContractSegmentFactory


@pytest.fixture
def make_contract(demo_tender):
    """A contract of the bidder of the first dossier in ``segment_code`` with that segment."""

    def make(segment_code="WMO-BEG", *, index=0, lumpsum="120000.00", start=None, **extra):
        dossier = (
            Dossier.objects.filter(submission__tender=demo_tender, segment__code=segment_code)
            .select_related("submission__bidder", "segment")
            .order_by("submission__bidder__kvk")[index]
        )
        contract = ContractFactory(submission=dossier.submission, **extra)
        ContractSegmentFactory(
            contract=contract,
            dossier=dossier,
            start_date=start or dossier.segment.start_date or date(2022, 1, 1),
            bid_amount=Decimal(lumpsum),
            lumpsum_amount=Decimal(lumpsum),
        )
        return contract

    return make


@pytest.fixture
def provider_of(make_user):
    """A provider user who is a member of ``contract``'s organisation."""

    def make(contract, username="aanbieder-x"):
        user = make_user(username, "aanbieder")
        OrganisationMembership.objects.create(user=user, organisation=contract.provider)
        return user

    return make
