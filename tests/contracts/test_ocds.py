"""OCDS export: the package validates against the official OCDS 1.1 schema (vendored)."""

import copy
import json

import pytest

from contracts.services.ocds import ocds_release_package, ocds_validate

pytestmark = pytest.mark.django_db

URI = "https://example.org/aanbestedingen/inkoop-2022/ocds.json"


def test_demo_tender_with_contracts_validates(demo_tender, make_contract, settings):
    settings.OCDS_OCID_PREFIX = "ocds-abc123"
    contract = make_contract("WMO-BEG", lumpsum="120000.50")
    make_contract("JH-DYS", index=1)
    package = ocds_release_package(tender=demo_tender, uri=URI)
    assert ocds_validate(package) == []

    release = package["releases"][0]
    assert release["ocid"] == "ocds-abc123-inkoop-2022"
    assert release["tag"] == ["tender", "award", "contract"]
    assert [lot["id"] for lot in release["tender"]["lots"]] == ["JH", "WMO", "BW"]
    assert {item["relatedLot"] for item in release["tender"]["items"]} == {"JH", "WMO", "BW"}
    ocds_contract = next(c for c in release["contracts"] if c["id"] == contract.number)
    assert ocds_contract["value"] == {"amount": 120000.5, "currency": "EUR"}
    award = next(a for a in release["awards"] if a["id"] == ocds_contract["awardID"])
    assert award["suppliers"][0]["id"] == f"NL-KVK-{contract.provider.kvk}"
    assert award["relatedLots"] == ["WMO"]
    roles = {p["id"]: p["roles"] for p in release["parties"]}
    assert roles["NL-REGIO-achterhoek"] == ["buyer", "procuringEntity"]
    assert "supplier" in roles[f"NL-KVK-{contract.provider.kvk}"]
    assert release["tender"]["numberOfTenderers"] == len(release["tender"]["tenderers"]) > 0
    json.dumps(package)  # plain JSON, no Decimal left


def test_tender_without_contracts_validates(demo_tender):
    package = ocds_release_package(tender=demo_tender, uri=URI)
    assert ocds_validate(package) == []
    assert package["releases"][0]["tag"] == ["tender"]


def test_validation_catches_schema_errors(demo_tender, make_contract):
    make_contract()
    package = ocds_release_package(tender=demo_tender, uri=URI)
    broken = copy.deepcopy(package)
    del broken["releases"][0]["ocid"]
    broken["releases"][0]["tender"]["status"] = "open"
    broken["releases"][0]["contracts"][0]["value"]["amount"] = "12.00"
    problems = ocds_validate(broken)
    assert any("'ocid' is a required property" in p for p in problems)
    assert any(p.startswith("releases/0/tender/status") for p in problems)
    assert any(p.startswith("releases/0/contracts/0/value/amount") for p in problems)


def test_awards_follow_the_final_award_ranking(demo_tender, make_user):
    from evaluation.models import Ranking
    from evaluation.selectors import award_winners
    from evaluation.services.ranking import ranking_execute, ranking_finalise

    chair = make_user("chair", "voorzitter")
    for phase in ("selection", "award"):
        ranking = Ranking.objects.create(tender=demo_tender, phase=phase, seed=0)
        ranking_execute(ranking_id=ranking.pk)
        ranking.refresh_from_db()
        ranking_finalise(ranking=ranking, user=chair)
    winners = award_winners(tender=demo_tender)
    package = ocds_release_package(tender=demo_tender, uri=URI)
    assert ocds_validate(package) == []
    release = package["releases"][0]
    assert release["tag"] == ["tender", "award"]
    expected = {kvk for kvks in winners.values() for kvk in kvks}
    assert {a["suppliers"][0]["id"] for a in release["awards"]} == {
        f"NL-KVK-{kvk}" for kvk in expected
    }
    for award in release["awards"]:
        kvk = award["suppliers"][0]["id"].removeprefix("NL-KVK-")
        won = {code for code, kvks in winners.items() if kvk in kvks}
        assert {item["id"] for item in award["items"]} == won
        assert award["status"] == "pending"  # the tender is not awarded yet
        assert "date" in award
