"""The evaluators' screens: my dossiers, the declaration before a dossier opens, autosave per
criterion, submitting the set, blind scoring, the price vault, the lock after the final
ranking, the award phase, and the requirement review feeding the ranking's exclusions."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from evaluation.constants import RankingStatus
from evaluation.models import Ranking, Score
from evaluation.services.ranking import ranking_compute
from evaluation.services.review import requirement_review
from evaluation.services.scoring import score_save, score_set_submit
from providers.models import RequirementAnswer
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

# session, user, OTP device, roles, tender; the dossier (taking part in the phase: one query),
# its facts, criteria and scores, whether the ranking is final (once); the audit entry of the
# view
QUERIES_SCORING_SCREEN = 20
LOCKED = "De ranking is definitief; scores kunnen niet meer worden gewijzigd."


@pytest.fixture
def tender(achterhoek_data):
    return load_small(achterhoek_data, bidders=3)


@pytest.fixture
def team(client_for, make_user, tender):
    """A chair and two evaluators with their own logged-in clients, both assigned to the
    first dossier."""
    ev1 = separate_client(client_for, "beoordelaar", "ev1")
    ev2 = separate_client(client_for, "beoordelaar", "ev2")
    chair = separate_client(client_for, "voorzitter", "chair")
    dossier = dossiers_of(tender)[0]
    assign(dossier, [ev1.user, ev2.user], chair.user)
    return {"ev1": ev1, "ev2": ev2, "chair": chair, "dossier": dossier}


def dossier_url(dossier, phase="selection", name="scoring-dossier"):
    return reverse(name, args=[dossier.submission.tender.slug, phase, dossier.pk])


def form_data(dossier, levels: dict, rationales: dict, phase="selection"):
    data = {}
    for criterion in criteria_of(dossier, phase):
        if criterion.code in levels:
            data[f"c{criterion.pk}-level"] = levels[criterion.code]
        data[f"c{criterion.pk}-rationale"] = rationales.get(criterion.code, "")
    return data


def test_my_dossiers_lists_only_my_assignments_with_progress(team, tender):
    other = dossiers_of(tender)[1]
    page = team["ev1"].get(reverse("scoring-my-dossiers", args=[tender.slug, "selection"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert team["dossier"].submission.bidder.name in html
    assert other.submission.bidder.name not in html
    assert "Nog te verklaren" in html
    assert html.count("<h1") == 1


def test_my_dossiers_is_paginated_filtered_and_searched_in_fixed_queries(
    team, tender, monkeypatch, django_assert_num_queries
):
    """50 a page (here 2); the segment, status and bidder-name filters narrow the list in SQL;
    the number of queries does not grow with the page or the filters."""
    from evaluation.scoring_views import evaluator

    ev1, chair = team["ev1"], team["chair"]
    others = [d for d in dossiers_of(tender) if d.pk != team["dossier"].pk]
    for dossier in others:
        assign(dossier, [ev1.user], chair.user)
    declare(others[0], ev1.user, conflict=True, note="Oud-werkgever")
    declare(others[1], ev1.user)
    score_and_submit(others[1], ev1.user)
    monkeypatch.setattr(evaluator, "MY_DOSSIERS_PER_PAGE", 2)
    url = reverse("scoring-my-dossiers", args=[tender.slug, "selection"])

    with django_assert_num_queries(13):  # with the phase's scoring deadline
        html = ev1.get(url).content.decode()
    assert "Pagina 1 van 2" in html and 'aria-label="Paginering"' in html
    assert html.count('scope="row"') == 2
    with django_assert_num_queries(13):
        html = ev1.get(url, {"page": 2, "status": "blocked"}).content.decode()
    assert "Belangenconflict" in html and others[0].submission.bidder.name in html
    assert html.count('scope="row"') == 1

    html = ev1.get(url, {"status": "submitted"}).content.decode()
    assert others[1].submission.bidder.name in html and "Ingediend" in html
    assert others[0].submission.bidder.name not in html
    name = team["dossier"].submission.bidder.name
    html = ev1.get(url, {"q": name[2:8].upper(), "segment": team["dossier"].segment.code})
    assert html.content.decode().count('scope="row"') == 1
    html = ev1.get(url, {"q": "bestaat-niet"}).content.decode()
    assert "Geen dossiers gevonden." in html
    html = ev1.get(url, {"segment": "NOPE"}).content.decode()
    assert "Selecteer een geldige keuze" in html  # an unknown segment filters nothing


def test_the_scoring_screen_reads_in_a_fixed_number_of_queries(
    team, tender, django_assert_num_queries
):
    """The count does not grow with the scores on the dossier, the evaluators who gave them
    or the other dossiers assigned to the evaluator."""
    ev1, ev2, chair, dossier = team["ev1"], team["ev2"], team["chair"], team["dossier"]
    declare(dossier, ev1.user)
    ev1.get(dossier_url(dossier))  # warm the session
    with django_assert_num_queries(QUERIES_SCORING_SCREEN):
        assert ev1.get(dossier_url(dossier)).status_code == 200

    declare(dossier, ev2.user)
    score_and_submit(dossier, ev2.user)
    fill(dossier, ev1.user)
    for other in dossiers_of(tender)[1:2]:
        assign(other, [ev1.user], chair.user)
        declare(other, ev1.user)
        fill(other, ev1.user)
    with django_assert_num_queries(QUERIES_SCORING_SCREEN):
        assert ev1.get(dossier_url(dossier)).status_code == 200


def test_the_dossier_opens_only_after_the_declaration(team):
    ev1, dossier = team["ev1"], team["dossier"]
    page = ev1.get(dossier_url(dossier)).content.decode()
    assert "Verklaring belangenconflict" in page
    assert "Criteria" not in page and "Bediende gemeenten" not in page

    response = ev1.post(
        dossier_url(dossier, name="scoring-declare"), {"has_conflict": "1", "note": ""}
    )
    assert response.status_code == 400
    assert "Licht toe waarom er een belangenconflict is." in response.content.decode()

    response = ev1.post(dossier_url(dossier, name="scoring-declare"), {"has_conflict": "0"})
    assert response.status_code == 302
    page = ev1.get(dossier_url(dossier)).content.decode()
    for municipality in dossier.municipalities.all():
        assert municipality.name in page
    assert dossier.segment.code in page
    assert "Minimumeisen" in page and "Documenten" in page
    assert "aanbiedersportaal" in page  # the marked place for the documents, no fake ones
    for criterion in criteria_of(dossier):
        assert f'name="c{criterion.pk}-level"' in page
        assert f"Niveau voor {criterion.code}" in page
    assert AuditEntry.objects.filter(action="dossier.view", actor=ev1.user).exists()


def test_a_declared_conflict_keeps_the_dossier_closed(team):
    ev1, dossier = team["ev1"], team["dossier"]
    ev1.post(
        dossier_url(dossier, name="scoring-declare"),
        {"has_conflict": "1", "note": "Mijn zus werkt hier"},
    )
    page = ev1.get(dossier_url(dossier)).content.decode()
    assert "geblokkeerd" in page
    assert "Bediende gemeenten" not in page
    criterion = criteria_of(dossier)[0]
    response = ev1.post(
        reverse(
            "scoring-autosave",
            args=[dossier.submission.tender.slug, "selection", dossier.pk, criterion.pk],
        ),
        {f"c{criterion.pk}-level": "1", f"c{criterion.pk}-rationale": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert "U mag dit dossier niet beoordelen." in response.content.decode()
    assert not Score.objects.exists()
    chair_page = team["chair"].get(
        reverse("scoring-assignments", args=[dossier.submission.tender.slug])
    )
    assert "Gemelde belangenconflicten" in chair_page.content.decode()


def test_autosave_stores_one_criterion_per_request(team):
    ev1, dossier = team["ev1"], team["dossier"]
    declare(dossier, ev1.user)
    first, second = criteria_of(dossier)[:2]
    url = reverse(
        "scoring-autosave", args=[dossier.submission.tender.slug, "selection", dossier.pk, first.pk]
    )
    # htmx posts the whole form; only this criterion's fields are read
    data = form_data(dossier, {first.code: "0.75", second.code: "1"}, {first.code: "Sterk plan"})
    response = ev1.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Bewaard om" in response.content.decode()
    assert list(Score.objects.values_list("criterion__code", "level", "rationale")) == [
        (first.code, pytest.approx(0.75), "Sterk plan")
    ]
    assert Score.objects.get().submitted_at is None
    assert AuditEntry.objects.filter(action="score.save").count() == 1

    no_level = ev1.post(
        reverse(
            "scoring-autosave",
            args=[dossier.submission.tender.slug, "selection", dossier.pk, second.pk],
        ),
        {f"c{second.pk}-rationale": "nog geen niveau"},
        HTTP_HX_REQUEST="true",
    )
    assert "kies eerst een niveau" in no_level.content.decode()
    off_scale = ev1.post(url, {f"c{first.pk}-level": "0.6"}, HTTP_HX_REQUEST="true")
    assert "Kies een niveau op de schaal van dit criterium." in off_scale.content.decode()
    assert Score.objects.count() == 1


def test_submitting_an_incomplete_set_names_every_missing_criterion(team):
    ev1, dossier = team["ev1"], team["dossier"]
    declare(dossier, ev1.user)
    criteria = criteria_of(dossier)
    first = criteria[0]
    data = form_data(dossier, {first.code: "0.5"}, {})
    response = ev1.post(dossier_url(dossier, name="scoring-submit"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Er ontbreekt nog iets" in page
    assert f"{first.code} {first.name}: vul een motivering in." in page
    for criterion in criteria[1:]:
        assert (
            f"{criterion.code} {criterion.name}: kies een niveau en vul een motivering in." in page
        )
    assert not Score.objects.filter(submitted_at__isnull=False).exists()


def test_a_complete_set_is_submitted_and_then_read_only(team):
    ev1, dossier = team["ev1"], team["dossier"]
    declare(dossier, ev1.user)
    codes = [c.code for c in criteria_of(dossier)]
    data = form_data(dossier, dict.fromkeys(codes, "0.75"), {c: f"Motivering {c}" for c in codes})
    response = ev1.post(dossier_url(dossier, name="scoring-submit"), data)
    assert response.status_code == 302
    assert Score.objects.filter(submitted_at__isnull=False).count() == len(codes)
    page = ev1.get(dossier_url(dossier)).content.decode()
    assert "U hebt uw beoordeling van dit dossier ingediend." in page
    assert "Beoordeling indienen" not in page
    with pytest.raises(ApplicationError, match="al ingediend"):
        score_save(
            dossier=dossier,
            criterion=criteria_of(dossier)[0],
            user=ev1.user,
            level="0",
            rationale="toch anders",
        )


def test_blind_no_other_evaluators_score_before_my_own_set_is_submitted(team):
    ev1, ev2, dossier = team["ev1"], team["ev2"], team["dossier"]
    declare(dossier, ev1.user)
    declare(dossier, ev2.user)
    fill(dossier, ev1.user, level="0.25", marker="EEN-CONCEPT")
    fill(dossier, ev2.user, level="1", marker="TWEE-CONCEPT")

    page = ev1.get(dossier_url(dossier)).content.decode()
    assert "EEN-CONCEPT" in page and "TWEE-CONCEPT" not in page

    score_and_submit(dossier, ev2.user, level="1", marker="TWEE-INGEDIEND")
    page = ev1.get(dossier_url(dossier)).content.decode()
    assert "TWEE-INGEDIEND" not in page and "TWEE-CONCEPT" not in page

    score_set_submit(dossier=dossier, phase="selection", user=ev1.user)
    page = ev1.get(dossier_url(dossier)).content.decode()
    assert "TWEE-INGEDIEND" in page  # own set in: others' submitted scores appear
    assert "Andere beoordelaars" in page


def test_blind_drafts_of_others_never_show(team):
    ev1, ev2, dossier = team["ev1"], team["ev2"], team["dossier"]
    declare(dossier, ev1.user)
    declare(dossier, ev2.user)
    score_and_submit(dossier, ev1.user, marker="EEN-INGEDIEND")
    fill(dossier, ev2.user, marker="TWEE-CONCEPT")
    page = ev1.get(dossier_url(dossier)).content.decode()
    assert "EEN-INGEDIEND" in page and "TWEE-CONCEPT" not in page


def _final(tender, phase="selection"):
    return Ranking.objects.create(
        tender=tender,
        phase=phase,
        status=RankingStatus.DONE,
        is_final=True,
        finalised_at=timezone.now(),
    )


def test_price_vault_hides_bid_figures_until_the_phase_ranking_is_final(team, tender):
    ev1, dossier = team["ev1"], team["dossier"]
    declare(dossier, ev1.user)
    dossier.bid_clients = 987654
    dossier.save(update_fields=["bid_clients"])
    page = ev1.get(dossier_url(dossier)).content.decode()
    assert "987654" not in page and "Verborgen tot de kwaliteitsranking" in page

    _final(tender)
    page = ev1.get(dossier_url(dossier)).content.decode()
    assert "987654" in page


def test_scores_lock_once_the_ranking_of_their_phase_is_final(team, tender):
    ev1, dossier = team["ev1"], team["dossier"]
    declare(dossier, ev1.user)
    criterion = criteria_of(dossier)[0]
    score_save(dossier=dossier, criterion=criterion, user=ev1.user, level="0.5", rationale="a")
    _final(tender)

    with pytest.raises(ApplicationError, match=LOCKED):
        score_save(dossier=dossier, criterion=criterion, user=ev1.user, level="1", rationale="b")
    response = ev1.post(
        reverse(
            "scoring-autosave",
            args=[tender.slug, "selection", dossier.pk, criterion.pk],
        ),
        {f"c{criterion.pk}-level": "1", f"c{criterion.pk}-rationale": "b"},
        HTTP_HX_REQUEST="true",
    )
    assert LOCKED in response.content.decode()
    page = ev1.get(dossier_url(dossier)).content.decode()
    assert LOCKED in page and "Beoordeling indienen" not in page
    assert Score.objects.get().rationale == "a"


def test_award_phase_scores_only_the_dossiers_selected_in_the_final_selection(team, tender):
    ev1, dossier = team["ev1"], team["dossier"]
    declare(dossier, ev1.user)
    award_list = reverse("scoring-my-dossiers", args=[tender.slug, "award"])
    assert (
        "begint als de ranking van de selectiefase definitief is"
        in ev1.get(award_list).content.decode()
    )
    assert ev1.get(dossier_url(dossier, "award")).status_code == 404

    ranking = _final(tender)
    ranking.rows.create(
        segment=dossier.segment,
        dossier=dossier,
        bidder_kvk=dossier.submission.bidder.kvk,
        position=1,
        rank=1,
        points=80,
        status="selected",
    )
    page = ev1.get(dossier_url(dossier, "award")).content.decode()
    for criterion in criteria_of(dossier, "award"):
        assert f"Niveau voor {criterion.code}" in page
    for criterion in criteria_of(dossier, "selection"):
        assert f"Niveau voor {criterion.code}" not in page
    fill(dossier, ev1.user, phase="award", level="1")  # award is open, selection is locked
    with pytest.raises(ApplicationError, match=LOCKED):
        fill(dossier, ev1.user, phase="selection")
    assert ev1.get(award_list).status_code == 200


@pytest.mark.parametrize("role", ["inkoper", "auditor", "aanbieder", None])
def test_people_without_an_evaluating_role_get_404(tender, client_for, role):
    client = client_for(role)
    assert client.get(reverse("scoring-home")).status_code == 404
    assert (
        client.get(reverse("scoring-my-dossiers", args=[tender.slug, "selection"])).status_code
        == 404
    )
    assert client.get(reverse("scoring-assignments", args=[tender.slug])).status_code == 404


def test_an_evaluator_cannot_open_a_dossier_not_assigned_to_them(team, tender, client_for):
    outsider = separate_client(client_for, "beoordelaar", "outsider")
    assert outsider.get(dossier_url(team["dossier"])).status_code == 404
    assert team["ev1"].get(dossier_url(dossiers_of(tender)[1])).status_code == 404
    # evaluators never reach the chair's screens
    assert team["ev1"].get(reverse("scoring-assignments", args=[tender.slug])).status_code == 404


def test_anonymous_users_are_sent_to_login(tender, client):
    response = client.get(reverse("scoring-home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_phase_is_a_404(team, tender):
    assert team["ev1"].get(f"/beoordeling/{tender.slug}/gunning/").status_code == 404


# -- requirement review --------------------------------------------------------------------


def _yes_answer(dossier):
    return (
        RequirementAnswer.objects.filter(submission=dossier.submission, met=True)
        .select_related("requirement")
        .order_by("requirement__code")
        .first()
    )


def test_rejecting_a_requirement_answer_needs_a_reason(team):
    chair, dossier = team["chair"], team["dossier"]
    answer = _yes_answer(dossier)
    url = reverse("scoring-review", args=[dossier.submission.tender.slug, dossier.submission.pk])
    response = chair.post(url, {"answer": answer.pk, f"a{answer.pk}-accepted": "0"})
    assert response.status_code == 400
    assert "Geef een reden voor het afkeuren." in response.content.decode()
    answer.refresh_from_db()
    assert not answer.rejected

    response = chair.post(
        url,
        {
            "answer": answer.pk,
            f"a{answer.pk}-accepted": "0",
            f"a{answer.pk}-reason": "Geen geldig certificaat bijgevoegd",
        },
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.rejected and answer.rejection_reason == "Geen geldig certificaat bijgevoegd"
    assert answer.review.reviewed_by == chair.user
    assert AuditEntry.objects.filter(action="requirement.review").count() == 1


def test_a_rejected_answer_excludes_the_bidder_in_the_ranking(team, tender):
    dossier = team["dossier"]
    answer = _yes_answer(dossier)
    kvk = dossier.submission.bidder.kvk

    def row():
        segment = ranking_compute(tender=tender, phase="selection").segments[0]
        return next(r for r in segment.results if r.bidder == kvk)

    assert f"eis {answer.requirement.code} niet voldaan" not in row().reasons
    requirement_review(
        answer=answer, accepted=False, reason="Bewijs ontbreekt", user=team["chair"].user
    )
    excluded = row()
    assert excluded.status == "excluded"
    assert f"eis {answer.requirement.code} niet voldaan" in excluded.reasons

    requirement_review(answer=answer, accepted=True, user=team["chair"].user)
    assert f"eis {answer.requirement.code} niet voldaan" not in row().reasons


def test_an_assigned_evaluator_reviews_only_after_declaring_no_conflict(team):
    ev1, dossier = team["ev1"], team["dossier"]
    answer = _yes_answer(dossier)
    with pytest.raises(ApplicationError, match="niet controleren"):
        requirement_review(answer=answer, accepted=True, user=ev1.user)
    declare(dossier, ev1.user)
    review = requirement_review(answer=answer, accepted=True, user=ev1.user)
    assert review.accepted and review.reviewed_by == ev1.user
    listing = ev1.get(reverse("scoring-review-list", args=[dossier.submission.tender.slug]))
    assert dossier.submission.bidder.name in listing.content.decode()


def test_the_review_list_is_paginated(team, tender, monkeypatch):
    from evaluation.scoring_views import review

    monkeypatch.setattr(review, "REVIEW_LIST_PER_PAGE", 2)
    url = reverse("scoring-review-list", args=[tender.slug])
    first = team["chair"].get(url).content.decode()
    second = team["chair"].get(url, {"page": 2}).content.decode()
    assert "Pagina 1 van 2" in first and "Pagina 2 van 2" in second
    names = [d.submission.bidder.name for d in dossiers_of(tender)]
    assert sorted(n for n in names if n in first or n in second) == sorted(names)
    assert not any(n in first and n in second for n in names)


def test_a_no_answer_needs_no_review_and_reviews_lock_with_the_selection(team, tender):
    chair, dossier = team["chair"], team["dossier"]
    answer = _yes_answer(dossier)
    no = RequirementAnswer.objects.filter(submission=dossier.submission).exclude(pk=answer.pk)[0]
    no.met = False
    no.save(update_fields=["met"])
    with pytest.raises(ApplicationError, match="antwoordde 'nee'"):
        requirement_review(answer=no, accepted=True, user=chair.user)
    _final(tender)
    with pytest.raises(ApplicationError, match="selectiefase is definitief"):
        requirement_review(answer=answer, accepted=False, reason="x", user=chair.user)


def test_the_chair_sets_a_scoring_deadline_shown_to_the_evaluators_late_once_past(team, tender):
    """Set on the assignment screen: a future moment only (Dutch error), audited; the
    evaluator sees it on the dossier list and the start page, "te laat" once past while the
    set is not submitted."""
    from datetime import timedelta

    from django.utils import timezone

    from audit.models import AuditEntry
    from evaluation.models import ScoringDeadline

    url = reverse("scoring-deadline", args=[tender.slug])
    past = timezone.localtime() - timedelta(days=1)
    response = team["chair"].post(url, {"phase": "selection", "due_at": f"{past:%d-%m-%Y %H:%M}"})
    assert response.status_code == 400
    assert "De beoordelingstermijn moet in de toekomst liggen." in response.content.decode()
    response = team["chair"].post(url, {"phase": "selection", "due_at": "morgen"})
    assert response.status_code == 400
    assert "Vul een datum en tijd in" in response.content.decode()
    refused = team["ev1"].post(url, {"phase": "selection", "due_at": "01-01-2099 12:00"})
    assert refused.status_code in (403, 404)
    assert not ScoringDeadline.objects.exists()

    response = team["chair"].post(url, {"phase": "selection", "due_at": "01-01-2099 12:00"})
    assert response.status_code == 302
    deadline = ScoringDeadline.objects.get(tender=tender, phase="selection")
    assert timezone.localtime(deadline.due_at).strftime("%d-%m-%Y %H:%M") == "01-01-2099 12:00"
    assert AuditEntry.objects.filter(action="scoring_deadline.set").count() == 1
    my_list = reverse("scoring-my-dossiers", args=[tender.slug, "selection"])
    html = team["ev1"].get(my_list).content.decode()
    assert "Beoordelen uiterlijk: 1 januari 2099 12:00" in html and "te laat" not in html
    start = team["ev1"].get(reverse("start")).content.decode()
    assert "1 januari 2099 12:00" in start and "te laat" not in start

    past = timezone.now() - timedelta(hours=1)
    ScoringDeadline.objects.filter(pk=deadline.pk).update(due_at=past)
    assert "te laat" in team["ev1"].get(my_list).content.decode()
    assert "te laat" in team["ev1"].get(reverse("start")).content.decode()
