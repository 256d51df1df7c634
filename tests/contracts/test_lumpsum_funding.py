"""`manage.py lumpsum` per funding model, initial term and payment rhythm (SCENARIO.md,
"Lumpsum command"), on small scenario files loaded with `load_scenario`. Every expected amount
is worked out by hand in the comments."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

A, B, C = "10000001", "10000002", "10000003"
CRITERIA = [
    {"code": "S", "name": "Kwaliteit", "phase": "selection", "max_points": "10"},
    {"code": "G", "name": "Plan", "phase": "award", "max_points": "20"},
]


def segment(code, **extra):
    return {"code": code, "name": code, "places": 3, "coverage_k": 0, "criteria": CRITERIA, **extra}


def entry(code, municipalities=(), **extra):
    return {
        "segment": code,
        "municipalities": list(municipalities),
        "levels": {"S": "1", "G": "1"},
        **extra,
    }


def scenario(lots, entries):
    """Three bidders, every one selected and awarded wherever it bids (places 3, k = 0)."""
    return {
        "format": "tender-scenario/1",
        "region": {
            "code": "r",
            "name": "Regio",
            "municipalities": [
                {"code": "GM0001", "name": "Een", "inhabitants": 1000},
                {"code": "GM0002", "name": "Twee"},  # no number of inhabitants
                {"code": "GM0003", "name": "Drie", "inhabitants": 3000},
            ],
        },
        "tender": {
            "slug": "geld",
            "title": "Bekostiging",
            "procedure": "restricted",
            "deadline": "2021-06-01T12:00:00+02:00",
            "requirements": [],
            "lots": lots,
        },
        "organisations": [
            {"kvk": kvk, "name": f"Org {kvk}", "legal_form": "bv"} for kvk in (A, B, C)
        ],
        "submissions": [
            {"bidder": kvk, "requirements": {}, "segments": entries[kvk]} for kvk in (A, B, C)
        ],
    }


def lot(code, funding, segments, municipalities=("GM0001", "GM0002", "GM0003")):
    return {
        "code": code,
        "name": code,
        "funding": funding,
        "municipalities": list(municipalities),
        "segments": segments,
    }


def run(tmp_path, data, year):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("load_scenario", str(path), "--replace", stdout=StringIO())
    out = StringIO()
    call_command("lumpsum", "geld", "--year", str(year), "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def by_code(report):
    return {s["segment"]: s for s in report["segments"]}


def amounts(seg):
    return {c["bidder"]: (c["bid"], c["amount"], c["year_total"]) for c in seg["contracts"]}


def test_task_shares_the_budget_by_current_clients_or_equally(tmp_path):
    data = scenario(
        [
            lot(
                "T",
                "task",
                [
                    segment("T1", budget="1000.00", start_date="2022-01-01"),
                    segment("T2", budget="100.00", tariff="50.00", start_date="2022-01-01"),
                    segment("T3", tariff="50.00"),  # task without a budget: left out
                ],
            )
        ],
        {
            A: [
                entry("T1", current_clients=1),
                entry("T2", bid={"clients": 2, "months": "3", "hours_per_month": "4"}),
                entry("T3"),
            ],
            B: [entry("T1", current_clients=2), entry("T2"), entry("T3")],
            C: [entry("T1"), entry("T2"), entry("T3")],  # no current_clients: counts 0
        },
    )
    report = run(tmp_path, data, 2022)
    segments = by_code(report)
    assert list(segments) == ["T1", "T2"]

    t1 = segments["T1"]
    assert (t1["budget"], t1["scaled"]) == ("1000.00", True)
    # 1000 x 1/3 = 333.333.. -> 333.33, 1000 x 2/3 = 666.666.. -> 666.66, 0; the cent left
    # over goes to the largest remainder (B). No tariff: every bid is 0.00.
    assert amounts(t1) == {
        A: ("0.00", "333.33", "333.33"),
        B: ("0.00", "666.67", "666.67"),
        C: ("0.00", "0.00", "0.00"),
    }
    a = t1["contracts"][0]["instalments"]
    # m = 333.33 / 12 = 27.7775 -> 27.78 eleven times (305.58), the last 333.33 - 305.58
    assert [i["amount"] for i in a] == ["27.78"] * 11 + ["27.75"]
    assert [i["date"] for i in a][:2] == ["2022-01-01", "2022-02-01"]
    assert [i["amount"] for i in t1["contracts"][2]["instalments"]] == ["0.00"] * 12

    # Nobody states clients: equal shares, 33.333.. each; the cent left over to the lower KvK.
    # The bid is still reported: 2 x 3 x 4 x 50.00 = 1200.00; 0.00 without a bid.
    assert amounts(segments["T2"]) == {
        A: ("1200.00", "33.34", "33.34"),
        B: ("0.00", "33.33", "33.33"),
        C: ("0.00", "33.33", "33.33"),
    }


def test_population_shares_the_budget_over_the_lot_by_inhabitants(tmp_path):
    data = scenario(
        [
            # GM0002 has no inhabitants: every municipality of this lot counts 1.
            lot("P", "population", [segment("P1", budget="100.00")]),
            lot(
                "Q",
                "population",
                [segment("P2", budget="1000.00"), segment("P3")],  # P3: no budget, left out
                municipalities=("GM0001", "GM0003"),
            ),
        ],
        {
            A: [
                entry("P1", ["GM0001", "GM0002"]),
                entry("P2", ["GM0001", "GM0003"]),
                entry("P3", ["GM0001"]),
            ],
            B: [entry("P1", ["GM0002"]), entry("P2", ["GM0003"]), entry("P3", ["GM0001"])],
            C: [entry("P1", []), entry("P2", []), entry("P3", ["GM0001"])],
        },
    )
    segments = by_code(run(tmp_path, data, 2022))
    assert list(segments) == ["P1", "P2"]
    # P1: 100/3 per municipality. GM0001 -> A; GM0002 split A and B (16.666.. each); GM0003
    # is served by nobody. A = 33.333.. + 16.666.. = 50.00, B = 16.666.. -> 16.66, C = 0;
    # total = 66.666.. rounded = 66.67, so the cent left over goes to B.
    assert amounts(segments["P1"]) == {
        A: ("0.00", "50.00", "50.00"),
        B: ("0.00", "16.67", "16.67"),
        C: ("0.00", "0.00", "0.00"),
    }
    assert segments["P1"]["scaled"] is True
    # P2: GM0001 1000 and GM0003 3000 inhabitants: 250.00 and 750.00; GM0003 split A and B.
    # No start date: paid the whole year.
    assert amounts(segments["P2"]) == {
        A: ("0.00", "625.00", "625.00"),
        B: ("0.00", "375.00", "375.00"),
        C: ("0.00", "0.00", "0.00"),
    }
    assert len(segments["P2"]["contracts"][0]["instalments"]) == 12


def test_pxq_and_result_are_left_out_and_a_segment_overrules_its_lot(tmp_path):
    bid = {"bid": {"clients": 1, "months": "12", "hours_per_month": "1"}}
    data = scenario(
        [
            lot(
                "X",
                "pxq",
                [
                    segment("X1", tariff="10.00", budget="100.00"),  # the lot's pxq: left out
                    segment("X2", tariff="10.00", funding="result"),  # left out
                    segment("X3", tariff="10.00", budget="100.00", funding="lumpsum"),
                    segment("X4", funding="lumpsum"),  # lumpsum without a tariff: left out
                ],
            )
        ],
        {kvk: [entry(code, **bid) for code in ("X1", "X2", "X3", "X4")] for kvk in (A, B, C)},
    )
    segments = by_code(run(tmp_path, data, 2022))
    assert list(segments) == ["X3"]
    # bids 1 x 12 x 1 x 10.00 = 120.00 each, 360.00 > budget 100.00: 33.333.. each, the
    # cent left over to the lower KvK.
    assert amounts(segments["X3"]) == {
        A: ("120.00", "33.34", "33.34"),
        B: ("120.00", "33.33", "33.33"),
        C: ("120.00", "33.33", "33.33"),
    }
    assert segments["X3"]["scaled"] is True


def test_only_the_initial_term_is_paid_quarterly_with_partial_quarters(tmp_path):
    bid = {"bid": {"clients": 1, "months": "7", "hours_per_month": "10"}}
    data = scenario(
        [
            lot(
                "L",
                "lumpsum",
                [segment("Q1", tariff="10.00", start_date="2021-08-15", payment="quarterly")],
            )
        ],
        {A: [entry("Q1", **bid)], B: [], C: []},
    )
    data["submissions"] = data["submissions"][:1]
    # bid 1 x 7 x 10 x 10.00 = 700.00; m = 700 / 12 = 58.333..
    # Initial term 15 Aug 2021 - 14 Aug 2024. 2021: September (the first whole month) to
    # December: Q3 (1 month) 58.33 on 1 Sep, Q4 the rest of 700 x 4/12 = 233.33: 175.00.
    first = run(tmp_path, data, 2021)["segments"][0]["contracts"][0]
    assert (first["bid"], first["amount"], first["year_total"]) == ("700.00", "700.00", "233.33")
    assert first["instalments"] == [
        {"date": "2021-09-01", "amount": "58.33"},
        {"date": "2021-10-01", "amount": "175.00"},
    ]
    # 2024: January to July (August ends after the 14th): 700 x 7/12 = 408.33;
    # Q1 175.00, Q2 175.00, Q3 (July only) the rest: 58.33.
    last = run(tmp_path, data, 2024)["segments"][0]["contracts"][0]
    assert last["year_total"] == "408.33"
    assert last["instalments"] == [
        {"date": "2024-01-01", "amount": "175.00"},
        {"date": "2024-04-01", "amount": "175.00"},
        {"date": "2024-07-01", "amount": "58.33"},
    ]
    # 2025 is after the initial term: nothing to pay.
    after = run(tmp_path, data, 2025)["segments"][0]["contracts"][0]
    assert (after["amount"], after["year_total"], after["instalments"]) == ("700.00", "0.00", [])
