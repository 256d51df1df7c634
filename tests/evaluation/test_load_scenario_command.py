"""`manage.py load_scenario`: all or nothing, with a one-line reason naming the JSON path."""

import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEntry
from providers.models import Organisation, Submission
from tender.models import Municipality, Region, Segment, Tender

pytestmark = pytest.mark.django_db


def write(tmp_path, data, name="scenario.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def nothing_loaded():
    return not (
        Tender.objects.exists()
        or Organisation.objects.exists()
        or Region.objects.exists()
        or Municipality.objects.exists()
        or Submission.objects.exists()
        or AuditEntry.objects.exists()
    )


def broken(data, how):
    data = copy.deepcopy(data)
    how(data)
    return data


BAD_FILES = {
    "invalid_json": ('{"format": "tender-scenario/1",', "$"),
    "missing_field": (lambda d: d["tender"].pop("deadline"), "$.tender"),
    "bad_datetime": (
        lambda d: d["tender"].update(deadline="2021-13-01T12:00:00+02:00"),
        "$.tender.deadline",
    ),
    "datetime_without_offset": (
        lambda d: d["tender"].update(deadline="2021-06-01T12:00:00"),
        "$.tender.deadline",
    ),
    "unknown_segment": (
        lambda d: d["submissions"][0]["segments"][0].update(segment="NOPE"),
        "$.submissions[0].segments[0].segment",
    ),
    "duplicate_segment_code": (
        lambda d: d["tender"]["lots"][1]["segments"][0].update(
            code=d["tender"]["lots"][0]["segments"][0]["code"]
        ),
        "$.tender.lots[1].segments[0].code",
    ),
    "negative_points": (
        lambda d: d["tender"]["lots"][0]["segments"][0]["criteria"][0].update(max_points="-5"),
        "$.tender.lots[0].segments[0].criteria[0].max_points",
    ),
    "municipality_outside_region": (
        lambda d: d["tender"]["lots"][0]["municipalities"].append("GM0363"),
        "$.tender.lots[0].municipalities[8]",
    ),
    "unknown_bidder": (
        lambda d: d["submissions"][0].update(bidder="99999999"),
        "$.submissions[0].bidder",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_scenario_is_refused_with_its_json_path_and_nothing_is_loaded(
    case, tmp_path, achterhoek_data
):
    change, path = BAD_FILES[case]
    content = change if isinstance(change, str) else broken(achterhoek_data, change)
    with pytest.raises(CommandError) as excinfo:
        call_command("load_scenario", write(tmp_path, content))
    message = str(excinfo.value)
    assert "\n" not in message
    assert path in message
    assert nothing_loaded()


def test_missing_file_is_refused_with_a_clear_reason(tmp_path):
    with pytest.raises(CommandError, match="Ongeldig scenario"):
        call_command("load_scenario", str(tmp_path / "nope.json"))
    assert nothing_loaded()


def test_command_exits_non_zero_with_one_line_on_stderr(tmp_path, capsys):
    from django.core.management import execute_from_command_line

    path = write(tmp_path, "[]")
    with pytest.raises(SystemExit) as excinfo:
        execute_from_command_line(["manage.py", "load_scenario", path])
    assert excinfo.value.code != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("CommandError: Ongeldig scenario")


def test_demo_loads_completely_and_is_audited(tmp_path, achterhoek_data, capsys):
    call_command("load_scenario", write(tmp_path, achterhoek_data))
    tender = Tender.objects.get(slug="inkoop-2022")
    assert Segment.objects.filter(tender=tender).count() == sum(
        len(lot["segments"]) for lot in achterhoek_data["tender"]["lots"]
    )
    # two rounds: a request and an offer (bid, award levels) per bidder
    for round in ("request", "offer"):
        assert tender.submissions.filter(round=round).count() == len(achterhoek_data["submissions"])
    assert "32 verzoeken tot deelneming, 32 inschrijvingen" in capsys.readouterr().out
    assert tender.region.municipalities.count() == 8
    entry = AuditEntry.objects.get(action="scenario.load")
    assert entry.tender_slug == "inkoop-2022" and entry.actor_repr == "load_scenario"


def test_loading_an_existing_slug_needs_replace(tmp_path, achterhoek_data):
    path = write(tmp_path, achterhoek_data)
    call_command("load_scenario", path)
    with pytest.raises(CommandError, match="bestaat al"):
        call_command("load_scenario", path)
    assert Tender.objects.count() == 1

    changed = copy.deepcopy(achterhoek_data)
    changed["tender"]["title"] = "Vervangen titel"
    call_command("load_scenario", write(tmp_path, changed, "v2.json"), "--replace")
    assert Tender.objects.get().title == "Vervangen titel"
    assert Submission.objects.count() == 2 * len(achterhoek_data["submissions"])  # two rounds


def test_a_failure_after_validation_rolls_back_everything(tmp_path, achterhoek_data, monkeypatch):
    """A database error half-way (here: the evaluators step) leaves nothing behind."""
    from evaluation.services import scenario

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(scenario, "evaluators_create_from_scenario", explode)
    with pytest.raises(RuntimeError):
        call_command("load_scenario", write(tmp_path, achterhoek_data))
    assert nothing_loaded()


def test_a_large_file_is_streamed_in_batches_and_a_late_issue_loads_nothing(
    tmp_path, achterhoek_data, monkeypatch
):
    """The file is written a batch of submissions at a time; an issue in the last submission
    still rolls back the batches written before it, with the same message."""
    from evaluation.services import scenario

    monkeypatch.setattr(scenario, "LOAD_BATCH", 5)
    bad = broken(achterhoek_data, lambda d: d["submissions"][-1].update(bidder="99999999"))
    with pytest.raises(CommandError, match=r"\$\.submissions\[31\]\.bidder: onbekende organisatie"):
        call_command("load_scenario", write(tmp_path, bad))
    assert nothing_loaded()

    call_command("load_scenario", write(tmp_path, achterhoek_data, "ok.json"))
    assert Submission.objects.count() == 2 * len(achterhoek_data["submissions"])


def test_an_existing_slug_is_reported_only_for_a_file_without_issues(tmp_path, achterhoek_data):
    call_command("load_scenario", write(tmp_path, achterhoek_data))
    bad = broken(achterhoek_data, lambda d: d["submissions"][0].update(bidder="99999999"))
    with pytest.raises(CommandError, match="onbekende organisatie"):
        call_command("load_scenario", write(tmp_path, bad, "bad.json"))
    assert Tender.objects.count() == 1


def test_online_load_keeps_the_per_row_checks_and_loads_completely(tmp_path, achterhoek_data):
    call_command("load_scenario", write(tmp_path, achterhoek_data), "--online")
    tender = Tender.objects.get(slug="inkoop-2022")
    assert tender.submissions.filter(round="offer").count() == len(achterhoek_data["submissions"])
