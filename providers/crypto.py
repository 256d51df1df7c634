"""Envelope encryption of submission files (docs/rules.md, docs/operations.md).

Each tender has its own random AES-256 data key; it is stored wrapped (AES-256-GCM) by the
master key from the environment (``SUBMISSION_MASTER_KEY``, base64 of 32 bytes). Files are
encrypted in chunks with AES-256-GCM under a key derived from the tender's data key (the
streaming format below; files of the earlier single-shot format still decrypt). The key
derivation and the associated data bind a ciphertext to its tender, so a file copied to another
tender does not decrypt.

Nothing here checks who asks: the only caller that decrypts is
``providers.services.submissions.submission_document_read``, which checks the opening and the
caller's permission first.
"""

import base64
import binascii
import hashlib
import io
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.db import IntegrityError, transaction

NONCE_BYTES = 12
#: The published development and test key (config/settings/dev.py, test.py); refused in
#: production by the system check ``providers.E001`` (providers/checks.py).
DEVELOPMENT_MASTER_KEY = b"dev-only-submission-master-key!!"


def master_key() -> bytes:
    value = getattr(settings, "SUBMISSION_MASTER_KEY", "") or ""
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured("SUBMISSION_MASTER_KEY is not valid base64.") from error
    if len(key) != 32:
        raise ImproperlyConfigured("SUBMISSION_MASTER_KEY must be base64 of exactly 32 bytes.")
    return key


def master_key_id(key: bytes | None = None) -> str:
    """A short fingerprint of the master key, stored with each wrapped key (rotation)."""
    return hashlib.sha256(b"aanbesteding-master-key-id" + (key or master_key())).hexdigest()[:16]


def _aad_key(tender_id: int) -> bytes:
    return f"aanbesteding:tender-data-key:{tender_id}".encode()


def _aad_file(tender_id: int) -> bytes:
    return f"aanbesteding:submission-file:{tender_id}".encode()


def wrap_key(data_key: bytes, *, tender_id: int, key: bytes | None = None) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key or master_key()).encrypt(nonce, data_key, _aad_key(tender_id))


def unwrap_key(wrapped: bytes, *, tender_id: int, key: bytes | None = None) -> bytes:
    wrapped = bytes(wrapped)
    return AESGCM(key or master_key()).decrypt(
        wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _aad_key(tender_id)
    )


def tender_data_key(tender) -> bytes:
    """The tender's data key in the clear (memory only); created on first use."""
    from .models import TenderDataKey

    record = TenderDataKey.objects.filter(tender_id=tender.pk).first()
    if record is None:
        try:
            with transaction.atomic():
                record = TenderDataKey.objects.create(
                    tender_id=tender.pk,
                    wrapped_key=wrap_key(AESGCM.generate_key(bit_length=256), tender_id=tender.pk),
                    master_key_id=master_key_id(),
                )
        except IntegrityError:  # created concurrently: use that one
            record = TenderDataKey.objects.get(tender_id=tender.pk)
    return unwrap_key(record.wrapped_key, tender_id=tender.pk)


def tender_data_keys(tender_ids) -> dict[int, bytes]:
    """The existing data keys of the tenders by tender id, in the clear; one query (a tender
    without a key is left out: ``tender_data_key`` creates it)."""
    from .models import TenderDataKey

    return {
        record.tender_id: unwrap_key(record.wrapped_key, tender_id=record.tender_id)
        for record in TenderDataKey.objects.filter(tender_id__in=list(tender_ids))
    }


# -- files: the streaming format (version 2) and the single-shot one (version 1) -------------
#
# Version 2 (every file written since issue 19): a header, then the plaintext in chunks of
# ``chunk_size`` bytes, each sealed on its own with AES-256-GCM (ciphertext + 16-byte tag):
#
#     header = MAGIC (8) + chunk_size (4, big-endian) + salt (16) + nonce_prefix (7)
#     chunk i = AES-GCM(file_key, nonce_prefix + i (4, big-endian) + last (1), chunk, header)
#
# ``file_key`` is derived from the tender's data key and the salt (HKDF-SHA256, bound to the
# tender), so every file has a key of its own. The chunk index in the nonce refuses reordered
# or copied chunks, the ``last`` flag (1 on the final chunk only) refuses a truncated file, the
# header is the associated data of every chunk. This is the construction of Tink's
# AES-GCM-HKDF streaming AEAD. A file is encrypted and decrypted with one chunk in memory.
#
# Version 1 (files stored before): 12-byte nonce + one AES-GCM ciphertext of the whole file.
# A stored file starting with MAGIC is version 2; anything else is read as version 1 (a random
# nonce starts with the 8 MAGIC bytes with probability 2**-64).

MAGIC = b"ASDENC\x00\x02"
HEADER_BYTES = len(MAGIC) + 4 + 16 + 7
TAG_BYTES = 16
#: The largest chunk a header may announce (refused above, so a damaged header does not make
#: the reader allocate gigabytes).
MAX_CHUNK_BYTES = 64 * 1024 * 1024


class FileDecryptionError(Exception):
    """A stored file that does not decrypt: damaged, truncated, reordered or another key."""


def _file_key(data_key: bytes, salt: bytes, tender_id: int) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_aad_file(tender_id)).derive(
        data_key
    )


def _chunk_nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index >= 2**32:
        raise ValueError("File too large for the streaming format.")
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def chunk_size() -> int:
    return int(getattr(settings, "UPLOAD_CHUNK_BYTES", 1024 * 1024))


def _rechunk(chunks, size: int):
    """The bytes of ``chunks`` in pieces of exactly ``size`` bytes but the last (shorter, or
    empty when there is nothing); pieces that already have the size pass without a copy."""
    pending = b""
    for piece in chunks:
        if not pending and len(piece) == size:
            yield piece
            continue
        pending += piece
        while len(pending) >= size:
            yield pending[:size]
            pending = pending[size:]
    yield pending


def encrypt_stream(tender, chunks, *, data_key: bytes | None = None):
    """Yield the stored bytes (version 2) of the plaintext given as ``chunks`` (an iterable of
    bytes of any sizes, re-cut to the chunk size here): the header, then one sealed chunk at a
    time (one chunk is held back to know which one is the last)."""
    size = chunk_size()
    salt, prefix = os.urandom(16), os.urandom(7)
    header = MAGIC + size.to_bytes(4, "big") + salt + prefix
    aead = AESGCM(_file_key(data_key or tender_data_key(tender), salt, tender.pk))
    yield header
    pieces = _rechunk(chunks, size)
    held = next(pieces)
    index = 0
    for piece in pieces:
        if not piece:  # the empty tail after a last full chunk
            break
        yield aead.encrypt(_chunk_nonce(prefix, index, False), held, header)
        held, index = piece, index + 1
    yield aead.encrypt(_chunk_nonce(prefix, index, True), held, header)


def _read_exactly(handle, size: int) -> bytes:
    parts = []
    while size:
        part = handle.read(size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def decrypt_stream(tender, handle, *, data_key: bytes | None = None):
    """Yield the plaintext of the stored file open in ``handle`` (either version), one chunk at
    a time; raises FileDecryptionError where it does not decrypt. A version 2 chunk is only
    yielded once its tag is checked; a truncated file raises at its end."""
    key = data_key or tender_data_key(tender)
    head = _read_exactly(handle, HEADER_BYTES)
    if not head.startswith(MAGIC):  # version 1: one ciphertext, read whole
        stored = head + handle.read()
        try:
            yield AESGCM(key).decrypt(
                stored[:NONCE_BYTES], stored[NONCE_BYTES:], _aad_file(tender.pk)
            )
        except (InvalidTag, ValueError) as error:
            raise FileDecryptionError("File does not decrypt.") from error
        return
    if len(head) < HEADER_BYTES:
        raise FileDecryptionError("Truncated header.")
    size = int.from_bytes(head[8:12], "big")
    if not 0 < size <= MAX_CHUNK_BYTES:
        raise FileDecryptionError("Invalid chunk size.")
    salt, prefix = head[12:28], head[28:35]
    aead = AESGCM(_file_key(key, salt, tender.pk))
    index = 0
    current = _read_exactly(handle, size + TAG_BYTES)
    while True:
        following = _read_exactly(handle, size + TAG_BYTES)
        last = not following
        try:
            yield aead.decrypt(_chunk_nonce(prefix, index, last), current, head)
        except (InvalidTag, ValueError) as error:
            raise FileDecryptionError(f"Chunk {index} does not decrypt.") from error
        if last:
            return
        current, index = following, index + 1


class _StreamReader(io.RawIOBase):
    """A read-only, non-seekable file over an iterator of bytes (the ciphertext as it is made),
    for a storage's ``save`` to pull from: the local storage writes it chunk by chunk, S3
    uploads it in parts (``AWS_S3_TRANSFER_CONFIG`` bounds the parts held)."""

    def __init__(self, pieces):
        self._pieces = iter(pieces)
        self._buffer = b""
        self._offset = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        start = self._offset
        if size is None or size < 0:
            rest, self._buffer, self._offset = self._buffer[start:], b"", 0
            return rest + b"".join(self._pieces)
        if len(self._buffer) - start >= size:
            self._offset += size
            return self._buffer[start : start + size]
        rest = self._buffer[start:]
        parts, have = [rest], len(rest)
        while have < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            parts.append(piece)
            have += len(piece)
        joined = b"".join(parts)
        self._buffer, self._offset = joined, min(size, len(joined))
        return joined[:size]

    def readinto(self, target) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)


class _StreamFile(File):
    DEFAULT_CHUNK_SIZE = 1024 * 1024  # the local storage writes in pieces of this size


def store_encrypted(tender, handle, field) -> str:
    """Encrypt the open plaintext file ``handle`` (version 2) into the FileField ``field``
    (not saved to the database) and return the SHA-256 of the plaintext, hashed in the same
    pass. The ciphertext is made as the storage (the local media folder or S3) reads it, so
    neither the plaintext nor the ciphertext is ever whole in memory, nothing is written twice
    and no plaintext leaves the process."""
    digest = hashlib.sha256()

    def plaintext():
        handle.seek(0)
        while chunk := handle.read(chunk_size()):
            digest.update(chunk)
            yield chunk

    # The key is fetched here, in the request's thread and transaction: S3 pulls the stream
    # from a thread of its own, which must not touch the database.
    data_key = tender_data_key(tender)
    stream = _StreamFile(_StreamReader(encrypt_stream(tender, plaintext(), data_key=data_key)))
    field.save("upload.bin", stream, save=False)
    handle.seek(0)
    return digest.hexdigest()


def encrypt_file(tender, plaintext: bytes) -> bytes:
    """The stored bytes (version 2) of a plaintext in memory (small files, tests)."""
    return b"".join(encrypt_stream(tender, [plaintext]))


def decrypt_file(tender, stored: bytes) -> bytes:
    """The plaintext of stored bytes in memory, either version."""
    return b"".join(decrypt_stream(tender, io.BytesIO(bytes(stored))))


def _aad_sealed(tender_id: int, purpose: str) -> bytes:
    return f"aanbesteding:sealed:{tender_id}:{purpose}".encode()


def encrypt_sealed(tender, purpose: str, plaintext: bytes) -> bytes:
    """Sealed content in the database (``providers.envelopes``): a submission's envelope
    (``purpose`` "submission:<id>") or a UEA ("uea:<id>"), bound to its tender and record, so
    a ciphertext copied to another record does not decrypt."""
    nonce = os.urandom(NONCE_BYTES)
    aad = _aad_sealed(tender.pk, purpose)
    return nonce + AESGCM(tender_data_key(tender)).encrypt(nonce, plaintext, aad)


def decrypt_sealed(tender, purpose: str, stored: bytes, data_key: bytes | None = None) -> bytes:
    stored = bytes(stored)
    return AESGCM(data_key or tender_data_key(tender)).decrypt(
        stored[:NONCE_BYTES], stored[NONCE_BYTES:], _aad_sealed(tender.pk, purpose)
    )


@transaction.atomic
def data_keys_rewrap(*, old_key: bytes, new_key: bytes) -> int:
    """Master key rotation: re-wrap every tender's data key from ``old_key`` to ``new_key``
    (the files themselves stay as they are). Returns the number of keys re-wrapped."""
    from .models import TenderDataKey

    count = 0
    old_id = master_key_id(old_key)
    for record in TenderDataKey.objects.select_for_update().filter(master_key_id=old_id):
        data_key = unwrap_key(record.wrapped_key, tender_id=record.tender_id, key=old_key)
        record.wrapped_key = wrap_key(data_key, tender_id=record.tender_id, key=new_key)
        record.master_key_id = master_key_id(new_key)
        record.save(update_fields=["wrapped_key", "master_key_id"])
        count += 1
    return count
