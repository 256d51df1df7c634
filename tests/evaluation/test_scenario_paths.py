"""Any valid scenario ranks the same through the database as straight from its JSON.

The database path (load_scenario -> selectors -> engine) is what the commands, pages and tasks
use; the JSON path builds the engine's input from the file by hand. Generated scenarios cover
procedures, missing answers, individual scores without consensus, segments without bids,
specialisms and k = 0/2, so a mapping mistake in the selectors shows up as a difference.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import lumpsum as lumpsum_engine
from contracts.services import lumpsum_compute
from evaluation import ranking as engine
from evaluation.services.ranking import ranking_compute
from evaluation.services.scenario import scenario_load
from tender.scenario import validate_scenario

MUNICIPALITIES = ["GM0001", "GM0002", "GM0003", "GM0004"]
LEVELS = ["0", "0.25", "0.5", "0.75", "1", "0.333"]


@st.composite
def scenarios(draw):
    procedure = draw(st.sampled_from(["restricted", "open_house", "open"]))
    general = [
        {"code": f"AM{i}", "text": "eis", **({"phase": "award"} if draw(st.booleans()) else {})}
        for i in range(draw(st.integers(0, 2)))
    ]
    segments = []
    for s in range(draw(st.integers(1, 3))):
        criteria = [
            {
                "code": f"C{c}",
                "name": "c",
                "phase": phase,
                "max_points": draw(st.sampled_from(["10", "20", "12.345"])),
                **({"min_level": "0.5"} if draw(st.booleans()) and c == 0 else {}),
            }
            for c, phase in enumerate(["selection", "selection", "award"])
        ]
        segment = {
            "code": f"S{s}",
            "name": "segment",
            "places": draw(st.integers(1, 3)),
            "coverage_k": draw(st.integers(0, 2)),
            "criteria": criteria,
            "specialisms": draw(st.lists(st.sampled_from(["GGZ", "LVB"]), unique=True)),
            "requirements": [
                {"code": f"S{s}-M1", "text": "eis"},
                {"code": f"S{s}-G1", "text": "gunningseis", "phase": "award"},
            ],
            "tariff": "50.00",
            "start_date": draw(st.sampled_from(["2022-01-01", "2022-08-15"])),
        }
        if draw(st.booleans()):
            segment["award_places"] = draw(st.integers(1, 2))
        if draw(st.booleans()):
            segment["min_total"] = "10.00"
        if draw(st.booleans()):
            segment["budget"] = draw(st.sampled_from(["1000.00", "99999.99"]))
        segments.append(segment)
    bidders = [f"{50000000 + i:08d}" for i in range(draw(st.integers(0, 6)))]
    submissions = []
    for kvk in bidders:
        entries = []
        for segment in segments:
            if not draw(st.booleans()):
                continue
            levels = {
                c["code"]: draw(st.sampled_from(LEVELS))
                for c in segment["criteria"]
                if draw(st.integers(0, 5))
            }  # now and then no consensus level
            entry = {
                "segment": segment["code"],
                "municipalities": draw(st.lists(st.sampled_from(MUNICIPALITIES), unique=True)),
                "specialisms": draw(st.lists(st.sampled_from(["GGZ", "LVB"]), unique=True)),
                "requirements": {
                    r["code"]: draw(st.booleans())
                    for r in segment["requirements"]
                    if draw(st.integers(0, 4))
                },
                "levels": levels,
                "scores": [
                    {
                        "evaluator": "e1",
                        "levels": {
                            c["code"]: draw(st.sampled_from(LEVELS)) for c in segment["criteria"]
                        },
                    }
                ],
            }
            if draw(st.integers(0, 3)):
                entry["bid"] = {
                    "clients": draw(st.integers(0, 30)),
                    "months": "3",
                    "hours_per_month": draw(st.sampled_from(["4", "2.5"])),
                }
            entries.append(entry)
        if entries:
            submissions.append(
                {
                    "bidder": kvk,
                    "requirements": {
                        r["code"]: draw(st.booleans()) for r in general if draw(st.integers(0, 4))
                    },
                    "segments": entries,
                }
            )
    return {
        "format": "tender-scenario/1",
        "region": {
            "code": "r",
            "name": "Regio",
            "municipalities": [{"code": c, "name": c} for c in MUNICIPALITIES],
        },
        "tender": {
            "slug": "gen",
            "title": "Gegenereerd",
            "procedure": procedure,
            "deadline": "2021-06-01T12:00:00+02:00",
            "requirements": general,
            "lots": [
                {
                    "code": "L",
                    "name": "Perceel",
                    "funding": "lumpsum",
                    "municipalities": MUNICIPALITIES[:3],
                    "segments": segments,
                }
            ],
        },
        "organisations": [{"kvk": k, "name": f"Org {k}", "legal_form": "bv"} for k in bidders],
        "evaluators": [{"username": "e1", "name": "E"}],
        "submissions": submissions,
    }


def phase_codes(requirements: list[dict], phase: str) -> tuple[str, ...]:
    return tuple(r["code"] for r in requirements if r.get("phase", "selection") == phase)


def engine_input_from_json(data: dict) -> engine.TenderIn:
    tender = data["tender"]
    segments = []
    for lot in tender["lots"]:
        for s in lot["segments"]:
            bids = []
            for sub in data["submissions"]:
                for entry in sub["segments"]:
                    if entry["segment"] != s["code"]:
                        continue
                    scores = {}
                    for score in entry.get("scores", []):
                        for code, level in score["levels"].items():
                            scores.setdefault(code, []).append(Decimal(level))
                    bids.append(
                        engine.BidIn(
                            bidder=sub["bidder"],
                            municipalities=frozenset(entry["municipalities"]),
                            specialisms=frozenset(entry.get("specialisms", [])),
                            general_answers=dict(sub["requirements"]),
                            segment_answers=dict(entry.get("requirements", {})),
                            final_levels={c: Decimal(v) for c, v in entry["levels"].items()},
                            individual_levels={c: tuple(v) for c, v in scores.items()},
                        )
                    )
            segments.append(
                engine.SegmentIn(
                    code=s["code"],
                    places=s["places"],
                    award_places=s.get("award_places"),
                    min_total=Decimal(s["min_total"]) if "min_total" in s else None,
                    coverage_k=s.get("coverage_k", 1),
                    municipalities=tuple(lot["municipalities"]),
                    specialisms=tuple(s.get("specialisms", [])),
                    requirement_codes=phase_codes(s.get("requirements", []), "selection"),
                    award_requirement_codes=phase_codes(s.get("requirements", []), "award"),
                    criteria=tuple(
                        engine.CriterionIn(
                            code=c["code"],
                            phase=c["phase"],
                            max_points=Decimal(c["max_points"]),
                            min_level=Decimal(c["min_level"]) if "min_level" in c else None,
                        )
                        for c in s["criteria"]
                    ),
                    bids=tuple(bids),
                )
            )
    return engine.TenderIn(
        slug=tender["slug"],
        procedure=tender["procedure"],
        requirement_codes=phase_codes(tender["requirements"], "selection"),
        segments=tuple(segments),
        award_requirement_codes=phase_codes(tender["requirements"], "award"),
    )


@pytest.mark.django_db
@settings(
    # A database load per example: a fifth of the profile's examples (tests/conftest.py).
    max_examples=max(10, settings.default.max_examples // 5),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=scenarios(), seed=st.integers(0, 5), year=st.sampled_from([2021, 2022, 2023]))
def test_database_path_equals_json_path(data, seed, year):
    # Each example rolls its rows back, so the next one starts from the same database without
    # paying for a cascade delete of the previous tender (replace is tested on its own).
    with transaction.atomic():
        check_database_path_equals_json_path(data, seed, year)
        transaction.set_rollback(True)


def check_database_path_equals_json_path(data, seed, year):
    assert validate_scenario(data) == []
    tender = scenario_load(data=data, replace=True)
    inputs = engine_input_from_json(data)
    for phase in ("selection", "award"):
        expected = engine.rank_tender(inputs, phase=phase, seed=seed).to_dict()
        assert ranking_compute(tender=tender, phase=phase, seed=seed).to_dict() == expected

    award = engine.rank_tender(inputs, phase="award", seed=seed)
    winners = {
        s.segment: sorted(r.bidder for r in s.results if r.status in engine.SELECTED_STATUSES)
        for s in award.segments
    }
    bids = {
        (sub["bidder"], e["segment"]): e.get("bid")
        for sub in data["submissions"]
        for e in sub["segments"]
    }
    segments = []
    for s in data["tender"]["lots"][0]["segments"]:
        figures = []
        for kvk in winners[s["code"]]:
            bid = bids[(kvk, s["code"])]
            figures.append(
                lumpsum_engine.Winner(
                    kvk,
                    lumpsum_engine.BidFigures(
                        bid["clients"], Decimal(bid["months"]), Decimal(bid["hours_per_month"])
                    )
                    if bid
                    else None,
                )
            )
        segments.append(
            lumpsum_engine.SegmentLumpsumIn(
                code=s["code"],
                tariff=Decimal(s["tariff"]),
                budget=Decimal(s["budget"]) if "budget" in s else None,
                start_date=date.fromisoformat(s["start_date"]),
                end_date=date.fromisoformat(s["start_date"]).replace(
                    year=int(s["start_date"][:4]) + 3
                )
                - timedelta(days=1),
                payment="monthly",
                winners=tuple(figures),
            )
        )
    expected = lumpsum_engine.lumpsum_report("gen", segments, year=year).to_dict()
    assert lumpsum_compute(tender=tender, year=year, seed=seed).to_dict() == expected
