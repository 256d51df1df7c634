"""Issue 14 end to end in a real browser: a restricted tender through both rounds. Round 1
(requests) closes at its deadline and opens with two people; the selection letters start the
selection standstill; the buyer sets the offers deadline and, once the standstill has passed,
invites the selected candidate only; round 2 opens; the candidate that was not selected gets 404
on the offer screen and the offer API; the selected one's offer (plan and bid) is sealed,
closed at the second deadline and opened with two people again; the award criterion is scored
on the plan (shown to the evaluator); the award letters go out.

The bidders' content is made through the services (the portal screens have their own browser
test); time passes by moving the stored deadlines and standstill ends into the past through
the ORM, as the other browser tests do (a travelling clock would expire the sessions)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import BEOORDELAAR, INKOPER, VOORZITTER
from contracts.models import AwardLetter, SelectionStandstill
from evaluation.models import FinalLevel, Ranking, Score
from evaluation.services.assignments import assignment_create, conflict_declare
from evaluation.services.ranking import ranking_execute, ranking_finalise
from providers.models import DocumentKind, Dossier, OfferInvitation, Submission
from providers.services import submissions as services
from tender.models import Criterion, Segment, Tender
from tests.providers.submission_support import complete_draft, pdf_bytes, provider

from .conftest import confirm_if_asked, login, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zorg-Inkoop-2027!"
PLAN = "plan-van-aanpak-JH-DYS.pdf"


def make_user(username, role):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def new_page(browser, csp_violations):
    contexts = []

    def make():
        context = new_context(browser, csp_violations)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def fast_letters(monkeypatch):
    from django.template.loader import render_to_string

    monkeypatch.setattr(
        "contracts.services.awards.render_to_pdf",
        lambda template, context: render_to_string(template, context).encode(),
    )


#: An opening writes its proces-verbaal (WeasyPrint) in the request: slow on a busy machine.
SLOW = 120_000


def click(page, role, name, scope=None):
    with page.expect_navigation(timeout=SLOW):
        (scope or page).get_by_role(role, name=name, exact=True).click(timeout=SLOW)
    confirm_if_asked(page, SLOW)


def alert(page, text):
    expect(page.get_by_text(text).first).to_be_visible()


def status_is(page, text):
    status = page.locator("dl.app-facts div", has_text="Status").locator("dd").first
    expect(status).to_have_text(text)


def _final_levels(dossier, phase, level):
    for criterion in Criterion.objects.filter(segment=dossier.segment, phase=phase):
        FinalLevel.objects.create(
            dossier=dossier, criterion=criterion, level=Decimal(level), rationale="Consensus"
        )


def _finalise(tender, phase, chair):
    ranking = Ranking.objects.create(tender=tender, phase=phase, seed=0)
    ranking_execute(ranking_id=ranking.pk)
    ranking_finalise(ranking=ranking, user=chair)


def test_restricted_tender_through_both_rounds(live_server, new_page, media, settings):
    settings.EVALUATORS_PER_DOSSIER = 1
    from tests.providers.submission_support import open_tender

    tender = open_tender(slug="twee-rondes-2027")
    segment = Segment.objects.get(tender=tender, code="JH-DYS")
    Segment.objects.filter(pk=segment.pk).update(places=1, coverage_k=0)
    Criterion.objects.create(
        segment=segment, code="G1", name="Plan van aanpak", phase="award", max_points=40
    )
    selected_user, selected = provider("Zorg Geselecteerd", username="geselecteerd")
    other_user, other = provider("Zorg Afgewezen", username="afgewezen")
    for user in (selected_user, other_user):
        user.set_password(PASSWORD)
        user.save()
    requests = {
        org: services.submission_seal(submission=complete_draft(tender, user, org), user=user)
        for user, org in ((selected_user, selected), (other_user, other))
    }
    make_user("inkoper", INKOPER)
    chair = make_user("voorzitter", VOORZITTER)
    evaluator = make_user("beoordelaar", BEOORDELAAR)

    staff, second = new_page(), new_page()
    login(staff, live_server, "inkoper", PASSWORD)
    login(second, live_server, "voorzitter", PASSWORD)
    detail = live_server.url + reverse("tender-detail", args=[tender.slug])
    award_page = live_server.url + reverse("award-decision", args=[tender.slug])

    # -- round 1: the first deadline passes; closing and the four-eyes opening -------------
    Tender.objects.filter(pk=tender.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    staff.goto(detail)
    expect(staff.locator("[aria-current=step]")).to_contain_text("Verzoeken tot deelneming open")
    click(staff, "button", "Verzoeken tot deelneming sluiten")
    click(staff, "button", "Opening verzoeken bevestigen")
    alert(staff, "Een tweede persoon moet de opening bevestigen.")
    second.goto(detail)
    click(second, "button", "Opening verzoeken bevestigen")
    alert(second, "De ronde is geopend")
    status_is(second, "Verzoeken tot deelneming geopend")

    # -- selection: levels, the final ranking, letters and the selection standstill -------
    for org, level in ((selected, "1"), (other, "0.25")):
        _final_levels(requests[org].dossiers.get(), "selection", level)
    _finalise(tender, "selection", chair)
    click(second, "button", "Selectiefase starten")
    staff.goto(award_page)
    section = staff.locator(
        "section", has=staff.get_by_role("heading", name="Brieven Selectiefase")
    )
    click(staff, "button", "Brieven maken (2)", section)
    staff.reload()
    section = staff.locator(
        "section", has=staff.get_by_role("heading", name="Brieven Selectiefase")
    )
    click(staff, "button", "Selectiebeslissing versturen", section)
    alert(staff, "De brieven zijn verzonden")
    assert AwardLetter.objects.filter(phase="selection", sent_at__isnull=False).count() == 2
    staff.goto(detail)
    status_is(staff, "Opschortende termijn selectie")

    # -- between the rounds: the offers deadline, the invitation after the standstill ------
    offers_deadline = timezone.localtime(timezone.now() + timedelta(days=20))
    staff.get_by_label("Sluitingstermijn inschrijvingen (tweede ronde)").fill(
        offers_deadline.strftime("%Y-%m-%dT%H:%M")
    )
    click(staff, "button", "Instellen")
    alert(staff, "De sluitingstermijn van de inschrijvingen is ingesteld.")
    staff.goto(award_page)
    expect(staff.get_by_text("De opschortende termijn van de selectie loopt tot")).to_be_visible()
    SelectionStandstill.objects.filter(segment=segment).update(
        ends_at=timezone.now() - timedelta(minutes=1)
    )
    staff.reload()
    click(staff, "button", "Geselecteerden uitnodigen tot inschrijving")
    alert(staff, "1 kandidaat is uitgenodigd tot inschrijving.")
    assert [i.organisation for i in OfferInvitation.objects.all()] == [selected]
    staff.goto(detail)
    click(staff, "button", "Inschrijving openstellen")
    status_is(staff, "Inschrijving open")
    screenshot(staff, "i14-offers-open")

    # -- round 2: the candidate not selected gets 404, the selected one hands in an offer --
    outsider = new_page()
    login(outsider, live_server, "afgewezen", PASSWORD)
    offer_screen = live_server.url + reverse("portal-submission", args=[tender.slug])
    assert outsider.goto(offer_screen).status == 404
    api = outsider.request.get(f"{live_server.url}/api/v1/portal/tenders/{tender.slug}/submission/")
    assert api.status == 404
    invited = new_page()
    login(invited, live_server, "geselecteerd", PASSWORD)
    invited.goto(live_server.url + reverse("portal-tender", args=[tender.slug]))
    expect(
        invited.get_by_text("U bent geselecteerd en uitgenodigd tot inschrijving")
    ).to_be_visible()
    assert invited.goto(offer_screen).status == 200

    draft = complete_draft(tender, selected_user, selected)
    services.document_upload(
        submission=draft,
        kind=DocumentKind.DOSSIER,
        name=PLAN,
        data=pdf_bytes(2),
        user=selected_user,
        segment=segment,
    )
    offer = services.submission_seal(submission=draft, user=selected_user)
    assert offer.round == "offer"

    # -- round 2 closes at its own deadline and opens with two people again ---------------
    Tender.objects.filter(pk=tender.pk).update(
        offers_deadline=timezone.now() - timedelta(minutes=1)
    )
    staff.goto(detail)
    click(staff, "button", "Inschrijving sluiten")
    click(staff, "button", "Opening inschrijvingen bevestigen")
    alert(staff, "Een tweede persoon moet de opening bevestigen.")
    second.goto(detail)
    click(second, "button", "Opening inschrijvingen bevestigen")
    status_is(second, "Inschrijvingen geopend")
    assert not Submission.objects.filter(pk=offer.pk, envelope__isnull=False).exists()

    # -- award: scored on the plan; the award ranking takes the offer; letters ------------
    click(second, "button", "Gunningsfase starten")
    dossier = Dossier.objects.get(submission=offer)
    assignment_create(dossier=dossier, user=evaluator, assigned_by=chair)
    conflict_declare(dossier=dossier, user=evaluator, has_conflict=False, note="")
    scorer = new_page()
    login(scorer, live_server, "beoordelaar", PASSWORD)
    scorer.goto(
        live_server.url + reverse("scoring-dossier", args=[tender.slug, "award", dossier.pk])
    )
    expect(scorer.get_by_text(PLAN).first).to_be_visible()
    expect(scorer.get_by_text("Plan van aanpak").first).to_be_visible()
    scorer.get_by_role("group", name="Niveau voor G1").get_by_role("radio").nth(3).check()
    scorer.get_by_label("Motivering voor G1").fill("Het plan is concreet en toetsbaar.")
    screenshot(scorer, "i14-award-scoring-on-the-plan")
    click(scorer, "button", "Beoordeling indienen")
    assert Score.objects.filter(dossier=dossier, submitted_at__isnull=False).count() == 1
    _final_levels(dossier, "award", "0.75")
    _finalise(tender, "award", chair)
    staff.goto(award_page)
    section = staff.locator(
        "section", has=staff.get_by_role("heading", name="Brieven Gunningsfase")
    )
    click(staff, "button", "Brieven maken (1)", section)
    staff.reload()
    section = staff.locator(
        "section", has=staff.get_by_role("heading", name="Brieven Gunningsfase")
    )
    click(staff, "button", "Gunningsbeslissing versturen en opschortende termijn starten", section)
    alert(staff, "De brieven zijn verzonden")
    staff.goto(detail)
    status_is(staff, "Opschortende termijn")
    assert list(
        AwardLetter.objects.filter(phase="award").values_list("bidder__kvk", flat=True)
    ) == [selected.kvk]
