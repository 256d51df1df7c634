"""Streamed uploads and encrypted files (issue 19): the chunked format round-trips, refuses a
changed, reordered, truncated or moved file, still reads the formats of files stored before
(version 2, the single-shot version 1), an upload is encrypted as it arrives (no plaintext on
disk) and read back by the checks, and the upload limit is a setting with a Dutch refusal that
names it."""

import hashlib
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.checks import Error
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from communication.models import TenderDocument
from communication.services.documents import document_upload
from providers import crypto
from providers.checks import check_upload_limit
from providers.models import DocumentKind, EncryptedFile
from providers.services import submissions as services
from tender.errors import ApplicationError
from tender.models import Segment
from tests.problems import field_errors
from tests.tender.communication_helpers import (  # noqa: F401 - fixtures
    inkoper_fixture,
    tender_fixture,
)

from .submission_support import (
    complete_draft,
    media,  # noqa: F401
    open_tender,
    pdf_bytes,
    provider,
    spooled,
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


def test_a_file_of_the_chunked_version_2_still_decrypts(small_chunks):
    """Version 2 (stored from issue 19 on): the file key derived from the tender's data key and
    a salt, the whole header the associated data of every chunk."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    tender = open_tender()
    plaintext = os.urandom(2 * CHUNK + 5)
    salt, prefix = os.urandom(16), os.urandom(7)
    header = crypto.MAGIC_V2 + CHUNK.to_bytes(4, "big") + salt + prefix
    info = f"aanbesteding:submission-file:{tender.pk}".encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(
        crypto.tender_data_key(tender)
    )
    pieces = [plaintext[i : i + CHUNK] for i in range(0, len(plaintext), CHUNK)]
    stored = header + b"".join(
        AESGCM(key).encrypt(
            prefix + i.to_bytes(4, "big") + bytes([i == len(pieces) - 1]), piece, header
        )
        for i, piece in enumerate(pieces)
    )
    assert crypto.decrypt_file(tender, stored) == plaintext
    assert _refused(tender, stored[:-1])


def test_an_upload_is_encrypted_as_it_arrives_and_read_back_anywhere(small_chunks):
    plaintext = os.urandom(3 * CHUNK + 17)
    uploaded = spooled("d.pdf", plaintext, piece=100)
    with open(uploaded.spool.path, "rb") as raw:
        on_disk = raw.read()
    assert plaintext[:64] not in on_disk and plaintext[-64:] not in on_disk
    assert uploaded.size == len(plaintext) and uploaded.read() == plaintext
    for position in (0, CHUNK - 3, CHUNK, 2 * CHUNK + 1, len(plaintext) - 5):
        uploaded.seek(position)
        assert uploaded.read(10) == plaintext[position : position + 10]
    assert uploaded.spool.digest.hexdigest() == hashlib.sha256(plaintext).hexdigest()
    path = uploaded.spool.path
    uploaded.close()
    assert not os.path.exists(path)


def test_a_changed_temporary_file_is_not_read_as_the_upload(small_chunks):
    uploaded = spooled("d.pdf", os.urandom(2 * CHUNK))
    with open(uploaded.spool.path, "r+b") as raw:
        raw.seek(crypto.HEADER_BYTES + 5)
        raw.write(b"x")
    with pytest.raises(OSError):
        uploaded.read()
    uploaded.close()


def test_a_library_document_spooled_to_disk_is_stored_as_its_plaintext(
    small_chunks, tender, inkoper
):
    """A public library document is not encrypted: the storage gets the plaintext read back,
    never the spooled ciphertext."""
    plaintext = pdf_bytes(3)
    uploaded = spooled("leidraad.pdf", plaintext)
    document = document_upload(
        tender=tender,
        user=inkoper,
        title="Leidraad",
        category=TenderDocument.Category.GUIDE_SELECTION,
        audience=TenderDocument.Audience.REGISTERED,
        uploaded_file=uploaded,
    )
    assert document.file.open("rb").read() == plaintext
    assert document.sha256 == hashlib.sha256(plaintext).hexdigest()
    uploaded.close()


def test_an_upload_spooled_to_disk_is_stored_in_chunks_with_the_plaintext_hash(
    settings, small_chunks, tmp_path
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000  # the request body goes to a temporary file
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    os.mkdir(settings.FILE_UPLOAD_TEMP_DIR)
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
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []  # moved into the storage


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
