"""Settlement, KPI and OCDS screens and API: the flow end to end on the Achterhoek demo, and
isolation between providers (404) and between read and write roles."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from contracts.kpi_models import KpiReport, ProviderKpi
from contracts.services.kpis import kpi_default_set_load, kpis_for_contract
from contracts.services.ocds import ocds_validate
from contracts.settlement_models import ProductionReport, Settlement
from tests.conftest import verify_second_factor
from tests.problems import field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_contracts(make_contract):
    return make_contract("WMO-BEG", index=0), make_contract("WMO-BEG", index=1)


def test_settlement_end_to_end(client, client_for, make_user, two_contracts, provider_of):
    own, _other = two_contracts
    provider = provider_of(own)
    portal = Client()
    portal.force_login(provider)
    cs = own.segments.get()

    listing = portal.get(reverse("portal-settlement"))
    assert listing.status_code == 200
    assert reverse("portal-settlement-report", args=[cs.pk, 2022]) in listing.content.decode()

    url = reverse("portal-settlement-report", args=[cs.pk, 2022])
    draft = portal.post(url, {"realised_clients": "40", "realised_hours": "1900", "comment": ""})
    assert draft.status_code == 302
    assert ProductionReport.objects.get().submitted_at is None
    portal.post(
        url, {"realised_clients": "41", "realised_hours": "2000,37", "comment": "", "submit": "1"}
    )
    report = ProductionReport.objects.get()
    assert report.submitted_at is not None and report.realised_hours == Decimal("2000.37")
    again = portal.post(url, {"realised_clients": "1", "realised_hours": "1", "submit": "1"})
    assert again.status_code == 400
    assert "al ingediend" in again.content.decode()

    manager = client_for("contractmanager", "cm")
    overview_url = reverse("settlement-overview", args=["inkoop-2022"])
    assert manager.get(overview_url).status_code == 200
    manager.post(reverse("settlement-compute", args=["inkoop-2022", report.pk]))
    settlement = Settlement.objects.get()
    assert (settlement.outcome, settlement.amount) == ("reclaim", Decimal("1979.28"))
    # four eyes: the one who computed cannot approve
    manager.post(reverse("settlement-approve", args=["inkoop-2022", settlement.pk]))
    settlement.refresh_from_db()
    assert settlement.approved_at is None

    statement = reverse("portal-settlement-statement", args=[settlement.pk])
    assert portal.get(statement).status_code == 404  # not approved yet

    inkoper = make_user("ink", "inkoper")
    second = Client()
    second.force_login(inkoper)
    verify_second_factor(second, inkoper)
    second.post(reverse("settlement-approve", args=["inkoop-2022", settlement.pk]))
    settlement.refresh_from_db()
    assert settlement.approved_by == inkoper

    pdf = portal.get(statement)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    page = manager.get(overview_url).content.decode()
    assert "1.979,28" in page


def test_provider_cannot_reach_another_providers_contract(two_contracts, provider_of):
    own, other = two_contracts
    client = Client()
    client.force_login(provider_of(own))
    other_cs = other.segments.get()
    assert (
        client.get(reverse("portal-settlement-report", args=[other_cs.pk, 2022])).status_code == 404
    )
    assert (
        client.post(
            reverse("portal-settlement-report", args=[other_cs.pk, 2022]),
            {"realised_clients": "1", "realised_hours": "1"},
        ).status_code
        == 404
    )
    assert client.get(reverse("portal-kpi-contract", args=[other.pk])).status_code == 404
    assert client.get(reverse("settlement-overview", args=["inkoop-2022"])).status_code == 404
    assert client.get(reverse("ocds-download", args=["inkoop-2022"])).status_code == 404
    # API
    assert client.get(f"/api/v1/contracts/{other.pk}/production-reports/").status_code == 404
    assert client.get(f"/api/v1/contracts/{other.pk}/kpi-reports/").status_code == 404
    assert (
        client.post(
            f"/api/v1/contracts/{other.pk}/production-reports/",
            {"segment": "WMO-BEG", "year": 2022, "realised_clients": 1, "realised_hours": "1"},
        ).status_code
        == 404
    )
    assert client.get("/api/v1/tenders/inkoop-2022/ocds/").status_code == 404
    own_listing = client.get(f"/api/v1/contracts/{own.pk}/production-reports/")
    assert own_listing.status_code == 200 and own_listing.json() == []


def test_read_only_staff_cannot_write(client_for, two_contracts):
    auditor = client_for("auditor", "aud")
    assert auditor.get(reverse("kpi-definitions", args=["inkoop-2022"])).status_code == 200
    response = auditor.post(
        reverse("kpi-definitions", args=["inkoop-2022"]), {"action": "defaults"}
    )
    assert response.status_code == 404
    assert not ProviderKpi.objects.exists()


def test_kpis_end_to_end(client_for, demo_tender, two_contracts, provider_of):
    own, other = two_contracts
    client = Client()
    manager = client_for("contractmanager", "cm")
    definitions = reverse("kpi-definitions", args=["inkoop-2022"])
    manager.post(definitions, {"action": "defaults"})
    kpis = list(kpis_for_contract(own))  # the Wmo set: the contract's segment is WMO-BEG
    assert kpis[0].name.startswith("% cliënten in traject waarvan zelfredzaamheid")
    assert len(kpis) == 4 and {k.lot.code for k in kpis} == {"WMO"}
    assert all(k.target is None for k in kpis)  # examples until the targets are set
    assert kpi_default_set_load(tender=demo_tender, user=manager.user) == 0  # only once
    assert "voorbeeld" in manager.get(definitions).content.decode()
    kpi = kpis[0]
    set_target = {"action": "target", "target-kpi": kpi.pk, "target-target": "70"}
    assert manager.post(definitions, set_target).status_code == 302
    assert manager.post(definitions, {**set_target, "target-target": "zeventig"}).status_code == 400

    client.force_login(provider_of(own))
    url = reverse("portal-kpi-contract", args=[own.pk])
    page = client.get(url)
    assert page.status_code == 200 and "2022-H1" in page.content.decode()
    assert "Nog geen streefwaarde" in page.content.decode()  # the other three: examples
    for period, value in (("2022-H1", "65"), ("2022-H2", "72,5")):
        saved = client.post(url, {"kpi": kpi.pk, "period": period, "value": value, "comment": "ok"})
        assert saved.status_code == 302
    bad = client.post(url, {"kpi": kpi.pk, "period": "2031-H1", "value": "1"})
    assert bad.status_code == 400
    # drafts are not on the staff dashboard
    dashboard = reverse("kpi-contract-dashboard", args=["inkoop-2022", own.pk])
    assert "streefwaarde gehaald" not in manager.get(dashboard).content.decode()
    client.post(url, {"action": "submit", "period": "2022-H1"})
    client.post(url, {"action": "submit", "period": "2022-H2"})
    assert not KpiReport.objects.filter(submitted_at__isnull=True).exists()
    locked = client.post(url, {"kpi": kpi.pk, "period": "2022-H1", "value": "99"})
    assert locked.status_code == 400
    assert KpiReport.objects.get(period="2022-H1").value == Decimal("65.00")

    html = manager.get(dashboard).content.decode()
    assert "streefwaarde niet gehaald" in html and "streefwaarde gehaald" in html
    # one number format for targets and values ("72,50 %", as in the contract PDF)
    assert "Streefwaarde 70,00 %" in html and "72,50 %" in html and "65,00 %" in html
    assert "Streefwaarde 70,00 %" in client.get(url).content.decode()
    assert 'id="kpi-chart-data"' in html and "kpi_chart.js" in html
    segment_page = manager.get(reverse("kpi-segment-dashboard", args=["inkoop-2022", "WMO-BEG"]))
    assert segment_page.status_code == 200
    assert own.provider.name in segment_page.content.decode()
    assert other.provider.name in segment_page.content.decode()

    api = manager.get("/api/v1/tenders/inkoop-2022/kpis/")
    wmo = next(e for e in api.json() if e["effect"].startswith("Wmo:"))
    assert api.status_code == 200 and len(wmo["provider_kpis"]) == 4
    assert (
        wmo["provider_kpis"][0]["target"] == "70.00" and wmo["provider_kpis"][1]["target"] is None
    )


def test_kpi_dashboard_query_count(
    client_for, two_contracts, demo_tender, django_assert_num_queries
):
    own, _ = two_contracts
    manager = client_for("contractmanager", "cm")
    kpi_default_set_load(tender=demo_tender, user=manager.user)
    url = reverse("kpi-contract-dashboard", args=["inkoop-2022", own.pk])
    manager.get(url)
    with django_assert_num_queries(10):
        assert manager.get(url).status_code == 200


def test_provider_api_reports_production_and_kpis(
    client, two_contracts, provider_of, demo_tender, make_user
):
    own, _ = two_contracts
    kpi_default_set_load(tender=demo_tender, user=make_user("cm2", "contractmanager"))
    client.force_login(provider_of(own))
    base = f"/api/v1/contracts/{own.pk}/"
    created = client.post(
        base + "production-reports/",
        {"segment": "WMO-BEG", "year": 2022, "realised_clients": 40, "realised_hours": "2100.00"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["submitted_at"] is None
    wrong = client.post(
        base + "production-reports/",
        {"segment": "WMO-BEG", "year": 2019, "realised_clients": 1, "realised_hours": "1"},
    )
    assert wrong.status_code == 400 and "year" in field_errors(wrong)
    kpi = kpis_for_contract(own).first()
    saved = client.post(base + "kpi-reports/", {"kpi": kpi.pk, "period": "2022-H1", "value": "70"})
    assert saved.status_code == 201, saved.content
    submitted = client.post(base + "kpi-reports/submit/", {"period": "2022-H1"})
    assert submitted.json() == {"submitted": 1}


def test_ocds_download_and_api(client_for, two_contracts):
    staff = client_for("auditor", "aud")
    response = staff.get(reverse("ocds-download", args=["inkoop-2022"]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    package = json.loads(response.content)
    assert ocds_validate(package) == []
    assert package["uri"].endswith("/aanbestedingen/inkoop-2022/ocds.json")
    api = staff.get("/api/v1/tenders/inkoop-2022/ocds/")
    assert api.status_code == 200
    assert ocds_validate(api.json()) == []
    assert len(api.json()["releases"][0]["contracts"]) == 2


def test_settlement_pages_query_counts(
    client_for, make_contract, provider_of, django_assert_num_queries
):
    from contracts.services.settlement import production_report_save

    contracts = [make_contract("WMO-BEG", index=i) for i in range(3)]
    user = provider_of(contracts[0])
    for contract in contracts:
        production_report_save(
            contract_segment=contract.segments.get(),
            year=2022,
            realised_clients=1,
            realised_hours=Decimal("10"),
            comment="",
            user=user,
            submit=True,
        )
    manager = client_for("contractmanager", "cm")
    url = reverse("settlement-overview", args=["inkoop-2022"])
    manager.get(url)
    with django_assert_num_queries(7):
        assert manager.get(url).status_code == 200
    portal = Client()
    portal.force_login(user)
    portal.get(reverse("portal-settlement"))
    with django_assert_num_queries(6):
        assert portal.get(reverse("portal-settlement")).status_code == 200


def test_staff_read_the_reports_api_but_do_not_report(client_for, two_contracts, provider_of):
    own, _ = two_contracts
    from contracts.services.settlement import production_report_save

    production_report_save(
        contract_segment=own.segments.get(),
        year=2022,
        realised_clients=3,
        realised_hours=Decimal("10.00"),
        comment="",
        user=provider_of(own),
    )
    staff = client_for("auditor", "aud")
    listing = staff.get(f"/api/v1/contracts/{own.pk}/production-reports/")
    assert listing.status_code == 200
    assert listing.json()[0]["realised_hours"] == "10.00"
    refused = staff.post(
        f"/api/v1/contracts/{own.pk}/production-reports/",
        {"segment": "WMO-BEG", "year": 2022, "realised_clients": 1, "realised_hours": "1"},
    )
    assert refused.status_code == 403
