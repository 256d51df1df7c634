"""Builders for the submission tests: a tender open for submissions with requirements, provider
users, real PDF/DOCX/XLSX bytes, and a complete draft."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from providers.models import DocumentKind, Organisation, UEADeclaration
from providers.services import submissions as services
from tender.models import Criterion, Municipality, Requirement, Segment, Tender
from tests.tender.communication_helpers import build_tender, make_provider

MARKER = b"GEHEIM-BEKWAAMHEIDSDOSSIER-INHOUD"


def pdf_bytes(pages: int = 1, marker: bytes = MARKER) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Subject": marker.decode()})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_bytes(marker: bytes = MARKER) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", b"<w:document>" + marker + b"</w:document>")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "referentie"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def open_tender(slug="inkoop-2027", procedure="restricted", **kwargs):
    """A tender open for submissions: two segments (JH-DYS, WMO-BG) on one municipality, a
    general requirement AM1 and a segment requirement for JH-DYS. Restricted (open for the
    requests, which carry no bid) unless ``procedure="open"`` (open for the offers)."""
    if procedure == "restricted":
        tender = build_tender(slug=slug, state="requests_open", **kwargs)
    else:
        tender = build_tender(slug=slug, state="offers_open", **kwargs)
        Tender.objects.filter(pk=tender.pk).update(procedure=procedure)
        tender.refresh_from_db()
    segment = Segment.objects.get(tender=tender, code="JH-DYS")
    Criterion.objects.create(
        segment=segment, code="A", name="Kennis", phase="selection", max_points=Decimal("60")
    )
    Requirement.objects.create(tender=tender, code="AM1", text="Geen uitsluitingsgronden")
    Requirement.objects.create(
        tender=tender, segment=segment, code="JH-M1", text="Twee jaar ervaring", position=1
    )
    return tender


def provider(name="Zorg Noord", **kwargs):
    user = make_provider(name, **kwargs)
    return user, user.organisation_membership.organisation


def draft_with_bid(tender, user, organisation: Organisation, *, clients, months, hours):
    """A new draft for segment JH-DYS through the services: every requirement answered yes,
    every municipality of the tender, and the bid figures given. Returns (draft, segment)."""
    draft = services.submission_start(tender=tender, organisation=organisation, user=user)
    segment = Segment.objects.get(tender=tender, code="JH-DYS")
    services.submission_segments_set(submission=draft, segments=[segment], user=user)
    answers = {r: True for r in Requirement.objects.filter(tender=tender)}
    services.submission_answers_save(submission=draft, answers=answers, user=user)
    bid = (
        {"bid_clients": clients, "bid_months": months, "bid_hours_per_month": hours}
        if draft.carries_bid
        else {}  # a restricted request carries no bid (refused)
    )
    services.dossier_save(
        submission=draft,
        segment=segment,
        user=user,
        municipality_codes=[m.code for m in Municipality.objects.filter(lots__tender=tender)],
        specialisms=[],
        **bid,
    )
    return draft, segment


def complete_draft(tender, user, organisation: Organisation):
    """A draft with everything the checklist asks for segment JH-DYS (and the bidder's signed
    UEA)."""
    from tests.providers.factories import uea_signed

    if not UEADeclaration.objects.filter(
        tender=tender, organisation=organisation, signed_at__isnull=False
    ).exists():
        uea_signed(tender=tender, organisation=organisation, user=user)
    draft, segment = draft_with_bid(
        tender, user, organisation, clients=12, months=Decimal("6.5"), hours="4,25"
    )
    services.document_upload(
        submission=draft,
        kind=DocumentKind.DOSSIER,
        name="dossier.pdf",
        data=pdf_bytes(3),
        user=user,
        segment=segment,
    )
    services.document_upload(
        submission=draft,
        kind=DocumentKind.REFERENCE,
        name="referentie.docx",
        data=docx_bytes(),
        user=user,
        segment=segment,
    )
    return draft


def staff(username, role):
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username=username, password="x" * 16)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def open_bids(tender):
    """The tender opened as the four-eyes opening leaves it: the state, and the sealed
    envelopes decrypted into the plain columns (``submission_envelopes_open``)."""
    from providers.services.envelopes import submission_envelopes_open

    tender.state = "requests_opened"
    tender.save(update_fields=["state"])
    submission_envelopes_open(tender=tender, user=None)


def spooled(name: str, plaintext: bytes, piece: int = 100):
    """The uploaded file a view gets for a file above the memory limit: fed to the encrypting
    upload handler in pieces, as Django's multipart parser does."""
    from providers.upload_handlers import EncryptingUploadHandler

    handler = EncryptingUploadHandler()
    handler.new_file("file", name, "application/octet-stream", len(plaintext))
    for start in range(0, len(plaintext), piece):
        handler.receive_data_chunk(plaintext[start : start + piece], start)
    return handler.file_complete(len(plaintext))
