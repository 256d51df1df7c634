"""Small screens (issue 18.9): at 390 px wide the main pages and the new pages of issue 18 do
not scroll sideways (a wide table scrolls inside its own focusable region, with a visible hint)
and pass axe-core (no serious or critical violation)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import INKOPER
from providers.models import DocumentKind
from providers.services import submissions as services
from providers.services.combinations import (
    combination_create,
    combination_invite,
    combination_member_decide,
)
from tests.providers.factories import uea_signed
from tests.providers.submission_support import complete_draft, open_tender, pdf_bytes, provider

from .conftest import assert_no_axe_violations, login, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zorg-Inkoop-2022!"
WIDTH = 390
# The elements that stick out on the right, for the failure message.
WIDEST = f"""() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > {WIDTH + 1}).slice(0, 8)
  .map(e => e.tagName + '.' + e.className)"""


def assert_fits(page):
    width = page.evaluate("() => document.documentElement.scrollWidth")
    wide = page.evaluate(WIDEST) if width > WIDTH else []
    assert width <= WIDTH, f"{page.url} is {width} px wide at a {WIDTH} px screen: {wide}"
    assert_no_axe_violations(page)


def sealed_combination_bid(tender):
    """A combination's sealed bid; returns the confirmed member's username."""
    lead_user, lead = provider("Penvoerder Klein")
    member_user, member = provider("Lid Klein", username="lid@klein.example", password=PASSWORD)
    combination = combination_create(tender=tender, organisation=lead, user=lead_user, name="Oost")
    invited = combination_invite(combination=combination, kvk=member.kvk, user=lead_user)
    combination_member_decide(member=invited, user=member_user, accept=True)
    uea_signed(tender=tender, organisation=member, user=member_user)
    draft = complete_draft(tender, lead_user, lead)
    services.document_upload(
        submission=draft,
        kind=DocumentKind.CONVENANT,
        name="convenant.pdf",
        data=pdf_bytes(1),
        user=lead_user,
    )
    services.submission_seal(submission=draft, user=lead_user)
    return member_user.username


def test_main_pages_fit_a_390_px_screen(browser, csp_violations, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    tender = open_tender(slug="klein-scherm")
    member = sealed_combination_bid(tender)
    staff = get_user_model().objects.create_user(username="inkoper-klein", password=PASSWORD)
    staff.groups.add(Group.objects.get_or_create(name=INKOPER)[0])
    context = new_context(browser, csp_violations, viewport={"width": WIDTH, "height": 800})
    page = context.new_page()
    try:
        page.goto(live_server.url + reverse("public-tender", args=[tender.slug]))
        assert_fits(page)
        page.goto(live_server.url + reverse("portal-email-verify", args=["bad-link"]))
        assert_fits(page)  # new page of issue 18.8 (a refused link)

        login(page, live_server, member, PASSWORD)
        page.goto(live_server.url + reverse("portal-home"))
        region = page.locator(".app-table-scroll").first
        assert region.get_attribute("tabindex") == "0"
        assert region.get_attribute("role") == "region" and region.get_attribute("aria-label")
        assert page.locator(".app-table-scroll__hint").first.is_visible()
        assert_fits(page)
        for name, args in (("portal-security", []), ("portal-member-submission", [tender.slug])):
            page.goto(live_server.url + reverse(name, args=args))  # new pages of issue 18
            assert_fits(page)

        context.clear_cookies()
        login(page, live_server, "inkoper-klein", PASSWORD)
        page.goto(live_server.url + reverse("tender-detail", args=[tender.slug]))
        assert page.locator(".app-table-scroll").count() >= 1
        assert_fits(page)
    finally:
        context.close()
