"""The proces-verbaal of the opening, stored as a (non-public) tender document. Registered as
an after-hook of the ``open`` transition in ``communication.apps``."""

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from providers.constants import SubmissionState
from providers.models import Submission
from tender.models import OpeningConfirmation, Tender
from tender.pdf import render_to_pdf

from ..models import TenderDocument


def proces_verbaal_create(*, tender: Tender, user=None) -> None:
    """After-hook of the opening: the proces-verbaal PDF listing every sealed submission with
    its receipt time and hash, stored as a (non-public) tender document."""
    submissions = (
        Submission.objects.filter(tender=tender, is_current=True, state=SubmissionState.SEALED)
        .select_related("bidder")
        .order_by("submitted_at", "bidder__kvk")
    )
    confirmations = (
        OpeningConfirmation.objects.filter(tender=tender)
        .select_related("user")
        .order_by("confirmed_at", "pk")
    )
    opened_at = timezone.now()
    reference = f"PV-{tender.slug}-{timezone.localtime(opened_at):%Y%m%d%H%M%S}"
    pdf = render_to_pdf(
        "pdf/proces_verbaal.html",
        {
            "tender": tender,
            "submissions": submissions,
            "confirmations": confirmations,
            "opened_at": opened_at,
            "reference": reference,
            "region_name": tender.region.name,
        },
    )
    document = TenderDocument(
        tender=tender,
        kind=TenderDocument.Kind.PROCES_VERBAAL,
        title=f"Proces-verbaal van opening {tender.title}",
        sha256=hashlib.sha256(pdf).hexdigest(),
        audience=TenderDocument.Audience.STAFF,
        announced_at=opened_at,  # staff only: nobody is mailed
    )
    document.file.save(f"{reference}.pdf", ContentFile(pdf), save=True)
