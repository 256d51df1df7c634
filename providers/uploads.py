"""Checking an uploaded file before anything is stored (docs/rules.md): the one check every
upload of a document passes.

The type comes from the content (libmagic, then the structure), never from the name: PDF,
DOCX, XLSX, ODT and ODS only (``tender.files.DOCUMENT_TYPES``, the types that are served as
themselves). The office formats are zip archives: the archive must hold the parts of its type,
carry no macros, and is unpacked (streamed, nothing written) to refuse zip bombs by the real
uncompressed size, the compression ratio and the number of entries. PDFs are parsed: refused
with JavaScript, a launch action or automatic actions, and their pages are counted against the
page limit of the document kind where one is set.

Everything reads the upload as a file, in chunks (issue 19): a file above
``FILE_UPLOAD_MAX_MEMORY_SIZE`` arrives hashed and encrypted into a temporary file
(``providers.upload_handlers``), which the check reads back through a seekable decrypting
reader instead of holding a copy. The limit is ``UPLOAD_MAX_BYTES``.
"""

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

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


#: The largest upload limit the system check allows (``config.checks``; docs/rules.md).
UPLOAD_MAX_BYTES_CEILING = 250 * 1024 * 1024
#: How much of a file is read at a time (type check, hash, encryption).
READ_BYTES = 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    """A checked upload: ``file`` is open, seekable and at its start; nothing is in memory."""

    name: str
    file: IO[bytes]
    size: int
    content_type: str
    pages: int | None


def upload_limit() -> int:
    return settings.UPLOAD_MAX_BYTES


def as_file(data: bytes | IO[bytes]) -> IO[bytes]:
    """An upload as a seekable binary file: bytes (tests, generated files) are wrapped, an
    uploaded file (in memory, or above FILE_UPLOAD_MAX_MEMORY_SIZE encrypted on disk and read
    back decrypted) is used as it is."""
    if isinstance(data, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(data))
    return data


def file_size(handle: IO[bytes]) -> int:
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def file_chunks(handle: IO[bytes], size: int = READ_BYTES) -> Iterator[bytes]:
    """The file from its start, ``size`` bytes at a time."""
    handle.seek(0)
    while chunk := handle.read(size):
        yield chunk


def file_sha256(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in file_chunks(handle):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def _raw_search(pattern: re.Pattern[bytes], handle: IO[bytes], overlap: int = 64) -> bool:
    """Whether ``pattern`` (matches shorter than ``overlap``) occurs in the file, read in
    chunks that overlap so a match across a chunk border is found too."""
    tail = b""
    for chunk in file_chunks(handle):
        window = tail + chunk
        if pattern.search(window):
            handle.seek(0)
            return True
        tail = window[-overlap:]
    handle.seek(0)
    return False


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


def _office_type(data: IO[bytes], size: int) -> str:
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
        archive = zipfile.ZipFile(data)
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
                    if total > max_total or total > max_ratio * max(size, 1):
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


def _pdf_has_active_content(reader, data: IO[bytes]) -> bool:
    """JavaScript, a launch action or automatic actions anywhere in the PDF: in any object the
    parser finds (also inside compressed object streams) or as a name in the raw bytes. Each
    object is dropped from the parser's cache once checked, so the memory held is one object
    (its stream included), not the file."""
    from pypdf.generic import IndirectObject

    if _raw_search(PDF_ACTIVE_RAW, data):
        return True
    numbers = {
        (number, generation) for generation, table in reader.xref.items() for number in table
    }
    numbers |= {(number, 0) for number in reader.xref_objStm}
    for number, generation in sorted(numbers):
        if _pdf_object_is_active(IndirectObject(number, generation, reader).get_object()):
            return True
        reader.resolved_objects.pop((generation, number), None)
    return _pdf_object_is_active(reader.trailer)


def _pdf_pages(data: IO[bytes]) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(data, strict=False)
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
        pages = len(reader.pages)
        return pages
    except ApplicationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise ApplicationError(
            _("Het PDF-bestand is beschadigd en kan niet worden gelezen."), field="file"
        ) from None


def check_upload(*, name: str, data: bytes | IO[bytes], kind: str) -> CheckedFile:
    """Refuse (ApplicationError, Dutch) or return the checked file with its real type.

    ``data`` is the content in memory or an open (seekable) file such as Django's
    ``TemporaryUploadedFile``: the file is read in chunks, never whole."""
    name = clean_name(name)
    handle = as_file(data)
    size = file_size(handle)
    if not size:
        raise ApplicationError(_("Het bestand is leeg."), field="file")
    limit = upload_limit()
    if size > limit:
        raise ApplicationError(_too_big(limit), field="file")
    detected = magic.from_buffer(handle.read(SNIFF_BYTES), mime=True)
    handle.seek(0)
    if detected == PDF:
        content_type = PDF
    elif detected in ZIP_TYPES:
        content_type = _office_type(handle, size)
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
    pages = _pdf_pages(handle) if content_type == PDF else None
    handle.seek(0)
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
    return CheckedFile(name=name, file=handle, size=size, content_type=content_type, pages=pages)
