"""Organisations and sealed submissions of a scenario (``evaluation.services.scenario``)."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from tender.bulk import bulk_insert, bulk_insert_rows
from tender.constants import Phase, Procedure, Round
from tender.models import Criterion, Tender

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
        # The KvK check constraint is the schema's pattern; the database enforces it too (a
        # query per organisation to validate it here was a tenth of a national load).
        org.full_clean(validate_unique=False, validate_constraints=False)
    Organisation.objects.bulk_create(new)
    unreachable = [o for o in existing.values() if not o.contact_email]
    for org in unreachable:
        org.contact_name = org.contact_name or DEMO_CONTACT_NAME
        org.contact_email = demo_contact_email(org.kvk)
    Organisation.objects.bulk_update(unreachable, ["contact_name", "contact_email"])
    return {**existing, **{o.kvk: o for o in new}}


def _award_data(
    item: dict, award_criteria: set[tuple[str, str]], award_requirements: set[str]
) -> dict[str, bool]:
    """Per segment entry of a scenario submission: whether it holds round-2 data (a bid, an
    award-phase level or score, an award-phase requirement answer); key ``""``: whether the
    submission answers a general award-phase requirement."""
    found = {"": any(code in award_requirements for code in item["requirements"])}
    for entry in item["segments"]:
        seg = entry["segment"]
        levels = set(entry.get("levels", {}))
        for score in entry.get("scores", []):
            levels |= set(score["levels"])
        found[seg] = bool(
            entry.get("bid")
            or any((seg, code) in award_criteria for code in levels)
            or any(code in award_requirements for code in entry.get("requirements", {}))
        )
    return found


@transaction.atomic
def submissions_create_from_scenario(
    *,
    tender: Tender,
    data: list[dict],
    organisations: dict[str, Organisation],
    one_round: bool = False,
) -> dict[tuple[str, str], dict[str, Dossier]]:
    """Create sealed submissions with their dossiers and requirement answers.

    Returns the dossiers keyed by (bidder KvK, segment code), then by phase, for the evaluation
    import. One round (open, Open House): one submission per bidder, its dossier serves both
    phases. Restricted (docs/rules.md, "Rounds"): a request per bidder (selection-phase
    answers, municipalities, specialisms) and, for a bidder with round-2 data, an offer (the
    award-phase answers, and a dossier with the bid per segment with round-2 data); the
    request dossier serves the selection phase, the offer dossier the award phase.
    A submission without ``submitted_at`` counts as received at the (round's) deadline.
    """
    two_rounds = tender.procedure == Procedure.RESTRICTED and not one_round
    segments = {s.code: s for s in tender.segments.all()}
    requirements = {r.code: r for r in tender.requirements.all()}
    # municipality code -> its id as COPY text (bulk_insert_rows text)
    municipalities = {
        code: str(pk) for code, pk in tender.region.municipalities.values_list("code", "pk")
    }
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
    # (item, round, award data per segment) for every submission to create
    planned: list[tuple[dict, str, dict[str, bool] | None]] = []
    award_criteria = set(
        Criterion.objects.filter(segment__tender=tender, phase=Phase.AWARD).values_list(
            "segment__code", "code"
        )
    )
    award_requirements = {code for code, r in requirements.items() if r.phase == Phase.AWARD}
    for item in data:
        if not two_rounds:
            planned.append((item, tender.rounds[0], None))
            continue
        found = _award_data(item, award_criteria, award_requirements)
        planned.append((item, Round.REQUEST, found))
        if any(found.values()):
            planned.append((item, Round.OFFER, found))

    def received(item: dict, round: str) -> datetime:
        if item.get("submitted_at"):
            return datetime.fromisoformat(item["submitted_at"])
        if round == Round.OFFER and tender.offers_deadline:
            return tender.offers_deadline
        return tender.deadline

    submissions = bulk_insert(
        [
            Submission(
                tender=tender,
                round=round,
                bidder=organisations[item["bidder"]],
                combination=combination_of.get(item["bidder"]),
                state=SubmissionState.SEALED,
                submitted_at=received(item, round),
            )
            for item, round, _award in planned
        ],
        with_ids=True,
    )
    bulk_insert(
        [
            Subcontractor(
                submission=submission,
                organisation=organisations[kvk],
                name=organisations[kvk].name,
                kvk=kvk,
            )
            for submission, (item, _round, _award) in zip(submissions, planned, strict=True)
            for kvk in item.get("subcontractors", [])
        ]
    )

    requirement_ids = {code: str(r.pk) for code, r in requirements.items()}

    def answers_of(submission: Submission, given: dict, round: str) -> list[tuple]:
        submission_id = str(submission.pk)
        return [
            (submission_id, requirement_ids[code], "t" if met else "f")
            for code, met in given.items()
            if not two_rounds or (requirements[code].phase == Phase.AWARD) == (round == Round.OFFER)
        ]

    answers: list[tuple] = []
    dossiers: dict[tuple[str, str], dict[str, Dossier]] = {}
    created, served = [], []
    for submission, (item, round, award) in zip(submissions, planned, strict=True):
        answers.extend(answers_of(submission, item["requirements"], round))
        for entry in item["segments"]:
            with_request = not two_rounds or round == Round.REQUEST
            with_offer = not two_rounds or round == Round.OFFER
            if two_rounds and with_offer and not (award or {}).get(entry["segment"]):
                continue
            bid = entry.get("bid") if with_offer else None
            dossier = Dossier(
                submission=submission,
                segment=segments[entry["segment"]],
                specialisms=list(entry.get("specialisms", [])) if with_request else [],
                bid_clients=bid["clients"] if bid else None,
                bid_months=Decimal(bid["months"]) if bid else None,
                bid_hours_per_month=Decimal(bid["hours_per_month"]) if bid else None,
                current_clients=entry.get("current_clients") if with_offer else None,
            )
            phases = dossiers.setdefault((item["bidder"], entry["segment"]), {})
            if with_request:
                phases[Phase.SELECTION] = dossier
            phases[Phase.AWARD] = dossier
            created.append(dossier)
            served.append(entry["municipalities"] if with_request else [])
            answers.extend(answers_of(submission, entry.get("requirements", {}), round))
    bulk_insert(created, with_ids=True)
    bulk_insert_rows(
        Dossier.municipalities.through,
        ("dossier_id", "municipality_id"),
        (
            (str(dossier.pk), municipalities[code])
            for dossier, codes in zip(created, served, strict=True)
            for code in codes
        ),
        text=True,
    )
    bulk_insert_rows(
        RequirementAnswer, ("submission_id", "requirement_id", "met"), answers, text=True
    )
    return dossiers


def submissions_delete_of_tender(tender: Tender) -> None:
    """``tender_delete`` step: the tender's dossiers, submissions and combinations."""
    Dossier.objects.filter(submission__tender=tender).delete()
    Submission.objects.filter(tender=tender).delete()
    Combination.objects.filter(tender=tender).delete()
