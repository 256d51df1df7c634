"""Writing organisations and submissions."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from tender.models import Municipality, Tender

from .constants import SubmissionState
from .models import (
    Combination,
    CombinationMember,
    Dossier,
    Organisation,
    RequirementAnswer,
    Submission,
    Subcontractor,
)


@transaction.atomic
def organisations_upsert_from_scenario(*, data: list[dict]) -> dict[str, Organisation]:
    """Create organisations by KvK number, keeping the ones that exist (KvK is unique)."""
    existing = Organisation.objects.in_bulk([o["kvk"] for o in data], field_name="kvk")
    new = [Organisation(kvk=o["kvk"], name=o["name"], legal_form=o["legal_form"],
                        agb=o.get("agb", "")) for o in data if o["kvk"] not in existing]
    for org in new:
        org.full_clean(validate_unique=False)
    Organisation.objects.bulk_create(new)
    return {**existing, **{o.kvk: o for o in new}}


@transaction.atomic
def submissions_create_from_scenario(
    *, tender: Tender, data: list[dict], organisations: dict[str, Organisation]
) -> dict[tuple[str, str], Dossier]:
    """Create sealed submissions with their dossiers and requirement answers.

    Returns the dossiers keyed by (bidder KvK, segment code) for the evaluation import.
    A submission without ``submitted_at`` counts as received at the deadline.
    """
    segments = {s.code: s for s in tender.segments.all()}
    requirements = {r.code: r for r in tender.requirements.all()}
    municipalities = {m.code: m for m in Municipality.objects.filter(lots__tender=tender)}
    dossiers: dict[tuple[str, str], Dossier] = {}
    answers: list[RequirementAnswer] = []
    for item in data:
        bidder = organisations[item["bidder"]]
        combination = None
        if item.get("members"):
            combination = Combination.objects.create(tender=tender, lead=bidder,
                                                     name=f"Combinatie {bidder.name}")
            CombinationMember.objects.bulk_create(
                CombinationMember(combination=combination, organisation=organisations[kvk],
                                  confirmed_at=tender.deadline)
                for kvk in item["members"]
            )
        received = (datetime.fromisoformat(item["submitted_at"]) if item.get("submitted_at")
                    else tender.deadline)
        submission = Submission.objects.create(
            tender=tender, bidder=bidder, combination=combination,
            state=SubmissionState.SEALED, submitted_at=received,
        )
        Subcontractor.objects.bulk_create(
            Subcontractor(submission=submission, organisation=organisations[kvk])
            for kvk in item.get("subcontractors", [])
        )
        answers.extend(RequirementAnswer(submission=submission, requirement=requirements[code],
                                         met=met) for code, met in item["requirements"].items())
        for entry in item["segments"]:
            bid = entry.get("bid")
            dossier = Dossier.objects.create(
                submission=submission, segment=segments[entry["segment"]],
                specialisms=list(entry.get("specialisms", [])),
                bid_clients=bid["clients"] if bid else None,
                bid_months=Decimal(bid["months"]) if bid else None,
                bid_hours_per_month=Decimal(bid["hours_per_month"]) if bid else None,
            )
            dossier.municipalities.set([municipalities[c] for c in entry["municipalities"]])
            answers.extend(
                RequirementAnswer(submission=submission, requirement=requirements[code], met=met)
                for code, met in entry.get("requirements", {}).items()
            )
            dossiers[(bidder.kvk, entry["segment"])] = dossier
    RequirementAnswer.objects.bulk_create(answers)
    return dossiers
