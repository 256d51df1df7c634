"""The opening of the sealed envelopes (docs/rules.md, "Submissions, sealing and encryption").

Runs inside the four-eyes opening's transaction (``tender.services.lifecycle``, registered
with ``register_after`` for both openings in ``ProvidersConfig.ready``): every sealed,
current submission of the opened round has its content decrypted into the plain columns the
evaluation reads and its envelope deleted, and the whole is recorded in the audit log; so is
every signed UEA of the tender. The other round's envelopes stay sealed.
Drafts, withdrawn and superseded versions and unsigned UEAs are never read: they stay sealed.
"""

from cryptography.exceptions import InvalidTag
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from tender.constants import TenderState
from tender.errors import ApplicationError
from tender.models import Tender
from tender.services.lifecycle import opened_round

from .. import crypto
from ..constants import SubmissionState
from ..envelopes import content_load, content_store, envelope_open, uea_open, uea_store
from ..models import Submission, UEADeclaration


@transaction.atomic
def submission_envelopes_open(
    *, tender: Tender, user, round: str | None = None, only: list[int] | None = None
) -> int:
    """Decrypt the tender's sealed current submissions of ``round`` into the plain columns
    (the other round's envelopes stay sealed), together with its signed UEAs, in one
    transaction; returns how many were opened. A submission without an envelope (loaded from
    a scenario file) is left as it is. Raises ApplicationError when an envelope does not
    decrypt (wrong master key, damaged data): nothing is opened then. ``round`` defaults to
    the round the tender's state has opened last. ``only`` (Open House batches): just these
    submissions, and the signed UEAs of their bidders."""
    if round is None:
        round = opened_round(tender)
    declarations_qs = UEADeclaration.objects.select_for_update().filter(
        tender=tender, signed_at__isnull=False, sealed_content__isnull=False
    )
    submissions_qs = Submission.objects.select_for_update(of=("self",)).filter(
        tender=tender,
        round=round,
        state=SubmissionState.SEALED,
        is_current=True,
        envelope__isnull=False,
    )
    if only is not None:
        submissions_qs = submissions_qs.filter(pk__in=only)
        bidders = Submission.objects.filter(pk__in=only).values("bidder_id")
        declarations_qs = declarations_qs.filter(organisation_id__in=bidders)
    declarations = list(declarations_qs.select_related("tender").order_by("pk"))
    submissions = list(submissions_qs.select_related("tender", "bidder").order_by("pk"))
    if not submissions and not declarations:
        return 0
    try:
        data_key = crypto.tender_data_key(tender)
        opened = [s for s in submissions if envelope_open(s, data_key=data_key)]
        ueas = [d for d in declarations if uea_open(d, data_key=data_key)]
    except InvalidTag:
        # A wrong master key or a damaged envelope: the whole opening is undone.
        raise ApplicationError(
            _(
                "De verzegelde inschrijvingen kunnen niet worden ontsloten (verkeerde "
                "hoofdsleutel of beschadigde gegevens); de opening is niet doorgevoerd."
            )
        ) from None
    audit_record(
        action="submission.envelopes_open",
        actor=user,
        obj=tender,
        tender=tender,
        details={
            "round": round,
            "batch": only is not None,
            "opened": len(opened),
            "ueas": len(ueas),
            "submissions": [{"bidder": s.bidder.kvk, "version": s.version} for s in opened],
        },
    )
    return len(opened)


def envelopes_open_after_opening(*, tender: Tender, user) -> None:
    """The after-hook of both openings (``open_requests``, ``open_offers``): that round only."""
    submission_envelopes_open(tender=tender, user=user)


#: Tenders whose bids are not (yet) to be read: existing plain content there gets sealed.
SEALABLE_STATES = frozenset(
    {
        TenderState.PUBLISHED,
        TenderState.REQUESTS_OPEN,
        TenderState.REQUESTS_CLOSED,
        TenderState.OFFERS_OPEN,
        TenderState.OFFERS_CLOSED,
        TenderState.ADMISSION_OPEN,
    }
)


@transaction.atomic
def submissions_seal_existing(*, user=None) -> dict[str, int]:
    """Seal content stored in plain columns before the envelope existed (upgrade): every
    submission and signed or draft UEA of a tender not yet opened. Idempotent; audited.
    Returns the counts. (Old row versions may linger in the database files until the next
    ``VACUUM FULL``.)"""
    submissions = list(
        Submission.objects.select_for_update(of=("self",))
        .filter(tender__state__in=SEALABLE_STATES, envelope__isnull=True)
        .select_related("tender")
        .order_by("pk")
    )
    for submission in submissions:
        content_store(submission, content_load(submission))
    declarations = list(
        UEADeclaration.objects.select_for_update(of=("self",))
        .filter(tender__state__in=SEALABLE_STATES, sealed_content__isnull=True)
        .select_related("tender")
        .order_by("pk")
    )
    for declaration in declarations:
        uea_store(declaration)
    counts = {"submissions": len(submissions), "ueas": len(declarations)}
    if submissions or declarations:
        audit_record(action="submission.envelopes_seal_existing", actor=user, details=counts)
    return counts
