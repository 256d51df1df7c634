"""Open House: continuous admission (DOMAIN.md, "Procedures"; docs/rules.md, "Open House").

- Applications (round ``application``) are sealed at any time inside the admission period
  (``providers.services.submissions``).
- Staff open them in batches with four-eyes: the first confirmation fixes the batch (every
  sealed current application not yet in a batch), the second, by another authorised person,
  opens it: its envelopes are decrypted and a proces-verbaal of the batch is stored.
- The opened applications are reviewed (the requirement review of the evaluation app) and
  levelled per criterion by the chair; then decided per segment: admitted when every
  requirement is met and every threshold (``min_level``, the segment's ``min_total``) reached,
  else rejected with the reasons. No ranking, no line, no places limit.
- Each decided application gets a letter (PDF); an admitted provider gets a running contract
  from its admission date to the tender's common end date.
"""

import hashlib
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import role_names
from accounts.roles import INKOPER, VOORZITTER
from audit.services import audit_record
from communication.services.proces_verbaal import proces_verbaal_batch_create
from evaluation.models import FinalLevel
from evaluation.permissions import can_set_consensus
from evaluation.scoring_models import RequirementReview
from evaluation.services.scoring import level_on_scale
from providers.constants import SubmissionState
from providers.models import AdmissionBatch, Dossier, Submission
from providers.services.envelopes import submission_envelopes_open
from tender.constants import Procedure, Round, TenderState
from tender.errors import ApplicationError
from tender.models import Criterion, Requirement, Tender
from tender.pdf import render_to_pdf

from ..models import AdmissionDecision, AdmissionLetter, ContractState
from .awards import local_today
from .contracts import (
    INITIAL_YEARS,
    contract_build,
    contract_number_next,
    contract_segment_build,
    term_end,
)

ADMITTED = "admitted"
REJECTED = "rejected"
_CENT = Decimal("0.01")
#: The states in which batches are opened and applications decided.
ADMISSION_STATES = frozenset({TenderState.ADMISSION_OPEN, TenderState.ADMISSION_CLOSED})


def may_open_batches(user) -> bool:
    """The opening roles of the other procedures (procurement officer, chair)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or role_names(user) & {INKOPER, VOORZITTER})
    )


def _open_house(tender: Tender) -> None:
    if tender.procedure != Procedure.OPEN_HOUSE:
        raise ApplicationError(_("Alleen een Open House-aanbesteding kent toelating."))
    if tender.state not in ADMISSION_STATES:
        raise ApplicationError(
            _("Toelaten kan niet in de status '%(state)s'.") % {"state": tender.get_state_display()}
        )


def applications_waiting(tender: Tender):
    """Sealed current applications not yet in a batch."""
    return Submission.objects.filter(
        tender=tender,
        round=Round.APPLICATION,
        state=SubmissionState.SEALED,
        is_current=True,
        admission_batch__isnull=True,
    )


def pending_batch(tender: Tender) -> AdmissionBatch | None:
    return tender.admission_batches.filter(opened_at__isnull=True).first()


def admission_close_needs_last_batch(tender: Tender) -> str | None:
    """Guard of ``close_admission``: once closed, every application is readable
    (``ROUND_OPENED_STATES``), so the admission closes only after its period ended and a last
    batch was opened after that end (no application can come in after it). Says nothing about
    whether there are applications."""
    now = timezone.now()
    if tender.admission_end is None or now < tender.admission_end:
        return _(
            "De toelating sluit pas na het einde van de toelatingsperiode; stel eerst een "
            "einde in en wacht dat af."
        )
    pending = pending_batch(tender)
    if pending is not None:
        return _("Bevestig eerst de opening van batch %(n)s.") % {"n": pending.number}
    if not tender.admission_batches.filter(
        opened_at__isnull=False, cutoff__gte=tender.admission_end
    ).exists():
        return _(
            "Open eerst een laatste batch na het einde van de toelatingsperiode; dan zijn alle "
            "aanmeldingen geopend."
        )
    return None


@transaction.atomic
def admission_batch_confirm(
    *, tender: Tender, user, client_address: str | None = None
) -> AdmissionBatch:
    """One confirmation of the opening of a batch. The first fixes what is in the batch (every
    sealed current application not yet in a batch, up to this moment); the second, by another
    authorised person, opens it (envelopes, proces-verbaal). Audited."""
    tender = Tender.objects.select_for_update().select_related("region").get(pk=tender.pk)
    _open_house(tender)
    if not may_open_batches(user):
        raise ApplicationError(_("U mag geen aanmeldingen openen."))
    now = timezone.now()
    batch = pending_batch(tender)
    if batch is None:
        # Nothing about the applications shows before the opening, not even whether there are
        # any: a batch may turn out empty (its proces-verbaal says so).
        waiting = list(applications_waiting(tender).filter(submitted_at__lte=now))
        number = (tender.admission_batches.aggregate(n=Max("number"))["n"] or 0) + 1
        batch = AdmissionBatch.objects.create(
            tender=tender, number=number, cutoff=now, first_confirmed_by=user
        )
        Submission.objects.filter(pk__in=[s.pk for s in waiting]).update(admission_batch=batch)
        audit_record(
            action="admission.batch_confirm",
            actor=user,
            obj=tender,
            tender=tender,
            client_address=client_address,
            details={"batch": batch.number},
        )
        return batch
    if batch.first_confirmed_by_id == user.pk:
        raise ApplicationError(
            _("U heeft de opening al bevestigd; een tweede, andere gebruiker moet bevestigen.")
        )
    batch.opened_by = user
    batch.opened_at = now
    batch.save(update_fields=["opened_by", "opened_at"])
    pks = list(batch.submissions.values_list("pk", flat=True))
    submission_envelopes_open(tender=tender, user=user, round=Round.APPLICATION, only=pks)
    proces_verbaal_batch_create(batch=batch)
    audit_record(
        action="admission.batch_open",
        actor=user,
        obj=tender,
        tender=tender,
        client_address=client_address,
        details={
            "batch": batch.number,
            "applications": len(pks),
            "confirmed_by": [batch.first_confirmed_by.get_username(), user.get_username()],
        },
    )
    return batch


def _reviewable(submission: Submission) -> None:
    if submission.round != Round.APPLICATION or not submission.application_opened:
        raise ApplicationError(_("Deze aanmelding is nog niet geopend."))
    if submission.admission_outcome:
        raise ApplicationError(_("Over deze aanmelding is al besloten."))
    if not submission.is_current or submission.state != SubmissionState.SEALED:
        raise ApplicationError(_("Dit is niet de actuele aanmelding."))


@transaction.atomic
def application_level_set(
    *,
    dossier: Dossier,
    criterion: Criterion,
    level,
    rationale: str = "",
    user,
    client_address: str | None = None,
) -> FinalLevel:
    """The chair's level of one criterion of an opened application's dossier (Open House has
    no evaluator panel: the chair's level is the final level the thresholds are checked on)."""
    dossier = Dossier.objects.select_related(
        "submission__tender", "submission__bidder", "submission__admission_batch", "segment"
    ).get(pk=dossier.pk)
    submission = dossier.submission
    _reviewable(submission)
    if not can_set_consensus(user, submission.tender):
        raise ApplicationError(_("Alleen de voorzitter stelt het niveau vast."))
    if criterion.segment_id != dossier.segment_id:
        raise ApplicationError(_("Dit criterium hoort niet bij het segment van dit dossier."))
    value = level_on_scale(criterion, level)
    final, _created = FinalLevel.objects.update_or_create(
        dossier=dossier,
        criterion=criterion,
        defaults={"level": value, "rationale": (rationale or "").strip(), "set_by": user},
    )
    audit_record(
        action="admission.level_set",
        actor=user,
        obj=dossier,
        tender=submission.tender,
        client_address=client_address,
        details={"bidder": submission.bidder.kvk, "criterion": criterion.code, "level": value},
    )
    return final


def _requirements_of(tender: Tender, segment) -> list[Requirement]:
    return list(
        Requirement.objects.filter(tender=tender)
        .filter(Q(segment__isnull=True) | Q(segment=segment))
        .order_by("segment_id", "position", "code")
    )


def assessment(dossier: Dossier) -> dict:
    """What the decision of ``dossier``'s segment would be now: ``{"admitted", "points",
    "reasons", "missing"}``; ``missing`` lists what must be done first (unreviewed 'yes'
    answers, criteria without a level)."""
    submission = dossier.submission
    segment = dossier.segment
    answers = {a.requirement_id: a for a in submission.answers.all()}
    reviewed = set(
        RequirementReview.objects.filter(answer__submission=submission).values_list(
            "answer__requirement_id", flat=True
        )
    )
    reasons, missing = [], []
    for requirement in _requirements_of(submission.tender, segment):
        answer = answers.get(requirement.pk)
        if answer is None or not answer.met:
            met, note = False, _("niet voldaan (antwoord 'nee' of niet beantwoord)")
        elif answer.rejected:
            met, note = False, _("afgekeurd: %(reason)s") % {"reason": answer.rejection_reason}
        else:
            met, note = True, _("voldaan")
            if requirement.pk not in reviewed:
                missing.append(_("eis %(code)s controleren") % {"code": requirement.code})
        reasons.append(
            {
                "kind": "requirement",
                "code": requirement.code,
                "text": requirement.text,
                "met": met,
                "note": note,
            }
        )
    levels = {f.criterion_id: f.level for f in dossier.final_levels.all()}
    total = Fraction(0)
    for criterion in segment.criteria.order_by("position", "id"):
        level = levels.get(criterion.pk)
        if level is None:
            missing.append(_("niveau van %(code)s vaststellen") % {"code": criterion.code})
            level = Decimal(0)
        total += Fraction(criterion.max_points) * Fraction(level)
        met = criterion.min_level is None or level >= criterion.min_level
        note = (
            _("niveau %(level)s, minimum %(min)s") % {"level": level, "min": criterion.min_level}
            if criterion.min_level is not None
            else _("niveau %(level)s, geen minimum") % {"level": level}
        )
        reasons.append(
            {
                "kind": "criterion",
                "code": criterion.code,
                "text": criterion.name,
                "met": met,
                "note": note,
            }
        )
    points = (Decimal(total.numerator) / Decimal(total.denominator)).quantize(
        _CENT, rounding=ROUND_HALF_UP
    )
    if segment.min_total is not None:
        met = Fraction(segment.min_total) <= total
        reasons.append(
            {
                "kind": "total",
                "code": segment.code,
                "text": _("Totaalscore"),
                "met": met,
                "note": _("%(points)s punten, minimum %(min)s")
                % {"points": points, "min": segment.min_total}
                if met
                else _("%(points)s punten: onder minimumscore %(min)s")
                % {"points": points, "min": segment.min_total},
            }
        )
    return {
        "admitted": all(r["met"] for r in reasons),
        "points": points,
        "reasons": reasons,
        "missing": missing,
    }


def common_end_date(segment) -> date:
    """The common end date of every Open House contract of the segment: the initial term
    from the segment's start date (``contracts.services.contracts.INITIAL_YEARS``)."""
    return term_end(segment.start_date, INITIAL_YEARS)


@transaction.atomic
def application_decide(
    *, submission: Submission, user, client_address: str | None = None
) -> list[AdmissionDecision]:
    """Decide an opened application per segment (admitted / rejected with reasons), make its
    letter and, when admitted for a segment, the provider's contract. Refused until every
    'yes' answer is reviewed and every criterion has a level."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("tender__region", "bidder", "admission_batch", "combination__lead")
        .get(pk=submission.pk)
    )
    tender = submission.tender
    _open_house(tender)
    _reviewable(submission)
    if not can_set_consensus(user, tender):
        raise ApplicationError(_("Alleen de voorzitter besluit over een aanmelding."))
    dossiers = list(
        submission.dossiers.select_related("segment__lot", "submission__tender").order_by(
            "segment__code"
        )
    )
    if not dossiers:
        raise ApplicationError(_("Deze aanmelding noemt geen segment."))
    results = [(d, assessment(d)) for d in dossiers]
    missing = [m for _d, a in results for m in a["missing"]]
    if missing:
        raise ApplicationError(_("Nog te doen: %(items)s.") % {"items": "; ".join(missing)})
    for dossier, result in results:
        if result["admitted"] and dossier.segment.start_date is None:
            raise ApplicationError(
                _("Geef eerst een startdatum op voor segment %(code)s.")
                % {"code": dossier.segment.code}
            )
    now = timezone.now()
    decisions = [
        AdmissionDecision.objects.create(
            submission=submission,
            segment=dossier.segment,
            admitted=result["admitted"],
            points=result["points"],
            reasons=result["reasons"],
            decided_at=now,
            decided_by=user,
        )
        for dossier, result in results
    ]
    admitted = [d for d in decisions if d.admitted]
    submission.admission_outcome = ADMITTED if admitted else REJECTED
    submission.save(update_fields=["admission_outcome"])
    audit_record(
        action="admission.decide",
        actor=user,
        obj=submission,
        tender=tender,
        client_address=client_address,
        details={
            "bidder": submission.bidder.kvk,
            "version": submission.version,
            "admitted": [d.segment.code for d in admitted],
            "rejected": [d.segment.code for d in decisions if not d.admitted],
        },
    )
    contract = _contract_for(submission, admitted, dossiers, user) if admitted else None
    _letter(submission, decisions, contract)
    return decisions


def _contract_for(submission, admitted, dossiers, user):
    """A running contract from the admission date (or the segment's start, when later) to the
    common end date; one contract per provider and tender (a later admission adds segments)."""
    tender = submission.tender
    today = local_today()
    by_segment = {d.segment_id: d for d in dossiers}
    contract = tender.contracts.filter(provider=submission.bidder).first()
    if contract is None:
        starts = [max(today, d.segment.start_date) for d in admitted]
        contract = contract_build(
            tender=tender,
            submission=submission,
            number=contract_number_next(tender),
            start=min(starts),
            end=max(common_end_date(d.segment) for d in admitted),
            user=user,
            segment_codes=[d.segment.code for d in admitted],
            state=ContractState.ACTIVE,
        )
    for decision in admitted:
        segment = decision.segment
        contract_segment_build(
            contract=contract,
            segment=segment,
            dossier=by_segment[segment.pk],
            start_date=max(today, segment.start_date),
            lot_municipalities=set(segment.lot.municipalities.values_list("pk", flat=True)),
        )
    return contract


def letter_reference(submission: Submission) -> str:
    return f"TOE-{submission.tender.slug}-{submission.bidder.kvk}-v{submission.version}"


def _letter(submission, decisions, contract) -> AdmissionLetter:
    tender = submission.tender
    reference = letter_reference(submission)
    admitted = any(d.admitted for d in decisions)
    pdf = render_to_pdf(
        "pdf/admission_letter.html",
        {
            "tender": tender,
            "region_name": tender.region.name,
            "submission": submission,
            "decisions": decisions,
            "admitted": admitted,
            "contract": contract,
            "reference": reference,
            "decision_date": local_today(),
        },
    )
    letter = AdmissionLetter(
        submission=submission,
        reference=reference,
        admitted=admitted,
        sha256=hashlib.sha256(pdf).hexdigest(),
        generated_at=timezone.now(),
    )
    letter.pdf.save(f"{reference}.pdf", ContentFile(pdf), save=False)
    letter.save()
    audit_record(
        action="admission.letter_generate",
        obj=letter,
        tender=tender,
        details={"reference": reference, "sha256": letter.sha256, "admitted": admitted},
    )
    return letter
