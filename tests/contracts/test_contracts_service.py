"""Contracts from the final award of the Achterhoek demo: one per winner, idempotent, terms,
extension decisions, and lumpsum amounts and schedules stored exactly as ``lumpsum_compute``."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audit.models import AuditEntry
from contracts.lumpsum import add_years
from contracts.models import Contract, ContractSegment, ExtensionDecision, Instalment
from contracts.services import lumpsum_compute
from contracts.services.contracts import (
    contract_decline_extension,
    contract_extend,
    contracts_create_from_awards,
    notice_deadline,
    term_end,
)
from contracts.services.schedule import (
    contracts_lumpsum_store,
    instalments_mark_exported,
)
from evaluation.models import Ranking, Score
from evaluation.selectors import award_winners
from evaluation.services.scenario import scenario_load
from providers.models import Organisation, Subcontractor, Submission
from tender.errors import ApplicationError
from tender.models import Tender

pytestmark = pytest.mark.django_db

D = Decimal


# --------------------------------------------------------------------------- creation


def test_one_contract_per_winning_bidder_with_its_awarded_segments(awarded_tender, contracts):
    winners = award_winners(tender=awarded_tender)
    expected = {(kvk, code) for code, kvks in winners.items() for kvk in kvks}
    stored = set(
        ContractSegment.objects.filter(contract__tender=awarded_tender).values_list(
            "contract__provider__kvk", "segment__code"
        )
    )
    assert stored == expected
    assert len(contracts) == len({kvk for kvk, _ in expected}) == 20
    assert [c.number for c in contracts] == [f"inkoop-2022-{n:03d}" for n in range(1, 21)]
    # numbers follow the KvK order of the winners
    assert [c.provider.kvk for c in contracts] == sorted(c.provider.kvk for c in contracts)


def test_contract_dates_municipalities_and_start_per_segment(awarded_tender, contracts):
    dys = Contract.objects.get(tender=awarded_tender, provider__kvk="30000004")
    # JH-DYS starts 1 Aug 2021: the contract starts then and runs 3 years.
    assert (dys.start_date, dys.end_date) == (date(2021, 8, 1), date(2024, 7, 31))
    beg = ContractSegment.objects.get(contract__provider__kvk="30000002", segment__code="WMO-BEG")
    assert beg.start_date == date(2022, 1, 1)
    assert (beg.contract.start_date, beg.contract.end_date) == (
        date(2022, 1, 1),
        date(2024, 12, 31),
    )
    # the municipalities the dossier serves within the lot
    assert sorted(m.code for m in beg.municipalities.all()) == ["GM0197", "GM0222"]
    assert beg.dossier.submission.bidder.kvk == "30000002"
    # a provider winning a segment starting earlier starts at the earliest segment
    multi = Contract.objects.get(provider__kvk="30000020")
    starts = sorted(cs.start_date for cs in multi.segments.all())
    assert multi.start_date == starts[0] == date(2021, 8, 1)


def test_creating_twice_creates_nothing_new(awarded_tender, contracts, contract_manager):
    counts = (
        Contract.objects.count(),
        ContractSegment.objects.count(),
        Instalment.objects.count(),
        AuditEntry.objects.count(),
    )
    assert contracts_create_from_awards(tender=awarded_tender, user=contract_manager) == []
    assert (
        Contract.objects.count(),
        ContractSegment.objects.count(),
        Instalment.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
    assert AuditEntry.objects.filter(action="contract.create").count() == 20


def test_combination_members_and_subcontractors_are_recorded(
    awarded_tender, contract_manager, django_capture_on_commit_callbacks
):
    submission = Submission.objects.get(tender=awarded_tender, bidder__kvk="30000002")
    member = Organisation.objects.create(kvk="39999991", name="Lid BV", legal_form="bv")
    sub = Organisation.objects.create(kvk="39999992", name="Onder BV", legal_form="bv")
    combination = awarded_tender.combinations.create(lead=submission.bidder, name="Samen Sterk")
    combination.members.add(member)
    Submission.objects.filter(pk=submission.pk).update(combination=combination)
    Subcontractor.objects.create(
        submission=submission, organisation=sub, name=sub.name, kvk=sub.kvk
    )

    contracts_create_from_awards(tender=awarded_tender, user=contract_manager)
    contract = Contract.objects.get(provider__kvk="30000002")
    assert contract.combination_name == "Samen Sterk"
    assert list(contract.members.all()) == [member]
    assert contract.subcontractors == [{"kvk": "39999992", "name": "Onder BV"}]


def test_no_contracts_before_the_final_award(demo_tender, contract_manager):
    with pytest.raises(ApplicationError, match="nog geen definitieve gunning"):
        contracts_create_from_awards(tender=demo_tender, user=contract_manager)
    assert not Contract.objects.exists()


@pytest.mark.parametrize("role", ["auditor", "voorzitter", "aanbieder", None])
def test_only_contract_managers_and_inkopers_create_contracts(awarded_tender, make_user, role):
    with pytest.raises(ApplicationError, match="geen contracten aanmaken"):
        contracts_create_from_awards(tender=awarded_tender, user=make_user(f"u-{role}", role))
    assert not Contract.objects.exists()


def test_an_inkoper_may_create_contracts(awarded_tender, make_user):
    assert len(contracts_create_from_awards(tender=awarded_tender, user=make_user("i", "inkoper")))


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("start", "years", "end"),
    [
        (date(2022, 1, 1), 3, date(2024, 12, 31)),
        (date(2021, 8, 1), 3, date(2024, 7, 31)),
        (date(2022, 1, 1), 7, date(2028, 12, 31)),
        # 29 February: the anniversary in a common year is 1 March, the term ends 28 February
        (date(2024, 2, 29), 3, date(2027, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 28)),
        (date(2023, 3, 1), 1, date(2024, 2, 29)),
    ],
)
def test_term_end(start, years, end):
    assert term_end(start, years) == end
    assert add_years(start, years) == end + timedelta(days=1)


def test_notice_deadline_is_end_minus_six_months(settings):
    assert notice_deadline(date(2024, 12, 31)) == date(2024, 6, 30)
    assert notice_deadline(date(2024, 8, 31)) == date(2024, 2, 29)
    settings.CONTRACT_NOTICE_MONTHS = 3
    assert notice_deadline(date(2024, 12, 31)) == date(2024, 9, 30)


@pytest.fixture
def contract(contracts):
    return Contract.objects.get(provider__kvk="30000002")  # 1 Jan 2022 - 31 Dec 2024


def on(day: date):
    """Travel to noon of ``day`` (Amsterdam): the decision date is the recording date."""
    return time_machine.travel(
        datetime.combine(day, time(12), tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False
    )


def test_two_extensions_of_two_years_then_refused(contract, contract_manager):
    with on(date(2024, 6, 30)):
        contract = contract_extend(contract=contract, user=contract_manager)
    assert (contract.extensions, contract.end_date) == (1, date(2026, 12, 31))
    with on(date(2026, 1, 5)):
        contract = contract_extend(contract=contract, user=contract_manager)
    assert (contract.extensions, contract.end_date) == (2, date(2028, 12, 31))
    assert contract.end_date == term_end(contract.start_date, 7)
    with on(date(2026, 2, 1)), pytest.raises(ApplicationError, match="2 keer verlengd"):
        contract_extend(contract=contract, user=contract_manager)
    contract.refresh_from_db()
    assert (contract.extensions, contract.end_date) == (2, date(2028, 12, 31))
    assert AuditEntry.objects.filter(action="contract.extend").count() == 2
    # the history: decided on the day recorded, the old and the new end
    assert list(
        contract.decisions.values_list("term", "decided_at", "previous_end_date", "end_date")
    ) == [
        (0, date(2024, 6, 30), date(2024, 12, 31), date(2026, 12, 31)),
        (1, date(2026, 1, 5), date(2026, 12, 31), date(2028, 12, 31)),
    ]


def test_a_no_after_the_maximum_is_refused(contract, contract_manager):
    for day in (date(2024, 6, 1), date(2026, 6, 1)):
        with on(day):
            contract = contract_extend(contract=contract, user=contract_manager)
    with on(date(2028, 1, 2)), pytest.raises(ApplicationError, match="2 keer verlengd"):
        contract_decline_extension(contract=contract, user=contract_manager)
    assert not AuditEntry.objects.filter(action="contract.not_extended").exists()


def test_extension_after_the_notice_deadline_is_refused(contract, contract_manager):
    with (
        on(date(2024, 7, 1)),
        pytest.raises(ApplicationError, match="30-06-2024.*verstreken") as refused,
    ):
        contract_extend(contract=contract, user=contract_manager)
    assert refused.value.field == "late_reason"
    contract.refresh_from_db()
    assert (contract.extensions, contract.end_date) == (0, date(2024, 12, 31))
    assert not ExtensionDecision.objects.exists()


def test_backdated_extension_refused_late_decision_with_reason_accepted_and_audited(
    contract, contract_manager
):
    """Issue 17: a decision cannot be backdated (there is no date to give: it is dated the day
    it is recorded); after the notice deadline it needs a reason, which is audited."""
    with pytest.raises(TypeError):
        contract_extend(  # type: ignore[call-arg]
            contract=contract, user=contract_manager, decided_at=date(2024, 6, 1)
        )
    with on(date(2024, 9, 2)):
        with pytest.raises(ApplicationError, match="verstreken"):
            contract_extend(contract=contract, user=contract_manager, late_reason="  ")
        contract = contract_extend(
            contract=contract,
            user=contract_manager,
            late_reason="Raadsbesluit over de verlenging liep vertraging op",
        )
    assert (contract.extensions, contract.end_date) == (1, date(2026, 12, 31))
    decision = contract.decisions.get()
    assert decision.decided_at == date(2024, 9, 2)
    assert decision.late_reason == "Raadsbesluit over de verlenging liep vertraging op"
    entry = AuditEntry.objects.get(action="contract.extend")
    assert entry.details["late"] is True
    assert entry.details["late_reason"] == decision.late_reason
    assert entry.details["decided_at"] == "2024-09-02"
    assert entry.details["notice_deadline"] == "2024-06-30"


def test_a_decision_in_time_records_no_late_reason(contract, contract_manager):
    with on(date(2024, 3, 1)):
        contract = contract_decline_extension(
            contract=contract, user=contract_manager, note="Niet nodig", late_reason="ongebruikt"
        )
    assert (contract.extensions, contract.end_date) == (0, date(2024, 12, 31))
    assert contract.decisions.get().late_reason == ""
    assert AuditEntry.objects.filter(action="contract.not_extended").count() == 1
    with on(date(2024, 3, 2)), pytest.raises(ApplicationError, match="al besloten"):
        contract_extend(contract=contract, user=contract_manager)


def test_a_decision_after_the_contract_ended_is_refused(contract, contract_manager):
    with on(date(2025, 1, 1)), pytest.raises(ApplicationError, match="afgelopen"):
        contract_extend(contract=contract, user=contract_manager, late_reason="Te laat")


def test_unauthorised_decisions_are_refused(contract, make_user):
    with pytest.raises(ApplicationError, match="geen verlengingsbesluit"):
        contract_extend(contract=contract, user=make_user("a", "auditor"))


# --------------------------------------------------------------------------- lumpsum


def _stored(tender, year):
    return {
        (cs.contract.provider.kvk, cs.segment.code): (
            cs.bid_amount,
            cs.lumpsum_amount,
            [(i.due_date, i.amount) for i in cs.instalments.all() if i.year == year],
        )
        for cs in ContractSegment.objects.filter(contract__tender=tender)
        .select_related("contract__provider", "segment")
        .prefetch_related("instalments")
    }


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_stored_schedule_is_exactly_lumpsum_compute(awarded_tender, contracts, year):
    contracts_lumpsum_store(tender=awarded_tender, year=year)
    report = lumpsum_compute(tender=awarded_tender, year=year)
    computed = {
        (c.bidder, seg.segment): (c.bid, c.amount, [(i.date, i.amount) for i in c.instalments])
        for seg in report.segments
        for c in seg.contracts
    }
    assert _stored(awarded_tender, year) == computed


def test_worked_example_scaled_segment_to_the_cent(awarded_tender, contracts):
    """JH-HSJ (tariff 96.00, budget 1,800,000.00, monthly), by hand:
    bids 138,240 + 1,013,760 + 405,504 + 1,050,624 = 2,608,128 > budget, so scaled by
    1,800,000 / 2,608,128. 30000022: 405,504 x 1,800,000 / 2,608,128 = 279,858.657...; the floors
    add up to 1,799,999.98 and the 2 cents go to the largest remainders (30000023 .339 -> .34,
    30000022 .657 -> .66). Monthly: 279,858.66 / 12 = 23,321.555 -> 23,321.56 for Jan-Nov,
    December = 279,858.66 - 11 x 23,321.56 = 23,321.50."""
    contracts_lumpsum_store(tender=awarded_tender, year=2022)
    cs = ContractSegment.objects.select_related("dossier").get(
        contract__provider__kvk="30000022", segment__code="JH-HSJ"
    )
    d = cs.dossier
    assert d.bid_clients * d.bid_months * d.bid_hours_per_month * D("96.00") == D("405504")
    assert cs.bid_amount == D("405504.00")
    assert cs.lumpsum_amount == D("279858.66")
    amounts = list(cs.instalments.filter(year=2022).values_list("due_date", "amount"))
    assert amounts == [(date(2022, m, 1), D("23321.56")) for m in range(1, 12)] + [
        (date(2022, 12, 1), D("23321.50"))
    ]
    assert sum(a for _, a in amounts) == D("279858.66")
    hsj = ContractSegment.objects.filter(segment__code="JH-HSJ").values_list(
        "contract__provider__kvk", "lumpsum_amount"
    )
    assert dict(hsj) == {
        "30000007": D("95406.36"),
        "30000020": D("699646.64"),
        "30000022": D("279858.66"),
        "30000023": D("725088.34"),
    }


def test_worked_example_partial_first_year(awarded_tender, contracts):
    """JH-DYS starts 1 Aug 2021: 2021 pays Aug-Dec (5 whole months). 30000021 bids
    23 x 6 x 6 x 62.50 = 51,750.00; 2021: 51,750.00 x 5 / 12 = 21,562.50 in 5 x 4,312.50."""
    cs = ContractSegment.objects.get(contract__provider__kvk="30000021", segment__code="JH-DYS")
    assert cs.lumpsum_amount == D("51750.00")
    assert list(cs.instalments.filter(year=2021).values_list("due_date", "amount")) == [
        (date(2021, m, 1), D("4312.50")) for m in range(8, 13)
    ]


def test_creation_stores_the_first_year_of_every_contract(awarded_tender, contracts):
    assert set(Instalment.objects.values_list("year", flat=True)) == {2021, 2022}


def test_storing_again_changes_nothing(awarded_tender, contracts):
    ids = set(Instalment.objects.values_list("pk", flat=True))
    entries = AuditEntry.objects.count()
    contracts_lumpsum_store(tender=awarded_tender, year=2022)
    assert set(Instalment.objects.values_list("pk", flat=True)) == ids
    assert AuditEntry.objects.count() == entries


def test_an_exported_year_is_not_recomputed(awarded_tender, contracts, contract_manager):
    assert instalments_mark_exported(tender=awarded_tender, year=2022, user=contract_manager) > 0
    assert instalments_mark_exported(tender=awarded_tender, year=2022, user=contract_manager) == 0
    with pytest.raises(ApplicationError, match="doorgegeven aan financi"):
        contracts_lumpsum_store(tender=awarded_tender, year=2022)
    contracts_lumpsum_store(tender=awarded_tender, year=2023)  # another year is free


def test_years_outside_the_terms_are_refused(awarded_tender, contracts):
    with pytest.raises(ApplicationError, match="2021–2024"):
        contracts_lumpsum_store(tender=awarded_tender, year=2025)
    with pytest.raises(ApplicationError, match="2021–2024"):
        contracts_lumpsum_store(tender=awarded_tender, year=2020)


def test_no_schedule_without_contracts(awarded_tender):
    with pytest.raises(ApplicationError, match="geen contracten"):
        contracts_lumpsum_store(tender=awarded_tender, year=2022)


def test_contracting_the_tender_needs_the_contracts_and_starts_them(
    awarded_tender, contract_manager
):
    from audit.models import AuditEntry
    from contracts.kpi_models import ProviderKpi
    from contracts.models import Contract, ContractState
    from contracts.services.contracts import contract_kpis_defer, contracts_create_from_awards
    from contracts.services.kpis import kpi_default_set_load, provider_kpi_target_set
    from tender.errors import ApplicationError as Refused
    from tender.services.lifecycle import tender_transition

    with pytest.raises(Refused, match="Maak eerst de contracten"):
        tender_transition(tender=awarded_tender, name="contract", user=contract_manager)
    awarded_tender.refresh_from_db()
    assert awarded_tender.state == "awarded"

    contracts = contracts_create_from_awards(tender=awarded_tender, user=contract_manager)
    assert {c.state for c in contracts} == {ContractState.DRAFT}
    tender_transition(tender=awarded_tender, name="contract", user=contract_manager)
    awarded_tender.refresh_from_db()
    assert awarded_tender.state == "contracted"
    # no KPIs yet: a contract starts only with KPIs or the recorded deferral (with a date)
    assert set(Contract.objects.values_list("state", flat=True)) == {ContractState.DRAFT}
    first = contracts[0]
    with pytest.raises(Refused):
        contract_kpis_defer(contract=first, until=date(2000, 1, 1), user=contract_manager)
    contract_kpis_defer(contract=first, until=date(2099, 3, 31), user=contract_manager)
    first.refresh_from_db()
    assert first.state == ContractState.ACTIVE
    assert AuditEntry.objects.filter(action="contract.kpis_deferred").exists()
    assert Contract.objects.filter(state=ContractState.DRAFT).count() == len(contracts) - 1
    kpi_default_set_load(tender=awarded_tender, user=contract_manager)  # examples, no targets
    assert Contract.objects.filter(state=ContractState.DRAFT).count() == len(contracts) - 1
    for kpi in ProviderKpi.objects.all():  # the targets agreed in the dialogue
        provider_kpi_target_set(kpi=kpi, target=Decimal("50"), user=contract_manager)
    assert set(Contract.objects.values_list("state", flat=True)) == {ContractState.ACTIVE}


def test_a_portal_subcontractor_without_an_account_is_recorded_on_the_contract(
    awarded_tender, contract_manager
):
    from contracts.models import Contract
    from contracts.services.contracts import contracts_create_from_awards
    from providers.models import Subcontractor, Submission

    submission = Submission.objects.get(
        tender=awarded_tender, bidder__kvk="30000022", is_current=True
    )
    Subcontractor.objects.create(submission=submission, name="Hulp aan Huis", kvk="71234567")

    contracts_create_from_awards(tender=awarded_tender, user=contract_manager)

    contract = Contract.objects.get(tender=awarded_tender, provider__kvk="30000022")
    assert {"kvk": "71234567", "name": "Hulp aan Huis"} in contract.subcontractors


def test_contracts_past_their_end_date_end_once(contracts):
    from datetime import timedelta

    from audit.models import AuditEntry
    from contracts.models import Contract, ContractState
    from contracts.services.contracts import contracts_end_expired

    contract = min(contracts, key=lambda c: c.end_date)  # the first to end
    assert contracts_end_expired(today=contract.end_date) == 0  # the last day still runs
    day_after = contract.end_date + timedelta(days=1)
    ended = contracts_end_expired(today=day_after)
    assert ended == Contract.objects.filter(end_date__lt=day_after).count() >= 1
    contract.refresh_from_db()
    assert contract.state == ContractState.ENDED
    assert contracts_end_expired(today=day_after) == 0
    assert AuditEntry.objects.filter(action="contract.end").count() == ended


def test_a_scenario_replace_removes_a_contracted_tender_app_by_app(contracts, achterhoek_data):
    """``tender_delete`` names no model of another app: each app above it deletes its own rows
    of the tender (contracts, then rankings and scores, then submissions) before the tender."""
    old = Tender.objects.get(slug=achterhoek_data["tender"]["slug"])
    assert Contract.objects.filter(tender=old).exists()
    assert Ranking.objects.filter(tender=old, is_final=True).exists()

    new = scenario_load(data=achterhoek_data, replace=True)

    assert not Tender.objects.filter(pk=old.pk).exists()
    assert not Contract.objects.exists()
    assert not Ranking.objects.exists()
    assert not Score.objects.filter(dossier__submission__tender=old).exists()
    assert not Submission.objects.filter(tender=old).exists()
    assert Submission.objects.filter(tender=new, round="request").count() == len(
        achterhoek_data["submissions"]
    )
