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
import contextlib
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


# -- files: the streaming formats (versions 3 and 2) and the single-shot one (version 1) ------
#
# Version 3 (every file written now): a header, then the plaintext in chunks of ``chunk_size``
# bytes, each sealed on its own with AES-256-GCM (ciphertext + 16-byte tag):
#
#     fixed  = MAGIC (8) + chunk_size (4, big-endian) + nonce_prefix (7)
#     header = fixed + wrapped file key (60: nonce 12 + AES-GCM(data key, file key) 48)
#     chunk i = AES-GCM(file_key, nonce_prefix + i (4, big-endian) + last (1), chunk, fixed)
#
# ``file_key`` is random per file and wrapped under the tender's data key with the tender id
# and ``fixed`` as associated data, so a file copied to another tender does not decrypt. The
# chunk index in the nonce refuses reordered or copied chunks, the ``last`` flag (1 on the
# final chunk only) refuses a truncated file, ``fixed`` is the associated data of every chunk
# (a changed chunk size or prefix refuses). Because the chunks do not depend on the tender, an
# upload is encrypted as it arrives, before the view knows the tender
# (``providers.upload_handlers``): its chunks go to a temporary file, the wrapped key is
# written into the header once the tender is known, and the file is moved into the storage as
# it is (``store_encrypted``). No plaintext touches the disk and the file is written once.
#
# Version 2 (files stored from issue 19 until version 3): the same chunks, but the file key
# derived from the tender's data key and a salt (HKDF-SHA256), the whole header as the
# associated data: header = MAGIC_V2 (8) + chunk_size (4) + salt (16) + nonce_prefix (7).
#
# Version 1 (files stored before issue 19): 12-byte nonce + one AES-GCM ciphertext of the whole
# file. A stored file starting with a MAGIC is version 3 or 2; anything else is read as version 1
# (a random nonce starts with the 8 MAGIC bytes with probability 2**-64).

MAGIC = b"ASDENC\x00\x03"
MAGIC_V2 = b"ASDENC\x00\x02"
TAG_BYTES = 16
FIXED_BYTES = len(MAGIC) + 4 + 7
WRAPPED_KEY_BYTES = NONCE_BYTES + 32 + TAG_BYTES
HEADER_BYTES = FIXED_BYTES + WRAPPED_KEY_BYTES
HEADER_BYTES_V2 = len(MAGIC_V2) + 4 + 16 + 7
#: The largest chunk a header may announce (refused above, so a damaged header does not make
#: the reader allocate gigabytes).
MAX_CHUNK_BYTES = 64 * 1024 * 1024


class FileDecryptionError(Exception):
    """A stored file that does not decrypt: damaged, truncated, reordered or another key."""


def _aad_file_key(tender_id: int) -> bytes:
    return f"aanbesteding:submission-file-key:{tender_id}".encode()


def _file_key_v2(data_key: bytes, salt: bytes, tender_id: int) -> bytes:
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


class ChunkSealer:
    """Seals a plaintext given in pieces of any sizes into the chunks of version 3, under a
    fresh random file key; ``header`` wraps that key for a tender (at any moment: the chunks do
    not depend on it). One chunk is held back until more bytes follow, to know the last."""

    def __init__(self, size: int | None = None):
        self.size = size or chunk_size()
        self.fixed = MAGIC + self.size.to_bytes(4, "big") + os.urandom(7)
        self._key = AESGCM.generate_key(bit_length=256)
        self.aead = AESGCM(self._key)
        self._pending = bytearray()
        self._index = 0

    @property
    def prefix(self) -> bytes:
        return self.fixed[-7:]

    def header(self, tender_id: int, data_key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = _aad_file_key(tender_id) + self.fixed
        return self.fixed + nonce + AESGCM(data_key).encrypt(nonce, self._key, aad)

    def _seal(self, chunk, last: bool) -> bytes:
        sealed = self.aead.encrypt(_chunk_nonce(self.prefix, self._index, last), chunk, self.fixed)
        self._index += 1
        return sealed

    def feed(self, data) -> list[bytes]:
        """The sealed chunks that ``data`` completes (none while the held chunk is the last
        one known)."""
        self._pending += data
        size, sealed, offset = self.size, [], 0
        with memoryview(self._pending) as view:
            while len(view) - offset > size:
                sealed.append(self._seal(view[offset : offset + size], False))
                offset += size
        del self._pending[:offset]
        return sealed

    def finish(self) -> bytes:
        """The last sealed chunk (empty plaintext when the file is empty)."""
        last = self._seal(bytes(self._pending), True)
        self._pending = bytearray()
        return last


def encrypt_stream(tender, chunks, *, data_key: bytes | None = None):
    """Yield the stored bytes (version 3) of the plaintext given as ``chunks`` (an iterable of
    bytes of any sizes, re-cut to the chunk size here): the header, then one sealed chunk at a
    time."""
    sealer = ChunkSealer()
    yield sealer.header(tender.pk, data_key or tender_data_key(tender))
    for piece in chunks:
        yield from sealer.feed(piece)
    yield sealer.finish()


def _read_exactly(handle, size: int) -> bytes:
    parts = []
    while size:
        part = handle.read(size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _chunk_size_of(head: bytes) -> int:
    size = int.from_bytes(head[8:12], "big")
    if not 0 < size <= MAX_CHUNK_BYTES:
        raise FileDecryptionError("Invalid chunk size.")
    return size


def decrypt_stream(tender, handle, *, data_key: bytes | None = None):
    """Yield the plaintext of the stored file open in ``handle`` (any version), one chunk at
    a time; raises FileDecryptionError where it does not decrypt. A chunk is only yielded once
    its tag is checked; a truncated file raises at its end."""
    key = data_key or tender_data_key(tender)
    magic = _read_exactly(handle, len(MAGIC))
    if magic == MAGIC:
        head = magic + _read_exactly(handle, HEADER_BYTES - len(MAGIC))
        if len(head) < HEADER_BYTES:
            raise FileDecryptionError("Truncated header.")
        size, fixed = _chunk_size_of(head), head[:FIXED_BYTES]
        wrapped = head[FIXED_BYTES:]
        try:
            file_key = AESGCM(key).decrypt(
                wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _aad_file_key(tender.pk) + fixed
            )
        except InvalidTag as error:
            raise FileDecryptionError("The file key does not unwrap.") from error
        aead, prefix, aad = AESGCM(file_key), fixed[-7:], fixed
    elif magic == MAGIC_V2:
        head = magic + _read_exactly(handle, HEADER_BYTES_V2 - len(MAGIC_V2))
        if len(head) < HEADER_BYTES_V2:
            raise FileDecryptionError("Truncated header.")
        size = _chunk_size_of(head)
        salt, prefix, aad = head[12:28], head[28:35], head
        aead = AESGCM(_file_key_v2(key, salt, tender.pk))
    else:  # version 1: one ciphertext, read whole
        stored = magic + handle.read()
        try:
            yield AESGCM(key).decrypt(
                stored[:NONCE_BYTES], stored[NONCE_BYTES:], _aad_file(tender.pk)
            )
        except (InvalidTag, ValueError) as error:
            raise FileDecryptionError("File does not decrypt.") from error
        return
    index = 0
    current = _read_exactly(handle, size + TAG_BYTES)
    while True:
        following = _read_exactly(handle, size + TAG_BYTES)
        last = not following
        try:
            yield aead.decrypt(_chunk_nonce(prefix, index, last), current, aad)
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


# -- uploads encrypted as they arrive -------------------------------------------------------------


class EncryptedSpool:
    """One upload encrypted as it arrives (version 3) into a temporary file, hashed on the way.

    ``write`` takes the plaintext in pieces; after ``finish``, ``plaintext()`` reads it back as
    a seekable file (one chunk decrypted at a time), for the checks; ``store`` wraps the file
    key for the tender and hands the file to a storage: the local one moves it (nothing is
    copied), S3 uploads it. ``close`` removes the temporary file (also when the spool is
    dropped without it)."""

    def __init__(self):
        import tempfile
        import weakref

        self.sealer = ChunkSealer()
        handle, self.path = tempfile.mkstemp(suffix=".upload", dir=settings.FILE_UPLOAD_TEMP_DIR)
        self.file = os.fdopen(handle, "r+b")
        self.file.write(bytes(HEADER_BYTES))  # the wrapped key goes here once the tender is known
        self.digest = hashlib.sha256()
        self.size = 0
        self.stored = False
        self._remove = weakref.finalize(self, _spool_remove, self.file, self.path)

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        for sealed in self.sealer.feed(data):
            self.file.write(sealed)

    def finish(self) -> None:
        self.file.write(self.sealer.finish())
        self.file.flush()

    def plaintext(self) -> io.BufferedReader:
        return io.BufferedReader(_SpoolPlaintext(self), buffer_size=64 * 1024)

    def store(self, tender, field, data_key: bytes) -> str:
        """Write the header for ``tender`` and save the file into the FileField ``field`` (not
        saved to the database); returns the SHA-256 of the plaintext."""
        os.pwrite(self.file.fileno(), self.sealer.header(tender.pk, data_key), 0)
        with open(self.path, "rb") as ciphertext:
            field.save("upload.bin", _SpoolFile(ciphertext), save=False)
        self.stored = True
        return self.digest.hexdigest()

    def close(self) -> None:
        self._remove()


def _spool_remove(file, path: str) -> None:
    file.close()
    with contextlib.suppress(FileNotFoundError):  # moved into the storage
        os.unlink(path)


class _SpoolFile(File):
    """The spooled ciphertext as a storage's input: the local storage moves a file that has a
    temporary path instead of copying it."""

    def temporary_file_path(self) -> str:
        return self.file.name


class _SpoolPlaintext(io.RawIOBase):
    """The plaintext of a finished spool, seekable: a read decrypts (and checks) the chunk
    that holds the position; the last few decrypted are kept (a PDF parser jumps back and
    forth between neighbouring objects)."""

    CACHED_CHUNKS = 4

    def __init__(self, spool: EncryptedSpool):
        self._spool = spool
        self._position = 0
        self._cached: dict[int, bytes] = {}  # index -> plaintext, least recently used first
        size = spool.sealer.size
        self._last_index = max(0, -(-spool.size // size) - 1)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._spool.size}
        position = base[whence] + offset
        if position < 0:
            raise ValueError("negative seek position")
        self._position = position
        return position

    def _chunk(self, index: int) -> bytes:
        chunk = self._cached.pop(index, None)
        if chunk is None:
            sealer = self._spool.sealer
            size = sealer.size
            length = min(size, self._spool.size - index * size) + TAG_BYTES
            offset = HEADER_BYTES + index * (size + TAG_BYTES)
            sealed = os.pread(self._spool.file.fileno(), length, offset)
            nonce = _chunk_nonce(sealer.prefix, index, index == self._last_index)
            try:
                chunk = sealer.aead.decrypt(nonce, sealed, sealer.fixed)
            except InvalidTag as error:  # the temporary file was changed under us
                raise OSError("The spooled upload does not decrypt.") from error
            if len(self._cached) >= self.CACHED_CHUNKS:
                del self._cached[next(iter(self._cached))]
        self._cached[index] = chunk
        return chunk

    def readinto(self, target) -> int:
        if self._position >= self._spool.size:
            return 0
        size = self._spool.sealer.size
        index, start = divmod(self._position, size)
        chunk = self._chunk(index)
        count = min(len(target), len(chunk) - start)
        target[:count] = chunk[start : start + count]
        self._position += count
        return count


def store_encrypted(tender, handle, field) -> str:
    """Store the open plaintext file ``handle`` encrypted (version 3) in the FileField
    ``field`` (not saved to the database) and return the SHA-256 of the plaintext.

    An upload that was encrypted as it arrived (``handle.spool``, an ``EncryptedSpool``) gets
    its header and is moved into the storage as it is. Anything else (bytes, a small upload in
    memory) is encrypted here as the storage reads it, hashed in the same pass. Either way
    neither the plaintext nor the ciphertext is ever whole in memory and no plaintext leaves
    the process."""
    # The key is fetched here, in the request's thread and transaction: S3 pulls the stream
    # from a thread of its own, which must not touch the database.
    data_key = tender_data_key(tender)
    spool = getattr(handle, "spool", None)
    if isinstance(spool, EncryptedSpool) and not spool.stored:
        return spool.store(tender, field, data_key)
    digest = hashlib.sha256()

    def plaintext():
        handle.seek(0)
        while chunk := handle.read(chunk_size()):
            digest.update(chunk)
            yield chunk

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


def encrypt_sealed(tender, purpose: str, plaintext: bytes, data_key: bytes | None = None) -> bytes:
    """Sealed content in the database (``providers.envelopes``): a submission's envelope
    (``purpose`` "submission:<id>") or a UEA ("uea:<id>"), bound to its tender and record, so
    a ciphertext copied to another record does not decrypt."""
    nonce = os.urandom(NONCE_BYTES)
    aad = _aad_sealed(tender.pk, purpose)
    return nonce + AESGCM(data_key or tender_data_key(tender)).encrypt(nonce, plaintext, aad)


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
