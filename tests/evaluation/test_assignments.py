"""Assignments, conflict-of-interest declarations, the evaluators' load and the guard that
keeps a ranking from being finalised before enough evaluators scored."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEntry
from evaluation.consensus_selectors import (
    declared_conflicts,
    evaluator_load,
)
from evaluation.constants import RankingStatus
from evaluation.models import (
    Assignment,
    ConflictDeclaration,
    FinalLevel,
    Ranking,
    RequirementReview,
    Score,
)
from evaluation.permissions import can_score
from evaluation.scoring_selectors import (
    sealed_dossiers,
)
from evaluation.services.assignments import (
    assignment_create,
    assignment_reassign,
    assignment_remove,
    assignments_create_for_segment,
    evaluator_of,
    ranking_finalise_guard,
)
from evaluation.services.ranking import ranking_execute, ranking_finalise
from evaluation.services.review import requirement_review
from evaluation.services.scoring import score_save
from providers.models import Dossier
from tender.errors import ApplicationError

from .scoring_support import (
    SEGMENT,
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


@pytest.fixture
def people(make_user):
    chair = make_user("chair", "voorzitter", email="voorzitter@gemeente.example")
    ev1 = make_user("ev1", "beoordelaar", first_name="Eva", last_name="Een")
    ev2 = make_user("ev2", "beoordelaar", first_name="Bert", last_name="Twee")
    ev3 = make_user("ev3", "beoordelaar", first_name="Carla", last_name="Drie")
    return chair, ev1, ev2, ev3


def test_chair_assigns_evaluators_per_dossier_and_it_is_audited(tender, people):
    chair, ev1, ev2, _ev3 = people
    dossier = dossiers_of(tender)[0]
    created = assign(dossier, [ev1, ev2], chair)
    assert [a.evaluator.user for a in created] == [ev1, ev2]
    assert {a.assigned_by for a in created} == {chair}
    assert AuditEntry.objects.filter(action="assignment.create").count() == 2
    with pytest.raises(ApplicationError, match="al toegewezen"):
        assignment_create(dossier=dossier, user=ev1, assigned_by=chair)


def test_only_the_chair_assigns_and_only_evaluators_can_be_assigned(tender, people, make_user):
    chair, ev1, ev2, _ev3 = people
    dossier = dossiers_of(tender)[0]
    with pytest.raises(ApplicationError, match="Alleen de voorzitter"):
        assignment_create(dossier=dossier, user=ev2, assigned_by=ev1)
    buyer = make_user("inkoper1", "inkoper")
    with pytest.raises(ApplicationError, match="geen rol als beoordelaar"):
        assignment_create(dossier=dossier, user=buyer, assigned_by=chair)
    assert not Assignment.objects.exists()


def test_chair_assigns_a_whole_segment_and_skips_a_declared_conflict(tender, people):
    chair, ev1, _ev2, _ev3 = people
    first, *rest = dossiers_of(tender)
    assign(first, [ev1], chair)
    declare(first, ev1, conflict=True, note="Oud-collega van de bestuurder")
    result = assignments_create_for_segment(segment=first.segment, user=ev1, assigned_by=chair)
    assert {a.dossier for a in result.created} == set(rest)
    assert [d for d, _reason in result.skipped] == [first]
    assert "al toegewezen" in result.skipped[0][1]


def test_the_load_per_evaluator_counts_dossiers_conflicts_and_submitted_sets(tender, people):
    chair, ev1, ev2, ev3 = people
    d1, d2, d3 = dossiers_of(tender)
    for dossier in (d1, d2):
        assign(dossier, [ev1, ev2], chair)
    assign(d3, [ev3], chair)
    declare(d1, ev1)
    score_and_submit(d1, ev1)
    declare(d3, ev3, conflict=True, note="Familie werkt bij deze aanbieder")
    load = {row.evaluator.user.username: row for row in evaluator_load(tender=tender)}
    assert load["ev1"].assigned == 2 and load["ev1"].submitted_selection == 1
    assert load["ev1"].pending_declarations == 1  # d2's bidder not declared yet
    assert load["ev2"].assigned == 2 and load["ev2"].pending_declarations == 2
    assert load["ev3"].conflicts == 1 and load["ev3"].submitted_selection == 0


def test_a_declared_conflict_blocks_the_dossier_and_tells_the_chair(
    tender, people, django_capture_on_commit_callbacks
):
    chair, ev1, ev2, ev3 = people
    dossier = dossiers_of(tender)[0]
    assign(dossier, [ev1, ev2], chair)
    declare(dossier, ev1)
    fill(dossier, ev1)  # drafts before the conflict comes to light
    assert can_score(ev1, dossier)

    with django_capture_on_commit_callbacks(execute=True):
        declare(dossier, ev1, conflict=True, note="Mijn partner is bestuurder van deze aanbieder")

    assert not can_score(ev1, dossier)
    assert not Score.objects.filter(evaluator__user=ev1).exists()  # tainted drafts removed
    with pytest.raises(ApplicationError, match="niet beoordelen"):
        score_save(
            dossier=dossier,
            criterion=criteria_of(dossier)[0],
            user=ev1,
            level="1",
            rationale="x",
        )
    assert [a.evaluator.user for a in declared_conflicts(tender=tender)] == [ev1]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["voorzitter@gemeente.example"]
    assert "belangenconflict" in message.subject.lower()
    assert dossier.submission.bidder.name in message.body

    conflicted = Assignment.objects.get(dossier=dossier, evaluator__user=ev1)
    replacement = assignment_reassign(assignment=conflicted, user=ev3, assigned_by=chair)
    assert replacement.evaluator.user == ev3
    assert set(dossier.assignments.values_list("evaluator__user__username", flat=True)) == {
        "ev2",
        "ev3",
    }
    with pytest.raises(ApplicationError, match="belangenconflict gemeld"):
        assignment_create(dossier=dossier, user=ev1, assigned_by=chair)


def test_a_conflict_needs_a_note_and_cannot_be_withdrawn_by_the_evaluator(tender, people):
    chair, ev1, _ev2, _ev3 = people
    dossier = dossiers_of(tender)[0]
    assign(dossier, [ev1], chair)
    with pytest.raises(ApplicationError, match="Licht toe"):
        declare(dossier, ev1, conflict=True, note="  ")
    declare(dossier, ev1, conflict=True, note="Eigen praktijk")
    with pytest.raises(ApplicationError, match="al een belangenconflict"):
        declare(dossier, ev1, conflict=False)
    assert ConflictDeclaration.objects.get().has_conflict


def test_declaring_needs_an_assignment(tender, people):
    _chair, ev1, _ev2, _ev3 = people
    with pytest.raises(ApplicationError, match="niet aan dit dossier toegewezen"):
        declare(dossiers_of(tender)[0], ev1)


def test_scoring_needs_the_declaration_first(tender, people):
    chair, ev1, _ev2, _ev3 = people
    dossier = dossiers_of(tender)[0]
    assign(dossier, [ev1], chair)
    assert not can_score(ev1, dossier)
    declare(dossier, ev1)
    assert can_score(ev1, dossier)


def test_removing_an_assignment_after_a_submitted_set_is_refused(tender, people):
    chair, ev1, ev2, _ev3 = people
    dossier = dossiers_of(tender)[0]
    a1, a2 = assign(dossier, [ev1, ev2], chair)
    declare(dossier, ev1)
    score_and_submit(dossier, ev1)
    with pytest.raises(ApplicationError, match="al een beoordeling ingediend"):
        assignment_remove(assignment=a1, removed_by=chair)
    declare(dossier, ev2)
    fill(dossier, ev2)
    assignment_remove(assignment=a2, removed_by=chair)
    assert not Score.objects.filter(evaluator__user=ev2).exists()
    assert AuditEntry.objects.filter(action="assignment.remove").count() == 1


def _done_ranking(tender, phase="selection"):
    ranking = Ranking.objects.create(tender=tender, phase=phase, seed=0)
    ranking_execute(ranking_id=ranking.pk)
    ranking.refresh_from_db()
    assert ranking.status == RankingStatus.DONE
    return ranking


def _consensus_everywhere(tender, chair, level="0.75"):
    """Final levels for every dossier (as if the chair had set them), so the ranking is not
    provisional and only the evaluator guard can stop finalising."""
    for dossier in dossiers_of(tender):
        for criterion in criteria_of(dossier):
            FinalLevel.objects.update_or_create(
                dossier=dossier,
                criterion=criterion,
                defaults={"level": level, "rationale": "consensus", "set_by": chair},
            )


def test_finalising_is_refused_while_a_dossier_has_fewer_than_two_submitted_sets(tender, people):
    chair, ev1, ev2, _ev3 = people
    dossiers = dossiers_of(tender)
    for dossier in dossiers:
        assign(dossier, [ev1, ev2], chair)
        declare(dossier, ev1)
        declare(dossier, ev2)
        score_and_submit(dossier, ev1)
    for dossier in dossiers[:-1]:
        score_and_submit(dossier, ev2)
    _consensus_everywhere(tender, chair)
    ranking = _done_ranking(tender)
    assert not ranking.provisional

    reason = ranking_finalise_guard(ranking)
    last = dossiers[-1]
    assert reason and f"{SEGMENT} {last.submission.bidder.name} (1)" in reason
    with pytest.raises(ApplicationError, match="door 2 beoordelaars"):
        ranking_finalise(ranking=ranking, user=chair)

    score_and_submit(last, ev2)
    ranking = _done_ranking(tender)  # the scores changed the inputs: compute again
    assert ranking_finalise_guard(ranking) is None
    assert ranking_finalise(ranking=ranking, user=chair).is_final


@override_settings(EVALUATORS_PER_DOSSIER=3)
def test_the_number_of_evaluators_is_a_setting(tender, people):
    chair, ev1, ev2, _ev3 = people
    for dossier in dossiers_of(tender):
        assign(dossier, [ev1, ev2], chair)
        for user in (ev1, ev2):
            declare(dossier, user)
            score_and_submit(dossier, user)
    _consensus_everywhere(tender, chair)
    assert "door 3 beoordelaars" in ranking_finalise_guard(_done_ranking(tender))


def test_a_declared_conflict_does_not_count_towards_the_evaluators(tender, people):
    chair, ev1, ev2, ev3 = people
    dossiers = dossiers_of(tender)
    for dossier in dossiers:
        assign(dossier, [ev1, ev2], chair)
        declare(dossier, ev1)
        score_and_submit(dossier, ev1)
    for dossier in dossiers[1:]:
        declare(dossier, ev2)
        score_and_submit(dossier, ev2)
    declare(dossiers[0], ev2, conflict=True, note="Vroeger in dienst geweest")
    _consensus_everywhere(tender, chair)
    assert ranking_finalise_guard(_done_ranking(tender))
    conflicted = Assignment.objects.get(dossier=dossiers[0], evaluator__user=ev2)
    assignment_reassign(assignment=conflicted, user=ev3, assigned_by=chair)
    declare(dossiers[0], ev3)
    score_and_submit(dossiers[0], ev3)
    assert ranking_finalise_guard(_done_ranking(tender)) is None


def test_a_tender_without_assignments_is_judged_by_its_final_levels(demo_tender, make_user):
    chair = make_user("chair", "voorzitter")
    ranking = _done_ranking(demo_tender)
    assert ranking_finalise_guard(ranking) is None
    assert ranking_finalise(ranking=ranking, user=chair).is_final


def test_a_scenario_replace_removes_the_evaluation_records_with_the_tender(
    tender, people, achterhoek_data
):
    chair, ev1, _ev2, _ev3 = people
    dossier = dossiers_of(tender)[0]
    assign(dossier, [ev1], chair)
    declare(dossier, ev1)
    fill(dossier, ev1)
    answer = dossier.submission.answers.filter(met=True).first()
    requirement_review(answer=answer, accepted=False, reason="Geen bewijs", user=chair)
    load_small(achterhoek_data, bidders=3, replace=True)
    assert not Assignment.objects.exists()
    assert not ConflictDeclaration.objects.exists()
    assert not RequirementReview.objects.exists()


def test_the_assignment_screen_costs_the_same_queries_for_a_whole_tender(
    demo_tender, people, client_for, django_assert_max_num_queries
):
    chair, ev1, ev2, _ev3 = people
    evaluators = [evaluator_of(tender=demo_tender, user=u) for u in (ev1, ev2)]
    Assignment.objects.bulk_create(
        Assignment(dossier=d, evaluator=e, assigned_by=chair)
        for d in sealed_dossiers(tender=demo_tender)
        for e in evaluators
    )
    client = client_for("voorzitter", "chair-2")
    urls = [
        reverse("scoring-assignments", args=[demo_tender.slug]),
        reverse("scoring-consensus-overview", args=[demo_tender.slug, "selection"]),
        reverse("scoring-review-list", args=[demo_tender.slug]),
    ]
    for url in urls:
        with django_assert_max_num_queries(26):  # with the scoring deadlines
            assert client.get(url).status_code == 200


def test_scorable_by_is_assigned_without_conflict_only(tender, people, make_user):
    chair, ev1, ev2, ev3 = people
    first, second = dossiers_of(tender)[:2]
    assign(first, [ev1, ev2], chair)
    assign(second, [ev1], chair)
    declare(first, ev1)
    declare(first, ev2, conflict=True, note="Oud-werkgever")
    # ev1 declared no conflict for the bidder of ``first`` only; ev2 declared a conflict; ev3 is
    # not assigned; ``second`` has no declaration of ev1 yet (unless it is the same bidder).
    assert list(Dossier.objects.scorable_by(ev1).filter(pk=first.pk)) == [first]
    assert not Dossier.objects.scorable_by(ev2).exists()
    assert not Dossier.objects.scorable_by(ev3).exists()
    assert Dossier.objects.scorable_by(ev1).filter(pk=second.pk).exists() == (
        second.submission.bidder_id == first.submission.bidder_id
    )
    assert set(Dossier.objects.assigned_to(ev1)) == {first, second}
    assert set(Dossier.objects.assigned_to(ev2)) == {first}
    assert can_score(ev1, first) and not can_score(ev2, first) and not can_score(ev3, first)
    ev1.is_active = False
    assert not Dossier.objects.scorable_by(ev1).exists()


def test_the_assignment_screen_is_paginated_and_an_action_returns_to_its_page(
    tender, people, client_for, monkeypatch
):
    from evaluation.scoring_views import chair as chair_views

    monkeypatch.setattr(chair_views, "ASSIGNMENTS_PER_PAGE", 1)
    _chair, ev1, _ev2, _ev3 = people
    client = client_for("voorzitter", "chair-pages")
    url = reverse("scoring-assignments", args=[tender.slug])
    order = list(
        sealed_dossiers(tender=tender).order_by("segment__code", "submission__bidder__name", "id")
    )
    first = client.get(url).content.decode()
    assert f"Pagina 1 van {len(order)}" in first
    assert f'id="dossier-{order[0].pk}"' in first and f'id="dossier-{order[1].pk}"' not in first

    response = client.post(
        reverse("scoring-assign-dossier", args=[tender.slug, order[1].pk]), {"evaluator": ev1.pk}
    )
    assert response["Location"] == f"{url}?page=2#dossier-{order[1].pk}"
    second = client.get(url, {"page": 2}).content.decode()
    assert f'id="dossier-{order[1].pk}"' in second
    assert 'class="app-assignee__name"' in second  # the new assignment, on its page
    assert 'class="app-assignee__name"' not in client.get(url).content.decode()
