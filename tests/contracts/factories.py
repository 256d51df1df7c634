"""Factories for contracts and their performance data. Contracts hang off a loaded tender
(the Achterhoek demo): pass ``submission`` (and for segments ``dossier``) explicitly."""

from datetime import date
from decimal import Decimal

import factory

from contracts.models import Contract, ContractSegment, Instalment, KpiEffect, ProviderKpi


class ContractFactory(factory.django.DjangoModelFactory):
    """An active contract 2022-2024; ``draft=True`` or ``ended=True`` for those states."""

    class Meta:
        model = Contract

    submission = None
    tender = factory.LazyAttribute(lambda o: o.submission.tender)
    provider = factory.LazyAttribute(lambda o: o.submission.bidder)
    number = factory.Sequence(lambda n: f"C-2022-{n:04d}")
    state = "active"
    start_date = date(2022, 1, 1)
    end_date = date(2024, 12, 31)

    class Params:
        draft = factory.Trait(state="draft")
        ended = factory.Trait(state="ended", end_date=date(2022, 12, 31))


class ContractSegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractSegment

    contract = factory.SubFactory(ContractFactory)
    dossier = None
    segment = factory.LazyAttribute(lambda o: o.dossier.segment)
    start_date = factory.LazyAttribute(lambda o: o.segment.start_date or date(2022, 1, 1))
    bid_amount = Decimal("120000.00")
    lumpsum_amount = Decimal("120000.00")


class InstalmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instalment

    contract_segment = factory.SubFactory(ContractSegmentFactory)
    year = 2022
    due_date = date(2022, 1, 1)
    amount = Decimal("10000.00")


class KpiEffectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KpiEffect

    effect = "De inwoner participeert maximaal naar vermogen in de samenleving"
    goal = "Zelfredzaamheid behouden en versterken"
    municipal_kpi = "% inwoners met verbeterde zelfredzaamheid"


class ProviderKpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderKpi

    effect = factory.SubFactory(KpiEffectFactory)
    name = factory.Sequence(lambda n: f"KPI {n}")
    unit = "%"
    target = Decimal("70.00")
    direction = "higher"
    period = "year"
