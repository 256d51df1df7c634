"""The move to rounds (tender 0006, providers 0007): the one-round states map by procedure and
every existing submission and opening confirmation gets the first round of its procedure.

The data steps run on today's tables (the columns they touch are the same before and after),
so no slow migration back and forth."""

import importlib

import pytest
from django.apps import apps

from providers.models import Submission
from tender.models import OpeningConfirmation, Tender
from tests.factories import OrganisationFactory, RegionFactory

tender_step = importlib.import_module("tender.migrations.0006_rounds")
providers_step = importlib.import_module("providers.migrations.0007_rounds")

CASES = {
    # slug: (procedure, old state, new state, round)
    "r-open": ("restricted", "submissions_open", "requests_open", "request"),
    "r-closed": ("restricted", "closed", "requests_closed", "request"),
    "r-opened": ("restricted", "opened", "requests_opened", "request"),
    "r-award": ("restricted", "award", "award", "request"),
    "o-closed": ("open", "closed", "offers_closed", "offer"),
    "o-opened": ("open", "opened", "offers_opened", "offer"),
    "h-open": ("open_house", "submissions_open", "admission_open", "application"),
    "h-opened": ("open_house", "opened", "admission_closed", "application"),
}


@pytest.mark.django_db
def test_states_and_rounds_map_by_procedure(django_user_model):
    region = RegionFactory()
    bidder = OrganisationFactory()
    user = django_user_model.objects.create(username="inkoper")
    for slug, (procedure, state, _new, _round) in CASES.items():
        tender = Tender.objects.create(
            slug=slug,
            title=slug,
            region=region,
            deadline="2026-01-01T12:00Z",
            state=state,
            procedure=procedure,
        )
        Submission.objects.create(tender=tender, bidder=bidder, round="offer", state="sealed")
        OpeningConfirmation.objects.create(tender=tender, user=user, round="offer")

    tender_step.forwards(apps, None)
    providers_step.forwards(apps, None)

    for slug, (_procedure, _old, state, round_) in CASES.items():
        assert Tender.objects.get(slug=slug).state == state, slug
        assert Submission.objects.get(tender__slug=slug).round == round_, slug
        assert OpeningConfirmation.objects.get(tender__slug=slug).round == round_, slug
