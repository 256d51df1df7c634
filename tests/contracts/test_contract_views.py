"""Contract screens: staff from final award to contracts and the 2022 schedule, decisions,
PDF and the finance export; the provider portal shows a provider its own contracts only."""

import csv
import io
from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from contracts.models import Contract, Instalment
from contracts.selectors import finance_rows
from providers.models import Organisation, OrganisationMembership

pytestmark = pytest.mark.django_db


def list_url(tender):
    return reverse("contract-list", args=[tender.slug])


def detail_url(contract):
    return reverse("contract-detail", args=[contract.tender.slug, contract.number])


# --------------------------------------------------------------------------- staff


def test_staff_go_from_final_award_to_contracts_and_the_2022_schedule(awarded_tender, client_for):
    client = client_for("contractmanager", "cm-web")
    page = client.get(list_url(awarded_tender))
    assert page.status_code == 200
    assert "Contracten aanmaken" in page.content.decode()

    response = client.post(reverse("contract-create", args=[awarded_tender.slug]))
    assert response.status_code == 302
    assert Contract.objects.filter(tender=awarded_tender).count() == 20

    response = client.post(
        reverse("contract-schedule-store", args=[awarded_tender.slug]), {"year": "2022"}
    )
    assert response.status_code == 302
    page = client.get(list_url(awarded_tender)).content.decode()
    assert "inkoop-2022-001" in page
    assert "2022" in page and "Betaalschema" in page

    contract = Contract.objects.get(number="inkoop-2022-012")  # 30000022, JH-HSJ scaled
    page = client.get(detail_url(contract)).content.decode()
    assert "Betaalschema 2022" in page
    assert "23.321,56" in page and "23.321,50" in page


def test_the_tender_page_links_to_the_contracts(awarded_tender, client_for):
    page = client_for("auditor").get(reverse("tender-detail", args=[awarded_tender.slug]))
    assert list_url(awarded_tender) in page.content.decode()


def test_readers_see_but_cannot_write(awarded_tender, contracts, client_for):
    client = client_for("auditor")
    page = client.get(list_url(awarded_tender)).content.decode()
    assert "Contracten aanmaken" not in page and "inkoop-2022-001" in page
    assert client.post(reverse("contract-create", args=[awarded_tender.slug])).status_code == 404
    contract = contracts[0]
    assert "Besluit vastleggen" not in client.get(detail_url(contract)).content.decode()
    response = client.post(
        reverse("contract-decision", args=[awarded_tender.slug, contract.number]),
        {"decision": "extend"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["beoordelaar", "aanbieder", None])
def test_non_staff_get_404_on_staff_screens(awarded_tender, contracts, client_for, role):
    client = client_for(role)
    assert client.get(list_url(awarded_tender)).status_code in (302, 404)
    assert client.get(detail_url(contracts[0])).status_code in (302, 404)
    assert client.get(
        reverse("contract-finance-export", args=[awarded_tender.slug, "csv"])
    ).status_code in (302, 404)


def _on(day: date):
    return time_machine.travel(
        datetime.combine(day, time(12), tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False
    )


def test_extension_decision_form(awarded_tender, contracts, client_for):
    """Dated the day it is recorded; late only with a reason; the history shows the old and
    the new end date, per segment too."""
    client = client_for("inkoper")
    contract = Contract.objects.get(provider__kvk="30000002")
    url = reverse("contract-decision", args=[awarded_tender.slug, contract.number])
    with _on(date(2024, 7, 1)):
        page = client.get(detail_url(contract)).content.decode()
        assert 'name="decided_at"' not in page and 'name="late_reason"' in page
        assert "verstreken zonder besluit" in page
        refused = client.post(url, {"decision": "extend", "decided_at": "2024-06-01"})
        assert refused.status_code == 400
        assert "verstreken" in refused.content.decode()
        response = client.post(
            url, {"decision": "extend", "note": "Goed", "late_reason": "Raad besloot later"}
        )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.end_date == date(2026, 12, 31)
    page = client.get(detail_url(contract)).content.decode()
    assert "1 juli 2024: verlengd (einddatum 31 december 2024 → 31 december 2026)" in page
    assert "Raad besloot later" in page
    assert "WMO-BEG: 31-12-2024 → 31-12-2026" in page


def test_the_list_flags_segments_past_their_decision_deadline(
    awarded_tender, contracts, client_for
):
    """JH-DYS (from 1-8-2021) must be decided by 31-1-2024, JH-HSJ (from 1-1-2022) by
    30-6-2024: on 1-3-2024 only the contracts with a Dyslexie segment are flagged."""
    client = client_for("contractmanager")
    with _on(date(2024, 3, 1)):
        page = client.get(list_url(awarded_tender)).content.decode()
    flagged = page.count("voorbij de besluitdatum zonder besluit")
    dys = Contract.objects.filter(tender=awarded_tender, segments__segment__code="JH-DYS")
    assert flagged == dys.count() > 0
    with _on(date(2024, 1, 31)):
        assert (
            "voorbij de besluitdatum" not in client.get(list_url(awarded_tender)).content.decode()
        )


def test_contract_pdf(awarded_tender, contracts, client_for, tmp_path):
    contract = Contract.objects.get(provider__kvk="30000020")  # three segments, 2021 and 2022
    response = client_for("auditor").get(
        reverse("contract-pdf", args=[awarded_tender.slug, contract.number])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    (tmp_path / "contract.pdf").write_bytes(response.content)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert f"Overeenkomst {contract.number}" in text
    assert "Aalten" in text and "Winterswijk" in text  # the region's municipalities
    assert "JH-HSJ" in text and "699.646,64" in text
    assert "maximaal" in text or "ten hoogste 7 jaar" in text
    # each contracted segment with its own term
    assert "1-8-2021 t/m 31-7-2024" in text and "1-1-2022 t/m 31-12-2024" in text
    assert "Pagina 1 van" in text


def _csv_rows(content: bytes):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_finance_export_shares_add_up_to_each_instalment(
    awarded_tender, contracts, client_for, settings
):
    client = client_for("auditor")
    url = reverse("contract-finance-export", args=[awarded_tender.slug, "csv"])
    rows = _csv_rows(client.get(url, {"jaar": "2022"}).content)
    by_instalment = defaultdict(list)
    for row in rows:
        assert row["year"] == "2022"
        by_instalment[(row["contract"], row["segment"], row["due_date"])].append(row)
    stored = Instalment.objects.filter(year=2022).select_related(
        "contract_segment__contract", "contract_segment__segment"
    )
    assert len(by_instalment) == stored.count()
    for inst in stored:
        key = (
            inst.contract_segment.contract.number,
            inst.contract_segment.segment.code,
            inst.due_date.isoformat(),
        )
        shares = by_instalment[key]
        assert len(shares) == inst.contract_segment.municipalities.count()
        assert sum(Decimal(r["share"]) for r in shares) == inst.amount
        assert all(r["instalment"] == f"{inst.amount:.2f}" for r in shares)

    # Excel: the same rows
    xlsx = client.get(reverse("contract-finance-export", args=[awarded_tender.slug, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row - 1 == len(_csv_rows(client.get(url).content))


def test_finance_export_hsj_example_split_equally(awarded_tender, contracts, client_for):
    """30000022 JH-HSJ, 1 Dec 2022: 23,321.50 over its municipalities, equal shares;
    the cents left over go to the largest remainders, ties to the lower CBS code."""
    contract = Contract.objects.get(provider__kvk="30000022")
    cs = contract.segments.get(segment__code="JH-HSJ")
    codes = sorted(m.code for m in cs.municipalities.all())
    rows = _csv_rows(
        client_for("auditor")
        .get(reverse("contract-finance-export", args=[awarded_tender.slug, "csv"]))
        .content
    )
    dec = [
        r
        for r in rows
        if r["contract"] == contract.number
        and r["segment"] == "JH-HSJ"
        and r["due_date"] == "2022-12-01"
    ]
    assert [r["municipality_code"] for r in dec] == codes
    cents = 2332150
    n = len(codes)
    expected = [cents // n + (1 if i < cents % n else 0) for i in range(n)]
    assert [int(Decimal(r["share"]) * 100) for r in dec] == expected


def test_finance_split_by_inhabitants(awarded_tender, contracts, client_for, settings):
    from tender.models import Municipality

    settings.LUMPSUM_MUNICIPALITY_SPLIT = "inhabitants"
    for i, m in enumerate(Municipality.objects.order_by("code")):
        m.inhabitants = 10_000 + 7_331 * i
        m.save()
    rows = _csv_rows(
        client_for("auditor")
        .get(reverse("contract-finance-export", args=[awarded_tender.slug, "csv"]), {"jaar": 2022})
        .content
    )
    assert {r["split"] for r in rows} == {"inhabitants"}
    totals = defaultdict(Decimal)
    amounts = {}
    for r in rows:
        key = (r["contract"], r["segment"], r["due_date"])
        totals[key] += Decimal(r["share"])
        amounts[key] = Decimal(r["instalment"])
    assert totals == amounts


def test_query_counts_are_pinned(awarded_tender, contracts, client_for, django_assert_num_queries):
    client = client_for("contractmanager", "cm-q")
    client.get(list_url(awarded_tender))  # warm caches (session, content types)
    # 10: one fixed query for the P x Q budget use (declarations by segment and year)
    # + 1: the combination members of the listed contracts (issue 18.7)
    with django_assert_num_queries(11):
        assert client.get(list_url(awarded_tender)).status_code == 200
    url = detail_url(Contract.objects.get(provider__kvk="30000020"))
    with django_assert_num_queries(12):
        assert client.get(url).status_code == 200


def test_finance_export_query_count_does_not_grow_with_the_rows(
    awarded_tender, contracts, client_for, django_assert_num_queries
):
    client = client_for("auditor")
    urls = [
        (reverse("contract-finance-export", args=[awarded_tender.slug, kind]), {"jaar": "2022"})
        for kind in ("csv", "xlsx")
    ] + [
        (reverse(f"api:contract-export-{kind}"), {"tender": awarded_tender.slug})
        for kind in ("csv", "xlsx")
    ]
    client.get(*urls[0])  # warm caches (session, content types)

    def export_queries():
        for url, params in urls:
            with django_assert_num_queries(8):  # 5 of session, user and tender
                assert client.get(url, params).status_code == 200
        # one query each for the contract segments, their municipalities and instalments
        with django_assert_num_queries(3):
            return len(finance_rows(tender=awarded_tender))

    all_rows = export_queries()
    one = Instalment.objects.filter(year=2022).order_by("pk").first().contract_segment
    Instalment.objects.exclude(contract_segment=one).delete()
    assert 0 < export_queries() < all_rows


# --------------------------------------------------------------------------- portal


@pytest.fixture
def provider_client(client_for):
    def login(kvk: str, username: str):
        client = client_for("aanbieder", username)
        OrganisationMembership.objects.create(
            user=client.user, organisation=Organisation.objects.get(kvk=kvk), is_admin=True
        )
        return client

    return login


def test_a_provider_sees_its_contract_and_schedule(contracts, provider_client):
    client = provider_client("30000022", "prov-a")
    contract = Contract.objects.get(provider__kvk="30000022")
    page = client.get(reverse("portal-contracts")).content.decode()
    assert contract.number in page
    assert page.count('href="/portaal/contracten/inkoop-2022-') == 1
    detail = client.get(reverse("portal-contract", args=[contract.number]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Betaalschema 2022" in body and "23.321,50" in body
    pdf = client.get(reverse("portal-contract-pdf", args=[contract.number]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert reverse("portal-contracts") in client.get(reverse("portal-home")).content.decode()
    # The portal's tender page links the contract too (and no other provider's).
    tender_page = client.get(reverse("portal-tender", args=[contract.tender.slug])).content.decode()
    assert reverse("portal-contract", args=[contract.number]) in tender_page
    assert tender_page.count('href="/portaal/contracten/inkoop-2022-') == 1


def test_provider_b_gets_404_on_a_contract_of_a(contracts, provider_client):
    client = provider_client("30000002", "prov-b")
    other = Contract.objects.get(provider__kvk="30000022")
    assert client.get(reverse("portal-contract", args=[other.number])).status_code == 404
    assert client.get(reverse("portal-contract-pdf", args=[other.number])).status_code == 404
    assert other.number not in client.get(reverse("portal-contracts")).content.decode()


def test_a_combination_member_sees_the_combination_contract(contracts, provider_client):
    contract = Contract.objects.get(provider__kvk="30000022")
    member = Organisation.objects.create(kvk="39999993", name="Lid Zorg BV", legal_form="bv")
    contract.members.add(member)
    client = provider_client("39999993", "prov-member")
    page = client.get(reverse("portal-contracts")).content.decode()
    assert contract.number in page
    assert f"als lid van Combinatie (penvoerder {contract.provider.name}, lid Lid Zorg BV)" in page
    assert client.get(reverse("portal-contract", args=[contract.number])).status_code == 200


def test_staff_cannot_use_the_portal(contracts, client_for):
    Group.objects.get_or_create(name="inkoper")
    response = client_for("inkoper").get(reverse("portal-contracts"))
    assert response.status_code == 403


def test_portal_query_counts_are_pinned(contracts, provider_client, django_assert_num_queries):
    client = provider_client("30000020", "prov-q")
    client.get(reverse("portal-contracts"))
    with django_assert_num_queries(8):  # + the combination members of the listed contracts
        assert client.get(reverse("portal-contracts")).status_code == 200
    url = reverse("portal-contract", args=["inkoop-2022-010"])
    with django_assert_num_queries(12):
        assert client.get(url).status_code == 200
