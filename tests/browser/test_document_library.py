"""The document library in a real browser: an inkoper uploads a leidraad for the registered
candidates (the mail goes out, the provider's portal lists it, an anonymous visitor gets a 404
on it), then a public document that appears on the public page, then a new version of it that
supersedes the old one (listed as vervallen). The new pages pass axe-core."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import INKOPER
from communication.models import TenderDocument
from communication.services.questions import question_ask
from providers.selectors import organisation_of
from tests.providers.submission_support import pdf_bytes
from tests.tender.communication_helpers import build_tender, make_provider

from .conftest import assert_no_axe_violations, login, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zorg-Inkoop-2022!"


def upload(page, *, title, category, audience, name, replaces=None):
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Categorie").select_option(label=category)
    page.get_by_label("Doelgroep").select_option(label=audience)
    if replaces:
        page.get_by_label("Nieuwe versie van").select_option(label=replaces)
    page.get_by_label("Bestand").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Document opslaan").click()
    expect(page.get_by_text("Het document is opgeslagen.")).to_be_visible()


def test_staff_publish_a_leidraad_to_registered_candidates_and_a_public_document_with_versions(
    live_server, browser, page, csp_violations
):
    tender = build_tender()
    inkoper = get_user_model().objects.create_user(username="inkoper-docs", password=PASSWORD)
    inkoper.groups.add(Group.objects.get_or_create(name=INKOPER)[0])
    provider = make_provider("Zorg Oost", email="oost@zorg.example", password=PASSWORD)
    question_ask(
        tender=tender, organisation=organisation_of(provider), user=provider, text="Mag dit?"
    )

    login(page, live_server, "inkoper-docs", PASSWORD)
    page.goto(live_server.url + reverse("communication-hub", args=[tender.slug]))
    with page.expect_navigation():
        page.get_by_role("link", name="Documenten").click()
    assert_no_axe_violations(page)
    upload(
        page,
        title="Leidraad selectiefase",
        category="Leidraad selectiefase",
        audience="Geregistreerde gegadigden",
        name="leidraad.pdf",
    )
    leidraad = TenderDocument.objects.get(title="Leidraad selectiefase")
    assert [m.to for m in mail.outbox] == [["oost@zorg.example"]]
    assert "Leidraad selectiefase" in mail.outbox[0].subject
    screenshot(page, "documents-staff")
    assert_no_axe_violations(page)

    # the provider's portal lists it and downloads it; an anonymous visitor gets a 404
    context = new_context(browser, csp_violations)
    provider_page = context.new_page()
    try:
        login(provider_page, live_server, provider.username, PASSWORD)
        provider_page.goto(live_server.url + reverse("portal-tender", args=[tender.slug]))
        link = provider_page.get_by_role("link", name="Leidraad selectiefase (downloaden)")
        expect(link).to_be_visible()
        assert_no_axe_violations(provider_page)
        response = provider_page.request.get(live_server.url + link.get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    finally:
        context.close()
    anonymous = new_context(browser, csp_violations)
    try:
        for name in ("public-document", "portal-document"):
            url = live_server.url + reverse(name, args=[tender.slug, leidraad.pk])
            response = anonymous.request.get(url, max_redirects=0)
            assert response.status in (302, 404), (name, response.status)
            assert response.headers["content-type"] != "application/pdf"
        assert (
            anonymous.request.get(
                live_server.url + reverse("public-document", args=[tender.slug, leidraad.pk])
            ).status
            == 404
        )
    finally:
        anonymous.close()

    # a public document, then its new version
    upload(page, title="Visie", category="Visie", audience="Openbaar", name="visie.pdf")
    upload(
        page,
        title="Visie",
        category="Visie",
        audience="Openbaar",
        name="visie-v2.pdf",
        replaces="Visie (versie 1)",
    )
    public = new_context(browser, csp_violations)
    try:
        public_page = public.new_page()
        public_page.goto(live_server.url + reverse("public-tender", args=[tender.slug]))
        rows = public_page.locator("#documenten-tabel tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.filter(has_text="vervallen")).to_have_count(1)
        expect(rows.filter(has_text="vervallen")).to_contain_text("1")
        expect(public_page.locator("#documenten-tabel")).not_to_contain_text("Leidraad")
        expect(public_page.get_by_text("Perceel JH: Jeugdhulp")).to_be_visible()
        screenshot(public_page, "documents-public")
        assert_no_axe_violations(public_page)
    finally:
        public.close()
