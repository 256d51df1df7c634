"""The ranking flow in a real browser: a chair computes and reads the selection ranking, the
pages pass axe-core, and an evaluator cannot see rankings at all."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import BEOORDELAAR, VOORZITTER
from audit.models import AuditEntry
from evaluation.services.ranking import ranking_compute
from evaluation.services.scenario import scenario_load

from .conftest import assert_no_axe_violations, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zorg-Inkoop-2022!"
SEGMENT = "JH-HSJ"
REASON = re.compile(r"dekt|eis|criterium|minimumscore", re.IGNORECASE)


def make_user(username, role):
    # Transactional tests flush the groups of the roles migration; create them as needed.
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def tender(achterhoek_data):
    return scenario_load(data=achterhoek_data)


def overview_url(live_server, tender):
    return live_server.url + reverse("ranking-overview", args=[tender.slug, "selection"])


def compute_ranking(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Ranking berekenen").click()
    expect(page.get_by_text("De ranking wordt berekend.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Berekening klaar.")).to_be_visible()


def assert_styled(page):
    """The stylesheets were served: the Utrecht table and the app header carry their styles."""
    loaded = page.evaluate(
        "() => [...document.styleSheets].filter(s => s.href).map(s => s.cssRules.length)"
    )
    assert loaded and all(n > 0 for n in loaded), loaded
    header_bg = page.locator("header.app-header").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert header_bg not in ("rgba(0, 0, 0, 0)", "transparent"), header_bg


def test_chair_computes_and_reads_the_selection_ranking(live_server, page, tender):
    make_user("voorzitter-test", VOORZITTER)
    login(page, live_server, "voorzitter-test", PASSWORD)

    page.goto(live_server.url + reverse("home"))
    assert_styled(page)
    screenshot(page, "home")
    with page.expect_navigation():
        page.get_by_role("link", name=tender.title).click()
    assert page.get_by_role("heading", level=1).inner_text() == tender.title
    screenshot(page, "tender")

    with page.expect_navigation():
        page.get_by_role("link", name="Ranking selectiefase").click()
    assert page.url == overview_url(live_server, tender)
    expect(page.get_by_text("Voor deze fase is nog geen ranking berekend.")).to_be_visible()
    compute_ranking(page)
    overview = page.locator("table", has=page.locator("caption", has_text="Uitkomst per segment"))
    expect(overview).to_be_visible()
    screenshot(page, "overview")

    with page.expect_navigation():
        overview.get_by_role("link", name=re.compile(rf"^{SEGMENT}\b")).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(SEGMENT)
    table = page.locator("table", has=page.locator("caption", has_text="Rangorde"))
    headers = table.locator("thead th").all_inner_texts()
    assert [h.strip() for h in headers] == [
        "Rang",
        "Inschrijver",
        "KvK",
        "Punten",
        "Status",
        "Toelichting",
    ]
    rows = table.locator("tbody tr")
    cells = [rows.nth(i).locator("td, th").all_inner_texts() for i in range(rows.count())]
    cells = [[c.strip() for c in row] for row in cells]
    assert cells, "the segment table has no rows"
    screenshot(page, "segment")

    explained = [row for row in cells if row[4] in ("Geselecteerd voor dekking", "Uitgesloten")]
    assert explained, f"no coverage or excluded row in {cells}"
    assert all(REASON.search(row[5]) for row in explained), explained

    expected = next(
        s
        for s in ranking_compute(tender=tender, phase="selection", seed=0).to_dict()["segments"]
        if s["segment"] == SEGMENT
    )
    assert len(cells) == len(expected["results"])
    first, first_expected = cells[0], expected["results"][0]
    assert first[0] == str(first_expected["rank"])
    assert first[2] == first_expected["bidder"]
    assert first[3].replace(".", "").replace(",", ".") == first_expected["points"]  # 81,25
    page_points = [row[3].replace(".", "").replace(",", ".") for row in cells]
    assert page_points == [r["points"] for r in expected["results"]]


def test_staff_pages_have_no_serious_accessibility_violations(live_server, page, tender):
    page.goto(live_server.url + reverse("login"))
    screenshot(page, "login")
    assert_no_axe_violations(page)

    make_user("voorzitter-a11y", VOORZITTER)
    login(page, live_server, "voorzitter-a11y", PASSWORD)
    entry = AuditEntry.objects.filter(tender_slug=tender.slug).first()
    for url in (
        reverse("home"),
        reverse("tender-detail", args=[tender.slug]),
        # the audit log screens (issue 18)
        reverse("audit-home"),
        reverse("audit-log", args=[tender.slug]),
        reverse("audit-entry", args=[tender.slug, entry.seq]),
    ):
        page.goto(live_server.url + url)
        assert_no_axe_violations(page)

    page.goto(overview_url(live_server, tender))
    assert_no_axe_violations(page)
    compute_ranking(page)
    assert_no_axe_violations(page)

    page.goto(
        live_server.url + reverse("ranking-segment", args=[tender.slug, "selection", SEGMENT])
    )
    assert page.locator("table").count() == 2  # the ranking and the coverage matrix
    assert_no_axe_violations(page)


def test_evaluator_cannot_open_the_ranking(live_server, page, tender):
    make_user("beoordelaar-test", BEOORDELAAR)
    login(page, live_server, "beoordelaar-test", PASSWORD)
    response = page.goto(overview_url(live_server, tender))
    assert response is not None and response.status == 404
    screenshot(page, "evaluator-404")
    assert page.get_by_role("heading", level=1).inner_text() == "Pagina niet gevonden"
    assert "Ranking berekenen" not in page.content()
    assert tender.title not in page.content()
