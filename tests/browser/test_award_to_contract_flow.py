"""Issue 7 end to end in a real browser, on the Achterhoek demo with final rankings: staff make
and send the selection and award letters, start the standstill, handle an objection and award
definitively; the contract manager makes the contracts and the 2022 payment schedule and closes
the contracting; the buyer loads the KPI set and reads a KPI dashboard; the demo's provider (the
organisation of ``create_demo_users``) finds its letters, contract, schedule and settlement
statement in the portal, and a provider that was not selected only its selection letter.

The standstill "passes" by moving the stored end of each segment's term into the past through
the ORM (as the unit tests do) rather than with a travelling clock: the live server runs in this
process, so a moved clock would also expire the sessions and the TOTP codes of the browsers.

The downloaded PDFs are written to /tmp/screens for a human to look at (``pdftoppm -png``).
"""

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import AANBIEDER, CONTRACTMANAGER, INKOPER
from contracts.award_models import SegmentStandstill
from contracts.models import Contract
from contracts.services.kpis import (
    kpi_period_submit,
    kpi_report_save,
    kpis_for_contract,
    provider_kpi_target_set,
    reportable_periods,
)
from contracts.services.settlement import (
    production_report_save,
    settlement_approve,
    settlement_compute,
)
from evaluation.services.scenario import scenario_load
from providers.management.commands.create_demo_users import DEMO_ORGANISATION_KVK
from providers.models import Organisation, OrganisationMembership
from tests.contracts.award_support import finalise_rankings

from .conftest import SCREENS, confirm_if_asked, login, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zorg-Inkoop-2022!"
LETTERS_TIMEOUT = 300_000  # ms; a real letter takes ~1-3 s on a busy 2-core machine
NOT_SELECTED_KVK = "30000001"  # Zorggroep Berkel: not selected in any segment at seed 0


def make_user(username, role, **extra):
    # Transactional tests flush the groups of the roles migration; create them as needed.
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


#: The bidders whose letters are downloaded and read below: theirs are real WeasyPrint PDFs.
REAL_LETTERS = {NOT_SELECTED_KVK, DEMO_ORGANISATION_KVK}


@pytest.fixture
def tender(achterhoek_data):
    tender = scenario_load(data=achterhoek_data)
    finalise_rankings(tender)
    return tender


@pytest.fixture(autouse=True)
def real_pdf_only_for_downloaded_letters(monkeypatch):
    """The letters of the bidders in ``REAL_LETTERS`` are real PDFs (WeasyPrint, in the live
    server's thread: the eager letter task runs in the request); the other 49 of the demo's 52
    are their HTML, as in the contracts tests' ``fast_pdf``: every record, reference and hash
    is made as always, at a sixth of the time."""
    from django.template.loader import render_to_string

    from contracts.services import awards

    real = awards.render_to_pdf

    def render(template_name, context):
        if context["letter"].bidder.kvk in REAL_LETTERS:
            return real(template_name, context)
        return render_to_string(template_name, context).encode()

    monkeypatch.setattr(awards, "render_to_pdf", render)


@pytest.fixture
def new_page(browser, csp_violations):
    """A page in a browser context of its own (one logged-in user per context)."""
    contexts = []

    def make():
        context = new_context(browser, csp_violations)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def click(scope, role, name, page=None, timeout=None):
    """Click a link or button in ``scope`` (a page or a part of it) and wait for the page."""
    page = page or scope
    with page.expect_navigation(timeout=timeout):
        scope.get_by_role(role, name=name, exact=True).click(timeout=timeout)
    confirm_if_asked(page, timeout)


def alert(page, text):
    expect(page.get_by_text(text)).to_be_visible()


def download(page, link, name):
    """Fetch the link's target with the page's session; keep it in /tmp/screens."""
    response = page.request.get(link.evaluate("a => a.href"))
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    SCREENS.mkdir(parents=True, exist_ok=True)
    (SCREENS / f"i3-{name}.pdf").write_bytes(body)
    return body


def make_letters(page, phase_heading, count):
    section = page.locator("section", has=page.get_by_role("heading", name=phase_heading))
    # The eager letter task runs in the request (``real_pdf_only_for_downloaded_letters``).
    started = time.monotonic()
    click(section, "button", f"Brieven maken ({count})", page, timeout=LETTERS_TIMEOUT)
    print(f"{count} letters made in {time.monotonic() - started:.1f} s")
    alert(page, "De brieven worden gemaakt.")
    expect(section.get_by_text(f"Brieven klaar: {count} van {count}.")).to_be_visible()
    page.reload()
    return section


def test_staff_award_contract_and_provider_portal(live_server, new_page, tender, mailoutbox):
    inkoper = make_user("inkoper", INKOPER)
    manager = make_user("contractmanager", CONTRACTMANAGER)
    provider = make_user("aanbieder-berkel", AANBIEDER, email="anna@zorggroep-berkel.example")
    organisation = Organisation.objects.get(kvk=NOT_SELECTED_KVK)
    OrganisationMembership.objects.create(user=provider, organisation=organisation, is_admin=True)

    # -- buyer: from the final ranking to letters, standstill and final award ----------------
    staff = new_page()
    login(staff, live_server, "inkoper", PASSWORD)
    staff.goto(live_server.url + reverse("home"))
    click(staff, "link", tender.title)
    click(staff, "link", "Gunningsbeslissing, brieven en opschortende termijn")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Gunningsbeslissing")

    selection = make_letters(staff, "Brieven Selectiefase", 32)
    click(selection, "button", "Selectiebeslissing versturen", staff)
    alert(staff, "De brieven zijn verzonden; de inschrijvers zijn gemaild.")

    award = make_letters(staff, "Brieven Gunningsfase", 20)
    screenshot(staff, "i3-award-letters-made")
    demo_row = award.locator("tbody tr", has_text=f"({DEMO_ORGANISATION_KVK})")
    download(staff, demo_row.get_by_role("link").first, "letter-staff")
    click(award, "button", "Gunningsbeslissing versturen en opschortende termijn starten", staff)
    alert(staff, "De brieven zijn verzonden; de inschrijvers zijn gemaild.")
    status = staff.locator("dl.app-facts div", has_text="Status").locator("dd").first
    expect(status).to_have_text("Opschortende termijn")
    # Every addressee's address is mailed (the demo's contacts too), the provider's user among them.
    assert [provider.email] in [m.to for m in mailoutbox]

    segments = staff.locator("table", has=staff.locator("caption", has_text="per segment"))
    first_row = segments.locator("tbody tr").first
    segment_label = first_row.locator("th").inner_text()
    segment_code = segment_label.split()[0]
    staff.get_by_label("Segment", exact=True).select_option(label=segment_label)
    staff.get_by_label("Inschrijver", exact=True).select_option(label=str(organisation))
    staff.get_by_label("Soort", exact=True).select_option(index=0)
    staff.locator("#id_note").fill("Bezwaar tegen de puntentelling.")
    click(staff, "button", "Registreren")
    alert(staff, "Het bezwaar is geregistreerd.")
    expect(first_row).to_contain_text("1 open")

    click(staff, "button", "Definitief gunnen")
    # Every segment waits for the same end: one message names them all.
    alert(staff, f"De segmenten {segment_code}, ")
    alert(staff, "zijn nog niet definitief: de opschortende termijn loopt tot")

    # The standstill passes (see the module docstring).
    SegmentStandstill.objects.filter(segment__tender=tender).update(
        ends_at=timezone.now() - timedelta(minutes=1)
    )
    click(staff, "button", "Definitief gunnen")
    alert(staff, f"Segment {segment_code} is nog niet definitief: er loopt een bezwaar")
    staff.get_by_label("Ongegrond", exact=True).check()
    staff.get_by_label("Motivering", exact=True).fill("Ongegrond verklaard.")
    click(staff, "button", "Bezwaar afhandelen")
    alert(staff, "Het bezwaar is afgehandeld.")
    click(staff, "button", "Definitief gunnen")
    alert(staff, "Alle segmenten zijn definitief gegund.")
    expect(status).to_have_text("Gegund")
    expect(first_row).to_contain_text("afgehandeld")
    expect(first_row).to_contain_text("Definitief")
    screenshot(staff, "i3-award-final")

    # -- contract manager: contracts, the 2022 schedule, the contract PDF, closing ----------
    cm = new_page()
    login(cm, live_server, "contractmanager", PASSWORD)
    cm.goto(live_server.url + reverse("tender-detail", args=[tender.slug]))
    click(cm, "link", "Contracten en betaalschema's")
    click(cm, "button", "Contracten aanmaken")
    contracts = cm.locator("table", has=cm.locator("caption", has_text="contracten"))
    expect(contracts).to_be_visible()
    assert Contract.objects.filter(tender=tender).count() > 1
    cm.get_by_label("Jaar", exact=True).fill("2022")
    click(cm, "button", "Betaalschema berekenen en vastleggen")
    years = cm.locator("table", has=cm.locator("caption", has_text="termijnbetalingen per jaar"))
    expect(years.locator("tbody th").filter(has_text="2022")).to_have_count(1)
    screenshot(cm, "i3-contract-list")

    row = contracts.locator("tbody tr").first
    number = row.locator("th").inner_text()
    winner = Contract.objects.select_related("provider").get(number=number).provider
    expect(row).to_contain_text(f"{winner.name} ({winner.kvk})")
    # The first contract goes to the demo provider user's organisation (create_demo_users).
    assert winner.kvk == DEMO_ORGANISATION_KVK
    winner_user = make_user("aanbieder", AANBIEDER)
    OrganisationMembership.objects.create(user=winner_user, organisation=winner, is_admin=True)
    click(row, "link", number, cm)
    expect(cm.get_by_role("heading", level=1)).to_have_text(f"Contract {number}")
    expect(cm.locator("caption", has_text="Betaalschema 2022")).to_be_visible()
    screenshot(cm, "i3-contract-detail")
    download(cm, cm.get_by_role("link", name="Contract downloaden (PDF)"), "contract")

    cm.goto(live_server.url + reverse("tender-detail", args=[tender.slug]))
    click(cm, "button", "Contracten afsluiten")
    expect(cm.locator("main")).to_contain_text("Gecontracteerd")

    # -- buyer: KPI set and a dashboard with the provider's submitted values ------------------
    staff.goto(live_server.url + reverse("tender-detail", args=[tender.slug]))
    click(staff, "link", "KPI's en dashboards")
    click(staff, "button", "Standaardset KPI's laden")
    contract = Contract.objects.get(tender=tender, number=number)
    kpi = kpis_for_contract(contract).first()
    assert kpi.target is None  # the default set holds examples until staff set the targets
    provider_kpi_target_set(kpi=kpi, target=Decimal("70"), user=None)
    periods = reportable_periods(kpi, contract, timezone.localdate())[:2]
    for period, value in zip(periods, ("65", "72.5"), strict=True):
        kpi_report_save(
            contract=contract,
            kpi=kpi,
            period=period,
            value=Decimal(value),
            comment="",
            user=winner_user,
        )
        kpi_period_submit(contract=contract, period=period, user=winner_user)
    staff.reload()
    click(staff, "link", f"{number} {winner.name}")
    expect(staff.get_by_text(re.compile("streefwaarde (niet )?gehaald")).first).to_be_visible()
    screenshot(staff, "i3-kpi-dashboard")

    # A settlement of 2022, reported, computed and approved (four eyes) through the services.
    contract_segment = contract.segments.first()
    report = production_report_save(
        contract_segment=contract_segment,
        year=2022,
        realised_clients=40,
        realised_hours=Decimal("1900"),
        comment="",
        user=winner_user,
        submit=True,
    )
    settlement = settlement_compute(report=report, user=manager)
    settlement_approve(settlement=settlement, user=inkoper)

    # -- providers: letters, contract and schedule in the portal ----------------------------
    # A provider that was not selected has its selection letter only, and no contract.
    portal = new_page()
    login(portal, live_server, "aanbieder-berkel", PASSWORD)
    portal.goto(live_server.url + reverse("portal-letters"))
    letters = portal.locator("table", has=portal.locator("caption", has_text="Uw brieven"))
    selection_letter = letters.get_by_role("link", name=re.compile(r"selectiefase"))
    expect(selection_letter).to_have_count(1)
    expect(letters.get_by_role("link", name=re.compile(r"gunningsfase"))).to_have_count(0)
    download(portal, selection_letter, "selection-letter")
    portal.goto(live_server.url + reverse("portal-contracts"))
    expect(portal.locator("main")).not_to_contain_text(number)

    # A user of the contracted provider: its award letter, contract and 2022 schedule.
    portal = new_page()
    login(portal, live_server, "aanbieder", PASSWORD)
    portal.goto(live_server.url + reverse("portal-letters"))
    letters = portal.locator("table", has=portal.locator("caption", has_text="Uw brieven"))
    award_letter = letters.get_by_role("link", name=re.compile(r"gunningsfase"))
    expect(award_letter).to_have_count(1)
    screenshot(portal, "i3-portal-letters")
    download(portal, award_letter, "award-letter")

    portal.goto(live_server.url + reverse("portal-contracts"))
    click(portal, "link", number)
    expect(portal.locator("caption", has_text="Betaalschema 2022")).to_be_visible()
    screenshot(portal, "i3-portal-contract")

    portal.goto(live_server.url + reverse("portal-settlement"))
    download(portal, portal.get_by_role("link", name="Verrekenopgave (PDF)"), "settlement")
