"""Settlement against worked examples, to the cent (DOMAIN.md "Lumpsum", band 5% unless set)."""

from decimal import Decimal

import pytest

from audit.models import AuditEntry
from contracts.services.settlement import (
    contract_policy_set,
    production_report_save,
    settlement_approve,
    settlement_compute,
)
from tender.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user("cm", "contractmanager"), make_user("inkoper1", "inkoper")


def report(contract, year, hours, *, user, clients=40, submit=True):
    return production_report_save(
        contract_segment=contract.segments.get(),
        year=year,
        realised_clients=clients,
        realised_hours=Decimal(hours),
        comment="",
        user=user,
        submit=submit,
    )


# WMO-BEG: tariff 56.00; lumpsum 120000.00 a year, so L = 120000.00, band 5%:
# lower 114000.00, upper 126000.00.
@pytest.mark.parametrize(
    ("hours", "policy", "realised", "outcome", "amount"),
    [
        ("2100.00", "provider_bears", "117600.00", "within_band", "0.00"),
        ("2000.00", "provider_bears", "112000.00", "reclaim", "2000.00"),
        ("2000.37", "provider_bears", "112020.72", "reclaim", "1979.28"),
        ("2300.50", "pay_extra", "128828.00", "pay_extra", "2828.00"),
        ("2300.50", "provider_bears", "128828.00", "provider_bears", "0.00"),
        ("0.00", "provider_bears", "0.00", "reclaim", "114000.00"),
    ],
)
def test_worked_examples_to_the_cent(
    make_contract, staff, hours, policy, realised, outcome, amount
):
    contract = make_contract("WMO-BEG")
    manager, _ = staff
    contract_policy_set(contract=contract, above_band=policy, user=manager)
    settlement = settlement_compute(
        report=report(contract, 2022, hours, user=manager), user=manager
    )
    assert settlement.lumpsum == Decimal("120000.00")
    assert (settlement.lower, settlement.upper) == (Decimal("114000.00"), Decimal("126000.00"))
    assert settlement.realised == Decimal(realised)
    assert settlement.outcome == outcome
    assert settlement.amount == Decimal(amount)
    assert str(settlement.amount) == amount


def test_exactly_at_the_band_edges_nothing_changes_hands(make_contract, staff):
    # L = 112000.00: lower edge 106400.00 = 1900 h x 56, upper edge 117600.00 = 2100 h x 56.
    manager, _ = staff
    lower = make_contract("WMO-BEG", index=0, lumpsum="112000.00")
    upper = make_contract("WMO-BEG", index=1, lumpsum="112000.00")
    contract_policy_set(contract=upper, above_band="pay_extra", user=manager)
    at_lower = settlement_compute(report=report(lower, 2022, "1900.00", user=manager), user=manager)
    at_upper = settlement_compute(report=report(upper, 2022, "2100.00", user=manager), user=manager)
    assert (at_lower.realised, at_lower.lower) == (Decimal("106400.00"), Decimal("106400.00"))
    assert (at_lower.outcome, at_lower.amount) == ("within_band", Decimal("0.00"))
    assert (at_upper.realised, at_upper.upper) == (Decimal("117600.00"), Decimal("117600.00"))
    assert (at_upper.outcome, at_upper.amount) == ("within_band", Decimal("0.00"))


def test_one_hour_hundredth_past_the_edge_is_settled(make_contract, staff):
    manager, _ = staff
    below = make_contract("WMO-BEG", index=0, lumpsum="112000.00")
    above = make_contract("WMO-BEG", index=1, lumpsum="112000.00")
    contract_policy_set(contract=above, above_band="pay_extra", user=manager)
    s_below = settlement_compute(report=report(below, 2022, "1899.99", user=manager), user=manager)
    s_above = settlement_compute(report=report(above, 2022, "2100.01", user=manager), user=manager)
    assert (s_below.outcome, s_below.amount) == ("reclaim", Decimal("0.56"))
    assert (s_above.outcome, s_above.amount) == ("pay_extra", Decimal("0.56"))


def test_partial_first_year_settles_against_the_pro_rata_lumpsum(make_contract, staff, demo_tender):
    # Dyslexie starts 1 Aug 2021 (tariff 62.50): 5 of 12 months of 60000.00 = 25000.00;
    # the segment's own band of 10% applies: lower 22500.00. 350 h x 62.50 = 21875.00.
    manager, _ = staff
    demo_tender.segments.filter(code="JH-DYS").update(band=Decimal("0.10"))
    contract = make_contract("JH-DYS", lumpsum="60000.00")
    contract.start_date = contract.segments.get().start_date
    contract.save()
    settlement = settlement_compute(
        report=report(contract, 2021, "350.00", user=manager), user=manager
    )
    assert settlement.lumpsum == Decimal("25000.00")
    assert settlement.band == Decimal("0.10")
    assert settlement.lower == Decimal("22500.00")
    assert (settlement.outcome, settlement.amount) == ("reclaim", Decimal("625.00"))


def test_draft_report_cannot_be_settled_and_submitted_report_is_final(make_contract, staff):
    manager, _ = staff
    contract = make_contract()
    draft = report(contract, 2022, "100.00", user=manager, submit=False)
    with pytest.raises(ApplicationError):
        settlement_compute(report=draft, user=manager)
    report(contract, 2022, "2100.00", user=manager)
    with pytest.raises(ApplicationError, match="al ingediend"):
        report(contract, 2022, "1.00", user=manager)


def test_approval_needs_four_eyes_and_freezes(make_contract, staff):
    manager, inkoper = staff
    contract = make_contract()
    settlement = settlement_compute(
        report=report(contract, 2022, "2000.00", user=manager), user=manager
    )
    with pytest.raises(ApplicationError, match="Vier ogen"):
        settlement_approve(settlement=settlement, user=manager)
    settlement_approve(settlement=settlement, user=inkoper)
    with pytest.raises(ApplicationError, match="vastgesteld"):
        settlement_compute(report=settlement.report, user=manager)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"production_report.submit", "settlement.compute", "settlement.approve"} <= actions


def test_year_outside_the_contract_is_refused(make_contract, staff):
    manager, _ = staff
    contract = make_contract()
    with pytest.raises(ApplicationError) as exc:
        report(contract, 2021, "1.00", user=manager)
    assert exc.value.field == "year"


def test_staff_return_a_report_for_correction_until_approved(make_contract, staff):
    from contracts.services.settlement import production_report_reopen
    from contracts.settlement_models import Settlement

    manager, inkoper = staff
    contract = make_contract()
    submitted = report(contract, 2022, "2000.00", user=manager)
    settlement_compute(report=submitted, user=manager)
    with pytest.raises(ApplicationError) as exc:
        production_report_reopen(report=submitted, user=manager, reason=" ")
    assert exc.value.field == "reason"
    production_report_reopen(report=submitted, user=manager, reason="Uren 2022 onvolledig")
    assert not Settlement.objects.exists()
    corrected = report(contract, 2022, "2100.00", user=manager)
    settlement = settlement_compute(report=corrected, user=manager)
    assert settlement.outcome == "within_band"
    settlement_approve(settlement=settlement, user=inkoper)
    with pytest.raises(ApplicationError, match="vastgesteld"):
        production_report_reopen(report=corrected, user=manager, reason="nogmaals")


def test_band_is_shown_as_a_percentage():
    from contracts.settlement_models import percent

    assert str(percent(Decimal("0.05000000"))) == "5"
    assert str(percent(Decimal("0.12500000"))) == "12.5"


def test_default_kpi_command_loads_once(demo_tender):
    from io import StringIO

    from django.core.management import call_command

    from contracts.kpi_models import ProviderKpi

    out = StringIO()
    call_command("kpis_default", "inkoop-2022", stdout=out)
    call_command("kpis_default", "inkoop-2022", stdout=out)
    kpis = ProviderKpi.objects.filter(effect__tender=demo_tender)
    per_lot = {code: kpis.filter(lot__code=code).count() for code in ("JH", "WMO", "BW")}
    assert per_lot == {"JH": 3, "WMO": 4, "BW": 3} and kpis.count() == 10  # a set per lot
    assert not kpis.filter(target__isnull=False).exists()  # examples: no invented targets
    assert "al KPI's" in out.getvalue()
