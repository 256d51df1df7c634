"""The chair's consensus: individual levels side by side only once every set is in, flags for
levels 2 or more steps apart, final levels with a rationale, inter-rater figures, returning a
set, and the whole flow through the screens giving the same ranking as ``manage.py ranking``."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEntry
from evaluation.consensus_selectors import (
    inter_rater,
)
from evaluation.models import FinalLevel, Ranking
from evaluation.services.consensus import final_level_set
from evaluation.services.scoring import score_save, score_set_reopen
from tender.errors import ApplicationError

from .scoring_support import (
    assign,
    criteria_of,
    declare,
    dossiers_of,
    fill,
    load_small,
    score_and_submit,
    separate_client,
)

pytestmark = pytest.mark.django_db

LOCKED = "De ranking is definitief; scores kunnen niet meer worden gewijzigd."


@pytest.fixture
def tender(achterhoek_data):
    return load_small(achterhoek_data, bidders=3)


@pytest.fixture
def team(client_for, tender):
    ev1 = separate_client(client_for, "beoordelaar", "ev1")
    ev2 = separate_client(client_for, "beoordelaar", "ev2")
    chair = separate_client(client_for, "voorzitter", "chair")
    dossier = dossiers_of(tender)[0]
    assign(dossier, [ev1.user, ev2.user], chair.user)
    declare(dossier, ev1.user)
    declare(dossier, ev2.user)
    return {"ev1": ev1, "ev2": ev2, "chair": chair, "dossier": dossier}


def consensus_url(dossier, phase="selection"):
    return reverse("scoring-consensus", args=[dossier.submission.tender.slug, phase, dossier.pk])


def test_individual_levels_stay_hidden_from_the_chair_until_every_set_is_in(team):
    chair, dossier = team["chair"], team["dossier"]
    score_and_submit(dossier, team["ev1"].user, marker="EEN-INGEDIEND")
    fill(dossier, team["ev2"].user, marker="TWEE-CONCEPT")
    page = chair.get(consensus_url(dossier)).content.decode()
    assert "EEN-INGEDIEND" not in page and "TWEE-CONCEPT" not in page
    assert "Niveaus naast elkaar" not in page
    assert "worden zichtbaar als alle toegewezen beoordelaars" in page
    with pytest.raises(ApplicationError, match="alle toegewezen beoordelaars"):
        final_level_set(
            dossier=dossier,
            criterion=criteria_of(dossier)[0],
            level="0.5",
            rationale="te vroeg",
            user=chair.user,
        )

    score_and_submit(dossier, team["ev2"].user, marker="TWEE-INGEDIEND")
    page = chair.get(consensus_url(dossier)).content.decode()
    assert "EEN-INGEDIEND" in page and "TWEE-INGEDIEND" in page
    assert "Niveaus naast elkaar" in page


def test_criteria_two_or_more_steps_apart_are_flagged(team):
    chair, dossier = team["chair"], team["dossier"]
    a, b, c, *_ = criteria_of(dossier)
    score_and_submit(dossier, team["ev1"].user, levels={a.code: "0.25", b.code: "0.5", c.code: "0"})
    score_and_submit(
        dossier, team["ev2"].user, levels={a.code: "0.75", b.code: "0.75", c.code: "1"}
    )
    data = chair.get(f"/api/v1/consensus/{dossier.pk}/?phase=selection").json()
    by_code = {row["criterion"]: row for row in data["criteria"]}
    assert (by_code[a.code]["spread"], by_code[a.code]["flagged"]) == (2, True)
    assert (by_code[b.code]["spread"], by_code[b.code]["flagged"]) == (1, False)
    assert (by_code[c.code]["spread"], by_code[c.code]["flagged"]) == (4, True)
    page = chair.get(consensus_url(dossier)).content.decode()
    assert page.count("app-row--flagged") == 2
    overview = chair.get(
        reverse("scoring-consensus-overview", args=[dossier.submission.tender.slug, "selection"])
    ).content.decode()
    assert '<strong class="app-flag">2</strong>' in overview


def test_the_chair_sets_final_levels_with_a_rationale(team):
    chair, dossier = team["chair"], team["dossier"]
    score_and_submit(dossier, team["ev1"].user)
    score_and_submit(dossier, team["ev2"].user)
    criteria = criteria_of(dossier)
    data = {f"f{c.pk}-level": "0.75" for c in criteria}
    data |= {f"f{c.pk}-rationale": f"Consensus {c.code}" for c in criteria[1:]}
    response = chair.post(consensus_url(dossier), data)
    assert response.status_code == 400
    assert "Vul een motivering van de consensus in." in response.content.decode()
    assert FinalLevel.objects.count() == len(criteria) - 1  # each criterion its own save

    data[f"f{criteria[0].pk}-rationale"] = "Eens na bespreking"
    response = chair.post(consensus_url(dossier), data)
    assert response.status_code == 302
    finals = FinalLevel.objects.filter(dossier=dossier)
    assert {f.level for f in finals} == {Decimal("0.75")}
    assert {f.set_by for f in finals} == {chair.user}
    assert AuditEntry.objects.filter(action="consensus.set").count() == len(criteria)


def test_only_the_chair_sets_the_consensus(team):
    score_and_submit(team["dossier"], team["ev1"].user)
    score_and_submit(team["dossier"], team["ev2"].user)
    with pytest.raises(ApplicationError, match="Alleen de voorzitter"):
        final_level_set(
            dossier=team["dossier"],
            criterion=criteria_of(team["dossier"])[0],
            level="1",
            rationale="ik",
            user=team["ev1"].user,
        )
    assert team["ev1"].get(consensus_url(team["dossier"])).status_code == 404


def test_inter_rater_figures_are_the_mean_deviation_in_scale_steps(team, tender):
    dossier = team["dossier"]
    criteria = criteria_of(dossier)
    score_and_submit(dossier, team["ev1"].user, level="0.5")
    off = {c.code: "0.75" for c in criteria[: len(criteria) // 2]}
    score_and_submit(dossier, team["ev2"].user, level="0.5", levels=off)
    for criterion in criteria:
        final_level_set(
            dossier=dossier,
            criterion=criterion,
            level="0.5",
            rationale="gelijk",
            user=team["chair"].user,
        )
    figures = {f.evaluator.user.username: f for f in inter_rater(tender=tender, phase="selection")}
    assert figures["ev1"].mean_deviation == Decimal("0.00")
    assert figures["ev2"].mean_deviation == Decimal("0.50")
    assert figures["ev1"].count == figures["ev2"].count == len(criteria)
    page = (
        team["chair"]
        .get(reverse("scoring-consensus-overview", args=[tender.slug, "selection"]))
        .content.decode()
    )
    assert "Kalibratie per beoordelaar" in page and "0,50" in page


def test_the_chair_returns_a_submitted_set_with_a_reason(team):
    dossier, ev1 = team["dossier"], team["ev1"]
    score_and_submit(dossier, ev1.user)
    evaluator = dossier.assignments.get(evaluator__user=ev1.user).evaluator
    with pytest.raises(ApplicationError, match="reden"):
        score_set_reopen(
            dossier=dossier,
            evaluator=evaluator,
            phase="selection",
            user=team["chair"].user,
            reason="",
        )
    response = team["chair"].post(
        reverse(
            "scoring-reopen",
            args=[dossier.submission.tender.slug, "selection", dossier.pk, evaluator.pk],
        ),
        {"reason": "Criterium B verkeerd gelezen"},
    )
    assert response.status_code == 302
    score = score_save(
        dossier=dossier,
        criterion=criteria_of(dossier)[1],
        user=ev1.user,
        level="1",
        rationale="herzien",
    )
    assert score.submitted_at is None
    assert AuditEntry.objects.filter(action="score.reopen").count() == 1


def test_a_tender_evaluated_outside_the_system_keeps_its_loaded_final_levels(
    demo_tender, make_user
):
    chair = make_user("chair", "voorzitter")
    dossier = dossiers_of(demo_tender)[0]
    with pytest.raises(ApplicationError, match="buiten het systeem"):
        final_level_set(
            dossier=dossier,
            criterion=criteria_of(dossier)[0],
            level="1",
            rationale="x",
            user=chair,
        )


def _command_json(slug, phase, seed=0):
    out = StringIO()
    call_command(
        "ranking", slug, "--phase", phase, "--seed", str(seed), "--format", "json", stdout=out
    )
    return json.loads(out.getvalue())


def test_the_ranking_from_the_screens_equals_the_command_and_then_scores_lock(
    tender, client_for, django_capture_on_commit_callbacks
):
    """Everything through the screens: the chair assigns the segment, both evaluators declare
    and submit every dossier, the chair sets the consensus, computes and finalises."""
    ev1 = separate_client(client_for, "beoordelaar", "ev1")
    ev2 = separate_client(client_for, "beoordelaar", "ev2")
    chair = separate_client(client_for, "voorzitter", "chair")
    dossiers = dossiers_of(tender)
    segment = dossiers[0].segment
    for evaluator in (ev1, ev2):
        response = chair.post(
            reverse("scoring-assignments", args=[tender.slug]),
            {"segment": segment.pk, "evaluator": evaluator.user.pk},
        )
        assert response.status_code == 302
    levels = {"ev1": ["0.25", "0.5", "0.75", "1"], "ev2": ["0.5", "0.75", "1", "0.75"]}
    for name, client in (("ev1", ev1), ("ev2", ev2)):
        for i, dossier in enumerate(dossiers):
            url_args = [tender.slug, "selection", dossier.pk]
            client.post(reverse("scoring-declare", args=url_args), {"has_conflict": "0"})
            data = {}
            for j, criterion in enumerate(criteria_of(dossier)):
                data[f"c{criterion.pk}-level"] = levels[name][(i + j) % 4]
                data[f"c{criterion.pk}-rationale"] = f"{name} over {criterion.code}"
            response = client.post(reverse("scoring-submit", args=url_args), data)
            assert response.status_code == 302, response.content.decode()[:2000]
    for i, dossier in enumerate(dossiers):
        data = {}
        for j, criterion in enumerate(criteria_of(dossier)):
            data[f"f{criterion.pk}-level"] = levels["ev2"][(i + j + 1) % 4]
            data[f"f{criterion.pk}-rationale"] = "Na bespreking"
        assert chair.post(consensus_url(dossier), data).status_code == 302

    overview = reverse("ranking-overview", args=[tender.slug, "selection"])
    with django_capture_on_commit_callbacks(execute=True):
        assert chair.post(overview, {"seed": "0"}).status_code == 302
    ranking = Ranking.objects.get(tender=tender, phase="selection")
    assert not ranking.provisional
    assert ranking.result == _command_json(tender.slug, "selection")

    chair.post(
        reverse("ranking-finalise", args=[tender.slug, "selection", ranking.pk]), {"confirm": "1"}
    )
    ranking.refresh_from_db()
    assert ranking.is_final

    criterion = criteria_of(dossiers[0])[0]
    with pytest.raises(ApplicationError, match=LOCKED):
        score_save(
            dossier=dossiers[0], criterion=criterion, user=ev1.user, level="1", rationale="x"
        )
    with pytest.raises(ApplicationError, match="definitief"):
        final_level_set(
            dossier=dossiers[0], criterion=criterion, level="1", rationale="x", user=chair.user
        )


def test_the_consensus_overview_is_paginated_in_fixed_queries(
    team, tender, monkeypatch, django_assert_max_num_queries
):
    """50 dossiers a page (here 1); the count does not grow with the page or the scores."""
    from evaluation.scoring_views import chair as chair_views

    monkeypatch.setattr(chair_views, "CONSENSUS_PER_PAGE", 1)
    chair = team["chair"]
    url = reverse("scoring-consensus-overview", args=[tender.slug, "selection"])
    chair.get(url)  # warm the session
    with django_assert_max_num_queries(QUERIES_CONSENSUS_OVERVIEW):
        first = chair.get(url).content.decode()
    dossiers = dossiers_of(tender)
    assert f"Pagina 1 van {len(dossiers)}" in first
    score_and_submit(team["dossier"], team["ev1"].user)
    with django_assert_max_num_queries(QUERIES_CONSENSUS_OVERVIEW):
        second = chair.get(url, {"page": 2}).content.decode()
    links = [reverse("scoring-consensus", args=[tender.slug, "selection", d.pk]) for d in dossiers]
    assert [link in first for link in links].count(True) == 1
    assert [link in second for link in links].count(True) == 1
    assert next(link for link in links if link in first) not in second


# session, user, OTP device, roles, tender; the page of dossiers, their progress, criteria,
# scores and final levels; the inter-rater figures and declared conflicts
# 17, one query for the evaluators however many; + 2 when the page holds a combination's bid
# (its members and their organisations, for "Combinatie X (penvoerder A, lid B)")
QUERIES_CONSENSUS_OVERVIEW = 19
