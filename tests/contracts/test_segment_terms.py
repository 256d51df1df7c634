"""A term per contracted segment (issue 17): each segment runs 3 years from its own start,
extensions move every segment 2 years, and schedules, settlement and the finance export pay
only the months inside a segment's term (DOMAIN.md "Lumpsum", "Contracts")."""

import calendar
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from audit.models import AuditEntry
from contracts.models import Contract, ContractSegment, Instalment
from contracts.selectors import finance_rows
from contracts.services.contracts import contract_extend
from contracts.services.schedule import contracts_lumpsum_store
from contracts.services.settlement import AboveBandPolicy, settlement_preview
from contracts.settlement_models import ProductionReport
from tender.errors import ApplicationError

pytestmark = pytest.mark.django_db


def on(day: date):
    return time_machine.travel(
        datetime.combine(day, time(12), tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False
    )


def _dys_hsj_contract(tender) -> Contract:
    """A demo contract with Dyslexie (from 1-8-2021) and JH-HSJ (from 1-1-2022)."""
    return (
        Contract.objects.filter(tender=tender, segments__segment__code="JH-DYS")
        .filter(segments__segment__code="JH-HSJ")
        .order_by("number")
        .first()
    )


def _in_term(cs: ContractSegment, due: date) -> bool:
    """The whole month of ``due`` lies inside the segment's current term."""
    last = date(due.year, due.month, calendar.monthrange(due.year, due.month)[1])
    return cs.start_date <= due and last <= cs.end_date


def test_dyslexie_and_hsj_each_have_their_own_term(awarded_tender, contracts, contract_manager):
    contract = _dys_hsj_contract(awarded_tender)
    assert contract is not None
    dys = contract.segments.get(segment__code="JH-DYS")
    hsj = contract.segments.get(segment__code="JH-HSJ")
    assert (dys.start_date, dys.initial_end_date, dys.end_date) == (
        date(2021, 8, 1),
        date(2024, 7, 31),
        date(2024, 7, 31),
    )
    assert (hsj.start_date, hsj.end_date) == (date(2022, 1, 1), date(2024, 12, 31))
    # the contract ends when its last segment ends
    assert (contract.start_date, contract.end_date) == (date(2021, 8, 1), date(2024, 12, 31))

    contracts_lumpsum_store(tender=awarded_tender, year=2024)
    dys_2024 = list(dys.instalments.filter(year=2024).values_list("due_date", flat=True))
    assert dys_2024 == [date(2024, m, 1) for m in range(1, 8)]
    assert hsj.instalments.filter(year=2024).count() == 12
    assert sum(i.amount for i in dys.instalments.filter(year=2024)) == (
        dys.lumpsum_amount * 7 / 12
    ).quantize(Decimal("0.01"))

    # settlement of 2024 for Dyslexie: pro rata 7/12
    dys.refresh_from_db()
    report = ProductionReport(contract_segment=dys, year=2024, realised_hours=Decimal("0"))
    preview = settlement_preview(report=report, policy=AboveBandPolicy.PROVIDER_BEARS)
    assert preview.lumpsum == (dys.lumpsum_amount * 7 / 12).quantize(Decimal("0.01"))

    # an extension (in time for both deadlines: 31-1-2024 and 30-6-2024) moves both 2 years
    with on(date(2024, 1, 15)):
        contract_extend(contract=contract, user=contract_manager)
    dys.refresh_from_db()
    hsj.refresh_from_db()
    contract.refresh_from_db()
    assert (dys.end_date, dys.initial_end_date, dys.extensions) == (
        date(2026, 7, 31),
        date(2024, 7, 31),
        1,
    )
    assert hsj.end_date == date(2026, 12, 31)
    assert contract.end_date == date(2026, 12, 31)
    contracts_lumpsum_store(tender=awarded_tender, year=2026)
    assert dys.instalments.filter(year=2026).count() == 7
    assert hsj.instalments.filter(year=2026).count() == 12
    # 2024 is now a whole year for Dyslexie
    contracts_lumpsum_store(tender=awarded_tender, year=2024)
    assert dys.instalments.filter(year=2024).count() == 12


def test_the_demo_finance_export_has_no_instalment_outside_a_term(
    awarded_tender, contracts, contract_manager
):
    """Done when (issue 17): every year 2021-2029 of the demo's finance export pays only
    months inside a segment's term, with one contract extended so later years have rows."""
    extended = _dys_hsj_contract(awarded_tender)
    with on(date(2024, 1, 15)):
        contract_extend(contract=extended, user=contract_manager)
    terms = {
        (cs.contract.number, cs.segment.code): cs
        for cs in ContractSegment.objects.filter(contract__tender=awarded_tender).select_related(
            "contract", "segment"
        )
    }
    rows_per_year = {}
    for year in range(2021, 2030):
        try:
            contracts_lumpsum_store(tender=awarded_tender, year=year)
        except ApplicationError:
            assert year > 2026  # after every segment's term
        rows = finance_rows(tender=awarded_tender, year=year)
        outside = [r for r in rows if not _in_term(terms[(r.contract, r.segment)], r.due_date)]
        assert outside == [], year
        rows_per_year[year] = {(r.contract, r.segment) for r in rows}
    assert rows_per_year[2025] and rows_per_year[2026]
    assert {number for number, _ in rows_per_year[2025]} == {extended.number}
    assert not rows_per_year[2027] and not rows_per_year[2029]


def test_recomputing_the_stored_schedules_removes_months_after_a_term(awarded_tender, contracts):
    """What the migration leaves (schedules stored by the old rule: Dyslexie paid to the end of
    2024) is recomputed by ``contracts_recompute_schedules``, audited with what changed."""
    contracts_lumpsum_store(tender=awarded_tender, year=2024)
    dys = ContractSegment.objects.filter(
        contract__tender=awarded_tender, segment__code="JH-DYS"
    ).first()
    Instalment.objects.bulk_create(
        Instalment(contract_segment=dys, year=2024, due_date=date(2024, m, 1), amount=Decimal(1))
        for m in range(8, 13)
    )
    call_command("contracts_recompute_schedules", awarded_tender.slug)
    assert not Instalment.objects.filter(contract_segment=dys, due_date__gt=date(2024, 7, 31))
    entry = AuditEntry.objects.filter(action="contract.schedule_store").latest("pk")
    change = next(c for c in entry.details["changes"] if c["contract_segment"].endswith("JH-DYS"))
    assert change["term"] == "2021-08-01/2024-07-31"
    assert (change["before"]["instalments"], change["after"]["instalments"]) == (12, 7)
    # a second run changes nothing
    entries = AuditEntry.objects.count()
    call_command("contracts_recompute_schedules", awarded_tender.slug)
    assert AuditEntry.objects.count() == entries


def test_the_migration_gives_each_segment_its_term(awarded_tender, contracts):
    """``contracts`` 0006 on a contract of the old rule (one term from the earliest start,
    extended once): each segment's term from its own start plus the extension."""
    from importlib import import_module

    from django.apps import apps

    forwards = import_module("contracts.migrations.0006_segment_terms").forwards
    contract = _dys_hsj_contract(awarded_tender)
    Contract.objects.filter(pk=contract.pk).update(extensions=1, end_date=date(2026, 7, 31))
    ContractSegment.objects.filter(contract=contract).update(
        initial_end_date=date(2000, 1, 1), end_date=date(2000, 1, 1)
    )
    forwards(apps, None)
    terms = dict(
        contract.segments.values_list("segment__code", "end_date").order_by("segment__code")
    )
    assert terms["JH-DYS"] == date(2026, 7, 31) and terms["JH-HSJ"] == date(2026, 12, 31)
    assert set(contract.segments.values_list("extensions", flat=True)) == {1}
    contract.refresh_from_db()
    assert (contract.start_date, contract.end_date) == (date(2021, 8, 1), date(2026, 12, 31))
