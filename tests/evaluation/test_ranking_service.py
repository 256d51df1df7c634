"""The ranking service on the database: one code path for command, service and task."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from audit.services import audit_verify
from evaluation import ranking as engine
from evaluation.constants import RankingStatus
from evaluation.models import FinalLevel, Ranking, RankingImmutableError, RankingRow, Score
from evaluation.services.ranking import (
    ranking_compute,
    ranking_execute,
    ranking_finalise,
    ranking_request,
)
from evaluation.tasks import rank_tender
from tender.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_ranking(django_capture_on_commit_callbacks):
    """Request a ranking as the web does; the queued task runs when the request commits."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            ranking = ranking_request(**kwargs)
        ranking.refresh_from_db()
        return ranking

    return run


def command_json(*args):
    out = StringIO()
    call_command("ranking", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("phase", ["selection", "award"])
def test_demo_ranks_the_same_through_command_service_and_task(demo_tender, phase):
    by_command = command_json("inkoop-2022", "--phase", phase, "--seed", "7")
    by_service = ranking_compute(tender=demo_tender, phase=phase, seed=7).to_dict()
    ranking = Ranking.objects.create(tender=demo_tender, phase=phase, seed=7)
    rank_tender.delay(ranking.pk)
    ranking.refresh_from_db()
    assert ranking.status == RankingStatus.DONE
    assert by_command == by_service == ranking.result
    assert by_command["tender"] == "inkoop-2022" and by_command["phase"] == phase


def test_command_prints_exactly_one_json_document(demo_tender):
    out = StringIO()
    call_command("ranking", "inkoop-2022", "--phase", "selection", "--format", "json", stdout=out)
    document = json.loads(out.getvalue())  # raises if anything else is printed
    assert list(document) == ["tender", "phase", "seed", "provisional", "segments"]
    codes = [s["segment"] for s in document["segments"]]
    assert codes == sorted(codes)


def test_ranking_of_an_unknown_tender_is_a_clear_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("ranking", "nope", "--phase", "selection")


def test_table_format_names_every_segment(demo_tender):
    out = StringIO()
    call_command("ranking", "inkoop-2022", "--phase", "selection", stdout=out)
    for code in demo_tender.segments.values_list("code", flat=True):
        assert f"Segment {code}" in out.getvalue()


def test_ranking_service_uses_a_constant_number_of_queries(demo_tender, achterhoek_data):
    """A tender with a third of the submissions costs exactly as many queries as the demo."""
    from evaluation.services.scenario import scenario_load

    small = json.loads(json.dumps(achterhoek_data))
    small["tender"]["slug"] = "inkoop-klein"
    small["submissions"] = small["submissions"][:10]
    small_tender = scenario_load(data=small, one_round=True)
    # award: + whether the tender holds offers (round 2), 1
    for phase, expected in (("selection", 10), ("award", 12)):
        with CaptureQueriesContext(connection) as big:
            ranking_compute(tender=demo_tender, phase=phase)
        with CaptureQueriesContext(connection) as little:
            ranking_compute(tender=small_tender, phase=phase)
        assert len(big) == len(little) == expected, phase


def test_stored_ranking_rows_match_the_result(demo_tender, run_ranking):
    ranking = run_ranking(tender=demo_tender, phase="selection", seed=0)
    rows = RankingRow.objects.filter(ranking=ranking)
    assert rows.count() == sum(len(s["results"]) for s in ranking.result["segments"])
    assert all(r.dossier_id for r in rows)
    assert AuditEntry.objects.filter(action="ranking.run").count() == 1


def test_execute_twice_stores_rows_once(demo_tender):
    ranking = Ranking.objects.create(tender=demo_tender, phase="selection", seed=0)
    ranking_execute(ranking_id=ranking.pk)
    count = RankingRow.objects.filter(ranking=ranking).count()
    ranking_execute(ranking_id=ranking.pk)
    assert RankingRow.objects.filter(ranking=ranking).count() == count > 0


def test_finalised_ranking_is_immutable_and_audited(demo_tender, run_ranking, make_user):
    chair = make_user("chair", "voorzitter")
    ranking = run_ranking(tender=demo_tender, phase="selection", seed=3)
    ranking_finalise(ranking=ranking, user=chair)
    ranking.refresh_from_db()
    assert ranking.is_final and ranking.finalised_by == chair
    ranking.seed = 4
    with pytest.raises(RankingImmutableError):
        ranking.save()
    with pytest.raises(ApplicationError, match="al definitief"):
        ranking_finalise(ranking=ranking, user=chair)
    entry = AuditEntry.objects.get(action="ranking.finalise")
    assert entry.details["seed"] == 3 and entry.details["input_hash"] == ranking.input_hash
    assert audit_verify() is None


def test_award_phase_uses_the_finalised_selection(demo_tender, run_ranking, make_user):
    chair = make_user("chair", "voorzitter")
    selection = run_ranking(tender=demo_tender, phase="selection", seed=5)
    ranking_finalise(ranking=selection, user=chair)
    # With another seed the computed selection could differ; the final one must be used.
    award = ranking_compute(tender=demo_tender, phase="award", seed=11).to_dict()
    selected = {
        (s["segment"], r["bidder"])
        for s in selection.result["segments"]
        for r in s["results"]
        if r["status"] in ("selected", "selected_coverage")
    }
    ranked = {(s["segment"], r["bidder"]) for s in award["segments"] for r in s["results"]}
    assert ranked == selected


def test_provisional_ranking_cannot_be_finalised(demo_tender, run_ranking, make_user):
    dossier = demo_tender.segments.get(code="JH-DYS").dossiers.first()
    final = FinalLevel.objects.filter(dossier=dossier).first()
    evaluator = demo_tender.evaluators.first()
    Score.objects.create(
        dossier=dossier,
        criterion=final.criterion,
        evaluator=evaluator,
        level=Decimal("0.5"),
        submitted_at=demo_tender.deadline,
    )
    final.delete()
    ranking = run_ranking(tender=demo_tender, phase="selection", seed=0)
    assert ranking.provisional is True
    with pytest.raises(ApplicationError, match="voorlopige"):
        ranking_finalise(ranking=ranking, user=make_user("chair", "voorzitter"))


def test_finalising_a_stale_ranking_is_refused(demo_tender, run_ranking, make_user):
    ranking = run_ranking(tender=demo_tender, phase="selection", seed=0)
    final = FinalLevel.objects.filter(dossier__segment__code="JH-DYS").first()
    FinalLevel.objects.filter(pk=final.pk).update(level=Decimal("1") - final.level)
    with pytest.raises(ApplicationError, match="gewijzigd"):
        ranking_finalise(ranking=ranking, user=make_user("chair", "voorzitter"))


def test_a_ranking_computed_with_digest_version_1_finalises(demo_tender, run_ranking, make_user):
    """A ranking computed before digest version 2 (stored with a version 1 document and hash)
    is checked for staleness with the version 1 digest: unchanged data, so it finalises."""
    ranking = run_ranking(tender=demo_tender, phase="selection", seed=0)
    stored = engine.inputs_from_document(ranking.inputs)
    args = {"phase": "selection", "seed": 0, "finalised_selection": None}
    Ranking.objects.filter(pk=ranking.pk).update(
        inputs=engine.inputs_document_v1(stored.tender, **args),
        input_hash=engine.inputs_digest_v1(stored.tender, **args),
    )
    ranking.refresh_from_db()
    ranking_finalise(ranking=ranking, user=make_user("chair", "voorzitter"))
    ranking.refresh_from_db()
    assert ranking.is_final
