"""The segment page's chart and coverage matrix, and the overview's list of earlier rankings:
what they show is exactly what was stored, in a fixed number of queries."""

import copy
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.models import Ranking
from evaluation.services.ranking import ranking_finalise
from evaluation.services.reopen import ranking_reopen
from evaluation.services.scenario import scenario_load
from providers.models import Dossier

pytestmark = pytest.mark.django_db

CHART_DATA = re.compile(
    r'<script id="ranking-chart-data" type="application/json">(.*?)</script>', re.S
)
GAP_SEGMENT, GAP_MUNICIPALITY, GAP_SPECIALISM = "JH-HSJ", "GM0294", "LVB"


def segment_url(slug="inkoop-2022", code="JH-HSJ", phase="selection", ranking=None):
    url = reverse("ranking-segment", args=[slug, phase, code])
    return f"{url}?ranking={ranking}" if ranking else url


def overview_url(slug="inkoop-2022", phase="selection", ranking=None):
    url = reverse("ranking-overview", args=[slug, phase])
    return f"{url}?ranking={ranking}" if ranking else url


def chart_of(html: str) -> dict:
    match = CHART_DATA.search(html)
    assert match, "no chart data on the page"
    return json.loads(match.group(1))


@pytest.fixture
def compute(django_capture_on_commit_callbacks, client_for):
    """Compute a ranking as the chair does on the overview page; returns the stored one."""

    def run(tender, phase="selection", seed=0):
        chair = client_for("voorzitter", f"chair-{tender.slug}-{phase}-{seed}")
        with django_capture_on_commit_callbacks(execute=True):
            response = chair.post(overview_url(tender.slug, phase), {"seed": str(seed)})
        assert response.status_code == 302
        return Ranking.objects.filter(tender=tender, phase=phase).first()

    return run


def gap_variant(data: dict, *, slug="inkoop-gat") -> dict:
    """The demo with nobody in JH-HSJ serving Winterswijk or offering LVB: two gaps."""
    variant = copy.deepcopy(data)
    variant["tender"]["slug"] = slug
    for submission in variant["submissions"]:
        for entry in submission["segments"]:
            if entry["segment"] == GAP_SEGMENT:
                entry["municipalities"] = [
                    m for m in entry["municipalities"] if m != GAP_MUNICIPALITY
                ]
                entry["specialisms"] = [s for s in entry["specialisms"] if s != GAP_SPECIALISM]
    return variant


def test_chart_data_equals_the_stored_rows_and_the_line_sits_at_places(
    demo_tender, compute, client_for
):
    ranking = compute(demo_tender)
    client = client_for("inkoper")
    checked_lines = 0
    for segment in demo_tender.segments.all():
        html = client.get(segment_url(code=segment.code)).content.decode()
        chart = chart_of(html)
        rows = list(ranking.rows.filter(segment=segment).order_by("position"))
        assert chart["points"] == [format(row.points, "f") for row in rows]
        assert chart["statuses"] == [row.status for row in rows]
        assert chart["ranks"] == [row.rank for row in rows]
        assert chart["places"] == segment.places
        ranked = sum(1 for row in rows if row.rank)
        if segment.places < ranked:
            assert chart["line_after"] == segment.places
            # the table draws the same line, under the row of place X
            assert html.count("app-row--line") == 1
            checked_lines += 1
        else:
            assert chart["line_after"] is None
    assert checked_lines >= 5  # the demo has segments with bids below the line


def test_chart_canvas_is_an_image_with_a_summary_and_scripts_are_vendored(
    demo_tender, compute, client_for
):
    compute(demo_tender)
    html = client_for("auditor").get(segment_url()).content.decode()
    canvas = re.search(r"<canvas[^>]*>", html, re.S).group(0)
    assert 'role="img"' in canvas
    label = re.search(r'aria-label="([^"]*)"', canvas).group(1)
    assert "10 inschrijvingen in segment JH-HSJ" in label
    assert "De streep ligt na plaats 4." in label
    assert "Boven de streep: 4" in label
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "/static/js/ranking_chart.js" in html
    assert "cdn" not in html.lower()


def test_open_house_has_no_ranking_screens(achterhoek_data, client_for):
    variant = copy.deepcopy(achterhoek_data)
    variant["tender"]["slug"] = "inkoop-open-house"
    variant["tender"]["procedure"] = "open_house"
    scenario_load(data=variant)
    out = io.StringIO()  # the engine still ranks (manage.py ranking): rule 4, all selected
    call_command(
        "ranking", "inkoop-open-house", "--phase", "selection", "--format", "json", stdout=out
    )
    rows = [r for s in json.loads(out.getvalue())["segments"] for r in s["results"]]
    assert rows and {r["status"] for r in rows} <= {"selected", "excluded"}
    assert any(r["status"] == "selected" for r in rows)
    # ... but Open House has no ranking screens: it admits everyone who passes.
    client = client_for("inkoper")
    assert client.get(segment_url("inkoop-open-house")).status_code == 404
    assert client.get("/aanbestedingen/inkoop-open-house/ranking/award/").status_code == 404


def test_coverage_matrix_marks_exactly_what_the_dossiers_serve(demo_tender, compute, client_for):
    ranking = compute(demo_tender)
    response = client_for("inkoper").get(segment_url())
    matrix = response.context["matrix"]
    segment = demo_tender.segments.get(code="JH-HSJ")
    selected = list(
        ranking.rows.filter(segment=segment, status__in=["selected", "selected_coverage"]).order_by(
            "position"
        )
    )
    assert [c.kvk for c in matrix.columns] == [row.bidder_kvk for row in selected]
    lot = set(segment.lot.municipalities.values_list("code", flat=True))
    lines = {(line.kind, line.code): line for line in matrix.lines}
    assert {code for kind, code in lines if kind == "municipality"} == lot
    assert {code for kind, code in lines if kind == "specialism"} == set(segment.specialisms)
    for i, row in enumerate(selected):
        dossier = Dossier.objects.get(pk=row.dossier_id)
        served = set(dossier.municipalities.values_list("code", flat=True))
        for code in lot:
            assert lines[("municipality", code)].marks[i] == (code in served)
        for code in segment.specialisms:
            assert lines[("specialism", code)].marks[i] == (code in dossier.specialisms)
    for line in lines.values():
        assert line.count == sum(line.marks)
    assert matrix.gap_count == 0
    html = response.content.decode()
    assert "tekort" not in html and "app-row--gap" not in html


def test_coverage_matrix_shows_gaps_in_words_and_red(achterhoek_data, compute, client_for):
    tender = scenario_load(data=gap_variant(achterhoek_data))
    ranking = compute(tender)
    gaps = {(g.kind, g.code): g.shortfall for g in ranking.gaps.filter(segment__code=GAP_SEGMENT)}
    assert gaps == {("municipality", GAP_MUNICIPALITY): 1, ("specialism", GAP_SPECIALISM): 1}

    response = client_for("inkoper").get(segment_url("inkoop-gat"))
    html = response.content.decode()
    for kind, code in gaps:
        row = re.search(
            rf'<tr class="([^"]*)" data-kind="{kind}" data-code="{code}">(.*?)</tr>', html, re.S
        )
        assert row, (kind, code)
        assert "app-row--gap" in row.group(1)
        assert '<strong class="app-gap">tekort 1</strong>' in row.group(2)
        assert "✓" not in row.group(2)  # nobody serves it
    matrix = response.context["matrix"]
    assert matrix.gap_count == 2
    covered = [line for line in matrix.lines if not line.shortfall]
    assert all(line.count >= line.required for line in covered)
    assert html.count("app-row--gap") == 2


def test_segment_and_overview_queries_do_not_grow_with_the_number_of_bids(
    demo_tender, achterhoek_data, compute, client_for
):
    small = copy.deepcopy(achterhoek_data)
    small["tender"]["slug"] = "inkoop-klein"
    small["submissions"] = small["submissions"][:8]
    small_tender = scenario_load(data=small)
    compute(demo_tender)
    compute(small_tender)
    client = client_for("inkoper")
    counts = []
    for slug in ("inkoop-2022", "inkoop-klein"):
        for url in (segment_url(slug, code="BW-BESCHERMD"), overview_url(slug)):
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:] == [12, 12]  # session, user, OTP device, roles + the page


def test_overview_lists_earlier_rankings_with_their_status_and_reopen_reason(
    demo_tender, compute, client_for, make_user
):
    chair = make_user("voorzitter-a", "voorzitter")
    first = compute(demo_tender, seed=1)
    ranking_finalise(ranking=first, user=chair)
    ranking_reopen(ranking=first, user=chair, reason="Bezwaar van inschrijver gegrond")
    second = compute(demo_tender, seed=2)

    response = client_for("auditor").get(overview_url())
    html = response.content.decode()
    history = response.context["history"]
    assert [(e.ranking.pk, e.state) for e in history] == [
        (second.pk, "computed"),
        (first.pk, "superseded"),
    ]
    assert history[1].reopen_reason == "Bezwaar van inschrijver gegrond"
    assert history[1].reopened_by == "voorzitter-a"
    assert "Heropend (was definitief)" in html
    assert "<q>Bezwaar van inschrijver gegrond</q>" in html
    assert response.context["ranking"] == second  # the newest is shown again
    assert "Wat zijn de seed en de hash van de invoer?" in html


def test_an_earlier_ranking_stays_readable(demo_tender, compute, client_for, make_user):
    chair = make_user("voorzitter-a", "voorzitter")
    first = compute(demo_tender, seed=1)
    ranking_finalise(ranking=first, user=chair)
    ranking_reopen(ranking=first, user=chair, reason="Rekenfout in criterium B")
    compute(demo_tender, seed=2)
    client = client_for("inkoper")

    overview = client.get(overview_url(ranking=first.pk))
    assert overview.context["ranking"] == first
    html = overview.content.decode()
    assert f"U bekijkt berekening {first.pk}." in html and "banner-superseded" in html
    assert f"{segment_url(code='JH-HSJ')}?ranking={first.pk}" in html

    page = client.get(segment_url(ranking=first.pk))
    assert page.context["ranking"] == first
    rows = list(first.rows.filter(segment__code="JH-HSJ").order_by("position"))
    assert chart_of(page.content.decode())["points"] == [format(r.points, "f") for r in rows]
    assert "heropend, seed 1" in page.content.decode()


@pytest.mark.parametrize("value", ["abc", "-1", "999999"])
def test_unknown_or_foreign_ranking_in_the_query_is_404(demo_tender, compute, client_for, value):
    award = compute(demo_tender, phase="award")
    client = client_for("inkoper")
    assert client.get(f"{overview_url()}?ranking={value}").status_code == 404
    assert client.get(f"{segment_url()}?ranking={value}").status_code == 404
    # a ranking of the other phase is not shown under this one
    assert client.get(overview_url(ranking=award.pk)).status_code == 404
