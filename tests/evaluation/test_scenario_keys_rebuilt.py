"""A large scenario load checks its foreign keys once at the end (``tender.bulk.
foreign_keys_rebuilt``): the same result, the same schema afterwards, the same refusals with
nothing stored. The threshold is set to 0 bytes so the demo takes the large load's path."""

import copy
import json

import pytest
from django.db import IntegrityError, connection

from evaluation.models import FinalLevel, Score
from evaluation.services.scenario import ScenarioInvalid, scenario_load_file
from providers.models import Dossier, Organisation, Submission
from providers.services.scenario import BULK_WRITTEN
from tender.bulk import bulk_insert_rows, foreign_keys_rebuilt
from tender.models import Tender

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]

WRITTEN = (*BULK_WRITTEN, FinalLevel, Score)


def foreign_keys() -> list[tuple[str, str, str]]:
    """(table, name, definition) of every foreign key in the schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def write(tmp_path, data) -> str:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Submission, Dossier, FinalLevel, Score))


def test_large_load_stores_the_same_rows_and_leaves_the_schema_identical(tmp_path, achterhoek_data):
    keys = foreign_keys()
    path = write(tmp_path, achterhoek_data)
    scenario_load_file(path=path, keys_rebuilt_from_bytes=None)
    plain = counts()
    # A replace: the first load's checks are still pending in this transaction, and the old
    # tender's rows are deleted while the keys are dropped.
    tender = scenario_load_file(path=path, replace=True, keys_rebuilt_from_bytes=0)
    assert counts() == plain and plain[-2] > 0
    assert Tender.objects.get() == tender
    assert foreign_keys() == keys


def _unknown_evaluator(data: dict) -> None:
    entry = data["submissions"][-1]["segments"][0]
    entry["scores"] = [{"evaluator": "niemand", "levels": dict(entry["levels"])}]


DANGLING = {
    "bidder": (
        lambda d: d["submissions"][-1].update(bidder="99999999"),
        "$.submissions[31].bidder",
    ),
    "segment": (
        lambda d: d["submissions"][-1]["segments"][0].update(segment="NOPE"),
        "$.submissions[31].segments[0].segment",
    ),
    "evaluator": (_unknown_evaluator, "$.submissions[31].segments[0].scores[0].evaluator"),
}


@pytest.mark.parametrize("case", sorted(DANGLING))
def test_dangling_reference_in_a_large_load_is_refused_by_name_and_nothing_stored(
    case, tmp_path, achterhoek_data
):
    change, json_path = DANGLING[case]
    data = copy.deepcopy(achterhoek_data)
    change(data)
    keys = foreign_keys()
    with pytest.raises(ScenarioInvalid) as excinfo:
        scenario_load_file(path=write(tmp_path, data), keys_rebuilt_from_bytes=0)
    assert json_path in str(excinfo.value)
    assert not (Tender.objects.exists() or Organisation.objects.exists() or Score.objects.exists())
    assert foreign_keys() == keys


def test_row_pointing_nowhere_fails_when_the_keys_are_added_back_and_is_rolled_back():
    keys = foreign_keys()
    with (
        pytest.raises(IntegrityError, match="violates foreign key constraint"),
        foreign_keys_rebuilt(WRITTEN),
    ):
        bulk_insert_rows(
            Score,
            ("dossier_id", "criterion_id", "evaluator_id", "level"),
            [(999_999, 999_999, 999_999, "0.5")],
        )
    assert not Score.objects.exists()
    assert foreign_keys() == keys
