"""The scoring API: the same rules as the screens. An evaluator's token sees only its own
assignments, scores stay blind in JSON, bids stay in the vault, the chair assigns and sets the
consensus, requirement reviews need a reason to reject."""

import pytest
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from evaluation.models import Assignment, Score
from tests.problems import field_errors

from .scoring_support import (
    assign,
    criteria_of,
    declare,
    dossiers_of,
    fill,
    load_small,
    score_and_submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tender(achterhoek_data):
    return load_small(achterhoek_data, bidders=3)


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='test')[1]}")
    return client


@pytest.fixture
def team(make_user, tender):
    chair = make_user("chair", "voorzitter")
    ev1 = make_user("ev1", "beoordelaar")
    ev2 = make_user("ev2", "beoordelaar")
    first, second, _third = dossiers_of(tender)
    a1, a2 = assign(first, [ev1, ev2], chair)
    (b2,) = assign(second, [ev2], chair)
    return {
        "chair": chair,
        "ev1": ev1,
        "ev2": ev2,
        "dossier": first,
        "ev1_assignment": a1,
        "ev2_assignment": a2,
        "ev2_other": b2,
        "api": {u.username: token_client(u) for u in (chair, ev1, ev2)},
    }


def test_an_evaluators_token_sees_only_its_own_assignments(team):
    ev1 = team["api"]["ev1"]
    data = ev1.get("/api/v1/assignments/").json()
    assert [row["id"] for row in data["results"]] == [team["ev1_assignment"].pk]
    row = data["results"][0]
    assert row["evaluator"] == "ev1" and row["declaration"] == "pending"
    assert row["progress"] == {"scored": 0, "total": 6, "submitted": False}
    assert ev1.get(f"/api/v1/assignments/{team['ev2_assignment'].pk}/").status_code == 404
    assert ev1.get(f"/api/v1/assignments/{team['ev2_other'].pk}/scores/").status_code == 404
    chair = team["api"]["chair"].get("/api/v1/assignments/").json()
    assert chair["count"] == 3


@pytest.mark.parametrize("role", ["inkoper", "auditor", "aanbieder"])
def test_other_roles_see_no_assignments_and_no_consensus(team, make_user, role):
    client = token_client(make_user(f"someone-{role}", role))
    assert client.get("/api/v1/assignments/").json()["results"] == []
    assert client.get(f"/api/v1/assignments/{team['ev1_assignment'].pk}/").status_code == 404
    assert client.get("/api/v1/consensus/?tender=klein-2022").status_code == 404
    response = client.post(
        "/api/v1/assignments/", {"dossier": team["dossier"].pk, "evaluator": "ev1"}
    )
    assert response.status_code in (403, 404)


def test_the_dossier_opens_in_json_only_after_the_declaration(team):
    ev1, assignment = team["api"]["ev1"], team["ev1_assignment"]
    assert ev1.get(f"/api/v1/assignments/{assignment.pk}/dossier/").status_code == 403
    response = ev1.post(
        f"/api/v1/assignments/{assignment.pk}/declaration/", {"has_conflict": False}, format="json"
    )
    assert response.status_code == 201 and response.json()["declaration"] == "no_conflict"
    data = ev1.get(f"/api/v1/assignments/{assignment.pk}/dossier/").json()
    assert data["segment"] == team["dossier"].segment.code
    assert data["bid"] is None  # price vault: closed until the phase's ranking is final
    assert data["requirement_answers"]


def test_scores_saved_and_submitted_through_the_api(team):
    ev1, assignment = team["api"]["ev1"], team["ev1_assignment"]
    declare(team["dossier"], team["ev1"])
    criteria = criteria_of(team["dossier"])
    url = f"/api/v1/assignments/{assignment.pk}/scores/"
    response = ev1.post(url, {"criterion": criteria[0].code, "level": "0.6", "rationale": "x"})
    assert response.status_code == 400
    assert field_errors(response) == {"level": ["Kies een niveau op de schaal van dit criterium."]}
    response = ev1.post(url, {"criterion": criteria[0].code, "level": "0.75", "rationale": "Goed"})
    assert response.status_code == 200 and response.json()["level"] == "0.75"

    response = ev1.post(f"/api/v1/assignments/{assignment.pk}/submit/", {"phase": "selection"})
    assert response.status_code == 400
    errors = field_errors(response)
    assert set(errors) == {f"criteria.{c.code}" for c in criteria[1:]}

    for criterion in criteria[1:]:
        ev1.post(url, {"criterion": criterion.code, "level": "0.5", "rationale": "Ok"})
    response = ev1.post(f"/api/v1/assignments/{assignment.pk}/submit/", {"phase": "selection"})
    assert response.status_code == 200 and all(s["submitted"] for s in response.json())


def test_an_evaluator_cannot_score_on_someone_elses_assignment(team):
    declare(team["dossier"], team["ev2"])
    ev2 = team["api"]["ev2"]
    criterion = criteria_of(team["dossier"])[0]
    # the chair can read ev1's assignment, but scoring it as someone else is refused
    response = team["api"]["chair"].post(
        f"/api/v1/assignments/{team['ev1_assignment'].pk}/scores/",
        {"criterion": criterion.code, "level": "1", "rationale": "x"},
    )
    assert response.status_code == 403
    response = ev2.post(
        f"/api/v1/assignments/{team['ev1_assignment'].pk}/scores/",
        {"criterion": criterion.code, "level": "1", "rationale": "x"},
    )
    assert response.status_code == 404
    assert not Score.objects.exists()


def test_blind_in_json_too(team):
    dossier = team["dossier"]
    declare(dossier, team["ev1"])
    declare(dossier, team["ev2"])
    fill(dossier, team["ev1"], marker="EEN-CONCEPT")
    score_and_submit(dossier, team["ev2"], marker="TWEE-INGEDIEND")
    url = f"/api/v1/assignments/{team['ev1_assignment'].pk}/scores/?phase=selection"
    ev1 = team["api"]["ev1"]
    body = ev1.get(url).content.decode()
    assert "EEN-CONCEPT" in body and "TWEE-INGEDIEND" not in body
    consensus = team["api"]["chair"].get(f"/api/v1/consensus/{dossier.pk}/?phase=selection")
    assert consensus.json()["ready"] is False
    assert "TWEE-INGEDIEND" not in consensus.content.decode()
    assert "EEN-CONCEPT" not in consensus.content.decode()

    ev1.post(f"/api/v1/assignments/{team['ev1_assignment'].pk}/submit/", {"phase": "selection"})
    body = ev1.get(url).content.decode()
    assert "TWEE-INGEDIEND" in body
    consensus = team["api"]["chair"].get(f"/api/v1/consensus/{dossier.pk}/?phase=selection")
    assert consensus.json()["ready"] is True
    assert "TWEE-INGEDIEND" in consensus.content.decode()


def test_the_chair_assigns_and_withdraws_through_the_api(team, make_user):
    chair = team["api"]["chair"]
    make_user("ev3", "beoordelaar")
    third = dossiers_of(team["dossier"].submission.tender)[2]
    response = chair.post("/api/v1/assignments/", {"dossier": third.pk, "evaluator": "ev3"})
    assert response.status_code == 201 and response.json()["evaluator"] == "ev3"
    again = chair.post("/api/v1/assignments/", {"dossier": third.pk, "evaluator": "ev3"})
    assert again.status_code == 400 and "al toegewezen" in again.content.decode()
    response = team["api"]["ev1"].post(
        "/api/v1/assignments/", {"dossier": third.pk, "evaluator": "ev1"}
    )
    assert response.status_code == 403
    assignment_id = Assignment.objects.get(dossier=third).pk
    assert team["api"]["ev1"].delete(f"/api/v1/assignments/{assignment_id}/").status_code == 404
    assert chair.delete(f"/api/v1/assignments/{assignment_id}/").status_code == 204


def test_consensus_through_the_api(team):
    dossier = team["dossier"]
    declare(dossier, team["ev1"])
    declare(dossier, team["ev2"])
    chair = team["api"]["chair"]
    criterion = criteria_of(dossier)[0]
    url = f"/api/v1/consensus/{dossier.pk}/final-levels/"
    early = chair.post(url, {"criterion": criterion.code, "level": "0.5", "rationale": "x"})
    assert early.status_code == 400 and "alle toegewezen beoordelaars" in early.content.decode()
    score_and_submit(dossier, team["ev1"], level="0.25")
    score_and_submit(dossier, team["ev2"], level="0.75")
    no_reason = chair.post(url, {"criterion": criterion.code, "level": "0.5", "rationale": ""})
    assert no_reason.status_code == 400
    response = chair.post(url, {"criterion": criterion.code, "level": "0.5", "rationale": "Midden"})
    assert response.status_code == 200
    assert response.json()["final_level"] == "0.5" and response.json()["flagged"] is True
    rows = chair.get("/api/v1/consensus/?tender=klein-2022&phase=selection").json()
    row = next(r for r in rows if r["dossier"] == dossier.pk)
    assert row["ready"] and row["final_levels"] == 1 and row["flagged"] == len(criteria_of(dossier))
    raters = chair.get("/api/v1/consensus/inter-rater/?tender=klein-2022&phase=selection").json()
    assert {r["evaluator"]: r["mean_deviation"] for r in raters} == {"ev1": "1.00", "ev2": "1.00"}
    assert team["api"]["ev1"].post(url, {"criterion": criterion.code}).status_code == 404


def test_requirement_review_through_the_api(team):
    chair = team["api"]["chair"]
    answers = chair.get("/api/v1/requirement-answers/?tender=klein-2022").json()
    answer = next(a for a in answers if a["met"])
    url = f"/api/v1/requirement-answers/{answer['id']}/review/"
    response = chair.post(url, {"accepted": False})
    assert response.status_code == 400
    assert field_errors(response) == {"reason": ["Geef een reden voor het afkeuren."]}
    response = chair.post(url, {"accepted": False, "reason": "Verlopen keurmerk"})
    assert response.status_code == 200
    assert response.json()["rejected"] is True and response.json()["reviewed"] is True
    # an evaluator without a declaration sees no answers and cannot review
    ev1 = team["api"]["ev1"]
    assert ev1.get("/api/v1/requirement-answers/?tender=klein-2022").json() == []
    assert ev1.post(url, {"accepted": True}).status_code == 404
