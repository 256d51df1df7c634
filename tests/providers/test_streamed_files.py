"""Streamed uploads and encrypted files (issue 19): the chunked format round-trips, refuses a
changed, reordered, truncated or moved file, still reads the single-shot format of files stored
before, and the upload limit is a setting with a Dutch refusal that names it."""

import hashlib
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.checks import Error
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from providers import crypto
from providers.checks import check_upload_limit
from providers.models import DocumentKind, EncryptedFile
from providers.services import submissions as services
from tender.errors import ApplicationError
from tender.models import Segment
from tests.problems import field_errors

from .submission_support import (
    complete_draft,
    media,  # noqa: F401
    open_tender,
    pdf_bytes,
    provider,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

CHUNK = 256
HEADER = crypto.HEADER_BYTES
SEALED_CHUNK = CHUNK + crypto.TAG_BYTES


@pytest.fixture
def small_chunks(settings):
    settings.UPLOAD_CHUNK_BYTES = CHUNK


def _chunks(stored: bytes) -> list[bytes]:
    body = stored[HEADER:]
    return [body[i : i + SEALED_CHUNK] for i in range(0, len(body), SEALED_CHUNK)]


def _refused(tender, stored: bytes) -> bool:
    try:
        crypto.decrypt_file(tender, stored)
    except crypto.FileDecryptionError:
        return True
    return False


def test_a_file_of_three_and_a_half_chunks_round_trips(small_chunks):
    tender = open_tender()
    plaintext = os.urandom(3 * CHUNK + CHUNK // 2)
    stored = crypto.encrypt_file(tender, plaintext)
    assert stored.startswith(crypto.MAGIC)
    assert len(_chunks(stored)) == 4 and plaintext[:64] not in stored
    assert crypto.decrypt_file(tender, stored) == plaintext
    # An exact multiple of the chunk size ends on a full last chunk.
    exact = os.urandom(2 * CHUNK)
    assert crypto.decrypt_file(tender, crypto.encrypt_file(tender, exact)) == exact


def test_a_changed_reordered_truncated_or_moved_file_does_not_decrypt(small_chunks):
    tender = open_tender()
    stored = crypto.encrypt_file(tender, os.urandom(3 * CHUNK + CHUNK // 2))
    header, chunks = stored[:HEADER], _chunks(stored)

    flipped = bytearray(stored)
    flipped[HEADER + SEALED_CHUNK + 10] ^= 1  # one bit in the second chunk
    assert _refused(tender, bytes(flipped))
    assert _refused(tender, header + chunks[1] + chunks[0] + chunks[2] + chunks[3])
    assert _refused(tender, header + b"".join(chunks[:3]))  # the last chunk dropped
    assert _refused(tender, stored[:-1])
    assert _refused(tender, header[:8] + (2 * CHUNK).to_bytes(4, "big") + stored[12:])
    other = open_tender(slug="andere-aanbesteding")
    assert _refused(other, stored)


def test_a_file_in_the_old_single_shot_format_still_decrypts():
    tender = open_tender()
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    document = draft.documents.select_related("file").get(kind=DocumentKind.DOSSIER)
    plaintext = pdf_bytes(3)
    nonce = os.urandom(crypto.NONCE_BYTES)
    old = nonce + AESGCM(crypto.tender_data_key(tender)).encrypt(
        nonce, plaintext, f"aanbesteding:submission-file:{tender.pk}".encode()
    )
    assert crypto.decrypt_file(tender, old) == plaintext
    document.file.blob.save("old.bin", ContentFile(old), save=True)
    # The readers' stream (after the permission check) reads it and checks its hash.
    key = crypto.tender_data_key(tender)
    assert b"".join(services._decrypted_chunks(document, key)) == plaintext
    document.file.sha256 = "0" * 64
    with pytest.raises(ApplicationError, match="de hash klopt niet"):
        b"".join(services._decrypted_chunks(document, key))


def test_an_upload_spooled_to_disk_is_stored_in_chunks_with_the_plaintext_hash(
    settings, small_chunks
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000  # the request body goes to a temporary file
    tender = open_tender()
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    api = APIClient()
    api.force_authenticate(user)
    plaintext = pdf_bytes(8)
    assert len(plaintext) > 2 * CHUNK
    response = api.post(
        f"/api/v1/portal/tenders/{tender.slug}/submission/documents/",
        {"kind": "dossier", "segment": "JH-DYS", "file": SimpleUploadedFile("d.pdf", plaintext)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["sha256"] == hashlib.sha256(plaintext).hexdigest()
    stored_file = EncryptedFile.objects.get(documents__submission=draft, pages=8)
    stored = stored_file.blob.open("rb").read()
    assert stored.startswith(crypto.MAGIC) and b"%PDF" not in stored
    assert len(_chunks(stored)) == -(-len(plaintext) // CHUNK)
    assert crypto.decrypt_file(tender, stored) == plaintext


def test_an_upload_over_the_limit_is_refused_with_the_limit_in_dutch(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    tender = open_tender()
    user, organisation = provider()
    draft = services.submission_start(tender=tender, organisation=organisation, user=user)
    services.submission_segments_set(
        submission=draft, segments=[Segment.objects.get(tender=tender, code="JH-DYS")], user=user
    )
    api = APIClient()
    api.force_authenticate(user)
    big = pdf_bytes() + b"\n" * (1024 * 1024)
    response = api.post(
        f"/api/v1/portal/tenders/{tender.slug}/submission/documents/",
        {"kind": "dossier", "segment": "JH-DYS", "file": SimpleUploadedFile("d.pdf", big)},
        format="multipart",
    )
    assert response.status_code == 400
    assert field_errors(response)["file"] == ["Het bestand is groter dan 1 MB; dat is het maximum."]
    assert not EncryptedFile.objects.exists()


def test_the_upload_limit_is_at_most_250_mb(settings):
    settings.UPLOAD_MAX_BYTES = 250 * 1024 * 1024
    assert check_upload_limit() == []
    settings.UPLOAD_MAX_BYTES = 250 * 1024 * 1024 + 1
    assert [(type(e), e.id) for e in check_upload_limit()] == [(Error, "providers.E002")]
