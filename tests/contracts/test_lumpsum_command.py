"""`manage.py lumpsum` on loaded scenarios: winners from the award ranking, exact money."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from evaluation.services.ranking import ranking_compute
from evaluation.services.scenario import scenario_load
from tender.scenario import DEMO_DIR, load_scenario_file

pytestmark = pytest.mark.django_db


def lumpsum_json(*args):
    out = StringIO()
    call_command("lumpsum", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_lumpsum_pays_exactly_the_award_winners(demo_tender):
    report = lumpsum_json("inkoop-2022", "--year", "2022", "--seed", "4")
    award = ranking_compute(tender=demo_tender, phase="award", seed=4).to_dict()
    winners = {
        s["segment"]: sorted(
            r["bidder"] for r in s["results"] if r["status"] in ("selected", "selected_coverage")
        )
        for s in award["segments"]
    }
    assert list(report) == ["tender", "year", "segments"]
    for segment in report["segments"]:
        assert [c["bidder"] for c in segment["contracts"]] == winners[segment["segment"]]


def test_amounts_respect_the_budget_and_instalments_add_up(demo_tender):
    report = lumpsum_json("inkoop-2022", "--year", "2022")
    for segment in report["segments"]:
        amounts = [Decimal(c["amount"]) for c in segment["contracts"]]
        if segment["scaled"]:
            assert sum(amounts) == Decimal(segment["budget"])
        else:
            assert [c["amount"] for c in segment["contracts"]] == [
                c["bid"] for c in segment["contracts"]
            ]
        for contract in segment["contracts"]:
            instalments = [Decimal(i["amount"]) for i in contract["instalments"]]
            assert sum(instalments) == Decimal(contract["year_total"])
            # all segments start in 2022 or earlier: a full year of monthly instalments
            assert len(instalments) == 12 or segment["segment"] == "JH-DYS"


def test_a_year_before_the_start_has_no_instalments(demo_tender):
    report = lumpsum_json("inkoop-2022", "--year", "2021")
    starts_2022 = [s for s in report["segments"] if s["segment"] != "JH-DYS"]
    for segment in starts_2022:
        for contract in segment["contracts"]:
            assert contract["year_total"] == "0.00" and contract["instalments"] == []
    dyslexia = next(s for s in report["segments"] if s["segment"] == "JH-DYS")
    dates = [i["date"] for i in dyslexia["contracts"][0]["instalments"]]
    assert dates == ["2021-08-01", "2021-09-01", "2021-10-01", "2021-11-01", "2021-12-01"]


def test_lumpsum_of_unknown_tender_is_a_clear_error(db):
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("lumpsum", "nope", "--year", "2022")


def test_hart_van_brabant_demo_loads_ranks_and_scales_a_segment(db):
    tender = scenario_load(data=load_scenario_file(DEMO_DIR / "hart-van-brabant-2022.json"))
    assert {lot.code: lot.municipalities.count() for lot in tender.lots.all()} == {
        "DB": 7,
        "BW": 9,
        "BG": 7,
        "JH": 11,
    }
    assert tender.lots.get(code="JH").segments.count() == 5
    selection = ranking_compute(tender=tender, phase="selection").to_dict()
    assert selection["provisional"] is False
    report = lumpsum_json("hvb-2022", "--year", "2022")
    assert any(s["scaled"] for s in report["segments"])
    bw = next(s for s in report["segments"] if s["segment"] == "BW-TAAK")
    assert len(bw["contracts"]) == 1
    # contracts from 1 July 2022: six monthly instalments in 2022
    assert [i["date"][:7] for i in bw["contracts"][0]["instalments"]][0] == "2022-07"


def test_lumpsum_service_uses_a_constant_number_of_queries(demo_tender, achterhoek_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contracts.services import lumpsum_compute

    small = json.loads(json.dumps(achterhoek_data))
    small["tender"]["slug"] = "inkoop-klein"
    small["submissions"] = small["submissions"][:8]
    small_tender = scenario_load(data=small, one_round=True)
    with CaptureQueriesContext(connection) as big:
        lumpsum_compute(tender=demo_tender, year=2022)
    with CaptureQueriesContext(connection) as little:
        lumpsum_compute(tender=small_tender, year=2022)
    assert len(big) == len(little) == 17  # + whether the tender holds offers (round 2)


def test_segment_without_start_date_is_paid_all_year(demo_tender):
    demo_tender.segments.filter(code="WMO-BEG").update(start_date=None)
    report = lumpsum_json("inkoop-2022", "--year", "2023")
    segment = next(s for s in report["segments"] if s["segment"] == "WMO-BEG")
    assert all(len(c["instalments"]) == 12 for c in segment["contracts"])
