"""The ranking task on a real Celery worker: Redis as broker and result backend, PostgreSQL
shared with the worker process. Proves the wiring that the eager tests cannot."""

import pytest
from celery.result import EagerResult

from audit.models import AuditEntry
from audit.services import audit_verify
from evaluation.constants import RankingStatus
from evaluation.models import Ranking, RankingRow
from evaluation.services.ranking import ranking_compute
from evaluation.services.scenario import scenario_load
from evaluation.tasks import rank_tender

pytestmark = pytest.mark.worker

TASK_TIMEOUT = 120


def result_rows(ranking: Ranking) -> int:
    return sum(len(segment["results"]) for segment in ranking.result["segments"])


def test_ranking_task_on_a_real_worker_stores_the_result(celery_worker_process, achterhoek_data):
    tender = scenario_load(data=achterhoek_data)
    ranking = Ranking.objects.create(tender=tender, phase="selection", seed=0)

    sent = rank_tender.apply_async((ranking.pk,), queue=celery_worker_process.queue)
    assert not isinstance(sent, EagerResult)
    outcome = sent.get(timeout=TASK_TIMEOUT)

    ranking.refresh_from_db()
    assert ranking.status == RankingStatus.DONE
    assert outcome == {"ranking": ranking.pk, "status": "done", "input_hash": ranking.input_hash}
    assert ranking.result == ranking_compute(tender=tender, phase="selection", seed=0).to_dict()
    assert result_rows(ranking) > 0
    assert RankingRow.objects.filter(ranking=ranking).count() == result_rows(ranking)
    assert audit_verify() is None


def test_a_redelivered_ranking_task_stores_the_rows_only_once(
    celery_worker_process, achterhoek_data
):
    tender = scenario_load(data=achterhoek_data)
    ranking = Ranking.objects.create(tender=tender, phase="selection", seed=0)

    first = rank_tender.apply_async((ranking.pk,), queue=celery_worker_process.queue)
    redelivered = rank_tender.apply_async((ranking.pk,), queue=celery_worker_process.queue)
    assert first.get(timeout=TASK_TIMEOUT) == redelivered.get(timeout=TASK_TIMEOUT)

    ranking.refresh_from_db()
    assert ranking.status == RankingStatus.DONE
    assert RankingRow.objects.filter(ranking=ranking).count() == result_rows(ranking)
    runs = AuditEntry.objects.filter(action="ranking.run", object_id=str(ranking.pk))
    assert runs.count() == 1
