"""Upload attacks: every one refused with a clear Dutch message and nothing stored."""

import io
import zipfile

import pytest

from providers.models import DocumentKind, EncryptedFile, SubmissionDocument
from providers.services import submissions as services
from providers.uploads import check_upload
from tender.errors import ApplicationError
from tender.files import ODS, ODT
from tender.models import Segment

from .submission_support import (
    docx_bytes,
    media,  # noqa: F401
    open_tender,
    pdf_bytes,
    provider,
    xlsx_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def zip_bomb_docx() -> bytes:
    """A DOCX-looking archive whose one part unpacks to 300 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/filler.bin", "w", force_zip64=True) as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(300):
                part.write(block)
    return buffer.getvalue()


def pdf_with_action(action: str) -> bytes:
    """A one-page PDF that runs ``action`` (/JavaScript or /Launch) when it is opened."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject(action),
            NameObject("/JS"): TextStringObject("app.alert('geopend');"),
            NameObject("/F"): TextStringObject("cmd.exe"),
        }
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_hidden_javascript() -> bytes:
    """The JavaScript names written with #-escapes (/J#53 is /JS): only a parser sees them."""
    return (
        pdf_with_action("/JavaScript")
        .replace(b"/JavaScript", b"/J#61vaScript")
        .replace(b"/JS ", b"/J#53 ")
    )


def pdf_with_page_action() -> bytes:
    """An automatic action (/AA) of a page: refused whatever it does."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    page[NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): DictionaryObject({NameObject("/S"): NameObject("/GoTo")})}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_with_macros() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"macro")
    return buffer.getvalue()


def opendocument(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # first and stored, as ODF asks
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return buffer.getvalue()


JAVASCRIPT_REFUSED = "Het PDF-bestand bevat JavaScript of acties die iets starten"


@pytest.fixture
def draft():
    tender = open_tender()
    user, organisation = provider()
    submission = services.submission_start(tender=tender, organisation=organisation, user=user)
    segment = Segment.objects.get(tender=tender, code="JH-DYS")
    services.submission_segments_set(submission=submission, segments=[segment], user=user)
    return submission, user, segment


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("dossier.pdf", b"MZ\x90\x00" + b"\x00" * 200 + b"This program", "Dit type bestand"),
        ("dossier.pdf", b"#!/bin/sh\necho hallo\n", "Dit type bestand"),
        ("dossier.pdf", b"", "Het bestand is leeg."),
        ("../../etc/dossier.pdf", pdf_bytes(), "geen map of pad"),
        ("map\\dossier.pdf", pdf_bytes(), "geen map of pad"),
        ("dos\x00sier.pdf", pdf_bytes(), "ongeldige tekens"),
        ("dossier.docx", zip_bomb_docx(), "zip-bom"),
        ("dossier.docx", b"PK\x03\x04" + b"\x00" * 100, "geen geldig Word"),
        ("dossier.pdf", pdf_bytes(pages=41), "het maximum is 40"),
        ("dossier.docx", pdf_bytes(), "De naam eindigt niet op .pdf"),
        (
            "dossier.pdf",
            b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
            "Dit type bestand wordt niet aangenomen",
        ),
        ("dossier.pdf", pdf_with_action("/JavaScript"), JAVASCRIPT_REFUSED),
        ("dossier.pdf", pdf_with_hidden_javascript(), JAVASCRIPT_REFUSED),
        ("dossier.pdf", pdf_with_action("/Launch"), JAVASCRIPT_REFUSED),
        ("dossier.pdf", pdf_with_page_action(), JAVASCRIPT_REFUSED),
        ("dossier.docx", docx_with_macros(), "bevat macro's"),
    ],
    ids=[
        "exe-renamed-pdf",
        "script-renamed-pdf",
        "empty",
        "path-slash",
        "path-backslash",
        "control-char",
        "zip-bomb-docx",
        "broken-zip",
        "too-many-pages",
        "pdf-named-docx",
        "html-renamed-pdf",
        "pdf-javascript-open-action",
        "pdf-javascript-escaped-names",
        "pdf-launch",
        "pdf-automatic-action",
        "docx-macros",
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(draft, media, name, data, message):  # noqa: F811
    submission, user, segment = draft
    with pytest.raises(ApplicationError) as refused:
        services.document_upload(
            submission=submission,
            kind=DocumentKind.DOSSIER,
            name=name,
            data=data,
            user=user,
            segment=segment,
        )
    assert message in refused.value.message
    assert refused.value.field == "file"
    assert not SubmissionDocument.objects.exists()
    assert not EncryptedFile.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_oversize_is_refused(draft, settings, media):  # noqa: F811
    settings.UPLOAD_MAX_BYTES = 1000
    submission, user, segment = draft
    with pytest.raises(ApplicationError) as refused:
        services.document_upload(
            submission=submission,
            kind=DocumentKind.REFERENCE,
            name="groot.pdf",
            data=pdf_bytes(pages=5) + b"\n" * 2000,
            user=user,
            segment=segment,
        )
    assert "groter dan" in refused.value.message
    assert not EncryptedFile.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_the_five_allowed_types_are_recognised_by_content(settings):
    assert check_upload(name="a.pdf", data=pdf_bytes(2), kind="dossier").pages == 2
    assert check_upload(name="b.docx", data=docx_bytes(), kind="reference").content_type.endswith(
        "wordprocessingml.document"
    )
    assert check_upload(name="c.xlsx", data=xlsx_bytes(), kind="evidence").content_type.endswith(
        "spreadsheetml.sheet"
    )
    assert check_upload(name="d.odt", data=opendocument(ODT), kind="reference").content_type == ODT
    assert check_upload(name="e.ods", data=opendocument(ODS), kind="evidence").content_type == ODS
