"""Scenario file validation (tender/scenario.py): pure, no Django needed.

Every test starts from the project's demo scenario, breaks it in exactly one way and checks that
the issue names the right JSON path with a one-line Dutch message.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest

from tender.scenario import (
    DEMO_DIR,
    SCHEMA_PATH,
    ScenarioError,
    ScenarioIssue,
    load_scenario_file,
    parse_scenario,
    validate_scenario,
)

DEMO_PATH = DEMO_DIR / "achterhoek-2022.json"
_DEMO = json.loads(DEMO_PATH.read_text(encoding="utf-8"))

Mutation = Callable[[dict], None]


@pytest.fixture
def demo() -> dict:
    return copy.deepcopy(_DEMO)


def _dys(d: dict) -> dict:
    """Segment JH-DYS (lot JH), the first segment of the tender."""
    return d["tender"]["lots"][0]["segments"][0]


def _entry(d: dict) -> dict:
    """First segment entry (WMO-DAG) of the first submission (bidder 30000001)."""
    return d["submissions"][0]["segments"][0]


def _assert_one_line(issue: ScenarioIssue) -> None:
    assert issue.message.strip()
    assert "\n" not in issue.message
    assert "\r" not in issue.message
    assert "\n" not in str(issue)


def _assert_single_issue(issues: list[ScenarioIssue], path: str, fragment: str) -> None:
    assert len(issues) == 1, [str(i) for i in issues]
    (issue,) = issues
    _assert_one_line(issue)
    assert issue.path == path
    assert fragment in issue.message, issue.message
    assert str(issue) == f"{path}: {issue.message}"


# --------------------------------------------------------------------------- valid files


def test_demo_scenario_is_valid():
    assert validate_scenario(copy.deepcopy(_DEMO)) == []


def test_load_scenario_file_returns_the_parsed_demo():
    assert load_scenario_file(DEMO_PATH) == _DEMO
    assert load_scenario_file(str(DEMO_PATH)) == _DEMO


def test_schema_ships_inside_the_project():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$id"] == "tender-scenario/1"
    assert SCHEMA_PATH.parent == DEMO_DIR


def test_shipped_schema_is_a_valid_draft_2020_12_schema():
    # Checked here rather than on every load (a tenth of a region's load time).
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda d: _dys(d).update(band="0"), id="band-zero"),
        pytest.param(lambda d: _dys(d).update(band="0.05"), id="band-five-percent"),
        pytest.param(lambda d: _dys(d).update(tariff="0"), id="tariff-zero"),
        pytest.param(lambda d: _dys(d)["criteria"][0].update(max_points="0.5"), id="half-point"),
        pytest.param(lambda d: _dys(d)["criteria"][0].update(min_level="1.00"), id="level-1.00"),
        pytest.param(lambda d: _entry(d)["levels"].update(A="0"), id="level-zero"),
        pytest.param(
            lambda d: _dys(d).update(
                subsegments=[{"code": "JH-DYS-1", "name": "a"}, {"code": "JH-DYS-2", "name": "b"}]
            ),
            id="distinct-subsegments",
        ),
        pytest.param(
            lambda d: d["submissions"][0].update(members=["30000002"], subcontractors=["30000003"]),
            id="combination",
        ),
        pytest.param(
            lambda d: d["submissions"][0].update(submitted_at="2021-05-31T09:15:00Z"),
            id="submitted-at-utc",
        ),
        pytest.param(
            lambda d: _entry(d).update(
                scores=[
                    {"evaluator": "beoordelaar1", "levels": {"A": "0.5"}},
                    {"evaluator": "beoordelaar2", "levels": {"A": "0.75"}},
                ]
            ),
            id="two-evaluators-score",
        ),
        pytest.param(lambda d: d.pop("evaluators"), id="no-evaluators"),
    ],
)
def test_valid_variations_give_no_issues(demo, mutate: Mutation):
    mutate(demo)
    assert validate_scenario(demo) == []


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param('{"format": }', "regel 1, kolom 12", id="missing-value"),
        pytest.param('{\n  "format": "x",\n}', "regel 3, kolom 1", id="trailing-comma"),
        pytest.param('{"a": 1} {"b": 2}', "extra tekens", id="extra-data"),
        pytest.param("", "regel 1, kolom 1", id="empty"),
        pytest.param('{"a": 1, "a": 2}', "'a' komt twee keer voor", id="duplicate-key"),
        pytest.param('{"a": NaN}', "NaN", id="nan"),
        pytest.param(b"\xff\xfe{", "geen geldige UTF-8", id="not-utf8"),
    ],
)
def test_invalid_json_is_refused_with_line_and_column(text: str | bytes, fragment: str):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text)
    error = caught.value
    assert len(error.issues) == 1
    _assert_single_issue(error.issues, "$", fragment)
    assert str(error) == str(error.issues[0])


def test_parse_accepts_bytes_with_bom():
    assert parse_scenario(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


def test_load_reports_invalid_json_in_file(tmp_path):
    path = tmp_path / "kapot.json"
    path.write_text('{"format": "tender-scenario/1",', encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_file(path)
    _assert_single_issue(caught.value.issues, "$", "ongeldige JSON op regel 1")


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("bestaat-niet.json", "bestand bestaat niet"), (".", "dit is een map")],
)
def test_unreadable_file_is_a_scenario_error(tmp_path, name: str, fragment: str):
    with pytest.raises(ScenarioError) as caught:
        load_scenario_file(tmp_path / name)
    _assert_single_issue(caught.value.issues, "$", fragment)


def test_load_raises_every_issue_and_str_is_the_first(tmp_path, demo):
    demo["organisations"].append(copy.deepcopy(demo["organisations"][0]))
    demo["evaluators"].append(copy.deepcopy(demo["evaluators"][0]))
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(demo), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_file(path)
    error = caught.value
    assert [i.path for i in error.issues] == ["$.organisations[32].kvk", "$.evaluators[3].username"]
    assert str(error) == str(error.issues[0])
    assert "\n" not in str(error)


# --------------------------------------------------------------------------- schema stage


def _set_deadline(value: str) -> Mutation:
    return lambda d: d["tender"].update(deadline=value)


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        pytest.param(lambda d: d.pop("format"), "$", "verplicht veld 'format' ontbreekt", id="top"),
        pytest.param(
            lambda d: d["tender"].pop("slug"),
            "$.tender",
            "verplicht veld 'slug' ontbreekt",
            id="tender-slug",
        ),
        pytest.param(
            lambda d: _dys(d)["criteria"][1].pop("max_points"),
            "$.tender.lots[0].segments[0].criteria[1]",
            "verplicht veld 'max_points' ontbreekt",
            id="criterion-points",
        ),
    ],
)
def test_missing_required_field(demo, mutate: Mutation, path: str, fragment: str):
    mutate(demo)
    _assert_single_issue(validate_scenario(demo), path, fragment)


def test_wrong_format_constant(demo):
    demo["format"] = "tender-scenario/2"
    _assert_single_issue(validate_scenario(demo), "$.format", '"tender-scenario/1"')


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("2021-13-01T12:00:00+02:00", id="month-13"),
        pytest.param("2021-06-31T12:00:00+02:00", id="june-31"),
        pytest.param("2021-06-01T25:00:00+02:00", id="hour-25"),
        pytest.param("2021-06-01T12:00:00", id="no-offset"),
        pytest.param("2021-06-01", id="date-only"),
        pytest.param("1 juni 2021 12:00", id="dutch-text"),
    ],
)
def test_bad_deadline_date_time(demo, value: str):
    _set_deadline(value)(demo)
    _assert_single_issue(validate_scenario(demo), "$.tender.deadline", "ongeldige datum-tijd")


def test_bad_submitted_at(demo):
    demo["submissions"][3]["submitted_at"] = "2021-05-31T09:15:00"
    _assert_single_issue(
        validate_scenario(demo), "$.submissions[3].submitted_at", "ongeldige datum-tijd"
    )


@pytest.mark.parametrize("value", ["2021-02-30", "2021-8-1", "20210801", "01-08-2021"])
def test_bad_start_date(demo, value: str):
    _dys(demo)["start_date"] = value
    _assert_single_issue(
        validate_scenario(demo), "$.tender.lots[0].segments[0].start_date", "ongeldige datum"
    )


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        pytest.param(lambda d: d.update(extra=1), "$", id="top"),
        pytest.param(lambda d: d["tender"]["lots"][2].update(kleur="blauw"), "$.tender.lots[2]"),
        pytest.param(lambda d: _entry(d).update(note="x"), "$.submissions[0].segments[0]"),
    ],
)
def test_unknown_property(demo, mutate: Mutation, path: str):
    mutate(demo)
    (issue,) = validate_scenario(demo)
    assert issue.path == path
    assert issue.message.startswith("onbekend veld '")
    _assert_one_line(issue)


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        pytest.param(
            lambda d: _dys(d).update(places=0),
            "$.tender.lots[0].segments[0].places",
            "moet ten minste 1 zijn",
            id="places-zero",
        ),
        pytest.param(
            lambda d: d["tender"]["lots"][0].update(municipalities=[]),
            "$.tender.lots[0].municipalities",
            "ten minste 1 element",
            id="lot-without-municipalities",
        ),
        pytest.param(
            lambda d: d["tender"].update(procedure="onderhands"),
            "$.tender.procedure",
            "toegestaan: restricted, open_house, open",
            id="enum",
        ),
        pytest.param(
            lambda d: d["organisations"][4].update(kvk="1234567"),
            "$.organisations[4].kvk",
            "ongeldig KvK-nummer '1234567'",
            id="kvk",
        ),
        pytest.param(
            lambda d: d["region"]["municipalities"][0].update(code="0197"),
            "$.region.municipalities[0].code",
            "ongeldige gemeentecode",
            id="municipality-code",
        ),
        pytest.param(
            lambda d: _dys(d)["criteria"][0].update(max_points=20),
            "$.tender.lots[0].segments[0].criteria[0].max_points",
            "moet een tekst zijn",
            id="points-as-number",
        ),
        pytest.param(
            lambda d: _dys(d).update(tariff="62,50"),
            "$.tender.lots[0].segments[0].tariff",
            "ongeldig decimaal getal",
            id="decimal-comma",
        ),
        pytest.param(
            lambda d: _entry(d)["levels"].update(A="1.5"),
            "$.submissions[0].segments[0].levels.A",
            "ongeldig niveau '1.5'",
            id="level-above-one",
        ),
        pytest.param(
            lambda d: _entry(d)["requirements"].update({"WMO-DAG-M1": "ja"}),
            "$.submissions[0].segments[0].requirements['WMO-DAG-M1']",
            "moet true of false zijn",
            id="requirement-answer-not-boolean",
        ),
        pytest.param(
            lambda d: d["tender"].update(title=""),
            "$.tender.title",
            "mag niet leeg zijn",
            id="empty-title",
        ),
    ],
)
def test_schema_violation(demo, mutate: Mutation, path: str, fragment: str):
    mutate(demo)
    _assert_single_issue(validate_scenario(demo), path, fragment)


@pytest.mark.parametrize("data", [[], "scenario", 42, None])
def test_top_level_must_be_an_object(data: object):
    _assert_single_issue(validate_scenario(data), "$", "moet een object zijn")


def test_schema_issues_are_sorted_and_stop_semantic_checks(demo):
    demo["submissions"][10]["bidder"] = "x"
    demo["submissions"][2]["bidder"] = "y"
    demo["tender"]["deadline"] = "morgen"
    demo["tender"]["lots"][1]["code"] = "JH"  # semantic: duplicate lot code, not reported
    issues = validate_scenario(demo)
    assert [i.path for i in issues] == [
        "$.submissions[2].bidder",
        "$.submissions[10].bidder",
        "$.tender.deadline",
    ]
    for issue in issues:
        _assert_one_line(issue)


# --------------------------------------------------------------------------- duplicates


def _append_copy(items: Callable[[dict], list], change: Callable[[dict], None] | None = None):
    def mutate(d: dict) -> None:
        target = items(d)
        item = copy.deepcopy(target[0])
        if change:
            change(item)
        target.append(item)

    return mutate


def _dys_copy_without_requirements(d: dict) -> None:
    segment = copy.deepcopy(_dys(d))
    segment["requirements"] = []
    d["tender"]["lots"][1]["segments"].append(segment)


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        pytest.param(
            _append_copy(lambda d: d["region"]["municipalities"]),
            "$.region.municipalities[8].code",
            "dubbele gemeentecode 'GM0197'",
            id="region-municipality",
        ),
        pytest.param(
            lambda d: d["tender"]["lots"][1].update(code="JH"),
            "$.tender.lots[1].code",
            "dubbele perceelcode 'JH'",
            id="lot",
        ),
        pytest.param(
            _dys_copy_without_requirements,
            "$.tender.lots[1].segments[2].code",
            "dubbele segmentcode 'JH-DYS' (ook bij $.tender.lots[0].segments[0].code)",
            id="segment-across-lots",
        ),
        pytest.param(
            lambda d: _dys(d).update(
                subsegments=[{"code": "S1", "name": "a"}, {"code": "S1", "name": "b"}]
            ),
            "$.tender.lots[0].segments[0].subsegments[1].code",
            "dubbele subsegmentcode 'S1'",
            id="subsegment",
        ),
        pytest.param(
            _append_copy(lambda d: _dys(d)["criteria"]),
            "$.tender.lots[0].segments[0].criteria[9].code",
            "dubbele criteriumcode 'A'",
            id="criterion",
        ),
        pytest.param(
            _append_copy(lambda d: d["tender"]["requirements"]),
            "$.tender.requirements[4].code",
            "dubbele eiscode 'AM1'",
            id="general-requirement",
        ),
        pytest.param(
            lambda d: _dys(d)["requirements"].append({"code": "AM2", "text": "x"}),
            "$.tender.lots[0].segments[0].requirements[1].code",
            "dubbele eiscode 'AM2' (ook bij $.tender.requirements[1].code)",
            id="segment-requirement-equals-general",
        ),
        pytest.param(
            lambda d: d["tender"]["lots"][0]["segments"][1]["requirements"].append(
                {"code": "JH-DYS-M1", "text": "x"}
            ),
            "$.tender.lots[0].segments[1].requirements[1].code",
            "dubbele eiscode 'JH-DYS-M1'",
            id="requirement-in-two-segments",
        ),
        pytest.param(
            _append_copy(lambda d: d["organisations"], lambda o: o.update(name="Kopie")),
            "$.organisations[32].kvk",
            "dubbel KvK-nummer '30000001'",
            id="organisation-kvk",
        ),
        pytest.param(
            _append_copy(lambda d: d["evaluators"]),
            "$.evaluators[3].username",
            "dubbele gebruikersnaam 'beoordelaar1'",
            id="evaluator",
        ),
        pytest.param(
            _append_copy(lambda d: d["submissions"]),
            "$.submissions[32].bidder",
            "inschrijver 30000001 heeft al een inschrijving ($.submissions[0])",
            id="submission-bidder",
        ),
        pytest.param(
            _append_copy(lambda d: d["submissions"][0]["segments"]),
            "$.submissions[0].segments[4].segment",
            "dubbel segment 'WMO-DAG'",
            id="segment-twice-in-submission",
        ),
        pytest.param(
            lambda d: d["tender"]["lots"][0]["municipalities"].append("GM0294"),
            "$.tender.lots[0].municipalities[8]",
            "dubbele gemeente 'GM0294'",
            id="lot-municipality",
        ),
        pytest.param(
            lambda d: _entry(d)["municipalities"].append("GM0197"),
            "$.submissions[0].segments[0].municipalities[7]",
            "dubbele gemeente 'GM0197'",
            id="submission-municipality",
        ),
        pytest.param(
            lambda d: d["submissions"][0].update(members=["30000002", "30000002"]),
            "$.submissions[0].members[1]",
            "dubbel lid '30000002'",
            id="member",
        ),
        pytest.param(
            lambda d: _entry(d).update(
                scores=[
                    {"evaluator": "beoordelaar1", "levels": {"A": "0.5"}},
                    {"evaluator": "beoordelaar1", "levels": {"A": "0.75"}},
                ]
            ),
            "$.submissions[0].segments[0].scores[1].evaluator",
            "dubbele score van beoordelaar 'beoordelaar1'",
            id="evaluator-scores-twice",
        ),
    ],
)
def test_duplicate_is_reported_at_its_second_occurrence(
    demo, mutate: Mutation, path: str, fragment: str
):
    mutate(demo)
    _assert_single_issue(validate_scenario(demo), path, fragment)


# --------------------------------------------------------------------------- unknown codes


def _add_region_municipality_outside_lots(d: dict) -> None:
    d["region"]["municipalities"].append({"code": "GM0001", "name": "Nieuwegemeente"})
    _entry(d)["municipalities"].append("GM0001")


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        pytest.param(
            lambda d: d["tender"]["lots"][0]["municipalities"].append("GM9999"),
            "$.tender.lots[0].municipalities[8]",
            "gemeente GM9999 hoort niet bij regio achterhoek",
            id="lot-municipality-outside-region",
        ),
        pytest.param(
            lambda d: d["submissions"][0].update(bidder="99999999"),
            "$.submissions[0].bidder",
            "onbekende organisatie 99999999 (niet in organisations)",
            id="bidder",
        ),
        pytest.param(
            lambda d: d["submissions"][0].update(members=["30000002", "99999998"]),
            "$.submissions[0].members[1]",
            "onbekende organisatie 99999998 (niet in organisations)",
            id="member",
        ),
        pytest.param(
            lambda d: d["submissions"][0].update(subcontractors=["99999997"]),
            "$.submissions[0].subcontractors[0]",
            "onbekende organisatie 99999997 (niet in organisations)",
            id="subcontractor",
        ),
        pytest.param(
            lambda d: d["submissions"][0].update(members=["30000001"]),
            "$.submissions[0].members[0]",
            "penvoerder 30000001 staat ook als lid van de combinatie",
            id="member-is-bidder",
        ),
        pytest.param(
            lambda d: _entry(d).update(segment="WMO-XXX"),
            "$.submissions[0].segments[0].segment",
            "onbekend segment 'WMO-XXX'",
            id="segment",
        ),
        pytest.param(
            lambda d: _entry(d)["municipalities"].append("GM9999"),
            "$.submissions[0].segments[0].municipalities[7]",
            "gemeente GM9999 hoort niet bij regio achterhoek",
            id="submission-municipality-outside-region",
        ),
        pytest.param(
            lambda d: d["submissions"][0]["requirements"].update(AM9=True),
            "$.submissions[0].requirements.AM9",
            "onbekende algemene eis 'AM9' (niet in tender.requirements)",
            id="general-requirement-answer",
        ),
        pytest.param(
            lambda d: d["submissions"][0]["requirements"].update({"WMO-DAG-M1": True}),
            "$.submissions[0].requirements['WMO-DAG-M1']",
            "onbekende algemene eis 'WMO-DAG-M1' (niet in tender.requirements)",
            id="segment-requirement-answered-as-general",
        ),
        pytest.param(
            lambda d: _entry(d)["requirements"].update({"JH-DYS-M1": True}),
            "$.submissions[0].segments[0].requirements['JH-DYS-M1']",
            "onbekende eis 'JH-DYS-M1' voor segment WMO-DAG",
            id="other-segments-requirement-answer",
        ),
        pytest.param(
            lambda d: _entry(d)["requirements"].update(AM1=True),
            "$.submissions[0].segments[0].requirements.AM1",
            "onbekende eis 'AM1' voor segment WMO-DAG",
            id="general-requirement-answered-per-segment",
        ),
        pytest.param(
            lambda d: _entry(d)["levels"].update(Z="1"),
            "$.submissions[0].segments[0].levels.Z",
            "onbekend criterium 'Z' voor segment WMO-DAG",
            id="level-criterion",
        ),
        pytest.param(
            lambda d: _entry(d).update(
                scores=[{"evaluator": "beoordelaar1", "levels": {"Z": "1"}}]
            ),
            "$.submissions[0].segments[0].scores[0].levels.Z",
            "onbekend criterium 'Z' voor segment WMO-DAG",
            id="score-criterion",
        ),
        pytest.param(
            lambda d: _entry(d).update(scores=[{"evaluator": "onbekend", "levels": {"A": "1"}}]),
            "$.submissions[0].segments[0].scores[0].evaluator",
            "onbekende beoordelaar 'onbekend' (niet in evaluators)",
            id="score-evaluator",
        ),
    ],
)
def test_unknown_code_is_reported(demo, mutate: Mutation, path: str, message: str):
    mutate(demo)
    issues = validate_scenario(demo)
    _assert_single_issue(issues, path, message)
    assert issues[0].message == message


def test_unknown_segment_skips_its_requirement_and_level_checks(demo):
    _entry(demo)["segment"] = "WMO-XXX"
    _entry(demo)["levels"]["Z"] = "1"
    _assert_single_issue(
        validate_scenario(demo), "$.submissions[0].segments[0].segment", "onbekend segment"
    )


def test_score_by_unknown_evaluator_without_evaluators_list(demo):
    demo.pop("evaluators")
    _entry(demo)["scores"] = [{"evaluator": "beoordelaar1", "levels": {"A": "1"}}]
    _assert_single_issue(
        validate_scenario(demo),
        "$.submissions[0].segments[0].scores[0].evaluator",
        "onbekende beoordelaar 'beoordelaar1'",
    )


# --------------------------------------------------------------------------- numbers and roles


@pytest.mark.parametrize("points", ["0", "-5", "0.00", "-0.5"])
def test_criterion_needs_positive_points(demo, points: str):
    _dys(demo)["criteria"][1]["max_points"] = points
    _assert_single_issue(
        validate_scenario(demo),
        "$.tender.lots[0].segments[0].criteria[1].max_points",
        "negatieve of nul punten",
    )


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("tariff", "-62.50", "tarief mag niet negatief zijn"),
        ("budget", "-1", "budget mag niet negatief zijn"),
        ("min_total", "-10", "minimumscore mag niet negatief zijn"),
        ("band", "-0.05", "bandbreedte mag niet negatief zijn"),
        ("band", "1", "moet kleiner dan 1 zijn"),
        ("band", "5", "moet kleiner dan 1 zijn"),
    ],
)
def test_segment_amount_out_of_range(demo, field: str, value: str, fragment: str):
    _dys(demo)[field] = value
    _assert_single_issue(validate_scenario(demo), f"$.tender.lots[0].segments[0].{field}", fragment)


@pytest.mark.parametrize(
    ("field", "fragment"),
    [("months", "looptijd in maanden"), ("hours_per_month", "uren per maand")],
)
def test_negative_bid(demo, field: str, fragment: str):
    _entry(demo)["bid"][field] = "-3"
    _assert_single_issue(
        validate_scenario(demo), f"$.submissions[0].segments[0].bid.{field}", fragment
    )


def test_a_region_municipality_outside_the_lot_is_accepted(demo):
    """The ranking ignores it for coverage; refusing the file would lose a valid scenario."""
    _add_region_municipality_outside_lots(demo)
    assert validate_scenario(demo) == []


def test_two_chairs_are_accepted(demo):
    demo["evaluators"][0]["chair"] = True
    assert validate_scenario(demo) == []


def test_chair_false_is_not_a_second_chair(demo):
    demo["evaluators"][0]["chair"] = False
    assert validate_scenario(demo) == []


def test_empty_evaluator_username(demo):
    demo["evaluators"][1]["username"] = " "
    _assert_single_issue(
        validate_scenario(demo), "$.evaluators[1].username", "gebruikersnaam mag niet leeg zijn"
    )


def test_semantic_issues_are_all_reported_in_discovery_order(demo):
    demo["tender"]["lots"][1]["code"] = "JH"
    demo["submissions"][0]["bidder"] = "99999999"
    _dys(demo)["tariff"] = "-1"
    issues = validate_scenario(demo)
    assert [i.path for i in issues] == [
        "$.tender.lots[0].segments[0].tariff",
        "$.tender.lots[1].code",
        "$.submissions[0].bidder",
    ]


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (
            lambda d: d["tender"]["lots"][0]["segments"][0]["criteria"][0].update(
                max_points="12.1234567"
            ),
            "$.tender.lots[0].segments[0].criteria[0].max_points",
        ),
        (
            lambda d: d["tender"]["lots"][0]["segments"][0].update(budget="1000.005"),
            "$.tender.lots[0].segments[0].budget",
        ),
        (
            lambda d: _entry(d)["levels"].update(A="0.123456789"),
            "$.submissions[0].segments[0].levels.A",
        ),
    ],
    ids=["points", "budget-cents", "level"],
)
def test_numbers_the_database_would_round_are_refused(demo, mutate, path):
    mutate(demo)
    issues = validate_scenario(demo)
    assert [i.path for i in issues] == [path]
    assert "te veel decimalen" in issues[0].message


def test_precise_numbers_within_the_limits_are_accepted(demo):
    demo["tender"]["lots"][0]["segments"][0]["criteria"][0]["max_points"] = "12.345"
    _entry(demo)["levels"]["A"] = "0.3333"
    assert validate_scenario(demo) == []


# --------------------------------------------------------------------------- streamed files


def _streamed(path, monkeypatch, chunk: int = 7) -> dict:
    """The parts ``iter_scenario_file`` gives, read in tiny chunks so values span them."""
    from tender import scenario

    monkeypatch.setattr(scenario, "_CHUNK", chunk)
    return {
        key: list(value) if key in scenario.STREAMED else value
        for key, value in scenario.iter_scenario_file(path)
    }


def test_a_file_read_in_chunks_gives_the_parsed_document(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_DEMO, indent=1).encode())
    assert _streamed(path, monkeypatch) == _DEMO


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "tender-scenario/1",',  # truncated
        '{"region": {}, "format": "x"}',  # keys in another order: read whole
        '{"format": 1, "format": 2}',  # duplicate key
        '{"organisations": [{"kvk": "1"},]}',  # trailing comma
        '{"organisations": [1 2]}',
        '{"format": NaN}',
        "[]",
        '{"format": 1} x',
    ],
)
def test_a_file_that_cannot_be_streamed_is_refused_part_way(text, tmp_path, monkeypatch):
    from tender.scenario import NotStreamable

    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NotStreamable):
        _streamed(path, monkeypatch, chunk=3)


def test_checking_part_by_part_gives_the_issues_of_the_whole_document(demo):
    from tender.scenario import ScenarioChecker, scenario_parts

    demo["submissions"][3]["bidder"] = "99999999"
    demo["submissions"][1]["segments"][0]["segment"] = "NOPE"
    checker = ScenarioChecker()
    for key, value in scenario_parts(demo):
        if key in ("organisations", "submissions"):
            checker.array(key)
            for i, item in enumerate(value):
                checker.item(key, i, item)
                assert checker.clean == (key == "organisations" or i == 0)
        else:
            checker.value(key, value)
    assert checker.finish() == validate_scenario(demo) != []
