"""Contracts API: staff read everything, the contract manager writes, a provider sees its own
contracts only (another's is a 404)."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from contracts.models import Contract, Instalment
from providers.models import Organisation, OrganisationMembership
from tests.problems import field_errors

pytestmark = pytest.mark.django_db


def test_create_from_awards_store_schedule_and_read(awarded_tender, client_for):
    client = client_for("contractmanager", "cm-api")
    url = reverse("api:contract-create-from-awards")
    response = client.post(url, {"tender": awarded_tender.slug}, content_type="application/json")
    assert response.status_code == 201
    assert len(response.json()) == 20
    again = client.post(url, {"tender": awarded_tender.slug}, content_type="application/json")
    assert again.status_code == 201 and again.json() == []

    stored = client.post(
        reverse("api:contract-store-schedule"),
        {"tender": awarded_tender.slug, "year": 2023},
        content_type="application/json",
    )
    assert stored.status_code == 200 and stored.json()["instalments"] > 0
    refused = client.post(
        reverse("api:contract-store-schedule"),
        {"tender": awarded_tender.slug, "year": 2030},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "year" in field_errors(refused)

    listing = client.get(reverse("api:contract-list"), {"tender": awarded_tender.slug}).json()
    assert listing["count"] == 20
    detail = client.get(reverse("api:contract-detail", args=["inkoop-2022-012"])).json()
    assert detail["provider"]["kvk"] == "30000022"
    hsj = next(s for s in detail["segments"] if s["segment"] == "JH-HSJ")
    assert hsj["lumpsum_amount"] == "279858.66"
    schedule = client.get(
        reverse("api:contract-schedule", args=["inkoop-2022-012"]), {"year": 2022}
    ).json()
    assert [i["amount"] for i in schedule if i["segment"] == "JH-HSJ"][-1] == "23321.50"


def test_extension_via_api(contracts, client_for):
    url = reverse("api:contract-extension", args=["inkoop-2022-001"])
    auditor = client_for("auditor")
    assert auditor.post(url, {"decision": "extend"}, "application/json").status_code == 403
    client = client_for("inkoper")
    with time_machine.travel(datetime(2024, 7, 1, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))):
        late = client.post(url, {"decision": "extend"}, "application/json")
        assert late.status_code == 400 and "late_reason" in field_errors(late)
        ok = client.post(
            url, {"decision": "extend", "late_reason": "Raad besloot later"}, "application/json"
        )
    assert ok.status_code == 200
    assert ok.json()["end_date"] == "2026-12-31" and ok.json()["extensions"] == 1
    decision = ok.json()["decisions"][0]
    assert decision["decided_at"] == "2024-07-01" and decision["late_reason"]
    assert (decision["previous_end_date"], decision["end_date"]) == ("2024-12-31", "2026-12-31")
    assert {s["end_date"] for s in ok.json()["segments"]} == {"2026-12-31"}


def test_finance_export_via_api(awarded_tender, contracts, client_for):
    client = client_for("auditor")
    response = client.get(
        reverse("api:contract-export-csv"), {"tender": awarded_tender.slug, "year": 2022}
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows and {r["year"] for r in rows} == {"2022"}
    total = sum(Decimal(r["share"]) for r in rows)
    assert total == sum(i.amount for i in Instalment.objects.filter(year=2022))
    xlsx = client.get(reverse("api:contract-export-xlsx"), {"tender": awarded_tender.slug})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_provider_sees_own_contracts_only(contracts, client_for):
    client = client_for("aanbieder", "prov-api")
    OrganisationMembership.objects.create(
        user=client.user, organisation=Organisation.objects.get(kvk="30000002")
    )
    own = Contract.objects.get(provider__kvk="30000002")
    other = Contract.objects.get(provider__kvk="30000022")
    listing = client.get(reverse("api:contract-list")).json()
    assert [c["number"] for c in listing["results"]] == [own.number]
    assert client.get(reverse("api:contract-detail", args=[own.number])).status_code == 200
    assert client.get(reverse("api:contract-schedule", args=[own.number])).status_code == 200
    assert client.get(reverse("api:contract-detail", args=[other.number])).status_code == 404
    assert client.get(reverse("api:contract-schedule", args=[other.number])).status_code == 404
    assert (
        client.post(
            reverse("api:contract-extension", args=[other.number]),
            {"decision": "extend"},
            "application/json",
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("api:contract-extension", args=[own.number]),
            {"decision": "extend"},
            "application/json",
        ).status_code
        == 403
    )
    assert (
        client.get(reverse("api:contract-export-csv"), {"tender": own.tender.slug}).status_code
        == 404
    )
    assert (
        client.post(
            reverse("api:contract-create-from-awards"),
            {"tender": own.tender.slug},
            "application/json",
        ).status_code
        == 404
    )
