"""Issues 18.1-18.3 in a real browser: every role logs in, lands on its start page and follows
the first line to its screen; the tender page carries the timeline and the tabs; publishing
first shows its confirmation page, which cancels without publishing. The new pages pass
axe-core (no serious or critical violation), also at 390 px."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import AANBIEDER, AUDITOR, BEOORDELAAR, CONTRACTMANAGER, INKOPER, VOORZITTER
from tender.models import Tender
from tests.contracts.factories import ContractFactory, ContractSegmentFactory
from tests.evaluation.scoring_support import assign, dossiers_of, load_small
from tests.providers.submission_support import open_tender, provider

from .conftest import assert_no_axe_violations, assert_no_axe_violations_narrow, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "x" * 16

#: Per role: the first line's link text and the heading of the screen it opens.
FIRST = {
    INKOPER: ("Publiceren", "Kleine aanbesteding 2022"),
    VOORZITTER: ("Bekijken", "Kleine aanbesteding 2022"),
    BEOORDELAAR: ("Belangenconflict verklaren", "Verklaring belangenconflict"),
    CONTRACTMANAGER: ("Besluiten over verlenging", "Contract C-START"),
    AUDITOR: ("Auditlog doorzoeken en controleren", "Auditlog"),
    AANBIEDER: ("Open voor inschrijving", None),
}


def user_with(role):
    user = get_user_model().objects.create_user(username=f"start-{role}", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def running_contract(dossier):
    """A running contract of the dossier's bidder whose extension decision falls due in about
    three months (ending in nine): the contract manager's first line."""
    end = timezone.localdate() + relativedelta(months=9)
    start = end - relativedelta(years=3) + timedelta(days=1)
    contract = ContractFactory(
        submission=dossier.submission, number="C-START", start_date=start, end_date=end
    )
    ContractSegmentFactory(contract=contract, dossier=dossier, start_date=start, end_date=end)
    return contract


def test_every_role_lands_on_its_start_page_and_follows_the_first_line(
    page, live_server, achterhoek_data
):
    tender = load_small(achterhoek_data, bidders=1)
    open_tender()
    evaluator = user_with(BEOORDELAAR)
    assign(dossiers_of(tender)[0], [evaluator], user_with(VOORZITTER))
    for role in (INKOPER, AUDITOR, CONTRACTMANAGER):
        user_with(role)
    running_contract(dossiers_of(tender)[0])
    provider_user, _ = provider("Zorg Start", username=f"start-{AANBIEDER}")

    for role in (INKOPER, VOORZITTER, BEOORDELAAR, CONTRACTMANAGER, AUDITOR, AANBIEDER):
        page.context.clear_cookies()
        login(page, live_server, f"start-{role}", PASSWORD)
        assert page.url == f"{live_server.url}/start/", (role, page.url)
        expect(page.get_by_role("heading", level=1)).to_have_text("Wat moet er gebeuren?")
        assert_no_axe_violations(page)
        if role == INKOPER:  # the fullest start page, at a phone's width too
            assert_no_axe_violations_narrow(page)
        action, heading = FIRST[role]
        first = page.locator("a.app-todo__action").first
        expect(first).to_have_text(action)
        with page.expect_navigation():
            first.click()
        assert page.url != f"{live_server.url}/start/"
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)

        if role == INKOPER:
            # The tender page: the timeline, then the tabs; publishing asks first.
            expect(page.locator("nav.app-tabs a[aria-current=page]")).to_have_text("Overzicht")
            assert_no_axe_violations(page)
            with page.expect_navigation():
                page.get_by_role("button", name="Publiceren", exact=True).click()
            expect(page.get_by_text("worden openbaar op de aanbestedingssite")).to_be_visible()
            assert_no_axe_violations(page)
            assert_no_axe_violations_narrow(page)
            with page.expect_navigation():
                page.get_by_role("link", name="Annuleren").click()
            assert Tender.objects.get(pk=tender.pk).state == "draft"
