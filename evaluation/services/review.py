"""Requirement review: after the opening, each 'yes' answer to a requirement is confirmed
against its evidence, or rejected with a reason. A rejected answer counts as not met in the
ranking (``evaluation.selectors.ranking_inputs`` reads ``RequirementAnswer.rejected``)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from providers.models import PartyAnswer, RequirementAnswer
from tender.constants import SCORING_WRITABLE_STATES, Phase, Round
from tender.errors import ApplicationError

from ..models import RequirementReview
from ..permissions import can_review_answer
from ..scoring_selectors import phase_locked


def _review_refusal(answer, tender) -> None:
    """The guards every review shares (the bidder's answer and a party's alike)."""
    submission = answer.submission
    if submission.round == Round.APPLICATION:
        if not submission.application_opened or submission.admission_outcome:
            raise ApplicationError(
                _("Deze aanmelding is nog niet geopend of er is al over besloten.")
            )
    elif tender.state not in SCORING_WRITABLE_STATES:
        raise ApplicationError(
            _("De aanbesteding heeft de status '%(state)s'; controleren kan nu niet.")
            % {"state": tender.get_state_display()}
        )
    if phase_locked(tender=tender, phase=Phase.SELECTION):
        raise ApplicationError(
            _("De ranking van de selectiefase is definitief; controles liggen vast.")
        )


def _review_reason(answer, accepted: bool, reason: str, *, said_no: str) -> str:
    """The input every review shares: a 'no' answer is not met whatever the review says
    (refused with ``said_no``); a rejection needs a reason. Returns the cleaned reason."""
    if not answer.met:
        raise ApplicationError(said_no)
    reason = (reason or "").strip()
    if not accepted and not reason:
        raise ApplicationError(_("Geef een reden voor het afkeuren."), field="reason")
    return reason


@transaction.atomic
def party_answer_review(
    *,
    party_answer: PartyAnswer,
    accepted: bool,
    reason: str = "",
    user,
    client_address: str | None = None,
) -> PartyAnswer:
    """The review of one other party's answer (a member or subcontractor) to a requirement of
    every party, against that party's evidence: accepted, or rejected with a reason. A rejected
    party answer fails the requirement for the whole submission; the ranking's reason names
    the party (``evaluation.selectors.ranking_inputs``)."""
    party_answer = (
        PartyAnswer.objects.select_for_update(of=("self",))
        .select_related(
            "submission__tender", "submission__bidder", "requirement", "member", "subcontractor"
        )
        .get(pk=party_answer.pk)
    )
    tender = party_answer.submission.tender
    if not can_review_answer(user, party_answer):
        raise ApplicationError(_("U mag dit antwoord niet controleren."))
    _review_refusal(party_answer, tender)
    reason = _review_reason(
        party_answer,
        accepted,
        reason,
        said_no=_("Deze partij antwoordde 'nee': de eis is niet voldaan, controle is niet nodig."),
    )
    previous = party_answer.rejected
    party_answer.rejected = not accepted
    party_answer.rejection_reason = "" if accepted else reason
    party_answer.save(update_fields=["rejected", "rejection_reason"])
    audit_record(
        action="requirement.review",
        actor=user,
        obj=party_answer,
        tender=tender,
        client_address=client_address,
        details={
            "bidder": party_answer.submission.bidder.kvk,
            "party": party_answer.party_label,
            "requirement": party_answer.requirement.code,
            "accepted": accepted,
            "previous_rejected": previous,
            "reason": party_answer.rejection_reason,
        },
    )
    return party_answer


@transaction.atomic
def requirement_review(
    *,
    answer: RequirementAnswer,
    accepted: bool,
    reason: str = "",
    user,
    client_address: str | None = None,
) -> RequirementReview:
    """Record the check of ``answer``: accepted, or rejected with a reason (required).

    The review record and the answer's ``rejected`` / ``rejection_reason`` change together.
    A review may be changed until the selection ranking is final (requirements exclude in the
    selection phase only). A 'no' answer is not met whatever the review says: refused.
    """
    answer = (
        RequirementAnswer.objects.select_for_update()
        .select_related("submission__tender", "submission__bidder", "requirement")
        .get(pk=answer.pk)
    )
    tender = answer.submission.tender
    if not can_review_answer(user, answer):
        raise ApplicationError(_("U mag dit antwoord niet controleren."))
    _review_refusal(answer, tender)
    reason = _review_reason(
        answer,
        accepted,
        reason,
        said_no=_(
            "De inschrijver antwoordde 'nee': de eis is niet voldaan, controle is niet nodig."
        ),
    )
    review = RequirementReview.objects.filter(answer=answer).first() or RequirementReview(
        answer=answer
    )
    previous = None if review.pk is None else review.accepted
    review.accepted = accepted
    review.reason = "" if accepted else reason
    review.reviewed_by = user
    review.reviewed_at = timezone.now()
    review.full_clean()
    review.save()
    answer.rejected = not accepted
    answer.rejection_reason = review.reason
    answer.full_clean()
    answer.save(update_fields=["rejected", "rejection_reason"])
    audit_record(
        action="requirement.review",
        actor=user,
        obj=answer,
        tender=tender,
        client_address=client_address,
        details={
            "bidder": answer.submission.bidder.kvk,
            "requirement": answer.requirement.code,
            "accepted": accepted,
            "previous": previous,
            "reason": review.reason,
        },
    )
    return review
