"""The scoring flow in a real browser: the chair assigns two evaluators, each declares no
conflict and scores the dossier (autosave, a refused incomplete submit, submit), the chair sets
the consensus. Every page of the flow passes axe-core (no serious or critical violations)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import BEOORDELAAR, VOORZITTER
from evaluation.models import FinalLevel, Score
from tests.evaluation.scoring_support import criteria_of, dossiers_of, load_small

from .conftest import assert_no_axe_violations, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zorg-Inkoop-2022!"
LEVELS = {"ev1": ["0,25", "0,5", "0,75", "1", "0,5", "0,75"], "ev2": ["0,75"] * 6}


def make_user(username, role, name):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, first_name=name
    )
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def tender(achterhoek_data):
    return load_small(achterhoek_data, bidders=1)


def sign_in(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server, username, PASSWORD)


def assign_segment(page, segment, evaluator_name):
    page.get_by_label("Segment", exact=True).select_option(label=f"{segment.code} {segment.name}")
    page.get_by_label("Beoordelaar", exact=True).select_option(label=evaluator_name)
    with page.expect_navigation():
        page.get_by_role("button", name="Aan alle dossiers van het segment toewijzen").click()
    expect(page.get_by_text("1 dossier toegewezen.")).to_be_visible()


def score_dossier(page, live_server, tender, dossier, username, *, try_incomplete=False):
    sign_in(page, live_server, username)
    page.goto(live_server.url + reverse("scoring-home"))
    with page.expect_navigation():
        page.get_by_role("link", name="selectiefase").click()
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.get_by_role(
            "link", name=f"{dossier.segment.code} – {dossier.submission.bidder.name}"
        ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Verklaring belangenconflict")
    assert_no_axe_violations(page)
    page.get_by_label("Nee, ik heb geen belangenconflict").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Verklaring vastleggen").click()
    expect(page.get_by_text("Uw verklaring is vastgelegd.")).to_be_visible()
    assert_no_axe_violations(page)

    criteria = criteria_of(dossier)
    for i, criterion in enumerate(criteria):
        if try_incomplete and i == len(criteria) - 1:
            break
        block = page.locator(f"#criterion-{criterion.pk}")
        block.get_by_role("group", name=f"Niveau voor {criterion.code}").get_by_label(
            LEVELS[username][i], exact=True
        ).check()
        block.get_by_label(f"Motivering voor {criterion.code}").fill(
            f"{username}: onderbouwing {criterion.code}"
        )
        expect(block.get_by_role("status")).to_contain_text("Bewaard om")
    screenshot(page, f"scoring-dossier-{username}")

    if try_incomplete:
        with page.expect_navigation():
            page.get_by_role("button", name="Beoordeling indienen").click()
        summary = page.locator("[data-error-summary]")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        last = criteria[-1]
        expect(summary).to_contain_text(f"{last.code} {last.name}: kies een niveau")
        assert_no_axe_violations(page)
        screenshot(page, "scoring-error-summary")
        block = page.locator(f"#criterion-{last.pk}")
        # An autosave the server fails (here: a 503, as in a database outage) is said in
        # the criterion's status line, not dropped silently; the next change saves.
        autosave = f"**/criterium/{last.pk}/"
        page.route(autosave, lambda route: route.fulfill(status=503, body=""))
        block.get_by_label(LEVELS[username][-1], exact=True).check()
        expect(block.get_by_role("status")).to_contain_text("Niet bewaard")
        page.unroute(autosave)
        block.get_by_label(f"Motivering voor {last.code}").fill(
            f"{username}: onderbouwing {last.code}"
        )
        expect(block.get_by_role("status")).to_contain_text("Bewaard om")

    with page.expect_navigation():
        page.get_by_role("button", name="Beoordeling indienen").click()
    expect(page.get_by_text("Uw beoordeling is ingediend.")).to_be_visible()


def test_two_evaluators_score_a_dossier_and_the_chair_reaches_consensus(live_server, page, tender):
    chair = make_user("voorzitter-flow", VOORZITTER, "Voorzitter Vera")
    make_user("ev1", BEOORDELAAR, "Eva Een")
    make_user("ev2", BEOORDELAAR, "Bert Twee")
    (dossier,) = dossiers_of(tender)

    sign_in(page, live_server, chair.username)
    page.goto(live_server.url + reverse("scoring-home"))
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Toewijzing").click()
    assert_no_axe_violations(page)
    assign_segment(page, dossier.segment, "Eva Een")
    assign_segment(page, dossier.segment, "Bert Twee")
    screenshot(page, "scoring-assignments")
    assert_no_axe_violations(page)

    score_dossier(page, live_server, tender, dossier, "ev1", try_incomplete=True)
    # blind: ev1 submitted, ev2 has not: nothing of ev2 exists yet, and ev1 sees no other table
    expect(page.get_by_role("table", name="Andere beoordelaars")).to_have_count(0)
    score_dossier(page, live_server, tender, dossier, "ev2")
    expect(page.get_by_role("table", name="Andere beoordelaars").first).to_contain_text("Eva Een")
    assert_no_axe_violations(page)
    assert Score.objects.filter(submitted_at__isnull=False).count() == 2 * len(criteria_of(dossier))

    sign_in(page, live_server, chair.username)
    page.goto(
        live_server.url + reverse("scoring-consensus-overview", args=[tender.slug, "selection"])
    )
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.get_by_role(
            "link", name=f"{dossier.segment.code} – {dossier.submission.bidder.name}"
        ).click()
    side_by_side = page.get_by_role("table", name="Niveaus naast elkaar")
    expect(side_by_side).to_contain_text("Eva Een")
    expect(side_by_side).to_contain_text("bespreken")  # 0,25 against 0,75: two steps
    assert_no_axe_violations(page)
    for criterion in criteria_of(dossier):
        block = page.locator(f"#final-{criterion.pk}")
        block.get_by_label("0,75", exact=True).check()
        block.get_by_label(f"Motivering van de consensus voor {criterion.code}").fill(
            "Besproken en eens geworden"
        )
    with page.expect_navigation():
        page.get_by_role("button", name="Consensus vastleggen").click()
    expect(page.get_by_text("De consensus is vastgelegd.")).to_be_visible()
    screenshot(page, "scoring-consensus")
    assert_no_axe_violations(page)
    assert FinalLevel.objects.filter(dossier=dossier, set_by=chair).count() == len(
        criteria_of(dossier)
    )

    # the requirement review: a rejection without a reason is refused on the page
    page.goto(live_server.url + reverse("scoring-review-list", args=[tender.slug]))
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("link", name=dossier.submission.bidder.name).click()
    assert_no_axe_violations(page)
    section = page.locator("section.app-criterion", has=page.locator("form")).first
    section.get_by_label("Afkeuren", exact=True).check()
    with page.expect_navigation():
        section.get_by_role("button").click()
    expect(page.get_by_text("Geef een reden voor het afkeuren.")).to_be_visible()
    assert_no_axe_violations(page)
