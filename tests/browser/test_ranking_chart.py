"""The chair in a real browser: computes the selection ranking with a seed, reads the points
chart (drawn by the vendored Chart.js, with the line at place X) and the coverage matrix with a
gap, finalises, and reopens with a reason. Every page passes axe-core."""

import copy
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import VOORZITTER
from evaluation.models import Ranking
from evaluation.services.scenario import scenario_load

from .conftest import assert_no_axe_violations, confirm_if_asked, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zorg-Inkoop-2022!"
SEGMENT, GAP_MUNICIPALITY = "JH-HSJ", "GM0294"
SEED = 7


@pytest.fixture
def tender(achterhoek_data):
    """The demo with nobody in JH-HSJ serving Winterswijk (GM0294): a coverage gap."""
    variant = copy.deepcopy(achterhoek_data)
    variant["tender"]["slug"] = "inkoop-gat"
    for submission in variant["submissions"]:
        for entry in submission["segments"]:
            if entry["segment"] == SEGMENT:
                entry["municipalities"] = [
                    m for m in entry["municipalities"] if m != GAP_MUNICIPALITY
                ]
    return scenario_load(data=variant)


@pytest.fixture
def chair():
    user = get_user_model().objects.create_user(username="voorzitter-chart", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=VOORZITTER)[0])
    return user


def chart_state(page):
    return page.evaluate(
        """() => {
            const chart = Chart.getChart(document.getElementById("ranking-chart"));
            if (!chart) return null;
            const bars = chart.getDatasetMeta(0).data;
            return {
                type: chart.config.type,
                indexAxis: chart.options.indexAxis,
                bars: bars.length,
                drawn: bars.filter(b => b.width > 0).length,
                values: chart.data.datasets[0].data,
                line: chart.$placeLine,
                barY: bars.map(b => b.y),
                canvasWidth: chart.canvas.width,
            };
        }"""
    )


def test_chair_reads_chart_and_coverage_then_finalises_and_reopens(
    live_server, page, tender, chair
):
    login(page, live_server, chair.username, PASSWORD)
    overview = live_server.url + reverse("ranking-overview", args=[tender.slug, "selection"])
    page.goto(overview)
    assert_no_axe_violations(page)

    page.get_by_label("Seed voor loting").fill(str(SEED))
    with page.expect_navigation():
        page.get_by_role("button", name="Ranking berekenen").click()
    expect(page.get_by_role("status").filter(has_text="Berekening klaar.")).to_be_visible()
    ranking = Ranking.objects.get(tender=tender, phase="selection")
    assert ranking.seed == SEED

    page.goto(overview)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(rf"^{SEGMENT}\b")).click()
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('ranking-chart'))"
    )

    rows = list(ranking.rows.filter(segment__code=SEGMENT).order_by("position"))
    places = tender.segments.get(code=SEGMENT).places
    state = chart_state(page)
    assert state["type"] == "bar" and state["indexAxis"] == "y"
    assert state["bars"] == state["drawn"] == len(rows)
    assert state["values"] == [float(r.points) for r in rows]
    assert state["canvasWidth"] > 0
    # the line is drawn between place X and X+1
    line = state["line"]
    assert line and line["after"] == places
    assert state["barY"][places - 1] < line["y"] < state["barY"][places]

    canvas = page.locator("#ranking-chart")
    assert canvas.get_attribute("role") == "img"
    assert f"De streep ligt na plaats {places}." in canvas.get_attribute("aria-label")
    screenshot(page, "ranking-chart")

    matrix = page.locator("table", has=page.locator("caption", has_text="Dekking door"))
    expect(matrix).to_be_visible()
    gap_row = matrix.locator(f'tr[data-code="{GAP_MUNICIPALITY}"]')
    expect(gap_row).to_contain_text("Winterswijk")
    expect(gap_row.locator("strong.app-gap")).to_have_text("tekort 1")
    red = gap_row.locator("strong.app-gap").evaluate("el => getComputedStyle(el).color")
    assert red == "rgb(160, 29, 35)", red
    background = gap_row.locator("th").evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(254, 237, 237)", background
    covered = matrix.locator('tr[data-code="GM0197"]')
    expect(covered).not_to_have_class(re.compile("app-row--gap"))
    expect(covered.locator("strong.app-gap")).to_have_count(0)
    assert_no_axe_violations(page)

    page.goto(overview)
    with page.expect_navigation():
        page.get_by_role("button", name="Ranking definitief vaststellen").click()
    confirm_if_asked(page)
    expect(page.get_by_text("De ranking is definitief vastgesteld.")).to_be_visible()
    facts = page.locator("dl.app-facts")
    expect(facts).to_contain_text("Definitief")
    expect(facts).to_contain_text(str(SEED))
    expect(facts).to_contain_text(ranking.input_hash)
    page.get_by_text("Wat zijn de seed en de hash van de invoer?").click()
    expect(page.get_by_text("Een vingerafdruk (SHA-256)")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "ranking-final")

    # reopening needs a reason
    with page.expect_navigation():
        page.get_by_role("button", name="Ranking heropenen").click()
    expect(page.get_by_text("Geef een reden voor het heropenen.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Reden voor heropenen").fill("Bezwaar van een inschrijver gegrond")
    with page.expect_navigation():
        page.get_by_role("button", name="Ranking heropenen").click()
    expect(page.get_by_text("De ranking is heropend.")).to_be_visible()
    history = page.locator("table.app-history")
    expect(history).to_contain_text("Heropend (was definitief)")
    expect(history).to_contain_text("Bezwaar van een inschrijver gegrond")
    assert_no_axe_violations(page)
    screenshot(page, "ranking-reopened")

    # the old final ranking is still readable, chart and all
    with page.expect_navigation():
        history.get_by_role("link", name=str(ranking.pk)).click()
    expect(page.locator(".banner-superseded")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(rf"^{SEGMENT}\b")).click()
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('ranking-chart'))"
    )
    assert chart_state(page)["bars"] == len(rows)
    assert_no_axe_violations(page)
