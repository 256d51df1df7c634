"""Individual scores: saving one criterion (autosave), submitting the set, and the chair
returning a submitted set to its evaluator.

Every save is its own transaction and its own audit entry. A set is submitted when every
criterion of the phase has a level on the criterion's scale and a rationale; after that the
evaluator cannot change it (the chair can return it while the phase is not final). Nothing
changes once the ranking of the phase is final.
"""

import hashlib
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from providers.models import Dossier
from tender.errors import ApplicationError
from tender.models import Criterion

from ..models import Evaluator, Score
from ..permissions import can_assign, can_score
from ..scoring_selectors import (
    dossier_in_phase,
    own_set_submitted,
    phase_criteria,
    scale_of,
    scoring_refusal,
)


class ScoreSetIncomplete(ApplicationError):
    """Submitting was refused; ``errors`` lists (criterion, Dutch message) per criterion."""

    def __init__(self, errors: list[tuple[Criterion, str]]):
        super().__init__(
            _(
                "De beoordeling is nog niet compleet: geef elk criterium een niveau "
                "en een motivering."
            )
        )
        self.errors = errors


def level_on_scale(criterion: Criterion, level) -> Decimal:
    """``level`` (text or Decimal) as one of the criterion's levels, else ApplicationError."""
    if level is None or (isinstance(level, str) and not level.strip()):
        raise ApplicationError(_("Kies een niveau."), field="level")
    try:
        value = Decimal(str(level).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ApplicationError(
            _("Kies een niveau op de schaal van dit criterium."), field="level"
        ) from exc
    if value not in scale_of(criterion):
        raise ApplicationError(_("Kies een niveau op de schaal van dit criterium."), field="level")
    return value


def _load(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_related(
        "submission__tender", "submission__bidder", "segment"
    ).get(pk=dossier.pk)


def _check_evaluator(*, dossier: Dossier, user, phase: str) -> Evaluator:
    """The user's evaluator record, after every check a change of their scores needs."""
    tender = dossier.submission.tender
    if not can_score(user, dossier):
        raise ApplicationError(_("U mag dit dossier niet beoordelen."))
    refusal = scoring_refusal(tender=tender, phase=phase, segment=dossier.segment)
    if refusal:
        raise ApplicationError(refusal)
    if not dossier_in_phase(dossier=dossier, phase=phase):
        raise ApplicationError(_("Dit dossier wordt in deze fase niet beoordeeld."))
    evaluator = Evaluator.objects.get(tender=tender, user=user)
    if own_set_submitted(evaluator=evaluator, dossier=dossier, phase=phase):
        raise ApplicationError(
            _("U hebt uw beoordeling van dit dossier al ingediend; wijzigen kan niet meer.")
        )
    return evaluator


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def score_save(
    *,
    dossier: Dossier,
    criterion: Criterion,
    user,
    level,
    rationale: str,
    client_address: str | None = None,
) -> Score:
    """Save the user's level and rationale for one criterion (a draft until submitted).

    Refused without a level (a rationale alone is not stored), for a level off the scale, for a
    criterion of another segment, after the user submitted the set, and once the phase's
    ranking is final. Saving the same values again writes nothing.
    """
    dossier = _load(dossier)
    if criterion.segment_id != dossier.segment_id:
        raise ApplicationError(
            _("Dit criterium hoort niet bij het segment van dit dossier."), field="criterion"
        )
    evaluator = _check_evaluator(dossier=dossier, user=user, phase=criterion.phase)
    value = level_on_scale(criterion, level)
    rationale = (rationale or "").strip()
    score = (
        Score.objects.select_for_update()
        .filter(dossier=dossier, criterion=criterion, evaluator=evaluator)
        .first()
    )
    if score is not None and score.level == value and score.rationale == rationale:
        return score
    if score is None:
        score = Score(dossier=dossier, criterion=criterion, evaluator=evaluator)
    score.level, score.rationale = value, rationale
    score.full_clean()
    score.save()
    audit_record(
        action="score.save",
        actor=user,
        obj=score,
        tender=dossier.submission.tender,
        client_address=client_address,
        details={
            "dossier": dossier.pk,
            "criterion": criterion.code,
            "phase": criterion.phase,
            "level": str(value),
            "rationale_sha256": _digest(rationale),
        },
    )
    return score


@transaction.atomic
def score_set_submit(
    *, dossier: Dossier, phase: str, user, client_address: str | None = None
) -> list[Score]:
    """Submit the user's set for ``dossier`` in ``phase``. Raises ``ScoreSetIncomplete`` with
    every criterion that lacks a level or a rationale."""
    dossier = _load(dossier)
    evaluator = _check_evaluator(dossier=dossier, user=user, phase=phase)
    criteria = phase_criteria(segment=dossier.segment, phase=phase)
    scores = {
        s.criterion_id: s
        for s in Score.objects.select_for_update().filter(
            dossier=dossier, evaluator=evaluator, criterion__phase=phase
        )
    }
    errors = []
    for criterion in criteria:
        score = scores.get(criterion.pk)
        if score is None:
            errors.append((criterion, _("kies een niveau en vul een motivering in.")))
        elif not score.rationale.strip():
            errors.append((criterion, _("vul een motivering in.")))
    if errors:
        raise ScoreSetIncomplete(errors)
    now = timezone.now()
    submitted = [scores[c.pk] for c in criteria]
    for score in submitted:
        score.submitted_at = now
        score.save(update_fields=["submitted_at", "updated_at"])
    audit_record(
        action="score.submit",
        actor=user,
        obj=dossier,
        tender=dossier.submission.tender,
        client_address=client_address,
        details={
            "phase": phase,
            "evaluator": user.get_username(),
            "levels": {scores[c.pk].criterion.code: str(scores[c.pk].level) for c in criteria},
        },
    )
    return submitted


@transaction.atomic
def score_set_reopen(
    *,
    dossier: Dossier,
    evaluator: Evaluator,
    phase: str,
    user,
    reason: str,
    client_address: str | None = None,
) -> int:
    """The chair returns a submitted set to its evaluator (a mistake to correct). Refused once
    the phase's ranking is final; a reason is required. Returns the number of scores reopened."""
    dossier = _load(dossier)
    tender = dossier.submission.tender
    if not can_assign(user, tender):
        raise ApplicationError(_("Alleen de voorzitter kan een beoordeling terugzetten."))
    refusal = scoring_refusal(tender=tender, phase=phase, segment=dossier.segment)
    if refusal:
        raise ApplicationError(refusal)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Geef een reden voor het terugzetten."), field="reason")
    reopened = Score.objects.filter(
        dossier=dossier, evaluator=evaluator, criterion__phase=phase, submitted_at__isnull=False
    ).update(submitted_at=None, updated_at=timezone.now())
    if not reopened:
        raise ApplicationError(_("Deze beoordelaar heeft voor dit dossier nog niets ingediend."))
    audit_record(
        action="score.reopen",
        actor=user,
        obj=dossier,
        tender=tender,
        client_address=client_address,
        details={
            "phase": phase,
            "evaluator": evaluator.user.get_username(),
            "scores": reopened,
            "reason": reason,
        },
    )
    return reopened
