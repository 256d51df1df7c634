"""Files on S3-compatible object storage (issue 19.7): against a real S3 endpoint on loopback
(moto's server in a thread of this process, no Docker), a submission's files go to the bucket
encrypted (the plaintext never leaves the process), nothing is written to local disk, and the
readers' stream gets the plaintext back. The permission and opening rules in front of that
stream are the same for every storage (test_submission_staff, test_submission_services)."""

import hashlib
import socket

import pytest

from providers import crypto
from providers.models import DocumentKind
from providers.services import submissions as services

from .submission_support import (
    MARKER,
    complete_draft,
    media,  # noqa: F401
    open_tender,
    pdf_bytes,
    provider,
    spooled,
)

pytestmark = [pytest.mark.django_db, pytest.mark.s3]

BUCKET = "aanbesteding-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3(settings, monkeypatch):
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.delenv(name, raising=False)
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.create_bucket(Bucket=BUCKET)
        settings.AWS_STORAGE_BUCKET_NAME = BUCKET
        settings.AWS_S3_ENDPOINT_URL = endpoint
        settings.AWS_S3_REGION_NAME = "us-east-1"
        settings.AWS_S3_ACCESS_KEY_ID = "testing"
        settings.AWS_S3_SECRET_ACCESS_KEY = "testing"
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage"},
        }
        yield client
    finally:
        server.stop()


def test_files_go_to_s3_encrypted_and_come_back_in_the_clear(s3, media):  # noqa: F811
    tender = open_tender()
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)  # uploads through the real service

    objects = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert len(objects) == 2  # the dossier and the reference
    for item in objects:
        stored = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        assert stored.startswith(crypto.MAGIC)
        assert MARKER not in stored and b"%PDF" not in stored and b"PK" not in stored[:64]
    assert not [p for p in media.rglob("*") if p.is_file()]  # nothing on local disk

    # The readers' stream (what the document view sends after its permission check).
    document = draft.documents.select_related("file", "submission__tender").get(
        kind=DocumentKind.DOSSIER
    )
    chunks = services._decrypted_chunks(document, crypto.tender_data_key(tender))
    assert b"".join(chunks) == pdf_bytes(3)


def test_an_upload_encrypted_as_it_arrived_goes_to_s3_as_it_is(s3, media, settings, tmp_path):  # noqa: F811
    """A file above the memory limit was spooled as ciphertext; S3 gets that file (with the
    tender's header), nothing stays on local disk once the upload is closed."""
    from tender.models import Segment

    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    tender = open_tender()
    user, organisation = provider()
    draft = services.submission_start(tender=tender, organisation=organisation, user=user)
    segment = Segment.objects.get(tender=tender, code="JH-DYS")
    services.submission_segments_set(submission=draft, segments=[segment], user=user)
    plaintext = pdf_bytes(5)
    uploaded = spooled("dossier.pdf", plaintext, piece=4096)
    document = services.document_upload(
        submission=draft,
        kind=DocumentKind.DOSSIER,
        name="dossier.pdf",
        data=uploaded,
        user=user,
        segment=segment,
    )
    uploaded.close()
    document.refresh_from_db()
    stored = s3.get_object(Bucket=BUCKET, Key=document.file.blob.name)["Body"].read()
    assert stored.startswith(crypto.MAGIC) and b"%PDF" not in stored
    assert crypto.decrypt_file(tender, stored) == plaintext
    assert not [p for p in media.rglob("*") if p.is_file()]
    assert not list(tmp_path.iterdir())
    assert document.file.sha256 == hashlib.sha256(plaintext).hexdigest()
