"""Scenario export and import: export(load(demo)) loads again and ranks identically; a tender
built by hand exports to a valid scenario; an import with errors lists them by JSON path and
stores nothing; bids stay out of an export between publication and opening."""

import copy
import json
from io import StringIO

import pytest
from django.core.management import call_command

from audit.models import AuditEntry
from contracts.services import lumpsum_compute
from evaluation.services.scenario import scenario_load
from evaluation.services.scenario_export import scenario_export
from evaluation.services.scenario_import import scenario_import
from providers.models import Organisation
from tender.constants import TenderState
from tender.errors import ApplicationError
from tender.models import Region, Tender
from tender.scenario import ScenarioError, validate_scenario

from .setup_helpers import build_tender, make_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def inkoper(make_user):
    return make_user("inkoper", "inkoper")


def ranking_json(slug, phase, seed=0):
    out = StringIO()
    call_command(
        "ranking", slug, "--phase", phase, "--seed", str(seed), "--format", "json", stdout=out
    )
    return json.loads(out.getvalue())


@pytest.mark.parametrize("demo", ["achterhoek-2022", "hart-van-brabant-2022"])
def test_export_of_a_loaded_demo_loads_again_and_ranks_identically(demo, tmp_path):
    from tender.scenario import DEMO_DIR, load_scenario_file

    shipped = load_scenario_file(DEMO_DIR / f"{demo}.json")
    original = scenario_load(data=shipped)
    # Two rounds in the database (a request per bidder, an offer per bidder with a bid) ...
    assert original.submissions.filter(round="request").count() == len(shipped["submissions"])
    assert original.submissions.filter(round="offer").count() == len(shipped["submissions"])
    # ... with the calendar of round 2 that ``load_demo`` adds: the offers deadline after the
    # requests deadline, the invitations between them, every offer received before its deadline.
    from evaluation.management.commands.load_demo import restricted_demo_rounds

    assert restricted_demo_rounds(original) > 0
    original.refresh_from_db()
    invited = original.offer_invitations.values_list("invited_at", flat=True)
    assert all(original.deadline < at < original.offers_deadline for at in invited)
    offers = original.submissions.filter(round="offer")
    assert all(s.submitted_at < original.offers_deadline for s in offers)
    assert not offers.exclude(
        bidder__offer_invitations__tender=original
    ).exists()  # every offer from an invited candidate
    exported = scenario_export(tender=original)
    assert validate_scenario(exported) == []

    # ... and one submission per bidder in the file: the offer written into its request.
    def by_code(items):
        return sorted(
            (
                {k: v for k, v in item.items() if k != "submitted_at"}  # file: at the deadline
                | {"segments": sorted(item["segments"], key=lambda e: e["segment"])}
                | {k: sorted(item[k]) for k in ("members", "subcontractors") if k in item}
                for item in items
            ),
            key=lambda item: item["bidder"],
        )

    assert by_code(exported["submissions"]) == by_code(shipped["submissions"])

    exported["tender"]["slug"] = "kopie"
    path = tmp_path / "kopie.json"
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    call_command("load_scenario", str(path), stdout=StringIO())

    # The same file loaded in one round (requests only) ranks and pays the same.
    shipped["tender"]["slug"] = "een-ronde"
    scenario_load(data=shipped, one_round=True)
    assert not Tender.objects.get(slug="een-ronde").submissions.filter(round="offer").exists()

    for phase in ("selection", "award"):
        for seed in (0, 7):
            before = ranking_json(original.slug, phase, seed)
            before.pop("tender")
            for slug in ("kopie", "een-ronde"):
                after = ranking_json(slug, phase, seed)
                assert after.pop("tender") == slug
                assert after == before
    for seed in (0, 1):
        paid = lumpsum_compute(tender=original, year=2022, seed=seed).to_dict()
        once = lumpsum_compute(tender=Tender.objects.get(slug="een-ronde"), year=2022, seed=seed)
        assert {**once.to_dict(), "tender": paid["tender"]} == paid


def test_export_of_the_demo_has_the_shape_of_the_shipped_file(achterhoek_data, demo_tender):
    exported = scenario_export(tender=demo_tender)
    shipped = achterhoek_data["tender"]
    assert exported["tender"]["deadline"] == shipped["deadline"]  # 2021-06-01T12:00:00+02:00
    assert [lot["code"] for lot in exported["tender"]["lots"]] == [
        lot["code"] for lot in shipped["lots"]
    ]
    first = exported["tender"]["lots"][0]["segments"][0]
    assert first["criteria"][0] == shipped["lots"][0]["segments"][0]["criteria"][0]
    assert {o["kvk"] for o in exported["organisations"]} == {
        o["kvk"] for o in achterhoek_data["organisations"]
    }
    assert [e["username"] for e in exported["evaluators"]] == sorted(
        e["username"] for e in achterhoek_data["evaluators"]
    )


def test_export_of_a_hand_built_tender_is_a_valid_scenario(inkoper):
    tender = build_tender(inkoper, make_region())
    exported = scenario_export(tender=tender, actor=inkoper)
    assert validate_scenario(exported) == []
    segment = exported["tender"]["lots"][0]["segments"][0]
    assert segment == {
        "code": "JH-DYS",
        "name": "Dyslexie",
        "places": 2,
        "min_total": "30.00",
        "coverage_k": 1,
        "specialisms": ["GGZ", "LVB"],
        "start_date": "2027-08-01",
        "tariff": "62.50",
        "budget": "1350000.00",
        "payment": "quarterly",
        "band": "0.05",
        "subsegments": [{"code": "JH-DYS-A", "name": "Basis"}],
        "requirements": [{"code": "JH-DYS-M1", "text": "Twee jaar ervaring"}],
        "criteria": [
            {
                "code": "A",
                "name": "Kennis",
                "phase": "selection",
                "max_points": "60",
                "min_level": "0.5",
            },
            {"code": "G", "name": "Samenwerking", "phase": "award", "max_points": "40"},
        ],
    }
    assert exported["organisations"] == exported["submissions"] == []
    assert AuditEntry.objects.filter(action="scenario.export", actor=inkoper).count() == 1


def test_hand_built_export_imports_under_another_slug(inkoper):
    tender = build_tender(inkoper, make_region())
    exported = scenario_export(tender=tender)
    exported["tender"]["slug"] = "zorg-2027-kopie"
    copy_ = scenario_import(raw=json.dumps(exported).encode(), replace=False, user=inkoper)
    assert scenario_export(tender=copy_)["tender"] == {**exported["tender"]}


def test_an_incomplete_tender_exports_a_document_the_validator_refuses(inkoper):
    tender = build_tender(inkoper, make_region())
    tender.segments.get().criteria.all().delete()
    issues = validate_scenario(scenario_export(tender=tender))
    assert [i.path for i in issues] == ["$.tender.lots[0].segments[0].criteria"]


@pytest.mark.parametrize(
    "state", [TenderState.PUBLISHED, TenderState.REQUESTS_OPEN, TenderState.REQUESTS_CLOSED]
)
def test_bids_stay_out_of_an_export_between_publication_and_opening(demo_tender, state):
    Tender.objects.filter(pk=demo_tender.pk).update(state=state)
    demo_tender.refresh_from_db()
    exported = scenario_export(tender=demo_tender)
    assert exported["submissions"] == [] and exported["organisations"] == []
    assert "evaluators" not in exported
    entry = AuditEntry.objects.filter(action="scenario.export").latest("seq")
    assert entry.details == {"with_bids": False, "submissions": 0}


def test_bids_are_exported_once_the_tender_is_opened(demo_tender):
    Tender.objects.filter(pk=demo_tender.pk).update(state=TenderState.SELECTION)
    demo_tender.refresh_from_db()
    assert len(scenario_export(tender=demo_tender)["submissions"]) == 32


# -- import -------------------------------------------------------------------------------


def nothing_stored():
    return not (Tender.objects.exists() or Region.objects.exists() or Organisation.objects.exists())


def test_import_lists_every_issue_with_its_json_path_and_stores_nothing(inkoper, achterhoek_data):
    data = copy.deepcopy(achterhoek_data)
    data["tender"]["lots"][0]["segments"][0]["criteria"][0]["max_points"] = "0"
    data["tender"]["lots"][0]["segments"][0]["places"] = 0
    with pytest.raises(ScenarioError) as info:
        scenario_import(raw=json.dumps(data).encode(), replace=False, user=inkoper)
    paths = [i.path for i in info.value.issues]
    assert paths == ["$.tender.lots[0].segments[0].places"]  # schema issues come alone
    assert "ten minste 1" in info.value.issues[0].message
    assert nothing_stored()

    data["tender"]["lots"][0]["segments"][0]["places"] = 2
    with pytest.raises(ScenarioError) as info:
        scenario_import(raw=json.dumps(data).encode(), replace=False, user=inkoper)
    assert [i.path for i in info.value.issues] == [
        "$.tender.lots[0].segments[0].criteria[0].max_points"
    ]
    assert "groter dan 0" in info.value.issues[0].message
    assert nothing_stored()


def test_import_refuses_broken_json_with_line_and_column(inkoper):
    with pytest.raises(ScenarioError) as info:
        scenario_import(raw=b'{"format": "tender-scenario/1",', replace=False, user=inkoper)
    assert info.value.issues[0].path == "$"
    assert "regel 1" in info.value.issues[0].message
    assert nothing_stored()


def test_import_of_an_existing_slug_needs_replace(inkoper, achterhoek_data, demo_tender):
    raw = json.dumps(achterhoek_data).encode()
    with pytest.raises(ApplicationError, match="Vervang bestaande") as info:
        scenario_import(raw=raw, replace=False, user=inkoper)
    assert info.value.field == "replace"
    replaced = scenario_import(raw=raw, replace=True, user=inkoper)
    assert replaced.pk != demo_tender.pk
    assert Tender.objects.filter(slug="inkoop-2022").count() == 1


def test_import_replaces_only_a_draft(inkoper, achterhoek_data, demo_tender):
    Tender.objects.filter(pk=demo_tender.pk).update(state=TenderState.PUBLISHED)
    with pytest.raises(ApplicationError, match="alleen een aanbesteding in concept"):
        scenario_import(raw=json.dumps(achterhoek_data).encode(), replace=True, user=inkoper)
    assert Tender.objects.get(slug="inkoop-2022").pk == demo_tender.pk


@pytest.mark.parametrize("role", ["voorzitter", "auditor", "beoordelaar", "aanbieder"])
def test_only_an_inkoper_imports(make_user, achterhoek_data, role):
    with pytest.raises(ApplicationError, match="inkoper"):
        scenario_import(
            raw=json.dumps(achterhoek_data).encode(), replace=False, user=make_user("u", role)
        )
    assert nothing_stored()


def test_import_is_audited_with_the_user(inkoper, achterhoek_data):
    scenario_import(raw=json.dumps(achterhoek_data).encode(), replace=False, user=inkoper)
    entry = AuditEntry.objects.get(action="scenario.load")
    assert entry.actor == inkoper and entry.tender_slug == "inkoop-2022"
