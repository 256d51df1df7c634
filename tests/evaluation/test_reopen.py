"""Reopening a final ranking: the chair only, with a reason, audited; the old ranking is kept
and readable, and a new computation can be finalised. Service, page and API."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from audit.services import audit_verify
from evaluation.models import Ranking, RankingRow
from evaluation.selectors import final_ranking
from evaluation.services.ranking import ranking_finalise, ranking_request
from evaluation.services.reopen import ranking_reopen
from tender.errors import ApplicationError
from tests.problems import field_errors, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_ranking(django_capture_on_commit_callbacks):
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            ranking = ranking_request(**kwargs)
        ranking.refresh_from_db()
        return ranking

    return run


@pytest.fixture
def chair(make_user):
    return make_user("voorzitter-r", "voorzitter")


@pytest.fixture
def final(demo_tender, run_ranking, chair):
    ranking = run_ranking(tender=demo_tender, phase="selection", seed=4)
    return ranking_finalise(ranking=ranking, user=chair)


def reopen_url(ranking):
    return reverse("ranking-reopen", args=[ranking.tender.slug, ranking.phase, ranking.pk])


# --------------------------------------------------------------------------- service


@pytest.mark.parametrize("role", ["inkoper", "auditor", "contractmanager", "beoordelaar", None])
def test_reopen_is_refused_for_anyone_but_the_chair(final, make_user, role):
    user = make_user(f"user-{role}", role)
    with pytest.raises(ApplicationError, match="Alleen de voorzitter"):
        ranking_reopen(ranking=final, user=user, reason="Bezwaar")
    final.refresh_from_db()
    assert not final.superseded
    assert not AuditEntry.objects.filter(action="ranking.reopen").exists()


@pytest.mark.parametrize("reason", ["", "   \n ", None])
def test_reopen_without_a_reason_is_refused(final, chair, reason):
    with pytest.raises(ApplicationError, match="Geef een reden") as refused:
        ranking_reopen(ranking=final, user=chair, reason=reason)
    assert refused.value.field == "reason"
    final.refresh_from_db()
    assert not final.superseded


def test_reopen_is_audited_and_keeps_the_old_ranking_whole(final, chair):
    rows_before = list(
        RankingRow.objects.filter(ranking=final).values_list("bidder_kvk", "rank", "points")
    )
    ranking_reopen(ranking=final, user=chair, reason="  Rekenfout bij criterium C  ")
    final.refresh_from_db()
    assert final.superseded and final.is_final and final.seed == 4
    assert final.finalised_by == chair and final.input_hash
    after = list(
        RankingRow.objects.filter(ranking=final).values_list("bidder_kvk", "rank", "points")
    )
    assert after == rows_before
    entry = AuditEntry.objects.get(action="ranking.reopen")
    assert entry.actor == chair and entry.object_id == str(final.pk)
    assert entry.details == {
        "phase": "selection",
        "seed": 4,
        "input_hash": final.input_hash,
        "reason": "Rekenfout bij criterium C",
    }
    assert audit_verify() is None
    assert final_ranking(tender=final.tender, phase="selection") is None


def test_after_reopening_a_new_computation_can_be_finalised(final, chair, run_ranking):
    with pytest.raises(ApplicationError, match="al een definitieve ranking"):
        ranking_finalise(
            ranking=run_ranking(tender=final.tender, phase="selection", seed=5), user=chair
        )
    ranking_reopen(ranking=final, user=chair, reason="Bezwaar gegrond")
    new = run_ranking(tender=final.tender, phase="selection", seed=5)
    ranking_finalise(ranking=new, user=chair)
    assert final_ranking(tender=final.tender, phase="selection") == new
    assert Ranking.objects.filter(tender=final.tender, is_final=True).count() == 2


def test_reopen_twice_or_a_non_final_ranking_is_refused(final, chair, run_ranking):
    draft = run_ranking(tender=final.tender, phase="award", seed=1)
    with pytest.raises(ApplicationError, match="Alleen een definitieve ranking"):
        ranking_reopen(ranking=draft, user=chair, reason="x")
    ranking_reopen(ranking=final, user=chair, reason="eerste keer")
    with pytest.raises(ApplicationError, match="al heropend"):
        ranking_reopen(ranking=final, user=chair, reason="tweede keer")
    assert AuditEntry.objects.filter(action="ranking.reopen").count() == 1


def test_selection_cannot_be_reopened_under_a_final_award_ranking(final, chair, run_ranking):
    award = ranking_finalise(
        ranking=run_ranking(tender=final.tender, phase="award", seed=0), user=chair
    )
    with pytest.raises(ApplicationError, match="heropen die eerst"):
        ranking_reopen(ranking=final, user=chair, reason="x")
    ranking_reopen(ranking=award, user=chair, reason="gunning over")
    ranking_reopen(ranking=final, user=chair, reason="selectie over")
    final.refresh_from_db()
    assert final.superseded


@pytest.mark.parametrize("state", ["awarded", "contracted", "cancelled"])
def test_a_closed_tender_cannot_reopen_its_ranking(final, chair, state):
    type(final.tender).objects.filter(pk=final.tender.pk).update(state=state)
    with pytest.raises(ApplicationError, match="kan niet meer worden heropend"):
        ranking_reopen(ranking=final, user=chair, reason="x")


# --------------------------------------------------------------------------- page


def test_chair_reopens_from_the_overview_page(final, client_for):
    client = client_for("voorzitter", "chair-page")
    overview = reverse("ranking-overview", args=[final.tender.slug, "selection"])
    html = client.get(overview).content.decode()
    assert "Ranking heropenen" in html and reopen_url(final) in html
    response = client.post(reopen_url(final), {"reason": "Bezwaar gegrond"}, follow=True)
    assert "De ranking is heropend." in response.content.decode()
    final.refresh_from_db()
    assert final.superseded
    entry = AuditEntry.objects.get(action="ranking.reopen")
    assert entry.client_address == "127.0.0.1"


def test_reopen_page_without_reason_shows_a_dutch_error(final, client_for):
    response = client_for("voorzitter", "chair-page").post(reopen_url(final), {"reason": "  "})
    assert response.status_code == 400
    assert "Geef een reden voor het heropenen." in response.content.decode()
    final.refresh_from_db()
    assert not final.superseded


@pytest.mark.parametrize("role", ["inkoper", "auditor", "beoordelaar"])
def test_reopen_page_is_404_for_others(final, client_for, role):
    client = client_for(role)
    assert client.post(reopen_url(final), {"reason": "x"}).status_code == 404
    overview = reverse("ranking-overview", args=[final.tender.slug, "selection"])
    if role != "beoordelaar":
        assert "Ranking heropenen" not in client.get(overview).content.decode()
    final.refresh_from_db()
    assert not final.superseded


# --------------------------------------------------------------------------- API


def test_api_chair_finalises_and_reopens(demo_tender, run_ranking, client_for):
    ranking = run_ranking(tender=demo_tender, phase="selection", seed=9)
    client = client_for("voorzitter", "chair-api")
    response = client.post(f"/api/v1/rankings/{ranking.pk}/finalise/")
    assert response.status_code == 200, response.content
    assert response.json()["is_final"] is True and response.json()["superseded"] is False

    again = client.post(f"/api/v1/rankings/{ranking.pk}/finalise/")
    assert again.status_code == 400 and "al definitief" in str(again.json())

    missing = client.post(f"/api/v1/rankings/{ranking.pk}/reopen/", {}, "application/json")
    assert missing.status_code == 400 and "reason" in field_errors(missing)
    blank = client.post(
        f"/api/v1/rankings/{ranking.pk}/reopen/", {"reason": "  "}, "application/json"
    )
    assert blank.status_code == 400 and "reason" in field_errors(blank)

    response = client.post(
        f"/api/v1/rankings/{ranking.pk}/reopen/", {"reason": "Bezwaar"}, "application/json"
    )
    assert response.status_code == 200
    assert response.json()["superseded"] is True and response.json()["is_final"] is True
    assert AuditEntry.objects.get(action="ranking.reopen").details["reason"] == "Bezwaar"


@pytest.mark.parametrize("role", ["inkoper", "auditor", "contractmanager"])
def test_api_finalise_and_reopen_are_403_for_other_staff(final, run_ranking, client_for, role):
    client = client_for(role)
    draft = run_ranking(tender=final.tender, phase="award", seed=0)
    assert client.post(f"/api/v1/rankings/{draft.pk}/finalise/").status_code == 403
    response = client.post(
        f"/api/v1/rankings/{final.pk}/reopen/", {"reason": "x"}, "application/json"
    )
    assert response.status_code == 403
    final.refresh_from_db()
    draft.refresh_from_db()
    assert not final.superseded and not draft.is_final


@pytest.mark.parametrize("role", ["beoordelaar", "aanbieder"])
def test_api_actions_are_404_for_non_staff(final, client_for, role):
    client = client_for(role)
    assert client.post(f"/api/v1/rankings/{final.pk}/finalise/").status_code == 404
    response = client.post(
        f"/api/v1/rankings/{final.pk}/reopen/", {"reason": "x"}, "application/json"
    )
    assert response.status_code == 404


def test_api_finalise_refuses_a_provisional_ranking_with_the_reason(
    demo_tender, run_ranking, client_for
):
    from evaluation.models import FinalLevel

    FinalLevel.objects.filter(dossier__segment__code="JH-DYS").first().delete()
    ranking = run_ranking(tender=demo_tender, phase="selection", seed=0)
    assert ranking.provisional
    response = client_for("voorzitter", "chair-api").post(
        f"/api/v1/rankings/{ranking.pk}/finalise/"
    )
    assert response.status_code == 400
    assert "voorlopige ranking" in problem(response)["detail"]
