"""The schema fast path of the streamed arrays (tender/scenario.py ``fast_item_check``): it
accepts the demo's elements without jsonschema, refuses every element the schema refuses, and
an element it does not accept at once still gets jsonschema's verdict."""

from __future__ import annotations

import copy
import json

import pytest

from tender.scenario import DEMO_DIR, fast_item_check, validate_scenario

_DEMO = json.loads((DEMO_DIR / "achterhoek-2022.json").read_text(encoding="utf-8"))


def test_the_fast_checks_match_the_schema_they_were_written_for():
    # Failing here: the schema of an organisation or submission changed. Update the check in
    # tender/scenario.py to the new schema (stricter, never looser), then its digest.
    assert fast_item_check("organisations") is not None
    assert fast_item_check("submissions") is not None


@pytest.mark.parametrize("key", ["organisations", "submissions"])
def test_every_demo_element_passes_the_fast_check(key):
    check = fast_item_check(key)
    assert check is not None
    assert all(check(item) for item in _DEMO[key])


def _submission() -> dict:
    item = copy.deepcopy(_DEMO["submissions"][0])
    item["segments"][0]["scores"] = [{"evaluator": "x", "levels": {"A": "0.5"}}]
    item["submitted_at"] = "2021-06-01T12:00:00+02:00"
    return item


def _set(path: tuple, value):
    def mutate(item: dict) -> None:
        target = item
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def _drop(path: tuple):
    def mutate(item: dict) -> None:
        target = item
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


@pytest.mark.parametrize(
    "mutate",
    [
        _set(("bidder",), "1234567"),
        _set(("bidder",), "12345678\n"),
        _drop(("requirements",)),
        _set(("requirements", "AM1"), 1),
        _set(("segments",), []),
        _set(("members",), ["123"]),
        _set(("subcontractors",), "30000002"),
        _set(("submitted_at",), "2021-06-01 12:00"),
        _set(("extra",), 1),
        _set(("segments", 0, "segment"), "-X"),
        _set(("segments", 0, "municipalities", 0), "GM197"),
        _drop(("segments", 0, "municipalities")),
        _set(("segments", 0, "specialisms"), [""]),
        _set(("segments", 0, "levels", "A"), "1.5"),
        _set(("segments", 0, "levels", "A"), 0.5),
        _set(("segments", 0, "scores", 0, "evaluator"), None),
        _set(("segments", 0, "scores", 0, "levels", "A"), "2"),
        _set(("segments", 0, "scores", 0, "note"), ""),
        _set(("segments", 0, "bid", "clients"), -1),
        _set(("segments", 0, "bid", "clients"), True),
        _set(("segments", 0, "bid", "months"), "9,5"),
        _drop(("segments", 0, "bid", "hours_per_month")),
        _set(("segments", 0, "current_clients"), "3"),
        _set(("segments", 0, "requirements", "WMO-DAG-M1"), "ja"),
    ],
)
def test_the_fast_check_refuses_what_the_schema_refuses(mutate):
    check = fast_item_check("submissions")
    assert check is not None
    item = _submission()
    assert check(item)
    mutate(item)
    assert not check(item)
    data = copy.deepcopy(_DEMO)
    data["evaluators"] = [*data.get("evaluators", []), {"username": "x", "name": "X"}]
    data["submissions"][0] = item
    assert validate_scenario(data), "the schema accepts this mutation: the test is wrong"


def test_a_valid_element_the_fast_check_does_not_know_is_accepted_by_the_schema():
    check = fast_item_check("submissions")
    assert check is not None
    data = copy.deepcopy(_DEMO)
    data["submissions"][0]["segments"][0]["bid"]["clients"] = 52.0  # an integer to JSON Schema
    assert not check(data["submissions"][0])
    assert validate_scenario(data) == []


@pytest.mark.parametrize(
    "change",
    [{"kvk": "1234"}, {"name": ""}, {"legal_form": "nv"}, {"agb": "12"}, {"x": 1}],
)
def test_the_organisation_check_refuses_what_the_schema_refuses(change):
    check = fast_item_check("organisations")
    assert check is not None
    item = {**_DEMO["organisations"][0], "agb": "12345678", **change}
    assert not check(item)
