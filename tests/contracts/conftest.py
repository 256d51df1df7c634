"""Contracts on the Achterhoek demo: brought to a final award (both rankings finalised, tender
'awarded') and contracted by the service, or built directly with the factories."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from contracts.models import Contract
from contracts.services.contracts import contracts_create_from_awards
from providers.models import Dossier, OrganisationMembership
from tests.contracts.award_support import (
    award_decided,
    request_and_finalise_rankings,
)

from .factories import ContractFactory, ContractSegmentFactory


@pytest.fixture
def awarded_tender(demo_tender, _demo_world, make_user, django_capture_on_commit_callbacks):
    """The Achterhoek demo after the final award: both rankings final (requested and finalised
    by the chair 'voorzitter-c'; shared, see ``DemoWorld``), the award decision sent and every
    segment's standstill ended an hour ago, the tender 'awarded'. The decision is made per test
    (it depends on the time), except for the tests of ``contracts``, which share it with the
    contracts (the level 'contracted')."""
    if _demo_world.has("contracted"):
        return demo_tender
    if not _demo_world.has("awarded"):
        request_and_finalise_rankings(
            demo_tender,
            chair=make_user("voorzitter-c", "voorzitter"),
            capture=django_capture_on_commit_callbacks,
        )
    award_decided(demo_tender)
    return demo_tender


@pytest.fixture
def contract_manager(make_user, _demo_world):
    """The contract manager 'cm' (the one of the shared contracts if the test has them)."""
    if _demo_world.has("contracted"):
        return get_user_model().objects.get(username="cm")
    return make_user("cm", "contractmanager")


@pytest.fixture
def contracts(awarded_tender, contract_manager, _demo_world):
    """The contracts made from the final award by ``contract_manager``, in the order the
    service returns them: fresh instances of the shared ones (the level 'contracted', see
    ``DemoWorld``); a test that builds its own award (also ``award_tender``, transactional)
    makes its own."""
    if _demo_world.has("contracted"):
        by_pk = Contract.objects.in_bulk(_demo_world.contract_pks)
        return [by_pk[pk] for pk in _demo_world.contract_pks]
    return contracts_create_from_awards(tender=awarded_tender, user=contract_manager)


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


@pytest.fixture
def fast_pdf(monkeypatch):
    """Letters without WeasyPrint (for the tests about the workflow, not the PDF): the
    'PDF' is the rendered HTML, so its content can still be checked."""
    from django.template.loader import render_to_string

    def fake(template_name, context):
        return render_to_string(template_name, context).encode()

    monkeypatch.setattr("contracts.services.awards.render_to_pdf", fake)
