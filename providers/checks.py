"""System checks of the submission encryption and uploads (Django's check framework).

``providers.E001``: outside development and tests the master key must not be the published
development key: with it, a copy of the database and the media folder decrypts every sealed
submission offline. The check runs with every management command (``migrate``, ``check
--deploy``) and when the WSGI application or a Celery worker starts (``config.startup``), so
production refuses to start with it.
"""

import base64
import binascii

from django.conf import settings
from django.core.checks import Error, Tags, register

from .crypto import DEVELOPMENT_MASTER_KEY


def _is_development_key(value: str) -> bool:
    try:
        return base64.b64decode(value or "", validate=True) == DEVELOPMENT_MASTER_KEY
    except (binascii.Error, ValueError):
        return False  # not valid base64: providers.crypto.master_key says so on first use


@register(Tags.security)
def check_master_key_not_development(app_configs=None, **kwargs) -> list[Error]:
    """An Error when the published development master key is used where it is not allowed:
    DEBUG off and the settings do not set ``ALLOW_DEVELOPMENT_MASTER_KEY`` (only the dev and
    test settings do)."""
    if settings.DEBUG or getattr(settings, "ALLOW_DEVELOPMENT_MASTER_KEY", False):
        return []
    if not _is_development_key(getattr(settings, "SUBMISSION_MASTER_KEY", "")):
        return []
    return [
        Error(
            "SUBMISSION_MASTER_KEY is the published development key.",
            hint=(
                "Set SUBMISSION_MASTER_KEY to base64 of 32 random bytes "
                "(e.g. `head -c 32 /dev/urandom | base64`), kept outside the database and the "
                "media folder (docs/operations.md)."
            ),
            id="providers.E001",
        )
    ]


@register(Tags.security)
def check_upload_limit(app_configs=None, **kwargs) -> list[Error]:
    """``providers.E002``: ``UPLOAD_MAX_BYTES`` is a positive number of bytes of at most 250 MB
    (``providers.uploads.UPLOAD_MAX_BYTES_CEILING``). Uploads are streamed, so the limit does
    not cost memory, but a request of more than 250 MB ties up a web process for too long.
    Registered with the security checks, so the web and worker processes refuse to start."""
    from .uploads import UPLOAD_MAX_BYTES_CEILING

    limit = getattr(settings, "UPLOAD_MAX_BYTES", 0)
    if isinstance(limit, int) and 0 < limit <= UPLOAD_MAX_BYTES_CEILING:
        return []
    return [
        Error(
            f"UPLOAD_MAX_BYTES is {limit!r}; it must be between 1 and "
            f"{UPLOAD_MAX_BYTES_CEILING} bytes (250 MB).",
            hint="Set UPLOAD_MAX_BYTES to at most 262144000 (README, Configuration).",
            id="providers.E002",
        )
    ]
