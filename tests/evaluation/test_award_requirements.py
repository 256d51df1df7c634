"""Award-phase requirements (DOMAIN.md ranking rule 7) through `load_scenario`, `ranking` and
`lumpsum`, and the new optional scenario fields surviving an export."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from evaluation.services.scenario_export import scenario_export
from tender.models import Tender
from tender.scenario import validate_scenario

pytestmark = pytest.mark.django_db

BIDDERS = ["10000001", "10000002", "10000003", "10000004"]


def scenario():
    answers = {
        "10000001": ({"AM1": True, "GA1": True}, {"SA1": True}),
        "10000002": ({"AM1": True, "GA1": False}, {"SA1": True}),
        "10000003": ({"AM1": True, "GA1": True}, {}),  # SA1 not answered
        "10000004": ({"AM1": False, "GA1": True}, {"SA1": True}),  # fails selection
    }
    levels = {"10000001": "1", "10000002": "0.75", "10000003": "0.5", "10000004": "1"}
    return {
        "format": "tender-scenario/1",
        "region": {
            "code": "r",
            "name": "Regio",
            "municipalities": [{"code": "GM0001", "name": "Een", "inhabitants": 1200}],
        },
        "tender": {
            "slug": "ronde",
            "title": "Twee rondes",
            "procedure": "restricted",
            "deadline": "2021-06-01T12:00:00+02:00",
            "requirements": [
                {"code": "AM1", "text": "Inschrijving in het handelsregister"},
                {"code": "GA1", "text": "Aanvaarding conceptovereenkomst", "phase": "award"},
            ],
            "lots": [
                {
                    "code": "L",
                    "name": "Perceel",
                    "funding": "pxq",
                    "municipalities": ["GM0001"],
                    "segments": [
                        {
                            "code": "S1",
                            "name": "Segment",
                            "places": 3,
                            "coverage_k": 0,
                            "tariff": "10.00",
                            "start_date": "2022-01-01",
                            "funding": "lumpsum",
                            "requirements": [
                                {"code": "SA1", "text": "Prijsblad", "phase": "award"}
                            ],
                            "criteria": [
                                {
                                    "code": "K",
                                    "name": "K",
                                    "phase": "selection",
                                    "max_points": "10",
                                },
                                {"code": "P", "name": "P", "phase": "award", "max_points": "20"},
                            ],
                        }
                    ],
                }
            ],
        },
        "organisations": [{"kvk": k, "name": f"Org {k}", "legal_form": "bv"} for k in BIDDERS],
        "submissions": [
            {
                "bidder": kvk,
                "requirements": general,
                "segments": [
                    {
                        "segment": "S1",
                        "municipalities": ["GM0001"],
                        "requirements": own,
                        "levels": {"K": levels[kvk], "P": "0.5"},
                        "bid": {"clients": 1, "months": "12", "hours_per_month": "1"},
                        "current_clients": 4,
                    }
                ],
            }
            for kvk, (general, own) in answers.items()
        ],
    }


@pytest.fixture
def loaded(tmp_path):
    path = tmp_path / "ronde.json"
    path.write_text(json.dumps(scenario()), encoding="utf-8")
    call_command("load_scenario", str(path), stdout=StringIO())
    return Tender.objects.get(slug="ronde")


def command_json(*args):
    out = StringIO()
    call_command(*args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_each_phase_checks_only_its_own_requirements(loaded):
    selection = command_json("ranking", "ronde", "--phase", "selection")
    # GA1 and SA1 are award requirements: not checked (and not missed) in the selection.
    assert selection["segments"][0]["results"] == [
        {"bidder": "10000001", "rank": 1, "points": "10.00", "status": "selected", "reasons": []},
        {"bidder": "10000002", "rank": 2, "points": "7.50", "status": "selected", "reasons": []},
        {"bidder": "10000003", "rank": 3, "points": "5.00", "status": "selected", "reasons": []},
        {
            "bidder": "10000004",
            "rank": None,
            "points": "10.00",
            "status": "excluded",
            "reasons": ["eis AM1 niet voldaan"],
        },
    ]
    award = command_json("ranking", "ronde", "--phase", "award")
    assert award["segments"][0]["results"] == [
        {"bidder": "10000001", "rank": 1, "points": "10.00", "status": "selected", "reasons": []},
        {
            "bidder": "10000002",
            "rank": None,
            "points": "10.00",
            "status": "excluded",
            "reasons": ["eis GA1 niet voldaan"],
        },
        {
            "bidder": "10000003",
            "rank": None,
            "points": "10.00",
            "status": "excluded",
            "reasons": ["eis SA1 niet beantwoord"],
        },
    ]
    # Only the award winner is paid; the segment's own funding overrules the lot's pxq.
    report = command_json("lumpsum", "ronde", "--year", "2022")
    assert [(s["segment"], [c["bidder"] for c in s["contracts"]]) for s in report["segments"]] == [
        ("S1", ["10000001"])
    ]
    assert report["segments"][0]["contracts"][0]["amount"] == "120.00"


def test_export_keeps_phase_funding_inhabitants_and_current_clients(loaded):
    exported = scenario_export(tender=loaded)
    assert validate_scenario(exported) == []
    tender = exported["tender"]
    assert [r.get("phase", "selection") for r in tender["requirements"]] == ["selection", "award"]
    segment = tender["lots"][0]["segments"][0]
    assert segment["funding"] == "lumpsum"
    assert segment["requirements"] == [{"code": "SA1", "text": "Prijsblad", "phase": "award"}]
    assert exported["region"]["municipalities"] == [
        {"code": "GM0001", "name": "Een", "inhabitants": 1200}
    ]
    assert {s["segments"][0]["current_clients"] for s in exported["submissions"]} == {4}
