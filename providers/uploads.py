"""Checking an uploaded file before anything is stored (docs/rules.md): the one check every
upload of a document passes.

The type comes from the content (libmagic, then the structure), never from the name: PDF,
DOCX, XLSX, ODT and ODS only (``tender.files.DOCUMENT_TYPES``, the types that are served as
themselves). The office formats are zip archives: the archive must hold the parts of its type,
carry no macros, and is unpacked (streamed, nothing written) to refuse zip bombs by the real
uncompressed size, the compression ratio and the number of entries. PDFs are parsed: refused
with JavaScript, a launch action or automatic actions, and their pages are counted against the
page limit of the document kind where one is set.
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import magic
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tender.errors import ApplicationError
from tender.files import DOCUMENT_TYPES, DOCX, ODS, ODT, PDF, SNIFF_BYTES, XLSX

EXTENSIONS = DOCUMENT_TYPES
ZIP_TYPES = {"application/zip", "application/x-zip-compressed", DOCX, XLSX, ODT, ODS}
MAX_NAME = 200
# Archive members that hold macros: VBA in OOXML, Basic and scripts in OpenDocument.
MACRO_MEMBER = re.compile(r"(^|/)vbaProject\.bin$|^(Basic|Scripts)/", re.IGNORECASE)
# PDF names that run something: JavaScript, launching a program, automatic (additional) actions.
# The action types are caught as a value of /S, e.g. /OpenAction << /S /JavaScript ... >>.
PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/Launch", "/AA"}
PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch"}
# The same names in the raw bytes, for objects the parser skips (a name ends at a delimiter).
PDF_ACTIVE_RAW = re.compile(rb"/(JS|JavaScript|Launch|AA)(?=[\s()<>\[\]{}/%])")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    data: bytes
    content_type: str
    pages: int | None


def read_limited(chunks, limit: int) -> bytes:
    """Read an upload's chunks, refusing as soon as more than ``limit`` bytes came in."""
    buffer = io.BytesIO()
    for chunk in chunks:
        buffer.write(chunk)
        if buffer.tell() > limit:
            raise ApplicationError(_too_big(limit), field="file")
    return buffer.getvalue()


def _too_big(limit: int) -> str:
    return _("Het bestand is groter dan %(mb)s MB; dat is het maximum.") % {
        "mb": f"{limit / (1024 * 1024):.0f}"
    }


def clean_name(name: str) -> str:
    """The original name, refused when it holds a path separator or a control character."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise ApplicationError(_("Het bestand heeft geen naam."), field="file")
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
        raise ApplicationError(
            _("De bestandsnaam mag geen map of pad bevatten (geen / of \\)."), field="file"
        )
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise ApplicationError(_("De bestandsnaam bevat ongeldige tekens."), field="file")
    if len(name) > MAX_NAME:
        raise ApplicationError(
            _("De bestandsnaam is te lang (maximaal %(n)s tekens).") % {"n": MAX_NAME},
            field="file",
        )
    return name


def _office_type(data: bytes) -> str:
    """DOCX, XLSX, ODT or ODS by the archive's parts, after a full streamed unpack within the
    limits; refused with macros."""
    refused = ApplicationError(
        _(
            "Het bestand is geen geldig Word- (DOCX), Excel- (XLSX) of OpenDocument-bestand "
            "(ODT, ODS)."
        ),
        field="file",
    )
    max_total = settings.SUBMISSION_ZIP_MAX_UNCOMPRESSED
    max_ratio = settings.SUBMISSION_ZIP_MAX_RATIO
    bomb = ApplicationError(
        _(
            "Het bestand pakt uit tot een onredelijk grote omvang (mogelijk een zip-bom) en is "
            "geweigerd."
        ),
        field="file",
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
        if len(entries) > settings.SUBMISSION_ZIP_MAX_ENTRIES:
            raise bomb
        names = {entry.filename for entry in entries}
        total = 0
        odf_type = b""
        for entry in entries:
            if entry.flag_bits & 0x1:  # encrypted member
                raise refused
            with archive.open(entry) as member:
                while chunk := member.read(64 * 1024):
                    total += len(chunk)
                    if total > max_total or total > max_ratio * max(len(data), 1):
                        raise bomb
                    if entry.filename == "mimetype":
                        odf_type += chunk[:100]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
        raise refused from None
    except RuntimeError:  # e.g. a password-protected member
        raise refused from None
    if any(MACRO_MEMBER.search(name) for name in names):
        raise ApplicationError(
            _("Het bestand bevat macro's en is geweigerd; lever het in zonder macro's."),
            field="file",
        )
    if odf_type.strip() in (ODT.encode(), ODS.encode()) and "content.xml" in names:
        return odf_type.strip().decode()
    if "[Content_Types].xml" not in names:
        raise refused
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    raise refused


def _pdf_object_is_active(obj) -> bool:
    """Whether a parsed PDF object, or a direct object inside it, runs something. Indirect
    references are not followed: every indirect object is checked on its own."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, DictionaryObject):
            action = item.get("/S")
            if isinstance(action, IndirectObject):
                action = action.get_object()
            if PDF_ACTIVE_KEYS & set(item.keys()) or action in PDF_ACTIVE_ACTIONS:
                return True
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


def _pdf_has_active_content(reader, data: bytes) -> bool:
    """JavaScript, a launch action or automatic actions anywhere in the PDF: in any object the
    parser finds (also inside compressed object streams) or as a name in the raw bytes."""
    from pypdf.generic import IndirectObject

    if PDF_ACTIVE_RAW.search(data):
        return True
    numbers = {
        (number, generation) for generation, table in reader.xref.items() for number in table
    }
    numbers |= {(number, 0) for number in reader.xref_objStm}
    for number, generation in numbers:
        if _pdf_object_is_active(IndirectObject(number, generation, reader).get_object()):
            return True
    return _pdf_object_is_active(reader.trailer)


def _pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ApplicationError(
                _("Het PDF-bestand is beveiligd met een wachtwoord; lever het zonder in."),
                field="file",
            )
        if _pdf_has_active_content(reader, data):
            raise ApplicationError(
                _(
                    "Het PDF-bestand bevat JavaScript of acties die iets starten (zoals /JS, "
                    "/Launch of automatische acties) en is geweigerd. Sla het opnieuw op als "
                    "gewone PDF (bijvoorbeeld via 'Afdrukken naar PDF') en lever het opnieuw in."
                ),
                field="file",
            )
        return len(reader.pages)
    except ApplicationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise ApplicationError(
            _("Het PDF-bestand is beschadigd en kan niet worden gelezen."), field="file"
        ) from None


def check_upload(*, name: str, data: bytes, kind: str) -> CheckedFile:
    """Refuse (ApplicationError, Dutch) or return the checked file with its real type."""
    name = clean_name(name)
    if not data:
        raise ApplicationError(_("Het bestand is leeg."), field="file")
    limit = settings.SUBMISSION_UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise ApplicationError(_too_big(limit), field="file")
    detected = magic.from_buffer(data[:SNIFF_BYTES], mime=True)
    if detected == PDF:
        content_type = PDF
    elif detected in ZIP_TYPES:
        content_type = _office_type(data)
    else:
        raise ApplicationError(
            _(
                "Dit type bestand wordt niet aangenomen: alleen PDF, Word (DOCX), Excel (XLSX) en "
                "OpenDocument (ODT, ODS). De inhoud bepaalt het type, niet de naam."
            ),
            field="file",
        )
    if not name.lower().endswith(EXTENSIONS[content_type]):
        raise ApplicationError(
            _("De naam eindigt niet op %(ext)s, maar het bestand is van dat type.")
            % {"ext": EXTENSIONS[content_type]},
            field="file",
        )
    pages = _pdf_pages(data) if content_type == PDF else None
    max_pages = settings.SUBMISSION_MAX_PAGES.get(kind)
    if pages is not None and max_pages and pages > max_pages:
        raise ApplicationError(
            ngettext(
                "Dit document telt %(pages)s pagina; het maximum is %(max)s.",
                "Dit document telt %(pages)s pagina's; het maximum is %(max)s.",
                pages,
            )
            % {"pages": pages, "max": max_pages},
            field="file",
        )
    return CheckedFile(name=name, data=data, content_type=content_type, pages=pages)
