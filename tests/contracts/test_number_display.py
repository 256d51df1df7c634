"""No rendered page of the demo shows a number in English notation, or money with more than two
decimals (docs/rules.md, "Getallen"): the main staff, portal and public pages of the
contracted Achterhoek demo, with a production report and a computed settlement, and the text
of a contract PDF.

The page text is searched after dropping <script>, <style> and every tag (so attribute values,
CSS sizes like "0.5rem" and URLs do not count). The patterns, and why they do not match what a
Dutch page rightly shows:

- ``ENGLISH_GROUPING``: "84,000.00" or "1,234,567": comma-grouped thousands followed by a
  point decimal, or at least two comma groups. A Dutch decimal ("0,25", "1,5") has one comma
  and no point after it; dates ("04-12-2026"), times ("21:34"), KvK numbers ("30000022") and
  hashes (hex, no separators) have no comma at all.
- ``POINT_MONEY``: "EUR 62.50" / "€ 62.50": a point followed by one or two digits right after
  a currency sign. Dutch money has dots only before groups of three ("EUR 84.000,00"), so a
  point followed by fewer than three digits is the English decimal point.
- ``LONG_DECIMAL``: "84.000,000000", "62,500000", "0,5000", or the English "84,000": a comma
  followed by three or more digits, the last a zero. That is a stored Decimal printed as it is
  (with all its places) or English thousands; what the filters print never ends in a zero
  after the second decimal (money and percentages have exactly two, levels and plain numbers
  drop trailing zeros). Version numbers ("5.2.1") use points and are not matched.
"""

import re
from html import unescape
from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from pypdf import PdfReader

from contracts.models import Contract
from contracts.settlement_models import ProductionReport, Settlement
from providers.models import Organisation, OrganisationMembership
from tests.conftest import verify_second_factor
from tests.url_sweep import response_text

pytestmark = pytest.mark.django_db

ENGLISH_GROUPING = re.compile(r"\b\d{1,3}(?:,\d{3})+\.\d+\b|\b\d{1,3}(?:,\d{3}){2,}\b")
POINT_MONEY = re.compile(r"(?:€|\bEUR)\s*-?[\d.]*\d\.\d{1,2}(?![\d,])")
LONG_DECIMAL = re.compile(r"\b\d+,\d{2,}0\b")
DUTCH_MONEY = re.compile(r"\bEUR -?\d{1,3}(?:\.\d{3})*,\d{2}\b")

_DROPPED = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.DOTALL | re.IGNORECASE)


def visible_text(html: str) -> str:
    return unescape(_DROPPED.sub(" ", html)).replace("\u00a0", " ")


def wrong_numbers(text: str) -> list[str]:
    found = []
    for pattern in (ENGLISH_GROUPING, POINT_MONEY, LONG_DECIMAL):
        found += [m.group(0) for m in pattern.finditer(text)]
    return found


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("Lumpsum EUR 84.000,00 per jaar", []),
        ("Normtarief EUR 62,50 · 0,25 · 72,50 % · 2.100,5 uur", []),
        ("KvK 30000022 op 04-12-2026 om 21:34, versie 5.2.1, hash 3fa9c0", []),
        ("EUR 84,000.00", ["84,000.00"]),
        ("€ 62.50", ["€ 62.50"]),
        ("EUR 84.000,000000", ["000,000000"]),
        ("niveau 0,5000", ["0,5000"]),
        ("1,234,567 cliënten", ["1,234,567"]),
    ],
)
def test_the_patterns_tell_english_and_long_numbers_from_dutch_ones(text, wrong):
    found = wrong_numbers(text)
    assert bool(found) == bool(wrong)
    assert all(any(w in f for f in found) for w in wrong)


def test_no_page_of_the_demo_shows_an_english_or_overlong_number(
    awarded_tender, contracts, client, make_user
):
    slug = awarded_tender.slug
    contract = Contract.objects.get(provider__kvk="30000022")
    cs = contract.segments.order_by("pk").first()
    segment = awarded_tender.segments.order_by("code").first()

    provider = make_user("aanbieder-getallen", "aanbieder")
    OrganisationMembership.objects.create(
        user=provider, organisation=Organisation.objects.get(kvk="30000022"), is_admin=True
    )
    client.force_login(provider)
    report_url = reverse("portal-settlement-report", args=[cs.pk, 2022])
    sent = client.post(
        report_url,
        {"realised_clients": "41", "realised_hours": "2.000,37", "comment": "", "submit": "1"},
    )
    assert sent.status_code == 302
    portal_pages = [
        reverse("portal-home"),
        reverse("portal-contracts"),
        reverse("portal-contract", args=[contract.number]),
        reverse("portal-settlement"),
        report_url,
        reverse("portal-tender", args=[slug]),
        reverse("portal-kpis"),
    ]
    pages = {url: client.get(url) for url in portal_pages}

    staff = make_user("staf-getallen", "inkoper")
    for role in ("contractmanager", "voorzitter"):
        staff.groups.add(Group.objects.get_or_create(name=role)[0])
    client.force_login(staff)
    verify_second_factor(client, staff)
    report = ProductionReport.objects.get(contract_segment=cs, year=2022)
    assert client.post(reverse("settlement-compute", args=[slug, report.pk])).status_code == 302
    assert Settlement.objects.filter(report=report).exists()
    staff_pages = [
        reverse("home"),
        reverse("tender-detail", args=[slug]),
        reverse("contract-list", args=[slug]),
        reverse("contract-detail", args=[slug, contract.number]),
        reverse("settlement-overview", args=[slug]),
        reverse("kpi-definitions", args=[slug]),
        reverse("ranking-overview", args=[slug, "award"]),
        reverse("ranking-segment", args=[slug, "award", segment.code]),
        reverse("award-decision", args=[slug]),
        reverse("public-tenders"),
        reverse("public-tender", args=[slug]),
    ]
    pages |= {url: client.get(url) for url in staff_pages}

    problems, with_money = {}, set()
    for url, response in pages.items():
        assert response.status_code == 200, (url, response.status_code)
        text = visible_text(response_text(response))
        if DUTCH_MONEY.search(text):
            with_money.add(url)
        if found := wrong_numbers(text):
            problems[url] = found
    # The sweep means something only if the pages show money: the contract, schedule and
    # settlement pages of both sides, and the tender page with the segment budgets.
    assert {
        reverse("portal-contract", args=[contract.number]),
        report_url,
        reverse("contract-detail", args=[slug, contract.number]),
        reverse("settlement-overview", args=[slug]),
    } <= with_money
    pdf = client.get(reverse("contract-pdf", args=[slug, contract.number]))
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "EUR " in text
    if found := wrong_numbers(text):
        problems["contract-pdf"] = found
    assert not problems
