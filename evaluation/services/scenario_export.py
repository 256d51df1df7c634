"""Exporting a tender as a scenario file, bids included where they may be read.

``tender.scenario_export`` gives the region and the set-up; this module adds the bidders, the
evaluators and the sealed submissions with their answers, final levels and submitted individual
scores, so that loading the export gives the same ranking (``export(load(x))`` round-trips).

Confidentiality (DOMAIN.md, "Confidentiality of bids"): nobody reads a bid's contents before
the opening. Submissions are therefore exported only while the tender is a draft (a draft can
hold submissions only when they came from a scenario file) or once it has been opened; from
publication until the opening, and for a cancelled tender, the export holds the set-up only.
Every export is recorded in the audit log, with whether it contained bids.
"""

from collections import defaultdict

from django.db.models import Prefetch

from audit.services import audit_record
from providers.constants import SubmissionState
from providers.models import (
    CombinationMember,
    Dossier,
    Organisation,
    RequirementAnswer,
    Submission,
)
from tender.constants import BIDS_READABLE_STATES
from tender.models import Tender
from tender.scenario_export import decimal_text, tender_scenario

from ..models import Evaluator, FinalLevel, Score


def _sealed_submissions(tender: Tender):
    return (
        Submission.objects.filter(tender=tender, is_current=True, state=SubmissionState.SEALED)
        .select_related("bidder", "combination")
        .prefetch_related(
            Prefetch(
                "dossiers",
                queryset=Dossier.objects.select_related("segment")
                .prefetch_related("municipalities", "segment__requirements")
                .order_by("segment__code"),
            ),
            Prefetch(
                "answers",
                queryset=RequirementAnswer.objects.select_related("requirement").order_by(
                    "requirement__position", "requirement__code"
                ),
            ),
            Prefetch("subcontractors__organisation"),
        )
        .order_by("bidder__kvk")
    )


def _organisation(organisation) -> dict:
    item = {
        "kvk": organisation.kvk,
        "name": organisation.name,
        "legal_form": organisation.legal_form,
    }
    if organisation.agb:
        item["agb"] = organisation.agb
    return item


def _bids(tender: Tender) -> tuple[list[dict], list[dict], list[dict]]:
    """(organisations, evaluators, submissions) of the tender's sealed, current submissions of
    the rounds that may be read. The file has one submission per bidder: a restricted offer
    (round 2) is written into its bidder's request (round 1), with its award-phase answers,
    award levels and scores, bid and current clients per segment (``_merge_offer``)."""
    submissions = list(_sealed_submissions(tender).filter(round__in=tender.readable_rounds()))
    if not submissions:
        return [], [], []
    finals: defaultdict[int, dict[str, str]] = defaultdict(dict)
    for dossier_id, code, level in FinalLevel.objects.filter(
        dossier__submission__in=submissions
    ).values_list("dossier_id", "criterion__code", "level"):
        finals[dossier_id][code] = decimal_text(level)
    scores: defaultdict[int, defaultdict[str, dict[str, str]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for dossier_id, username, code, level in (
        Score.objects.filter(dossier__submission__in=submissions, submitted_at__isnull=False)
        .order_by("evaluator__user__username", "criterion__position", "criterion__id")
        .values_list("dossier_id", "evaluator__user__username", "criterion__code", "level")
    ):
        scores[dossier_id][username][code] = decimal_text(level)
    members = defaultdict(list)
    for combination_id, organisation in (
        (m.combination_id, m.organisation)
        for m in CombinationMember.objects.filter(combination__submissions__in=submissions)
        .select_related("organisation")
        .distinct()
    ):
        members[combination_id].append(organisation)

    organisations = {}
    exported = []
    offers = {s.bidder_id: s for s in submissions if s.round != tender.rounds[0]}
    firsts = {s.bidder_id for s in submissions if s.round == tender.rounds[0]}
    for submission in submissions:
        if submission.round != tender.rounds[0] and submission.bidder_id in firsts:
            continue  # merged into the bidder's request below
        organisations[submission.bidder.kvk] = submission.bidder
        item: dict = {"bidder": submission.bidder.kvk}
        lead_members = sorted(members.get(submission.combination_id, []), key=lambda o: o.kvk)
        lead_members = [o for o in lead_members if o.pk != submission.bidder_id]
        if lead_members:
            item["members"] = [o.kvk for o in lead_members]
        # A subcontractor entered in the portal (name + KvK) need not be a registered
        # organisation: it is exported as one with legal form "other".
        subcontractors = sorted(
            (
                s.organisation or Organisation(kvk=s.kvk, name=s.name, legal_form="other")
                for s in submission.subcontractors.all()
            ),
            key=lambda o: o.kvk,
        )
        if subcontractors:
            item["subcontractors"] = [o.kvk for o in subcontractors]
        for organisation in (*lead_members, *subcontractors):
            organisations[organisation.kvk] = organisation
        if submission.submitted_at is not None:
            item["submitted_at"] = submission.submitted_at.isoformat()
        # The ranking reads an answer rejected at review as not met; so does the export.
        answers = {a.requirement.code: a.effective_met for a in submission.answers.all()}
        general = {
            a.requirement.code for a in submission.answers.all() if not a.requirement.segment_id
        }
        item["requirements"] = {code: met for code, met in answers.items() if code in general}
        item["segments"] = [
            _dossier(dossier, answers, finals, scores) for dossier in submission.dossiers.all()
        ]
        offer = offers.get(submission.bidder_id)
        if offer is not None and offer is not submission:
            _merge_offer(item, offer, finals, scores)
        exported.append(item)

    evaluators = [
        {
            "username": e.user.get_username(),
            "name": e.name,
            **({"chair": True} if e.is_chair else {}),
        }
        for e in Evaluator.objects.filter(tender=tender)
        .select_related("user")
        .order_by("user__username")
    ]
    return (
        [_organisation(o) for _kvk, o in sorted(organisations.items())],
        evaluators,
        exported,
    )


def _evaluator(evaluator: Evaluator) -> dict:
    item = {"username": evaluator.user.get_username(), "name": evaluator.name}
    if evaluator.is_chair:
        item["chair"] = True
    return item


def _merge_offer(item: dict, offer: Submission, finals: dict, scores: dict) -> None:
    """Write a restricted offer into its bidder's exported request (one submission per bidder
    in the file): the general award-phase answers, and per segment the offer's segment answers,
    levels, scores, bid and current clients (an offer serves the request's municipalities and
    specialisms, so those come from the request)."""
    answers = {a.requirement.code: a.effective_met for a in offer.answers.all()}
    general = {a.requirement.code for a in offer.answers.all() if not a.requirement.segment_id}
    item["requirements"].update({c: met for c, met in answers.items() if c in general})
    entries = {entry["segment"]: entry for entry in item["segments"]}
    for dossier in offer.dossiers.all():
        of_offer = _dossier(dossier, answers, finals, scores)
        entry = entries.get(dossier.segment.code)
        if entry is None:  # not in the request: cannot happen through the portal
            item["segments"].append(of_offer)
            continue
        for key in ("requirements", "levels"):
            if key in of_offer:
                entry[key] = {**entry.get(key, {}), **of_offer[key]}
        if "scores" in of_offer:
            by_evaluator = {s["evaluator"]: s["levels"] for s in entry.get("scores", [])}
            for score in of_offer["scores"]:
                by_evaluator[score["evaluator"]] = {
                    **by_evaluator.get(score["evaluator"], {}),
                    **score["levels"],
                }
            entry["scores"] = [
                {"evaluator": username, "levels": levels}
                for username, levels in sorted(by_evaluator.items())
            ]
        for key in ("bid", "current_clients"):
            if key in of_offer:
                entry[key] = of_offer[key]


def _dossier(dossier: Dossier, answers: dict, finals: dict, scores: dict) -> dict:
    segment = dossier.segment
    segment_codes = {r.code for r in segment.requirements.all()}
    entry: dict = {
        "segment": segment.code,
        "municipalities": sorted(m.code for m in dossier.municipalities.all()),
        "specialisms": list(dossier.specialisms),
    }
    segment_answers = {code: met for code, met in answers.items() if code in segment_codes}
    if segment_answers:
        entry["requirements"] = segment_answers
    if finals.get(dossier.pk):
        entry["levels"] = finals[dossier.pk]
    if scores.get(dossier.pk):
        entry["scores"] = [
            {"evaluator": username, "levels": levels}
            for username, levels in sorted(scores[dossier.pk].items())
        ]
    if dossier.has_bid:
        entry["bid"] = {
            "clients": dossier.bid_clients,
            "months": decimal_text(dossier.bid_months),
            "hours_per_month": decimal_text(dossier.bid_hours_per_month),
        }
    if dossier.current_clients is not None:
        entry["current_clients"] = dossier.current_clients
    return entry


def bids_exportable(tender: Tender) -> bool:
    """Whether an export of ``tender`` may contain its bids (see the module docstring)."""
    return tender.state in BIDS_READABLE_STATES


def scenario_export(*, tender: Tender, actor=None, client_address: str | None = None) -> dict:
    """The whole tender as a ``tender-scenario/1`` document; audited.

    The result is not validated here: an incomplete set-up (a lot without segments, a segment
    without criteria) gives a document that ``validate_scenario`` refuses.
    """
    data = tender_scenario(tender)
    with_bids = bids_exportable(tender)
    if with_bids:
        organisations, evaluators, submissions = _bids(tender)
        data["organisations"] = organisations
        if evaluators:
            data["evaluators"] = evaluators
        data["submissions"] = submissions
    audit_record(
        action="scenario.export",
        actor=actor,
        obj=tender,
        tender=tender,
        client_address=client_address,
        details={"with_bids": with_bids, "submissions": len(data["submissions"])},
    )
    return data
