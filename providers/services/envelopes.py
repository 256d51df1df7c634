"""The opening of the sealed envelopes (docs/rules.md, "Submissions, sealing and encryption").

Runs inside the four-eyes opening's transaction (``tender.services.lifecycle``, registered
with ``register_after("open", ...)`` in ``ProvidersConfig.ready``): every sealed, current
submission's content is decrypted into the plain columns the evaluation reads, its envelope
deleted, and the whole recorded in the audit log. Drafts, withdrawn and superseded versions
are never read: their envelopes stay sealed.
"""

from django.db import transaction

from audit.services import audit_record
from tender.models import Tender

from .. import crypto
from ..constants import SubmissionState
from ..envelopes import envelope_open
from ..models import Submission


@transaction.atomic
def submission_envelopes_open(*, tender: Tender, user) -> int:
    """Decrypt the tender's sealed current submissions into the plain columns, in one
    transaction; returns how many were opened. A submission without an envelope (loaded from
    a scenario file) is left as it is."""
    submissions = list(
        Submission.objects.select_for_update(of=("self",))
        .filter(
            tender=tender,
            state=SubmissionState.SEALED,
            is_current=True,
            envelope__isnull=False,
        )
        .select_related("tender", "bidder")
        .order_by("pk")
    )
    if not submissions:
        return 0
    data_key = crypto.tender_data_key(tender)
    opened = [s for s in submissions if envelope_open(s, data_key=data_key)]
    audit_record(
        action="submission.envelopes_open",
        actor=user,
        obj=tender,
        tender=tender,
        details={
            "opened": len(opened),
            "submissions": [{"bidder": s.bidder.kvk, "version": s.version} for s in opened],
        },
    )
    return len(opened)


def envelopes_open_after_opening(*, tender: Tender, user) -> None:
    """The ``register_after("open", ...)`` hook."""
    submission_envelopes_open(tender=tender, user=user)
