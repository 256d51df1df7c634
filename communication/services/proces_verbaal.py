"""The proces-verbaal of the opening, stored as a (non-public) tender document. One per round:
registered as an after-hook of both openings (``open_requests``, ``open_offers``) in
``communication.apps``."""

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from providers.constants import SubmissionState
from providers.models import Submission
from providers.selectors import with_bidder_label
from tender.constants import Round
from tender.models import OpeningConfirmation, Tender
from tender.pdf import render_to_pdf
from tender.services.lifecycle import opened_round

from ..models import TenderDocument


def proces_verbaal_create(*, tender: Tender, user=None) -> None:
    """After-hook of the opening: the proces-verbaal PDF listing every sealed submission with
    its receipt time and hash, stored as a (non-public) tender document."""
    round = opened_round(tender)
    submissions = with_bidder_label(
        Submission.objects.filter(
            tender=tender, round=round, is_current=True, state=SubmissionState.SEALED
        )
    ).order_by("submitted_at", "bidder__kvk")
    confirmations = (
        OpeningConfirmation.objects.filter(tender=tender, round=round)
        .select_related("user")
        .order_by("confirmed_at", "pk")
    )
    opened_at = timezone.now()
    reference = f"PV-{tender.slug}-{round}-{timezone.localtime(opened_at):%Y%m%d%H%M%S}"
    pdf = render_to_pdf(
        "pdf/proces_verbaal.html",
        {
            "tender": tender,
            "round_label": Round(round).label,
            "deadline": tender.round_deadline(round),
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


def proces_verbaal_batch_create(*, batch) -> TenderDocument:
    """Open House: the proces-verbaal of one opened batch of applications (its submissions,
    their receipt times and hashes, and the two confirmations)."""
    tender = batch.tender
    submissions = with_bidder_label(batch.submissions.all()).order_by("submitted_at", "bidder__kvk")
    confirmations = [
        {"user": batch.first_confirmed_by, "confirmed_at": batch.cutoff},
        {"user": batch.opened_by, "confirmed_at": batch.opened_at},
    ]
    reference = f"PV-{tender.slug}-{Round.APPLICATION}-{batch.number}"
    pdf = render_to_pdf(
        "pdf/proces_verbaal.html",
        {
            "tender": tender,
            "round_label": Round.APPLICATION.label,
            "batch": batch,
            "submissions": submissions,
            "confirmations": confirmations,
            "opened_at": batch.opened_at,
            "reference": reference,
            "region_name": tender.region.name,
        },
    )
    document = TenderDocument(
        tender=tender,
        kind=TenderDocument.Kind.PROCES_VERBAAL,
        title=f"Proces-verbaal van opening batch {batch.number} {tender.title}",
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    document.file.save(f"{reference}.pdf", ContentFile(pdf), save=True)
    return document
