"""Organisations and sealed submissions of a scenario (``evaluation.services.scenario``)."""

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

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

# The models whose rows ``submissions_create_from_scenario`` writes in bulk (COPY): a large load
# checks their foreign keys once at its end (``tender.bulk.foreign_keys_rebuilt``).
BULK_WRITTEN = (
    Submission,
    Subcontractor,
    Dossier,
    Dossier.municipalities.through,
    RequirementAnswer,
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


class ScenarioDossier(NamedTuple):
    """A dossier written by ``submissions_create_from_scenario``: what the scores need."""

    pk: int
    segment_id: int
    submitted_at: datetime | None


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
) -> dict[tuple[str, str], dict[str, ScenarioDossier]]:
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
    planned_dossiers: list[tuple[Submission, dict, dict, bool, bool]] = []
    for submission, (item, round, award) in zip(submissions, planned, strict=True):
        answers.extend(answers_of(submission, item["requirements"], round))
        for entry in item["segments"]:
            with_request = not two_rounds or round == Round.REQUEST
            with_offer = not two_rounds or round == Round.OFFER
            if two_rounds and with_offer and not (award or {}).get(entry["segment"]):
                continue
            planned_dossiers.append((submission, item, entry, with_request, with_offer))
            answers.extend(answers_of(submission, entry.get("requirements", {}), round))

    # The dossiers as plain rows (ids taken from the sequence first, for the rows that point
    # to them): a national file has a hundred thousand.
    rows: list[tuple] = []
    for submission, _item, entry, with_request, with_offer in planned_dossiers:
        bid = entry.get("bid") if with_offer else None
        rows.append(
            (
                submission.pk,
                segments[entry["segment"]].pk,
                list(entry.get("specialisms", [])) if with_request else [],
                bid["clients"] if bid else None,
                Decimal(bid["months"]) if bid else None,
                Decimal(bid["hours_per_month"]) if bid else None,
                entry.get("current_clients") if with_offer else None,
            )
        )
    ids = bulk_insert_rows(
        Dossier,
        (
            "submission_id",
            "segment_id",
            "specialisms",
            "bid_clients",
            "bid_months",
            "bid_hours_per_month",
            "current_clients",
        ),
        rows,
        with_ids=True,
    )
    dossiers: dict[tuple[str, str], dict[str, ScenarioDossier]] = {}
    served: list[tuple[str, list[str]]] = []
    for pk, (submission, item, entry, with_request, _offer) in zip(
        ids, planned_dossiers, strict=True
    ):
        dossier = ScenarioDossier(pk, segments[entry["segment"]].pk, submission.submitted_at)
        phases = dossiers.setdefault((item["bidder"], entry["segment"]), {})
        if with_request:
            phases[Phase.SELECTION] = dossier
            served.append((str(pk), entry["municipalities"]))
        phases[Phase.AWARD] = dossier
    bulk_insert_rows(
        Dossier.municipalities.through,
        ("dossier_id", "municipality_id"),
        ((dossier_id, municipalities[code]) for dossier_id, codes in served for code in codes),
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
