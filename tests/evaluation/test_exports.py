"""Downloads for the procurement file: the scores workbook (a sheet per segment, a row per
dossier x criterion) and the rankings CSV (a row per segment x result), for inkoper, chair and
auditor only, each download audited."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEntry
from evaluation.exports import rankings_csv, scores_workbook
from evaluation.models import FinalLevel, Ranking, Score
from evaluation.ranking_selectors import ResultLine, ScoreLine, ScoreSheet
from evaluation.services.ranking import ranking_request
from providers.models import Dossier

pytestmark = pytest.mark.django_db

HEADERS = {
    "bidder": "Inschrijver",
    "kvk": "KvK",
    "criterion": "Criterium",
    "criterion_name": "Naam criterium",
    "weight": "Weging (w)",
    "level_of": "Niveau",
    "final_level": "Eindniveau",
    "rationale": "Motivering eindniveau",
    "points": "Punten (w × eindniveau)",
}


@pytest.fixture
def computed(demo_tender, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ranking = ranking_request(tender=demo_tender, phase="selection", seed=3)
    ranking.refresh_from_db()
    return ranking


def workbook_url(phase="selection"):
    return reverse("scores-export", args=["inkoop-2022", phase])


def csv_url(ranking):
    return reverse("ranking-export-csv", args=["inkoop-2022", ranking.phase, ranking.pk])


def read_csv(content: bytes) -> list[dict]:
    assert content.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# --------------------------------------------------------------------------- workbook


def test_workbook_has_a_sheet_per_segment_with_a_row_per_dossier_and_criterion(
    demo_tender, client_for
):
    dossier = Dossier.objects.filter(segment__code="JH-HSJ").order_by("pk").first()
    criterion = dossier.segment.criteria.get(code="A")
    evaluators = {e.name: e for e in demo_tender.evaluators.all()}
    now = timezone.now()
    Score.objects.create(
        dossier=dossier,
        criterion=criterion,
        evaluator=evaluators["Beoordelaar Een"],
        level=Decimal("0.5"),
        submitted_at=now,
    )
    Score.objects.create(
        dossier=dossier,
        criterion=criterion,
        evaluator=evaluators["Beoordelaar Twee"],
        level=Decimal("0.75"),
        submitted_at=now,
    )
    Score.objects.create(  # a draft: not in the procurement file
        dossier=dossier,
        criterion=criterion,
        evaluator=evaluators["Inkoopspecialist"],
        level=Decimal("1"),
    )
    FinalLevel.objects.filter(dossier=dossier, criterion=criterion).update(
        level=Decimal("0.75"), rationale="Sterk onderbouwd"
    )

    response = client_for("inkoper").get(workbook_url())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="scores-inkoop-2022-selection.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))

    segments = list(demo_tender.segments.order_by("code"))
    assert workbook.sheetnames == [s.code for s in segments]
    names = sorted(evaluators)  # evaluator columns in name order
    for segment in segments:
        sheet = workbook[segment.code]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == (
            "Inschrijver",
            "KvK",
            "Criterium",
            "Naam criterium",
            "Weging (w)",
            *(f"Niveau {name}" for name in names),
            "Eindniveau",
            "Motivering eindniveau",
            "Punten (w × eindniveau)",
        )
        criteria = [c for c in segment.criteria.all() if c.phase == "selection"]
        dossiers = Dossier.objects.filter(segment=segment)
        assert len(rows) - 1 == dossiers.count() * len(criteria)
        expected = {(d.submission.bidder.kvk, c.code) for d in dossiers for c in criteria}
        assert {(r[1], r[2]) for r in rows[1:]} == expected
        finals = {
            (f.dossier.submission.bidder.kvk, f.criterion.code): f.level
            for f in FinalLevel.objects.filter(dossier__segment=segment).select_related(
                "dossier__submission__bidder", "criterion"
            )
        }
        weights = {c.code: c.max_points for c in criteria}
        for r in rows[1:]:
            final = finals[(r[1], r[2])]
            assert number(r[4]) == weights[r[2]]
            assert number(r[-3]) == final
            assert number(r[-1]) == weights[r[2]] * final

    sheet = workbook["JH-HSJ"]
    row = next(
        r
        for r in sheet.iter_rows(min_row=2, values_only=True)
        if r[1] == dossier.submission.bidder.kvk and r[2] == "A"
    )
    levels = dict(zip(names, row[5 : 5 + len(names)], strict=True))
    assert levels == {"Beoordelaar Een": 0.5, "Beoordelaar Twee": 0.75, "Inkoopspecialist": None}
    assert row[0] == dossier.submission.bidder.name
    assert row[-2] == "Sterk onderbouwd"
    assert number(row[-1]) == criterion.max_points * Decimal("0.75")

    entry = AuditEntry.objects.get(action="ranking.export")
    assert entry.details == {"what": "scores", "format": "xlsx", "phase": "selection"}
    assert entry.tender_slug == "inkoop-2022"


def test_award_workbook_has_the_award_criteria(demo_tender, client_for):
    workbook = load_workbook(io.BytesIO(client_for("auditor").get(workbook_url("award")).content))
    segment = demo_tender.segments.get(code="JH-DYS")
    award_codes = {c.code for c in segment.criteria.all() if c.phase == "award"}
    assert {r[2] for r in workbook["JH-DYS"].iter_rows(min_row=2, values_only=True)} == award_codes


def test_workbook_text_never_becomes_a_formula():
    sheet = ScoreSheet(
        segment_code="S1",
        segment_name="Segment",
        evaluators=("Een",),
        lines=(
            ScoreLine(
                bidder_kvk="12345678",
                bidder_name='=HYPERLINK("http://x")',
                criterion_code="A",
                criterion_name="Kwaliteit",
                max_points=Decimal("20"),
                levels=(None,),
                final_level=None,
                rationale="=1+1",
            ),
        ),
    )
    workbook = load_workbook(io.BytesIO(scores_workbook([sheet], headers=HEADERS)))
    row = list(workbook["S1"].iter_rows(min_row=2))[0]
    assert row[0].data_type == "s" and row[0].value == '=HYPERLINK("http://x")'
    assert row[-2].data_type == "s" and row[-1].value is None  # no final level: no points


# --------------------------------------------------------------------------- CSV


def test_csv_rows_equal_the_ranking_result(computed, client_for):
    response = client_for("voorzitter").get(csv_url(computed))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    name = f"ranking-inkoop-2022-selection-{computed.pk}.csv"
    assert f'filename="{name}"' in response["Content-Disposition"]
    rows = read_csv(response.content)
    expected = [
        {
            "segment": segment["segment"],
            "rank": "" if result["rank"] is None else str(result["rank"]),
            "bidder_kvk": result["bidder"],
            "points": result["points"],
            "status": result["status"],
            "reasons": "; ".join(result["reasons"]),
        }
        for segment in computed.result["segments"]
        for result in segment["results"]
    ]
    assert [{k: v for k, v in row.items() if k != "bidder_name"} for row in rows] == expected
    names = dict(computed.rows.values_list("bidder_kvk", "bidder_name"))
    assert all(row["bidder_name"] == names[row["bidder_kvk"]] for row in rows)
    assert any(row["reasons"] for row in rows)

    entry = AuditEntry.objects.get(action="ranking.export")
    assert entry.object_id == str(computed.pk)
    assert entry.details["format"] == "csv" and entry.details["what"] == "ranking"


def test_csv_neutralises_formulas_and_joins_reasons():
    content = rankings_csv(
        [
            ResultLine("S1", 1, "12345678", "=cmd|' /C calc'!A0", Decimal("81.25"), "selected", ()),
            ResultLine(
                "S1", None, "87654321", "Zorg, B.V.", Decimal("7.50"), "excluded", ("a", "b")
            ),
        ]
    )
    lines = content.split("\r\n")
    assert lines[0] == "segment,rank,bidder_kvk,bidder_name,points,status,reasons"
    assert lines[1] == "S1,1,12345678,'=cmd|' /C calc'!A0,81.25,selected,"
    assert lines[2] == 'S1,,87654321,"Zorg, B.V.",7.50,excluded,a; b'


def test_csv_of_a_ranking_still_running_is_refused(demo_tender, client_for):
    pending = Ranking.objects.create(tender=demo_tender, phase="selection")
    response = client_for("inkoper").get(csv_url(pending), follow=True)
    assert "nog niet berekend" in response.content.decode()
    assert not AuditEntry.objects.filter(action="ranking.export").exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("inkoper", True),
        ("voorzitter", True),
        ("auditor", True),
        ("contractmanager", False),
        ("beoordelaar", False),
        ("aanbieder", False),
    ],
)
def test_downloads_are_for_inkoper_chair_and_auditor(computed, client_for, role, allowed):
    client = client_for(role)
    status = 200 if allowed else 404
    assert client.get(workbook_url()).status_code == status
    assert client.get(csv_url(computed)).status_code == status
    assert AuditEntry.objects.filter(action="ranking.export").count() == (2 if allowed else 0)
    overview = client.get(reverse("ranking-overview", args=["inkoop-2022", "selection"]))
    if role in ("contractmanager",):  # sees the ranking, not the download links
        assert "scores.xlsx" not in overview.content.decode()
    if allowed:
        assert workbook_url() in overview.content.decode()
        assert csv_url(computed) in overview.content.decode()


def test_anonymous_download_goes_to_login(computed, client):
    for url in (workbook_url(), csv_url(computed)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --------------------------------------------------------------------------- API


def test_api_csv_is_the_same_file(computed, client_for):
    client = client_for("auditor")
    page = client.get(csv_url(computed)).content
    response = client.get(f"/api/v1/rankings/{computed.pk}/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content == page
    assert AuditEntry.objects.filter(action="ranking.export").count() == 2


@pytest.mark.parametrize(("role", "status"), [("contractmanager", 403), ("beoordelaar", 404)])
def test_api_csv_permissions(computed, client_for, role, status):
    response = client_for(role).get(f"/api/v1/rankings/{computed.pk}/export.csv")
    assert response.status_code == status
    assert not AuditEntry.objects.filter(action="ranking.export").exists()


def test_api_csv_of_an_unknown_ranking_is_404(db, client_for):
    assert client_for("auditor").get("/api/v1/rankings/999999/export.csv").status_code == 404


def test_openapi_schema_lists_the_new_actions(client_for):
    content = client_for("inkoper").get("/api/schema/").content
    for path in (
        b"/api/v1/rankings/{id}/finalise/",
        b"/api/v1/rankings/{id}/reopen/",
        b"/api/v1/rankings/{id}/export.csv",
    ):
        assert path in content, path
