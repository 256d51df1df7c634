"""Django upload handlers (``FILE_UPLOAD_HANDLERS``): a request's files are encrypted as they
arrive (issue 19, "Uploads streamed").

Django's defaults keep a small file in memory and write a larger one, in 64 KiB pieces, to a
temporary file in the clear, which the upload then reads again to check, hash, encrypt and
write it a second time. Here a file above ``FILE_UPLOAD_MAX_MEMORY_SIZE`` is hashed and
encrypted into its temporary file as it arrives (``providers.crypto.EncryptedSpool``, the
stored format version 3, whose chunks do not depend on the tender), in pieces of
``UPLOAD_CHUNK_BYTES``. The checks read its plaintext back through a seekable decrypting file;
storing it writes the tender's wrapped key into its header and moves it into the storage
(``providers.crypto.store_encrypted``). So no plaintext of an upload is ever on disk, and a
100 MB upload is written once instead of twice.

Every upload of the site goes through these handlers; to a view the file looks like any
uploaded file (``read``, ``seek``, ``chunks``), only without a ``temporary_file_path`` (the
file on disk is ciphertext). Small files stay in memory as before.
"""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, MemoryFileUploadHandler

from .crypto import EncryptedSpool


def _piece_bytes() -> int:
    return int(getattr(settings, "UPLOAD_CHUNK_BYTES", 1024 * 1024))


class MemoryUploadHandler(MemoryFileUploadHandler):
    """Django's in-memory handler (files up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``), reading in
    the larger pieces of the encrypting handler: the parser reads in the smallest piece size
    of all handlers."""

    @property
    def chunk_size(self) -> int:  # type: ignore[override]
        return _piece_bytes()


class EncryptingUploadHandler(FileUploadHandler):
    """A file above the memory limit, encrypted and hashed as it arrives into a temporary
    file of ciphertext (module docstring)."""

    @property
    def chunk_size(self) -> int:  # type: ignore[override]
        return _piece_bytes()

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.spool = EncryptedSpool()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.spool.write(raw_data)

    def file_complete(self, file_size: int) -> "EncryptedUploadedFile":
        self.spool.finish()
        return EncryptedUploadedFile(
            self.spool,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def upload_interrupted(self) -> None:
        if hasattr(self, "spool"):
            self.spool.close()


class EncryptedUploadedFile(UploadedFile):
    """An uploaded file whose content is the spool's plaintext, read back one decrypted chunk
    at a time; ``spool`` is what ``store_encrypted`` moves into the storage."""

    def __init__(self, spool: EncryptedSpool, **kwargs):
        super().__init__(spool.plaintext(), **kwargs)
        self.spool = spool

    def close(self) -> None:
        self.file.close()
        self.spool.close()
