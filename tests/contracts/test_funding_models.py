"""Every funding model end to end on the contracted Achterhoek demo (DOMAIN.md "Funding
models"): a segment is switched to the model under test, the schedule stored again, and what
finance, the provider and the contract PDF see follows the model."""

import subprocess
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEntry
from contracts.models import ContractSegment, Instalment
from contracts.selectors import finance_rows
from contracts.services.funding import production_declare, pxq_budget_use, task_amount_set
from contracts.services.schedule import contracts_lumpsum_store
from providers.models import Dossier, OrganisationMembership
from tender.errors import ApplicationError
from tender.models import Municipality, Segment

pytestmark = pytest.mark.django_db


def _switch(tender, code, funding, **extra):
    segment = Segment.objects.get(tender=tender, code=code)
    segment.funding = funding
    for name, value in extra.items():
        setattr(segment, name, value)
    segment.save()
    return segment


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "contract.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(text.split())  # lines wrap anywhere


def test_pxq_has_no_advance_instalments_and_pays_declared_production_afterwards(
    awarded_tender, contracts, contract_manager, client_for, make_user, tmp_path
):
    segment = _switch(awarded_tender, "WMO-DAG", "pxq", budget=Decimal("10000.00"))
    contracts_lumpsum_store(tender=awarded_tender, year=2022, user=contract_manager)
    cs = ContractSegment.objects.filter(segment=segment).select_related("contract").first()
    assert not Instalment.objects.filter(contract_segment__segment=segment).exists()
    assert cs.lumpsum_amount is None

    # the provider declares March 2022 in the portal: paid on 1 April at hours x tariff (48.00)
    provider = client_for("aanbieder", "pxq-prov")
    OrganisationMembership.objects.create(
        user=provider.user, organisation=cs.contract.provider, is_admin=True
    )
    url = reverse("portal-declarations", args=[cs.pk])
    with time_machine.travel(date(2022, 6, 15), tick=False):
        assert "Productie declareren" in provider.get(url).content.decode()
        response = provider.post(url, {"month": "2022-03-01", "hours": "150,5"})
        assert response.status_code == 302
        # a month in the future is refused
        with pytest.raises(ApplicationError):
            production_declare(
                contract_segment=cs, month=date(2022, 7, 1), hours=Decimal("1"), user=None
            )
    declaration = cs.declarations.get()
    assert declaration.amount == Decimal("7224.00")  # 150.5 x 48.00
    assert declaration.due_date == date(2022, 4, 1)
    assert AuditEntry.objects.filter(action="contract.production_declare").exists()

    # finance: paid afterwards, split over the municipalities to the cent
    rows = [r for r in finance_rows(tender=awarded_tender, year=2022) if r.segment == "WMO-DAG"]
    assert {r.due_date for r in rows} == {date(2022, 4, 1)}
    assert sum(r.share for r in rows) == Decimal("7224.00")

    # monitored against the budget: a warning from 80 %, and from 100 %
    assert pxq_budget_use(segment=segment, year=2022).warning == ""
    with time_machine.travel(date(2022, 6, 15), tick=False):
        production_declare(
            contract_segment=cs, month=date(2022, 4, 1), hours=Decimal("20"), user=None
        )  # 7224 + 960 = 8184: 81.84 %
        assert pxq_budget_use(segment=segment, year=2022).warning == "80"
        production_declare(
            contract_segment=cs, month=date(2022, 5, 1), hours=Decimal("40"), user=None
        )  # + 1920 = 10104: over the budget
    use = pxq_budget_use(segment=segment, year=2022)
    assert use.warning == "100" and use.declared == Decimal("10104.00")

    # the contract PDF names the model and pays nothing in advance for it
    pdf = client_for("auditor").get(
        reverse("contract-pdf", args=[awarded_tender.slug, cs.contract.number])
    )
    text = _pdf_text(pdf.content, tmp_path)
    assert "WMO-DAG: P x Q" in text
    assert "er wordt niet vooruit betaald" in text
    assert "geen jaarlijkse verrekening" in text


def test_contract_list_shows_pxq_budget_use_with_warnings_in_words(
    awarded_tender, contracts, client_for
):
    segment = _switch(awarded_tender, "WMO-DAG", "pxq", budget=Decimal("10000.00"))
    cs = ContractSegment.objects.filter(segment=segment).first()
    client = client_for("contractmanager", "cm-pxq")
    url = reverse("contract-list", args=[awarded_tender.slug])
    assert "P x Q" not in client.get(url).content.decode()  # nothing declared yet
    with time_machine.travel(date(2022, 6, 15), tick=False):
        production_declare(
            contract_segment=cs, month=date(2022, 3, 1), hours=Decimal("100"), user=None
        )  # 4800.00 of 10000.00
        page = client.get(url).content.decode()
        assert "48,00 %" in page and "Binnen budget" in page
        production_declare(
            contract_segment=cs, month=date(2022, 4, 1), hours=Decimal("70.5"), user=None
        )  # + 3384.00 = 8184.00: 81.84 %
        page = client.get(url).content.decode()
        assert "81,84 %" in page
        assert "Let op: 80 procent van het budget of meer verbruikt" in page
        production_declare(
            contract_segment=cs, month=date(2022, 5, 1), hours=Decimal("40"), user=None
        )  # + 1920.00 = 10104.00
        page = client.get(url).content.decode()
    assert "101,04 %" in page and "EUR 10.104,00" in page
    assert "Waarschuwing: budget volledig verbruikt of overschreden" in page


def test_task_segment_without_bids_pays_the_set_amounts(
    awarded_tender, contracts, contract_manager, client_for, tmp_path
):
    segment = _switch(awarded_tender, "BW-BESCHUT", "task", budget=Decimal("120000.00"))
    contract_segments = list(
        ContractSegment.objects.filter(segment=segment).order_by("contract__provider__kvk")
    )
    assert len(contract_segments) >= 2
    # no bids at all (optional for task funding); current clients 3 and 1 (the rest 0)
    Dossier.objects.filter(segment=segment).update(
        bid_clients=None, bid_months=None, bid_hours_per_month=None, current_clients=0
    )
    first, second = contract_segments[0], contract_segments[1]
    Dossier.objects.filter(pk=first.dossier_id).update(current_clients=3)
    Dossier.objects.filter(pk=second.dossier_id).update(current_clients=1)
    contracts_lumpsum_store(tender=awarded_tender, year=2022, user=contract_manager)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.lumpsum_amount, second.lumpsum_amount) == (
        Decimal("90000.00"),
        Decimal("30000.00"),
    )  # 120,000 shared 3 : 1

    # staff set the second provider's amount with a reason, on the contract screen (audited)
    client = client_for("contractmanager", "cm-task")
    url = reverse(
        "contract-task-amount", args=[awarded_tender.slug, second.contract.number, "BW-BESCHUT"]
    )
    assert client.post(url, {"amount": "36000,00", "reason": ""}).status_code == 302
    second.refresh_from_db()
    assert second.set_amount is None  # a reason is required
    client.post(url, {"amount": "36000,00", "reason": "Wachtlijst weggewerkt"})
    second.refresh_from_db()
    assert second.set_amount == second.lumpsum_amount == Decimal("36000.00")
    entry = AuditEntry.objects.filter(action="contract.task_amount_set").latest("pk")
    assert entry.details["reason"] == "Wachtlijst weggewerkt"
    instalments = Instalment.objects.filter(contract_segment=second, year=2022)
    assert instalments.count() == 12
    assert sum(i.amount for i in instalments) == Decimal("36000.00")

    # only for task funding
    lumpsum_cs = ContractSegment.objects.filter(segment__code="JH-HSJ").first()
    with pytest.raises(ApplicationError):
        task_amount_set(
            contract_segment=lumpsum_cs, amount=Decimal("1"), reason="x", user=contract_manager
        )

    pdf = client_for("auditor").get(
        reverse("contract-pdf", args=[awarded_tender.slug, second.contract.number])
    )
    text = _pdf_text(pdf.content, tmp_path)
    assert "BW-BESCHUT: Taakgericht" in text
    assert "bandbreedte van 5 %" in text
    assert "KPI's worden in de implementatiefase vastgesteld" in text  # no KPIs yet


def test_lumpsum_command_uses_the_set_amount_of_a_task_segment(
    awarded_tender, contracts, contract_manager
):
    from contracts.services import lumpsum_compute

    segment = _switch(awarded_tender, "BW-BESCHUT", "task", budget=Decimal("120000.00"))
    first, second = list(
        ContractSegment.objects.filter(segment=segment)
        .select_related("contract__provider")
        .order_by("contract__provider__kvk")
    )[:2]
    Dossier.objects.filter(segment=segment).update(current_clients=0)
    Dossier.objects.filter(pk=first.dossier_id).update(current_clients=3)
    Dossier.objects.filter(pk=second.dossier_id).update(current_clients=1)

    def amounts():
        report = lumpsum_compute(tender=awarded_tender, year=2022)
        (seg,) = [s for s in report.segments if s.segment == "BW-BESCHUT"]
        return {c.bidder: c.amount for c in seg.contracts}

    kvk1, kvk2 = first.contract.provider.kvk, second.contract.provider.kvk
    assert (amounts()[kvk1], amounts()[kvk2]) == (Decimal("90000.00"), Decimal("30000.00"))
    task_amount_set(
        contract_segment=second,
        amount=Decimal("36000.00"),
        reason="Wachtlijst",
        user=contract_manager,
    )
    # the set amount replaces the share; the others keep the current-clients share
    assert (amounts()[kvk1], amounts()[kvk2]) == (Decimal("90000.00"), Decimal("36000.00"))


def test_the_contract_pdf_lists_the_kpis_with_their_targets(
    awarded_tender, contracts, contract_manager, client_for, tmp_path
):
    from contracts.services.kpis import (
        kpi_default_set_load,
        kpis_for_contract,
        provider_kpi_target_set,
    )

    kpi_default_set_load(tender=awarded_tender, user=contract_manager)
    contract = next(  # a contract whose lot's set has a "lower is better" KPI
        c for c in contracts if any(k.direction == "lower" for k in kpis_for_contract(c))
    )
    for kpi in kpis_for_contract(contract):
        target = Decimal("10") if kpi.direction == "lower" else Decimal("70")
        if kpi.unit == "%":
            provider_kpi_target_set(kpi=kpi, target=target, user=contract_manager)
    pdf = client_for("auditor").get(
        reverse("contract-pdf", args=[awarded_tender.slug, contract.number])
    )
    text = _pdf_text(pdf.content, tmp_path)
    assert "Prestatie-indicatoren" in text
    assert "ten minste 70,00 %" in text and "ten hoogste 10,00 %" in text


def test_population_splits_the_budget_by_inhabitants(awarded_tender, contracts, contract_manager):
    segment = _switch(awarded_tender, "BW-BESCHERMD", "population", budget=Decimal("100000.00"))
    for i, municipality in enumerate(Municipality.objects.order_by("code")):
        municipality.inhabitants = 10_000 * (i + 1)
        municipality.save()
    contracts_lumpsum_store(tender=awarded_tender, year=2022, user=contract_manager)
    contract_segments = list(
        ContractSegment.objects.filter(segment=segment).prefetch_related("municipalities")
    )
    # what each provider gets: per municipality budget x inhabitants / all, in equal parts to
    # the providers serving it
    people = {m.code: m.inhabitants for m in segment.lot.municipalities.all()}
    whole = sum(people.values())
    serving = defaultdict(list)
    for cs in contract_segments:
        for m in cs.dossier.municipalities.all():
            serving[m.code].append(cs.pk)
    expected = defaultdict(Decimal)
    for code, pks in serving.items():
        for pk in pks:
            expected[pk] += Decimal("100000.00") * people[code] / whole / len(pks)
    for cs in contract_segments:
        assert abs(cs.lumpsum_amount - expected[cs.pk]) < Decimal("0.01")
    served = sum(Decimal("100000.00") * people[c] / whole for c in serving)
    assert abs(sum(cs.lumpsum_amount for cs in contract_segments) - served) < Decimal("0.01")


def test_settlement_uses_the_band_only_for_lumpsum_and_task(awarded_tender, contracts):
    cs = ContractSegment.objects.filter(segment__code="BW-BESCHERMD").first()
    assert cs.banded
    _switch(awarded_tender, "BW-BESCHERMD", "population")
    cs = ContractSegment.objects.select_related("segment__lot").get(pk=cs.pk)
    assert not cs.banded and cs.paid_in_advance
    _switch(awarded_tender, "BW-BESCHERMD", "pxq")
    cs = ContractSegment.objects.select_related("segment__lot").get(pk=cs.pk)
    assert not cs.banded and not cs.paid_in_advance


# --------------------------------------------------------------------------- lot membership


def test_a_municipality_joining_the_lot_on_1_1_2023_is_split_from_2023(
    awarded_tender, contracts, contract_manager, settings, client_for, tmp_path
):
    from tender.models import LotMembership, MunicipalityPopulation

    cs = (
        ContractSegment.objects.filter(segment__code="JH-HSJ")
        .prefetch_related("municipalities")
        .order_by("contract__number")
        .first()
    )
    joining = max(cs.municipalities.all(), key=lambda m: m.code)
    LotMembership.objects.filter(lot=cs.segment.lot, municipality=joining).update(
        start_date=date(2023, 1, 1)
    )
    contracts_lumpsum_store(tender=awarded_tender, year=2023, user=contract_manager)
    # by inhabitants, with the figure of each year
    settings.LUMPSUM_MUNICIPALITY_SPLIT = "inhabitants"
    for i, m in enumerate(Municipality.objects.order_by("code")):
        MunicipalityPopulation.objects.create(municipality=m, year=2022, inhabitants=20_000 + i)
        MunicipalityPopulation.objects.create(municipality=m, year=2023, inhabitants=30_000 + i)

    for year in (2022, 2023):
        rows = [r for r in finance_rows(tender=awarded_tender, year=year) if r.segment == "JH-HSJ"]
        assert rows and {r.split for r in rows} == {"inhabitants"}
        shares = defaultdict(Decimal)
        for r in rows:
            shares[(r.contract, r.due_date)] += r.share
        assert all(shares[(r.contract, r.due_date)] == r.instalment for r in rows)
        codes = {r.municipality_code for r in rows if r.contract == cs.contract.number}
        assert (joining.code in codes) == (year == 2023)
        assert len(codes) == cs.municipalities.count() - (year == 2022)

    # the contract names the lot's municipalities, with the date the joining one takes part
    pdf = client_for("auditor").get(
        reverse("contract-pdf", args=[awarded_tender.slug, cs.contract.number])
    )
    text = _pdf_text(pdf.content, tmp_path)
    assert f"Perceel {cs.segment.lot.code} " in text
    assert f"{joining.name} (vanaf 1-1-2023)" in text


def test_the_approximate_cbs_figures_load_for_the_seed_municipalities(demo_tender):
    from tender.services.populations import CBS_INHABITANTS, populations_load

    assert len(CBS_INHABITANTS) == 19
    assert populations_load() == 8  # the Achterhoek demo's municipalities
    aalten = Municipality.objects.get(code="GM0197")
    assert aalten.inhabitants_in(2022) == aalten.inhabitants_in(2024) == 27_200


def test_the_default_kpi_set_is_worded_for_the_tenders_region(
    awarded_tender, contracts, contract_manager
):
    from contracts.kpi_models import KpiEffect
    from contracts.services.kpis import kpi_default_set_load

    region = awarded_tender.region
    region.name = "Hart van Brabant"
    region.save()
    kpi_default_set_load(tender=awarded_tender, user=contract_manager)
    texts = " ".join(
        KpiEffect.objects.filter(tender=awarded_tender).values_list("municipal_kpi", flat=True)
    )
    assert "% inwoners Hart van Brabant" in texts and "Achterhoek" not in texts
