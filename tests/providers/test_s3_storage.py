"""Files on S3-compatible object storage (issue 19.7): against a real S3 endpoint on loopback
(moto's server in a thread of this process, no Docker), a submission's files go to the bucket
encrypted (the plaintext never leaves the process), nothing is written to local disk, and the
reader gets the plaintext back."""

import socket

import pytest

from accounts.roles import VOORZITTER
from providers import crypto
from providers.models import DocumentKind
from providers.services import submissions as services

from .submission_support import (
    MARKER,
    complete_draft,
    media,  # noqa: F401
    open_bids,
    open_tender,
    pdf_bytes,
    provider,
    staff,
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
    sealed = services.submission_seal(
        submission=complete_draft(tender, user, organisation), user=user
    )

    objects = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert len(objects) == 2  # the dossier and the reference, uploaded by the real service
    for item in objects:
        stored = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        assert stored.startswith(crypto.MAGIC)
        assert MARKER not in stored and b"%PDF" not in stored and b"PK" not in stored[:64]
    assert not [p for p in media.rglob("*") if p.is_file()]  # nothing on local disk

    open_bids(tender)
    document = sealed.documents.get(kind=DocumentKind.DOSSIER)
    chair = staff("voorzitter-s3", VOORZITTER)
    assert services.submission_document_read(document=document, user=chair) == pdf_bytes(3)
