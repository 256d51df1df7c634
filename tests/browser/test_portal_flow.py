"""The provider's whole road in a real browser (issue 5): a new provider registers from the
login page, forms a combination with a second organisation that confirms, both sign their UEA,
the lead fills in and uploads its submission, submits it and downloads the receipt. The receipt
(page and PDF) shows the SHA-256 of exactly the bytes that were uploaded. The registration
page, the submission overview and the receipt pass axe-core."""

import hashlib
import io
import re

import pytest
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.providers.submission_support import docx_bytes, open_tender, pdf_bytes
from tests.tender.communication_helpers import make_provider

from .conftest import (
    SCREENS,
    assert_no_axe_violations,
    assert_no_axe_violations_narrow,
    confirm_if_asked,
    login,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Zorg-Inkoop-2027!"
LEAD_KVK = "61234567"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def submit(page, name):
    """Click a submit button and wait for the page the server answers with (confirming an
    irreversible action on its confirmation page)."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    confirm_if_asked(page)


def register(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    with page.expect_navigation():
        page.get_by_role("link", name="Registreer uw organisatie").click()
    assert page.url == f"{live_server.url}/portaal/registreren/"
    screenshot(page, "portal-flow-01-register")
    assert_no_axe_violations(page)
    for label, value in [
        ("KvK-nummer", LEAD_KVK),
        ("Naam van de organisatie", "Jeugdzorg De Linde"),
        ("Adres", "Lindelaan 1"),
        ("Postcode", "7001 AB"),
        ("Plaats", "Doetinchem"),
        ("Telefoonnummer", "0314 123456"),
        ("Contactpersoon voor aanbestedingen", "Anna de Linde"),
        ("E-mailadres contactpersoon", "aanbesteding@delinde.example"),
        ("Uw voornaam", "Anna"),
        ("Uw achternaam", "de Linde"),
        ("Uw e-mailadres", "anna@delinde.example"),
        ("Wachtwoord", PASSWORD),
        ("Herhaal het wachtwoord", PASSWORD),
    ]:
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("AGB-code").fill("12345678")  # its label says "(niet verplicht)"
    page.get_by_label("Rechtsvorm", exact=True).select_option("stichting")
    submit(page, "Registreren")
    assert "/portaal/" in page.url and "/registreren/" not in page.url, page.url
    expect(page.get_by_text("Jeugdzorg De Linde is geregistreerd")).to_be_visible()
    # The address is confirmed through the mailed link before the provider can submit.
    link = re.search(r"/portaal/e-mail-bevestigen/[^/\s]+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + link)
    expect(page.get_by_text("Uw e-mailadres is bevestigd.")).to_be_visible()


def fill_and_sign_uea(page, live_server, slug, signer):
    """Every question through the form: 'nee' to Deel II and the exclusion grounds (Deel III),
    'ja' to the selection statements (Deel IV), text in every text field (explanations are only
    needed for the other answers), then the signer, and sign."""
    page.goto(f"{live_server.url}/portaal/aanbestedingen/{slug}/uea/")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Ondertekenen"))
    names = form.locator("input[type=radio]").evaluate_all(
        "els => [...new Set(els.map(e => e.name))]"
    )
    assert len(names) > 15, names
    for name in names:
        value = "ja" if name.startswith("iv_") else "nee"
        form.locator(f"input[type=radio][name='{name}'][value='{value}']").check()
    texts = form.locator("input[type=text], textarea")
    for index in range(texts.count()):
        field = texts.nth(index)
        name = field.get_attribute("name")
        if name.endswith("__explanation") or name in ("signer_name", "signer_role"):
            continue
        field.fill("Doetinchem" if name == "signed_place" else f"Antwoord op {name}")
    form.get_by_label("Naam ondertekenaar").fill(signer)
    form.get_by_label("Functie ondertekenaar").fill("Bestuurder")
    submit(page, "Ondertekenen")
    expect(page.get_by_text("De verklaring is ondertekend.")).to_be_visible()


def upload(page, label, name, data, mime):
    page.get_by_label(label, exact=True).set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )
    form = page.locator("form.app-upload-form").filter(has=page.get_by_label(label, exact=True))
    with page.expect_navigation():
        form.get_by_role("button", name="Uploaden").click()
    expect(page.get_by_text(f"{name} is versleuteld opgeslagen.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=f"{name} (")).to_be_visible()


def test_new_provider_registers_submits_as_combination_and_the_receipt_hashes_match(
    live_server, browser, page, media
):
    tender = open_tender(slug="inkoop-2027")
    slug = tender.slug
    partner_user = make_provider("Partner Zorg", username="partner", password=PASSWORD)
    partner_kvk = partner_user.organisation_membership.organisation.kvk

    # 1-2. The new provider registers from the login page and lands in the portal.
    register(page, live_server)

    # An API token from the portal menu: the key is shown once, the list keeps its prefix.
    with page.expect_navigation():
        page.get_by_role("link", name="API-tokens").click()
    page.get_by_label("Naam van het token").fill("Koppeling administratie")
    submit(page, "Token aanmaken")
    key = page.get_by_label("Sleutel").input_value()
    expect(page.get_by_role("rowheader", name="Koppeling administratie")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(page.url)  # a new GET, not the POST again
    expect(page.get_by_label("Sleutel")).to_have_count(0)
    expect(page.get_by_role("cell", name=f"{key[:8]}…")).to_be_visible()

    # 3. The tender in the portal; a combination; Partner invited by KvK.
    page.goto(f"{live_server.url}/portaal/")
    with page.expect_navigation():
        page.get_by_role("link", name=tender.title).click()
    assert page.url.endswith(f"/portaal/aanbestedingen/{slug}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Combinatie en uitnodigingen").click()
    page.get_by_label("Naam van de combinatie").fill("Combinatie De Linde en Partner")
    submit(page, "Combinatie vormen")
    expect(page.get_by_text("De combinatie is aangemaakt.")).to_be_visible()
    page.get_by_label("KvK-nummer van de organisatie").fill(partner_kvk)
    submit(page, "Uitnodigen")
    expect(page.get_by_text("Partner Zorg is uitgenodigd.")).to_be_visible()
    expect(page.get_by_role("cell", name="Uitgenodigd, wacht op bevestiging")).to_be_visible()

    # Partner's admin, in a browser of its own, confirms and signs its UEA.
    partner_context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    partner_context.set_default_timeout(15_000)
    try:
        partner = partner_context.new_page()
        login(partner, live_server, "partner", PASSWORD)
        partner.goto(f"{live_server.url}/portaal/aanbestedingen/{slug}/combinatie/")
        expect(
            partner.get_by_text("Jeugdzorg De Linde (KvK 61234567) nodigt u uit")
        ).to_be_visible()
        submit(partner, "Deelname bevestigen")
        expect(partner.get_by_text("U neemt deel aan de combinatie.")).to_be_visible()
        fill_and_sign_uea(partner, live_server, slug, "Piet Partner")
    finally:
        partner_context.close()

    page.reload()
    expect(page.get_by_text("Alle leden hebben deelname bevestigd.")).to_be_visible()
    screenshot(page, "portal-flow-02-combination")
    fill_and_sign_uea(page, live_server, slug, "Anna de Linde")
    screenshot(page, "portal-flow-03-uea-signed")

    # 4. The submission: segment, requirements, municipalities, the bid, documents.
    page.goto(f"{live_server.url}/portaal/aanbestedingen/{slug}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Naar uw inschrijving").click()
    submit(page, "Inschrijving starten")
    page.get_by_label("JH-DYS Dyslexie (Jeugdhulp)").check()
    submit(page, "Segmenten opslaan")

    general = page.locator("#eisen form").first
    general.get_by_role("group", name="AM1: Geen uitsluitingsgronden").get_by_label(
        "Ja, wij voldoen"
    ).check()
    with page.expect_navigation():
        general.get_by_role("button", name="Antwoorden opslaan").click()

    section = page.locator("#segment-JH-DYS form").first
    section.get_by_role("group", name="JH-M1: Twee jaar ervaring").get_by_label(
        "Ja, wij voldoen"
    ).check()
    section.get_by_label("Doetinchem").check()
    # a restricted request asks no bid: the bid belongs to the offer (round 2)
    expect(section.get_by_label("Cliënten per jaar")).to_have_count(0)
    with page.expect_navigation():
        section.get_by_role("button", name="Segment JH-DYS opslaan").click()

    files = {
        "dossier-de-linde.pdf": pdf_bytes(3, marker=b"DOSSIER-DE-LINDE"),
        "referentie-gemeente.docx": docx_bytes(marker=b"REFERENTIE-DE-LINDE"),
        "samenwerkingsovereenkomst.pdf": pdf_bytes(1, marker=b"CONVENANT-DE-LINDE"),
    }
    upload(
        page,
        "Bekwaamheidsdossier JH-DYS",
        "dossier-de-linde.pdf",
        files["dossier-de-linde.pdf"],
        "application/pdf",
    )
    upload(
        page,
        "Referentie JH-DYS",
        "referentie-gemeente.docx",
        files["referentie-gemeente.docx"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    upload(
        page,
        "Concept-samenwerkingsovereenkomst",
        "samenwerkingsovereenkomst.pdf",
        files["samenwerkingsovereenkomst.pdf"],
        "application/pdf",
    )

    checklist = page.locator("#checklist-items")
    expect(checklist).to_contain_text("Alles is ingevuld: u kunt indienen.")
    expect(checklist.get_by_text("Nog doen:")).to_have_count(0)
    screenshot(page, "portal-flow-04-overview")
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Inschrijving indienen").click()

    # 4b. Sealing first shows the whole submission read-only, every file with its hash
    # (issue 18.3); only the confirming button seals.
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    review = page.locator("table", has=page.locator("caption", has_text="bestanden, samen"))
    for name, digest in hashes.items():
        row = review.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))
        expect(row.locator("code")).to_have_text(digest)
    expect(page.get_by_text("Dit kunt u niet ongedaan maken.")).to_be_visible()
    screenshot(page, "portal-flow-04b-seal-review")
    assert_no_axe_violations(page)
    assert_no_axe_violations_narrow(page)
    submit(page, "Ja, inschrijving indienen")

    # 5. The receipt page and its PDF show the hash of every uploaded file.
    assert re.search(rf"/portaal/aanbestedingen/{slug}/inschrijving/ontvangstbewijs/1/$", page.url)
    expect(page.get_by_text("Uw inschrijving is ontvangen en verzegeld.")).to_be_visible()
    table = page.get_by_role("table", name="Elk document met de SHA-256-hash")
    for name, digest in hashes.items():
        row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))
        expect(row.locator("code")).to_have_text(digest)
    screenshot(page, "portal-flow-05-receipt")
    assert_no_axe_violations(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Ontvangstbewijs downloaden (PDF)").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    download.save_as(SCREENS / "portal-flow-receipt.pdf")  # for a human to look at
    data = download.path().read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    flat = re.sub(r"\s+", "", text)
    for name, digest in hashes.items():
        assert digest in flat, f"{name}: {digest} not in the receipt PDF"
    whole = page.locator("dt", has_text="SHA-256 van de hele inschrijving").locator("+ dd")
    assert whole.inner_text().strip() in flat
