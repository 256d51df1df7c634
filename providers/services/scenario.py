"""Organisations and sealed submissions of a scenario (``evaluation.services.scenario``)."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from tender.models import Tender

from ..constants import SubmissionState
from ..models import (
    Combination,
    CombinationMember,
    Dossier,
    Organisation,
    RequirementAnswer,
    Subcontractor,
    Submission,
)

DEMO_CONTACT_NAME = "Contactpersoon aanbestedingen"


def demo_contact_email(kvk: str) -> str:
    return f"aanbestedingen+{kvk}@demo.example.nl"


@transaction.atomic
def organisations_upsert_from_scenario(*, data: list[dict]) -> dict[str, Organisation]:
    """Create organisations by KvK number, keeping the ones that exist (KvK is unique)."""
    existing = Organisation.objects.in_bulk([o["kvk"] for o in data], field_name="kvk")
    new = [
        Organisation(
            kvk=o["kvk"],
            name=o["name"],
            legal_form=o["legal_form"],
            agb=o.get("agb", ""),
            # Letters are only sent to a reachable contact: a scenario without one gets the
            # documented demo default (docs/rules.md, "Award decision, letters and standstill").
            contact_name=o.get("contact_name") or DEMO_CONTACT_NAME,
            contact_email=o.get("contact_email") or demo_contact_email(o["kvk"]),
        )
        for o in data
        if o["kvk"] not in existing
    ]
    for org in new:
        org.full_clean(validate_unique=False)
    Organisation.objects.bulk_create(new)
    unreachable = [o for o in existing.values() if not o.contact_email]
    for org in unreachable:
        org.contact_name = org.contact_name or DEMO_CONTACT_NAME
        org.contact_email = demo_contact_email(org.kvk)
    Organisation.objects.bulk_update(unreachable, ["contact_name", "contact_email"])
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
    municipalities = {m.code: m for m in tender.region.municipalities.all()}
    combinations = Combination.objects.bulk_create(
        Combination(
            tender=tender,
            lead=organisations[item["bidder"]],
            name=f"Combinatie {organisations[item['bidder']].name}",
        )
        for item in data
        if item.get("members")
    )
    combination_of = {c.lead.kvk: c for c in combinations}
    CombinationMember.objects.bulk_create(
        CombinationMember(
            combination=combination_of[item["bidder"]],
            organisation=organisations[kvk],
            confirmed_at=tender.deadline,
        )
        for item in data
        for kvk in item.get("members", [])
    )
    submissions = Submission.objects.bulk_create(
        Submission(
            tender=tender,
            round=tender.rounds[0],
            bidder=organisations[item["bidder"]],
            combination=combination_of.get(item["bidder"]),
            state=SubmissionState.SEALED,
            submitted_at=(
                datetime.fromisoformat(item["submitted_at"])
                if item.get("submitted_at")
                else tender.deadline
            ),
        )
        for item in data
    )
    Subcontractor.objects.bulk_create(
        Subcontractor(
            submission=submission,
            organisation=organisations[kvk],
            name=organisations[kvk].name,
            kvk=kvk,
        )
        for submission, item in zip(submissions, data, strict=True)
        for kvk in item.get("subcontractors", [])
    )
    answers: list[RequirementAnswer] = []
    dossiers, served = {}, []
    for submission, item in zip(submissions, data, strict=True):
        answers.extend(
            RequirementAnswer(submission=submission, requirement=requirements[code], met=met)
            for code, met in item["requirements"].items()
        )
        for entry in item["segments"]:
            bid = entry.get("bid")
            dossiers[(item["bidder"], entry["segment"])] = Dossier(
                submission=submission,
                segment=segments[entry["segment"]],
                specialisms=list(entry.get("specialisms", [])),
                bid_clients=bid["clients"] if bid else None,
                bid_months=Decimal(bid["months"]) if bid else None,
                bid_hours_per_month=Decimal(bid["hours_per_month"]) if bid else None,
                current_clients=entry.get("current_clients"),
            )
            served.append(entry["municipalities"])
            answers.extend(
                RequirementAnswer(submission=submission, requirement=requirements[code], met=met)
                for code, met in entry.get("requirements", {}).items()
            )
    Dossier.objects.bulk_create(dossiers.values())
    Dossier.municipalities.through.objects.bulk_create(
        Dossier.municipalities.through(dossier=dossier, municipality=municipalities[code])
        for dossier, codes in zip(dossiers.values(), served, strict=True)
        for code in codes
    )
    RequirementAnswer.objects.bulk_create(answers)
    return dossiers


def submissions_delete_of_tender(tender: Tender) -> None:
    """``tender_delete`` step: the tender's dossiers, submissions and combinations."""
    Dossier.objects.filter(submission__tender=tender).delete()
    Submission.objects.filter(tender=tender).delete()
    Combination.objects.filter(tender=tender).delete()
