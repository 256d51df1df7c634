"""Issue 14, point 4 end to end in a real browser: an Open House tender with two applications
received on different days (their receipt times moved back through the ORM: a travelling
clock would also expire the browsers' sessions and TOTP codes). Two staff members open the
first batch (four-eyes); the chair reviews both applications on the admission screens, admits
one and rejects the other (a threshold missed); the rejected provider applies again, a second
batch is opened and it is admitted. Both get letters (the rejection stays on record); both
admitted providers get a running contract; the provider finds its letters in the portal.

The applications themselves are made through the services, as the portal does (the portal's
own flow is ``test_portal_flow``)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import INKOPER, VOORZITTER
from contracts.models import AdmissionLetter, Contract, ContractState
from providers.models import Submission
from providers.services import submissions as services
from tender.models import Criterion, Segment
from tests.providers.submission_support import complete_draft, open_tender, provider

from .conftest import login, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "x" * 16


def staff_user(username, role):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def house(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    tender = open_tender(slug="wmo-open-house")
    tender.procedure = "open_house"
    tender.state = "admission_open"
    tender.admission_start = timezone.now() - dt.timedelta(days=10)
    tender.save()
    segment = Segment.objects.get(tender=tender, code="JH-DYS")
    segment.min_total = Decimal("30")
    segment.start_date = dt.date(2027, 1, 1)
    segment.save()
    Criterion.objects.filter(segment=segment, code="A").update(min_level=Decimal("0.5"))
    return tender


def apply(tender, user, organisation, days_ago):
    draft = complete_draft(tender, user, organisation)
    sealed = services.submission_seal(submission=draft, user=user)
    moved = sealed.submitted_at - dt.timedelta(days=days_ago)
    Submission.objects.filter(pk=sealed.pk).update(submitted_at=moved)
    return sealed


def open_batch(first, second, url):
    for page in (first, second):
        page.goto(url)
        with page.expect_navigation():
            page.locator("form[action$='/toelating/batch/'] button").click()
    expect(second.locator(".utrecht-alert, [role=status]").first).to_contain_text("geopend")


def review_and_decide(page, url, name, level):
    page.goto(url)
    with page.expect_navigation():
        page.get_by_role("link", name=name).last.click()
    for code in ("AM1", "JH-M1"):
        with page.expect_navigation():
            page.get_by_test_id(f"accept-{code}").click()
    page.locator("select[name^='level-']").select_option(level)
    with page.expect_navigation():
        page.get_by_role("button", name="Niveaus vastleggen").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Besluiten en brief maken").click()
    return page.get_by_test_id("outcome")


def test_open_house_admits_on_a_rolling_basis(browser, csp_violations, live_server, house):
    user_a, org_a = provider("Thuiszorg Oost", password=PASSWORD)
    user_b, org_b = provider("Zorg Noord", password=PASSWORD)
    apply(house, user_a, org_a, days_ago=3)  # day 1
    apply(house, user_b, org_b, days_ago=2)  # day 2
    staff_user("inkoper-oh", INKOPER)
    staff_user("voorzitter-oh", VOORZITTER)
    contexts = [new_context(browser, csp_violations) for _ in range(3)]
    buyer, chair, portal = (c.new_page() for c in contexts)
    try:
        login(buyer, live_server, "inkoper-oh", PASSWORD)
        login(chair, live_server, "voorzitter-oh", PASSWORD)
        admission = f"{live_server.url}/aanbestedingen/{house.slug}/toelating/"

        # Nothing of the applications shows before the opening; the buyer confirms first.
        buyer.goto(admission)
        expect(buyer.locator("main")).not_to_contain_text("Thuiszorg Oost")
        open_batch(buyer, chair, admission)

        expect(review_and_decide(chair, admission, "Thuiszorg Oost", "0.75")).to_have_text(
            "Toegelaten"
        )
        expect(review_and_decide(chair, admission, "Zorg Noord", "0.25")).to_have_text("Afgewezen")
        expect(chair.locator("main")).to_contain_text("onder minimumscore")

        # The rejected provider applies again (a new version) and is admitted from batch 2.
        again = apply(house, user_b, org_b, days_ago=0)
        assert again.version == 2
        open_batch(buyer, chair, admission)
        chair.goto(admission)
        expect(chair.locator("main")).to_contain_text("Afgewezen")  # the first stays
        expect(review_and_decide(chair, admission, "Zorg Noord", "1")).to_have_text("Toegelaten")

        letters = AdmissionLetter.objects.filter(submission__tender=house)
        assert sorted((lt.submission.bidder.name, lt.admitted) for lt in letters) == [
            ("Thuiszorg Oost", True),
            ("Zorg Noord", False),
            ("Zorg Noord", True),
        ]
        contracts = Contract.objects.filter(tender=house).order_by("provider__name")
        assert [(c.provider.name, c.state) for c in contracts] == [
            ("Thuiszorg Oost", ContractState.ACTIVE),
            ("Zorg Noord", ContractState.ACTIVE),
        ]
        assert contracts[1].submission_id == again.pk

        # The provider finds both its letters in the portal and downloads one.
        login(portal, live_server, user_b.username, PASSWORD)
        portal.goto(f"{live_server.url}/portaal/brieven/")
        expect(portal.locator("main")).to_contain_text("afgewezen")
        expect(portal.locator("main")).to_contain_text("toegelaten")
        href = portal.get_by_role("link", name="-v1").get_attribute("href")
        response = portal.request.get(f"{live_server.url}{href}")
        assert response.status == 200 and response.body().startswith(b"%PDF")
    finally:
        for context in contexts:
            context.close()
