"""Master key rotation: re-wrap every tender's data key from the old master key to the new one.

Both keys come from the environment, never from the command line (shell history):
``SUBMISSION_MASTER_KEY_OLD`` and ``SUBMISSION_MASTER_KEY_NEW`` (base64 of 32 bytes). The
files themselves are not touched. Run it, then deploy the new key as ``SUBMISSION_MASTER_KEY``.
"""

import base64
import binascii
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.services import audit_record
from providers.crypto import data_keys_rewrap, master_key_id


def _key(name: str) -> bytes:
    value = os.environ.get(name, "")
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise CommandError(f"{name} ontbreekt of is geen base64 van precies 32 bytes.")
    return key


class Command(BaseCommand):
    help = (
        "Verpak de datasleutels van alle aanbestedingen opnieuw met een nieuwe hoofdsleutel "
        "(SUBMISSION_MASTER_KEY_OLD -> SUBMISSION_MASTER_KEY_NEW, uit de omgeving)."
    )

    def handle(self, *args, **options):
        old, new = _key("SUBMISSION_MASTER_KEY_OLD"), _key("SUBMISSION_MASTER_KEY_NEW")
        if old == new:
            raise CommandError("De oude en de nieuwe hoofdsleutel zijn gelijk.")
        with transaction.atomic():
            count = data_keys_rewrap(old_key=old, new_key=new)
            audit_record(
                action="crypto.rewrap",
                details={"keys": count, "from": master_key_id(old), "to": master_key_id(new)},
            )
        self.stdout.write(
            f"{count} datasleutel(s) opnieuw verpakt; zet nu SUBMISSION_MASTER_KEY op de nieuwe "
            "sleutel."
        )
