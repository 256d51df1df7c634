"""Serving a file to a browser: one response for every uploaded, stored or published document.

A file never decides how the browser treats it. The type sent is one of the allowed document
types (PDF, DOCX, XLSX, ODT, ODS) or ``application/octet-stream``; the file is a download
(``Content-Disposition: attachment``) unless the caller asks to show a PDF inline (the
evaluators' dossier viewer); ``X-Content-Type-Options: nosniff`` stops the browser from
guessing. So an HTML page stored under any name is saved to disk, never run on this origin.

Uploads are checked against the same allow-list, by content, in ``providers.uploads``.
"""

from collections.abc import Iterator
from typing import IO

import magic
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
# The allowed document types and the extension a file of that type must have.
DOCUMENT_TYPES = {PDF: ".pdf", DOCX: ".docx", XLSX: ".xlsx", ODT: ".odt", ODS: ".ods"}
OCTET_STREAM = "application/octet-stream"
SNIFF_BYTES = 256 * 1024


def served_type(content_type: str) -> str:
    """The type to send: an allowed document type as is, anything else as plain bytes."""
    return content_type if content_type in DOCUMENT_TYPES else OCTET_STREAM


def sniffed_type(handle: IO[bytes]) -> str:
    """The type of a stored file by its content (libmagic); the handle is rewound."""
    head = handle.read(SNIFF_BYTES)
    handle.seek(0)
    return magic.from_buffer(head, mime=True) if head else OCTET_STREAM


def document_response(
    content: bytes | IO[bytes] | Iterator[bytes],
    *,
    filename: str,
    content_type: str,
    inline: bool = False,
    size: int | None = None,
) -> HttpResponseBase:
    """The response for a document: ``content`` as bytes, an open file (streamed) or an
    iterator of chunks (streamed, e.g. a file decrypted as it is sent; ``size`` is its length).

    ``inline`` is honoured for a PDF only; every other file is an attachment.
    """
    content_type = served_type(content_type)
    as_attachment = not (inline and content_type == PDF)
    response: HttpResponseBase
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
    elif hasattr(content, "read"):
        response = FileResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
        if size is not None:
            response["Content-Length"] = str(size)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def stored_document_response(handle: IO[bytes], *, filename: str) -> HttpResponseBase:
    """A stored file whose type was not recorded (a tender document): typed by its content,
    always a download."""
    return document_response(handle, filename=filename, content_type=sniffed_type(handle))
