"""Envelope encryption of submission files (docs/rules.md, docs/operations.md).

Each tender has its own random AES-256 data key; it is stored wrapped (AES-256-GCM) by the
master key from the environment (``SUBMISSION_MASTER_KEY``, base64 of 32 bytes). Files are
encrypted with AES-256-GCM under the tender's data key: stored bytes = 12-byte nonce +
ciphertext (with its tag). The associated data binds a ciphertext to its tender, so a file
copied to another tender does not decrypt.

Nothing here checks who asks: the only caller that decrypts is
``providers.services.submissions.submission_document_read``, which checks the opening and the
caller's permission first.
"""

import base64
import binascii
import hashlib
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
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


def encrypt_file(tender, plaintext: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(tender_data_key(tender)).encrypt(nonce, plaintext, _aad_file(tender.pk))


def decrypt_file(tender, stored: bytes) -> bytes:
    return AESGCM(tender_data_key(tender)).decrypt(
        stored[:NONCE_BYTES], stored[NONCE_BYTES:], _aad_file(tender.pk)
    )


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
