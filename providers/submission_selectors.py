"""Reading a bidder's submission for the portal and the API, and the checklist of what is
still missing before it can be submitted.

The checklist is a list of check functions (``CHECKS``); other parts add theirs with
``register_check`` (e.g. the combination's confirmations and the UEA forms), so sealing and the
screens use the same list.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from tender.constants import (
    OPENED_STATES,
    Funding,
    Phase,
    PlanDocuments,
    Procedure,
    RequirementBinds,
    Round,
    TenderState,
)
from tender.models import Criterion, Requirement, Segment, Tender

from .constants import SubmissionState
from .envelopes import envelope_unseal, envelopes_unseal
from .models import (
    Combination,
    DocumentKind,
    Dossier,
    OfferInvitation,
    Organisation,
    PartyAnswer,
    RequirementAnswer,
    Subcontractor,
    Submission,
    SubmissionDocument,
    UEADeclaration,
)
from .portal_selectors import combination_is_complete, combination_of, combinations_of

MAX_REFERENCES = 5


def submission_combination(*, tender: Tender, organisation: Organisation) -> Combination | None:
    """The combination ``organisation`` submits for: the one it leads in ``tender``, if any.
    (A confirmed member that does not lead submits nothing itself: ``member_refusal``.)"""
    combination = combination_of(tender=tender, organisation=organisation)
    if combination is not None and combination.lead_id == organisation.pk:
        return combination
    return None


def member_refusal(*, tender: Tender, organisation: Organisation) -> str | None:
    """Why ``organisation`` may not submit on its own: it is a confirmed member of another
    organisation's combination (the lead alone submits for the combination)."""
    combination = combination_of(tender=tender, organisation=organisation)
    if combination is None or combination.lead_id == organisation.pk:
        return None
    return _member_refusal_text(combination)


def _member_refusal_text(combination: Combination) -> str:
    return _(
        "Uw organisatie is bevestigd lid van de combinatie %(name)s; alleen de penvoerder "
        "(%(lead)s) dient in namens de combinatie."
    ) % {"name": combination.name, "lead": combination.lead.name}


def round_admits(*, tender: Tender, organisation: Organisation, round: str) -> bool:
    """Whether ``organisation`` may take part in ``round`` of ``tender``: the first round is
    open to every provider; the offers of the restricted procedure (round 2) only to the
    candidates invited for at least one segment (``OfferInvitation``)."""
    if round != Round.OFFER or tender.procedure != Procedure.RESTRICTED:
        return True
    return OfferInvitation.objects.filter(tender=tender, organisation=organisation).exists()


def invited_segments(*, tender: Tender, organisation: Organisation, round: str):
    """The segments ``organisation`` may choose in ``round``: every segment in a first round,
    the invited ones in the restricted procedure's offers."""
    segments = Segment.objects.filter(tender=tender)
    if round == Round.OFFER and tender.procedure == Procedure.RESTRICTED:
        segments = segments.filter(
            offer_invitations__organisation=organisation, offer_invitations__tender=tender
        )
    return segments


def offer_invitations_of(*, tender: Tender, organisation: Organisation) -> list[OfferInvitation]:
    """The portal notice: the segments ``organisation`` (a combination's lead) is invited to
    hand in an offer for, with the round-2 deadline on the tender."""
    return list(
        OfferInvitation.objects.filter(tender=tender, organisation=organisation)
        .select_related("segment")
        .order_by("segment__code")
    )


def portal_round(tender: Tender) -> str:
    """The round the provider portal works on for ``tender`` now: the open round, else the
    last round the tender reached (a restricted tender is in its offers from
    ``selection_standstill`` on, when the invitations go out)."""
    if round := tender.writable_round():
        return round
    if tender.procedure == Procedure.RESTRICTED and tender.state in OFFER_PORTAL_STATES:
        return Round.OFFER
    return tender.rounds[0]


#: The states in which a restricted tender's portal may show invitations to round 2.
INVITED_STATES = frozenset(
    {
        TenderState.SELECTION_STANDSTILL,
        TenderState.OFFERS_OPEN,
        TenderState.OFFERS_CLOSED,
    }
)

#: The states in which a restricted tender's portal shows the offers (round 2).
OFFER_PORTAL_STATES = frozenset(
    {
        TenderState.OFFERS_OPEN,
        TenderState.OFFERS_CLOSED,
        TenderState.OFFERS_OPENED,
        TenderState.AWARD,
        TenderState.STANDSTILL,
        TenderState.AWARDED,
        TenderState.CONTRACTED,
    }
)


def submissions_of(
    *, tender: Tender, organisation: Organisation, round: str | None = None
) -> QuerySet[Submission]:
    """Every version of the organisation's submission for the tender in ``round`` (default:
    the portal's round now), newest first."""
    return Submission.objects.filter(
        tender=tender, bidder=organisation, round=round or portal_round(tender)
    ).order_by("-version")


def draft_of(
    *, tender: Tender, organisation: Organisation, round: str | None = None
) -> Submission | None:
    return (
        submissions_of(tender=tender, organisation=organisation, round=round)
        .filter(state=SubmissionState.DRAFT)
        .first()
    )


def sealed_current_of(
    *, tender: Tender, organisation: Organisation, round: str | None = None
) -> Submission | None:
    return (
        submissions_of(tender=tender, organisation=organisation, round=round)
        .filter(state=SubmissionState.SEALED, is_current=True)
        .first()
    )


def member_submissions(*, tender: Tender, organisation: Organisation) -> list[Submission]:
    """The sealed, current submissions (one per round) of the combination ``organisation`` is
    a confirmed member of in ``tender``, with the combination's name loaded and the sealed
    content unsealed in memory; the caller checks ``can_view_combination_submission``."""
    submissions = (
        Submission.objects.filter(
            tender=tender,
            state=SubmissionState.SEALED,
            is_current=True,
            combination__combinationmember__organisation=organisation,
            combination__combinationmember__confirmed_at__isnull=False,
        )
        .select_related("tender__region", "bidder", "combination__lead", "envelope")
        .prefetch_related("combination__combinationmember_set__organisation")
        .order_by("round")
    )
    return [envelope_unseal(s) for s in submissions]


def _with_detail(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """What the overview, the checklist and the manifest read of a submission."""
    return submissions.select_related(
        "tender__region", "bidder", "combination", "envelope"
    ).prefetch_related(
        Prefetch(
            "dossiers",
            queryset=Dossier.objects.select_related("segment__lot")
            .prefetch_related("municipalities")
            .order_by("segment__position", "segment__code"),
        ),
        Prefetch("answers", queryset=RequirementAnswer.objects.select_related("requirement")),
        Prefetch(
            "party_answers",
            queryset=PartyAnswer.objects.select_related("requirement", "member"),
        ),
        Prefetch(
            "documents",
            queryset=SubmissionDocument.objects.select_related(
                "file", "segment", "requirement", "criterion"
            ).order_by("kind", "segment__code", "requirement__code", "name", "pk"),
        ),
        "subcontractors",
    )


def submission_detail(pk: int) -> Submission:
    """One submission with everything the overview, the checklist and the manifest read; its
    sealed content (before the opening) unsealed in memory (``providers.envelopes``). For the
    bidder's own screens and for sealing only: callers check who asks."""
    return envelope_unseal(_with_detail(Submission.objects.all()).get(pk=pk))


def submission_details(submissions: QuerySet[Submission]) -> list[Submission]:
    """``submission_detail`` for every submission of the queryset, in a fixed number of
    queries whatever their number (``envelopes_unseal``). Callers check who asks."""
    return envelopes_unseal(list(_with_detail(submissions)))


def tender_segments(tender: Tender) -> list[Segment]:
    return list(
        Segment.objects.filter(tender=tender)
        .select_related("lot")
        .prefetch_related("lot__municipalities")
        .order_by("lot__position", "position", "code")
    )


def round_phases(tender: Tender, round: str) -> frozenset[str]:
    """The phases whose requirements a submission of ``round`` answers: the request the
    selection phase's, the restricted offer the award phase's, the open procedure's offer and
    an Open House application both."""
    if tender.procedure == Procedure.RESTRICTED:
        return frozenset({Phase.SELECTION if round == Round.REQUEST else Phase.AWARD})
    return frozenset(Phase.values)


def tender_requirements(tender: Tender, round: str | None = None) -> list[Requirement]:
    """The requirements a submission of ``round`` answers (default: every requirement).
    Filters on ``Requirement.phase`` once that field exists (issue 14, point 5); until then
    every requirement belongs to every round."""
    requirements = Requirement.objects.filter(tender=tender)
    if round is not None and _requirement_has_phase():
        requirements = requirements.filter(phase__in=round_phases(tender, round))
    return list(requirements.order_by("segment_id", "position", "code"))


def _requirement_has_phase() -> bool:
    return any(f.name == "phase" for f in Requirement._meta.get_fields())


@dataclass
class Party:
    """Another party of a bid that answers the requirements binding every party: a confirmed
    member of the combination the bidder leads, or a subcontractor of the submission."""

    key: str  # "m<organisation id>" or "s<subcontractor id>"
    label: str  # "lid <name> (<kvk>)" / "onderaannemer <name> (<kvk>)"
    member: Organisation | None = None
    subcontractor: Subcontractor | None = None

    def owns(self, answer: PartyAnswer) -> bool:
        if self.member is not None:
            return answer.member_id == self.member.pk
        return self.subcontractor is not None and answer.subcontractor_id == self.subcontractor.pk


def submission_parties(
    submission: Submission, combination: Combination | None = None
) -> list[Party]:
    """The parties besides the bidder (the lead): each confirmed member of the combination it
    leads, then each subcontractor. ``submission`` from ``submission_detail`` (the
    subcontractors' names unsealed) when the labels are shown; ``combination`` as
    ``combination_of`` gives it (looked up when not given)."""
    if combination is None:
        combination = combination_of(tender=submission.tender, organisation=submission.bidder)
    parties = []
    if combination is not None and combination.lead_id == submission.bidder_id:
        for row in combination.member_rows:
            if row.confirmed_at is not None:
                organisation = row.organisation
                parties.append(
                    Party(
                        f"m{organisation.pk}",
                        f"lid {organisation.name} ({organisation.kvk})",
                        member=organisation,
                    )
                )
    for subcontractor in submission.subcontractors.all():
        parties.append(
            Party(
                f"s{subcontractor.pk}",
                f"onderaannemer {subcontractor.name} ({subcontractor.kvk})",
                subcontractor=subcontractor,
            )
        )
    return parties


@dataclass
class ChecklistItem:
    label: str
    done: bool
    anchor: str = ""


@dataclass
class ChecklistContext:
    """What a check reads; built for many checklists at once (``submission_checklists``), so
    the checks themselves never query. ``combination`` is the combination the bidder leads or
    is a confirmed member of (``combination_of``)."""

    submission: Submission
    requirements: list[Requirement]
    dossiers: list[Dossier] = field(default_factory=list)
    answers: dict[int, RequirementAnswer] = field(default_factory=dict)
    documents: list[SubmissionDocument] = field(default_factory=list)
    combination: Combination | None = None
    party_answers: list[PartyAnswer] = field(default_factory=list)
    # read in bulk by ``submission_checklists``: the organisations with a signed UEA for the
    # tender, registered organisations by KvK number, the award criteria by segment id
    uea_signed: set[int] = field(default_factory=set)
    registered: dict[str, int] = field(default_factory=dict)
    award_criteria: dict[int, list[Criterion]] = field(default_factory=dict)


Check = Callable[[ChecklistContext], list[ChecklistItem]]
CHECKS: list[Check] = []


def register_check(check: Check) -> Check:
    """Add a check to every checklist (usable as a decorator)."""
    if check not in CHECKS:
        CHECKS.append(check)
    return check


@register_check
def check_segments(ctx: ChecklistContext) -> list[ChecklistItem]:
    return [ChecklistItem(_("Kies minstens één inkoopsegment"), bool(ctx.dossiers), "segmenten")]


@register_check
def check_general_requirements(ctx: ChecklistContext) -> list[ChecklistItem]:
    general = [r for r in ctx.requirements if r.segment_id is None]
    missing = [r.code for r in general if r.pk not in ctx.answers]
    if not general:
        return []
    label = _("Beantwoord alle algemene eisen")
    if missing:
        label += " " + _("(nog open: %(codes)s)") % {"codes": ", ".join(missing)}
    return [ChecklistItem(label, not missing, "eisen")]


@register_check
def check_dossiers(ctx: ChecklistContext) -> list[ChecklistItem]:
    items = []
    for dossier in ctx.dossiers:
        segment = dossier.segment
        anchor = f"segment-{segment.code}"
        name = f"{segment.code} {segment.name}"
        requirements = [r for r in ctx.requirements if r.segment_id == segment.pk]
        missing = [r.code for r in requirements if r.pk not in ctx.answers]
        if requirements:
            label = _("%(segment)s: beantwoord alle eisen van het segment") % {"segment": name}
            if missing:
                label += " " + _("(nog open: %(codes)s)") % {"codes": ", ".join(missing)}
            items.append(ChecklistItem(label, not missing, anchor))
        documents = [d for d in ctx.documents if d.segment_id == segment.pk]
        items.append(
            ChecklistItem(
                _("%(segment)s: upload het bekwaamheidsdossier") % {"segment": name},
                any(d.kind == DocumentKind.DOSSIER for d in documents),
                anchor,
            )
        )
        items.append(
            ChecklistItem(
                _("%(segment)s: upload minstens één referentie") % {"segment": name},
                any(d.kind == DocumentKind.REFERENCE for d in documents),
                anchor,
            )
        )
        if not ctx.submission.serves_from_request:
            items.append(
                ChecklistItem(
                    _("%(segment)s: kies de gemeenten waar u levert") % {"segment": name},
                    bool(dossier.municipalities.all()),
                    anchor,
                )
            )
        if segment.lot.funding == Funding.LUMPSUM and ctx.submission.carries_bid:
            items.append(
                ChecklistItem(
                    _("%(segment)s: vul het lumpsumbod volledig in") % {"segment": name},
                    dossier.has_bid,
                    anchor,
                )
            )
    return items


def _plans_per_criterion(submission: Submission, dossiers: list[Dossier]) -> bool:
    """Whether the offer holds a plan per award criterion (so the criteria are read)."""
    return (
        submission.tender.plan_documents == PlanDocuments.PER_CRITERION
        and submission.round == Round.OFFER
        and bool(dossiers)
    )


def award_criteria(segment_ids) -> dict[int, list[Criterion]]:
    """The award criteria of the segments by segment id, in order; one query."""
    criteria: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(
        segment_id__in=list(segment_ids), phase=Phase.AWARD
    ).order_by("position", "code"):
        criteria.setdefault(criterion.segment_id, []).append(criterion)
    return criteria


def plan_slots(
    submission: Submission,
    dossiers: list[Dossier],
    criteria: dict[int, list[Criterion]] | None = None,
) -> list[tuple]:
    """The plans an offer holds, as (segment, criterion or None) per chosen segment
    (``Tender.plan_documents``): one per segment, or one per award criterion of the segment;
    none in a round that is not the offer or when the tender asks no plan. ``criteria``
    (``award_criteria``) saves the look-up."""
    setting = submission.tender.plan_documents
    if setting == PlanDocuments.NONE or submission.round != Round.OFFER or not dossiers:
        return []
    if setting == PlanDocuments.PER_SEGMENT:
        return [(d.segment, None) for d in dossiers]
    if criteria is None:
        criteria = award_criteria(d.segment_id for d in dossiers)
    return [(d.segment, c) for d in dossiers for c in criteria.get(d.segment_id, [])]


@register_check
def check_plans(ctx: ChecklistContext) -> list[ChecklistItem]:
    """Round 2 (the offer): the plan documents the tender sets, each named when missing."""
    items = []
    for segment, criterion in plan_slots(ctx.submission, ctx.dossiers, ctx.award_criteria):
        done = any(
            d.kind == DocumentKind.PLAN
            and d.segment_id == segment.pk
            and d.criterion_id == (criterion.pk if criterion else None)
            for d in ctx.documents
        )
        if criterion is None:
            label = _("%(segment)s: upload het plan") % {"segment": segment.code}
        else:
            label = _("%(segment)s: upload het plan bij gunningscriterium %(criterion)s") % {
                "segment": segment.code,
                "criterion": f"{criterion.code} {criterion.name}",
            }
        items.append(ChecklistItem(label, done, f"segment-{segment.code}"))
    return items


@register_check
def check_party_answers(ctx: ChecklistContext) -> list[ChecklistItem]:
    """A requirement that binds every party is answered by each member of the combination and
    each subcontractor as well (the bidder's own answer is checked above); names who is open."""
    chosen = {d.segment_id for d in ctx.dossiers}
    binding = [
        r
        for r in ctx.requirements
        if r.binds == RequirementBinds.EVERY_PARTY
        and (r.segment_id is None or r.segment_id in chosen)
    ]
    if not binding:
        return []
    parties = submission_parties(ctx.submission, ctx.combination)
    items = []
    for requirement in binding:
        open_parties = [
            p.label
            for p in parties
            if not any(a.requirement_id == requirement.pk and p.owns(a) for a in ctx.party_answers)
        ]
        if not parties:
            continue
        label = _("Eis %(code)s: elke partij antwoordt") % {"code": requirement.code}
        if open_parties:
            label += " " + _("(nog open: %(names)s)") % {"names": ", ".join(open_parties)}
        codes = {d.segment_id: d.segment.code for d in ctx.dossiers}
        anchor = (
            "eisen"
            if requirement.segment_id is None
            else f"segment-{codes[requirement.segment_id]}"
        )
        items.append(ChecklistItem(label, not open_parties, anchor))
    return items


@register_check
def check_convenant(ctx: ChecklistContext) -> list[ChecklistItem]:
    if ctx.combination is None or ctx.combination.lead_id != ctx.submission.bidder_id:
        return []
    return [
        ChecklistItem(
            _("Upload de concept-samenwerkingsovereenkomst van de combinatie"),
            any(d.kind == DocumentKind.CONVENANT for d in ctx.documents),
            "combinatie",
        )
    ]


@register_check
def check_combination(ctx: ChecklistContext) -> list[ChecklistItem]:
    """Bidding as a member is not possible; bidding as a lead needs every member confirmed."""
    submission = ctx.submission
    combination = ctx.combination
    if combination is None:
        return []
    if combination.lead_id != submission.bidder_id:
        return [ChecklistItem(_member_refusal_text(combination), False, "combinatie")]
    return [
        ChecklistItem(
            _("Alle leden van de combinatie %(name)s hebben hun deelname bevestigd")
            % {"name": combination.name},
            combination_is_complete(combination),
            "combinatie",
        )
    ]


@register_check
def check_contact(ctx: ChecklistContext) -> list[ChecklistItem]:
    """Delivery is proven: the decision letters of this tender go to the bidder's contact
    person, so sealing needs that person's name and e-mail address (docs/rules.md, "Award
    decision, letters and standstill")."""
    bidder = ctx.submission.bidder
    missing = [
        what
        for what, value in (
            (_("naam"), bidder.contact_name),
            (_("e-mailadres"), bidder.contact_email),
        )
        if not (value or "").strip()
    ]
    label = _(
        "De contactpersoon van %(name)s is bekend met naam en e-mailadres (Organisatiegegevens); "
        "daarheen gaan de beslissingen over deze aanbesteding"
    ) % {"name": bidder.name}
    if missing:
        label += " " + _("(ontbreekt: %(what)s)") % {"what": _(" en ").join(missing)}
    return [ChecklistItem(label, not missing)]


@register_check
def check_uea(ctx: ChecklistContext) -> list[ChecklistItem]:
    """Every party fills in and signs its own UEA: the bidder, each confirmed member of its
    combination and each subcontractor. A subcontractor without an account must first register
    its organisation (its UEA is its own declaration)."""
    submission = ctx.submission
    parties = {submission.bidder.pk: submission.bidder.name}
    combination = ctx.combination
    if combination is not None and combination.lead_id == submission.bidder_id:
        for row in combination.member_rows:
            if row.confirmed_at is not None:
                parties[row.organisation_id] = row.organisation.name
    subcontractors = list(submission.subcontractors.all())
    registered = ctx.registered
    items = []
    for subcontractor in subcontractors:
        if subcontractor.kvk in registered:
            parties[registered[subcontractor.kvk]] = subcontractor.name
        else:
            items.append(
                ChecklistItem(
                    _(
                        "Onderaannemer %(name)s (KvK %(kvk)s) registreert zich in het portaal en "
                        "vult daar een eigen UEA in"
                    )
                    % {"name": subcontractor.name, "kvk": subcontractor.kvk},
                    False,
                    "onderaannemers",
                )
            )
    unsigned = [name for pk, name in parties.items() if pk not in ctx.uea_signed]
    label = _("Elke partij heeft een ondertekende UEA (eigen verklaring)")
    if unsigned:
        label += " " + _("(nog open: %(names)s)") % {"names": ", ".join(unsigned)}
    return [ChecklistItem(label, not unsigned, "uea"), *items]


def submission_checklist(submission: Submission) -> list[ChecklistItem]:
    """Every check's items, done or not. ``submission`` should come from
    ``submission_detail`` (prefetched); the checks themselves do not query."""
    return submission_checklists([submission])[submission.pk]


def submission_checklists(submissions: list[Submission]) -> dict[int, list[ChecklistItem]]:
    """The checklist of each submission by id: the same checks (``CHECKS``) on what they read,
    loaded for all submissions at once, so a fixed number of queries whatever their number.
    ``submissions`` from ``submission_detail`` / ``submission_details`` (prefetched)."""
    contexts = checklist_contexts(submissions)
    return {
        ctx.submission.pk: [item for check in CHECKS for item in check(ctx)] for ctx in contexts
    }


def checklist_contexts(submissions: list[Submission]) -> list[ChecklistContext]:
    """What the checks read for each submission: the requirements of its round, its
    combination, the signed UEAs, the registered subcontractors and the award criteria, each
    read in one query for all submissions."""
    if not submissions:
        return []
    tender_ids = {s.tender_id for s in submissions}
    by_tender: dict[int, list[Requirement]] = {}
    for requirement in Requirement.objects.filter(tender_id__in=tender_ids).order_by(
        "segment_id", "position", "code"
    ):
        by_tender.setdefault(requirement.tender_id, []).append(requirement)
    has_phase = _requirement_has_phase()
    combinations = combinations_of((s.tender_id, s.bidder_id) for s in submissions)
    subcontractor_kvks = {sub.kvk for s in submissions for sub in s.subcontractors.all()}
    registered = (
        dict(Organisation.objects.filter(kvk__in=subcontractor_kvks).values_list("kvk", "pk"))
        if subcontractor_kvks
        else {}
    )
    parties = {s.bidder_id for s in submissions} | set(registered.values())
    for combination in combinations.values():
        if combination is not None:
            parties |= {row.organisation_id for row in combination.member_rows}
    signed: set[tuple[int, int]] = set(
        UEADeclaration.objects.filter(
            tender_id__in=tender_ids, organisation_id__in=parties, signed_at__isnull=False
        ).values_list("tender_id", "organisation_id")
    )
    per_criterion = {
        d.segment_id
        for s in submissions
        if _plans_per_criterion(s, list(s.dossiers.all()))
        for d in s.dossiers.all()
    }
    criteria = award_criteria(per_criterion) if per_criterion else {}
    contexts = []
    for submission in submissions:
        requirements = by_tender.get(submission.tender_id, [])
        if has_phase:
            phases = round_phases(submission.tender, submission.round)
            requirements = [r for r in requirements if r.phase in phases]
        contexts.append(
            ChecklistContext(
                submission=submission,
                requirements=requirements,
                dossiers=list(submission.dossiers.all()),
                answers={a.requirement_id: a for a in submission.answers.all()},
                documents=list(submission.documents.all()),
                combination=combinations[(submission.tender_id, submission.bidder_id)],
                party_answers=list(submission.party_answers.all()),
                uea_signed={o for t, o in signed if t == submission.tender_id},
                registered=registered,
                award_criteria=criteria,
            )
        )
    return contexts


def request_dossiers(submission: Submission) -> dict[int, Dossier]:
    """For a restricted offer: the dossiers of the bidder's sealed, current request by segment
    id, with the municipalities (opened, so readable) the offer serves; empty otherwise."""
    if submission is None or not submission.serves_from_request:
        return {}
    return {
        d.segment_id: d
        for d in Dossier.objects.filter(
            submission__tender_id=submission.tender_id,
            submission__bidder_id=submission.bidder_id,
            submission__round=Round.REQUEST,
            submission__is_current=True,
            submission__state=SubmissionState.SEALED,
        ).prefetch_related("municipalities")
    }


def checklist_missing(items: list[ChecklistItem]) -> list[ChecklistItem]:
    return [item for item in items if not item.done]


def _documents_readable(submission: Submission) -> bool:
    """A submission's files exist for staff screens only after the opening of its round, and
    only for the sealed, current version (the serving view checks the user as well)."""
    return (
        submission.tender.state in OPENED_STATES
        and submission.tender.round_readable(submission.round)
        and submission.state == SubmissionState.SEALED
        and submission.is_current
    )


def evidence_documents(submission: Submission) -> dict[int, list[SubmissionDocument]]:
    """The evidence files of ``submission`` by requirement id, for the requirement review.
    Empty before the opening and for any version but the sealed, current one; reading a file
    goes through the audited document view (``submission_document_read``)."""
    if not _documents_readable(submission):
        return {}
    by_requirement: dict[int, list[SubmissionDocument]] = {}
    for document in SubmissionDocument.objects.filter(
        submission=submission, kind=DocumentKind.EVIDENCE, requirement__isnull=False
    ).select_related("file"):
        by_requirement.setdefault(document.requirement_id, []).append(document)
    return by_requirement


def dossier_documents(dossier: Dossier) -> list[SubmissionDocument]:
    """The documents evaluators see beside a dossier: its segment's competence dossier,
    references and plans (round 2: per segment or per award criterion), the evidence of the
    general requirements and of this segment's requirements, and a combination's convenant.
    None before the opening, and none for a version that is not the sealed, current one (the
    serving view checks the user as well)."""
    submission = dossier.submission
    if not _documents_readable(submission):
        return []
    documents = SubmissionDocument.objects.filter(submission=submission).select_related(
        "file", "requirement", "segment", "criterion"
    )
    return [
        d
        for d in documents
        if d.segment_id == dossier.segment_id
        or d.kind == DocumentKind.CONVENANT
        or (
            d.kind == DocumentKind.EVIDENCE
            and d.requirement.segment_id in (None, dossier.segment_id)
        )
    ]


def _bid_amount(dossier: Dossier) -> Decimal | None:
    """Clients x months x hours per month x the segment's tariff, rounded once to cents
    (HALF_UP): what ``contracts.lumpsum.bid_amount`` computes (the test checks they agree);
    None without a complete bid or a tariff."""
    tariff = dossier.segment.tariff
    if not dossier.has_bid or tariff is None:
        return None
    exact = Decimal(dossier.bid_clients) * dossier.bid_months * dossier.bid_hours_per_month
    return (exact * tariff).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def seal_review(submission: Submission) -> dict:
    """Everything a draft will seal, for the read-only review before sealing (issue 18.3):
    per chosen segment the dossier (municipalities, specialisms, bid figures and amount),
    its answers and files; the general answers and files; the subcontractors; every file with
    its size and SHA-256. ``submission`` comes from ``submission_detail`` (no extra query)."""
    answers = list(submission.answers.all())
    documents = list(submission.documents.all())
    segments = [
        {
            "segment": dossier.segment,
            "dossier": dossier,
            "municipalities": [m.name for m in dossier.municipalities.all()],
            "bid_amount": _bid_amount(dossier),
            "answers": [a for a in answers if a.requirement.segment_id == dossier.segment_id],
            "documents": [d for d in documents if d.segment_id == dossier.segment_id],
        }
        for dossier in submission.dossiers.all()
    ]
    return {
        "submission": submission,
        "segments": segments,
        "general_answers": [a for a in answers if a.requirement.segment_id is None],
        "general_documents": [d for d in documents if d.segment_id is None],
        "documents": documents,
        "total_size": sum(d.file.size for d in documents),
        "subcontractors": list(submission.subcontractors.all()),
    }
