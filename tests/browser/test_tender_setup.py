"""Setting up a tender in a real browser: an inkoper builds a small tender from scratch (one lot
with three municipalities, one segment with two places, a requirement, two criteria added in
place with htmx), publishes it and sees "Gepubliceerd"; every set-up page passes axe-core."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import INKOPER
from tender.constants import TenderState
from tender.models import Municipality, Region, Tender

from .conftest import assert_no_axe_violations, confirm_if_asked, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zorg-Inkoop-2022!"
SLUG = "zorg-2030"
TITLE = "Inkoop Jeugdhulp 2030"


@pytest.fixture
def region():
    region = Region.objects.create(code="testregio", name="Testregio")
    region.municipalities.add(
        *(
            Municipality.objects.create(code=f"GM90{i:02d}", name=f"Gemeente {name}")
            for i, name in enumerate(["Aa", "Bee", "Cee", "Dee", "Ee"])
        )
    )
    return region


@pytest.fixture
def inkoper():
    # Transactional tests flush the groups of the roles migration; create them as needed.
    user = get_user_model().objects.create_user(username="inkoper-setup", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=INKOPER)[0])
    return user


def submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    confirm_if_asked(page)


def follow(page, name):
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=True).click()


def checked_page(page, name):
    """One h1, no serious or critical axe violations, a screenshot for a human."""
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_no_axe_violations(page)
    screenshot(page, f"setup-{name}")


def add_criterion(page, code, name, phase, points, min_level=""):
    page.locator("#id_criterion-code").fill(code)
    page.locator("#id_criterion-name").fill(name)
    page.locator("#id_criterion-phase").select_option(label=phase)
    page.locator("#id_criterion-max_points").fill(points)
    page.locator("#id_criterion-min_level").fill(min_level)
    page.get_by_role("button", name="Criterium toevoegen").click()
    expect(page.locator("#setup-status")).to_have_text(f"Criterium {code} is toegevoegd.")
    criteria = page.locator("#criteria-section table tbody")
    expect(criteria.get_by_role("rowheader", name=f"{code} {name}")).to_be_visible()


def test_inkoper_sets_up_and_publishes_a_tender_from_scratch(live_server, page, region, inkoper):
    login(page, live_server, inkoper.username, PASSWORD)
    page.goto(live_server.url + reverse("home"))

    # The tender itself
    follow(page, "Nieuwe aanbesteding")
    checked_page(page, "tender-create")
    page.locator("#id_slug").fill(SLUG)
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_region").select_option(label="Testregio")
    page.locator("#id_deadline").fill("2030-06-01T12:00")
    submit(page, "Aanbesteding aanmaken")
    assert page.url == live_server.url + reverse("setup-overview", args=[SLUG])
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Opzet van {TITLE}")
    checked_page(page, "overview-empty")

    # A lot: first without municipalities (the error summary links to the field), then with three
    follow(page, "Perceel toevoegen")
    checked_page(page, "lot-create")
    page.locator("#id_code").fill("JH")
    page.locator("#id_name").fill("Jeugdhulp")
    submit(page, "Perceel toevoegen")
    summary = page.locator(".app-error-summary")
    expect(summary).to_contain_text("Kies ten minste één deelnemende gemeente.")
    checked_page(page, "lot-errors")
    summary.get_by_role("link").click()
    expect(page.locator("#id_municipalities_0")).to_be_focused()
    for name in ("Gemeente Aa", "Gemeente Bee", "Gemeente Cee"):
        page.get_by_role("checkbox", name=name).check()
    submit(page, "Perceel toevoegen")
    expect(page.get_by_text("Perceel JH is opgeslagen.")).to_be_visible()

    # A segment with two places
    follow(page, "Segment toevoegen aan perceel JH")
    checked_page(page, "segment-create")
    page.locator("#id_code").fill("JH-DYS")
    page.locator("#id_name").fill("Dyslexie")
    page.locator("#id_places").fill("2")
    page.locator("#id_start_date").fill("2030-08-01")
    submit(page, "Segment toevoegen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Segment JH-DYS – Dyslexie")
    checked_page(page, "segment-empty")

    # Two criteria, added in place (htmx): the page does not reload
    segment_url = page.url
    add_criterion(page, "A", "Kennis en deskundigheid", "Selectie", "60", "0,5")
    add_criterion(page, "G", "Kwaliteit van samenwerking", "Gunning", "40")
    assert page.url == segment_url
    page.locator("#id_criterion-max_points").fill("0")
    page.locator("#id_criterion-code").fill("X")
    page.locator("#id_criterion-name").fill("Nul punten")
    page.get_by_role("button", name="Criterium toevoegen").click()
    expect(page.locator("#criteria-section .app-error-summary")).to_contain_text("groter dan 0")
    checked_page(page, "segment-criteria")

    # One requirement for every segment
    follow(page, "Opzet")
    follow(page, "Minimumeis toevoegen")
    checked_page(page, "requirement-create")
    page.locator("#id_code").fill("AM1")
    page.locator("#id_text").fill("Geen uitsluitingsgronden (UEA ingevuld en ondertekend)")
    submit(page, "Minimumeis toevoegen")
    expect(page.get_by_role("rowheader", name="AM1")).to_be_visible()
    checked_page(page, "overview-complete")

    # Publish on the tender page
    follow(page, "Naar de aanbesteding (publiceren)")
    checked_page(page, "tender-detail")
    submit(page, "Publiceren")
    expect(page.get_by_text("Status gewijzigd naar 'Gepubliceerd'.")).to_be_visible()
    status = page.locator(".app-facts div", has=page.locator("dt", has_text="Status"))
    expect(status.locator("dd")).to_have_text("Gepubliceerd")
    checked_page(page, "tender-published")

    tender = Tender.objects.get(slug=SLUG)
    assert tender.state == TenderState.PUBLISHED
    lot = tender.lots.get()
    assert sorted(m.name for m in lot.municipalities.all()) == [
        "Gemeente Aa",
        "Gemeente Bee",
        "Gemeente Cee",
    ]
    segment = lot.segments.get()
    assert segment.places == 2
    assert list(segment.criteria.values_list("code", "phase")) == [
        ("A", "selection"),
        ("G", "award"),
    ]
    assert list(tender.requirements.values_list("code", flat=True)) == ["AM1"]


def test_import_page_and_its_errors_pass_axe(live_server, page, inkoper):
    login(page, live_server, inkoper.username, PASSWORD)
    page.goto(live_server.url + reverse("setup-import"))
    checked_page(page, "import")
    page.locator("#id_file").set_input_files(
        files=[{"name": "kapot.json", "mimeType": "application/json", "buffer": b'{"format": 1}'}]
    )
    submit(page, "Importeren")
    expect(page.get_by_role("heading", name="Fouten in het bestand")).to_be_visible()
    expect(page.locator(".app-issues")).to_contain_text("$.format")
    checked_page(page, "import-errors")
