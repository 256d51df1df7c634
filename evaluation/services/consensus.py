"""The chair's consensus: the final level and rationale per criterion of a dossier."""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from providers.models import Dossier
from tender.errors import ApplicationError
from tender.models import Criterion

from ..models import Assignment, FinalLevel
from ..permissions import can_set_consensus
from ..scoring_selectors import dossier_in_phase, dossier_progress, phase_locked, scoring_refusal
from .scoring import level_on_scale


@transaction.atomic
def final_level_set(
    *,
    dossier: Dossier,
    criterion: Criterion,
    level,
    rationale: str,
    user,
    client_address: str | None = None,
) -> FinalLevel:
    """Set (or change) the consensus level of one criterion of ``dossier``.

    Only the chair; only after every assigned evaluator without a conflict submitted their set
    and there are ``EVALUATORS_PER_DOSSIER`` of them; a level on the criterion's scale and a
    rationale are required; refused once the phase's ranking is final. A tender without any
    assignment (an imported scenario) keeps the final levels it was loaded with.
    """
    dossier = Dossier.objects.select_related(
        "submission__tender", "submission__bidder", "segment"
    ).get(pk=dossier.pk)
    tender = dossier.submission.tender
    phase = criterion.phase
    if not can_set_consensus(user, tender):
        raise ApplicationError(_("Alleen de voorzitter stelt de consensus vast."))
    if criterion.segment_id != dossier.segment_id:
        raise ApplicationError(
            _("Dit criterium hoort niet bij het segment van dit dossier."), field="criterion"
        )
    if phase_locked(tender=tender, phase=phase):
        raise ApplicationError(
            _("De ranking is definitief; eindniveaus kunnen niet meer worden gewijzigd.")
        )
    refusal = scoring_refusal(tender=tender, phase=phase, segment=dossier.segment)
    if refusal:
        raise ApplicationError(refusal)
    if not Assignment.objects.filter(dossier__submission__tender=tender).exists():
        raise ApplicationError(
            _(
                "Deze aanbesteding is buiten het systeem beoordeeld (geen toewijzingen); "
                "de eindniveaus komen uit het geladen scenario."
            )
        )
    if not dossier_in_phase(dossier=dossier, phase=phase):
        raise ApplicationError(_("Dit dossier wordt in deze fase niet beoordeeld."))
    progress = dossier_progress(dossier=dossier, phase=phase)
    if not progress.all_submitted:
        raise ApplicationError(
            _(
                "De consensus kan pas worden vastgesteld als alle toegewezen beoordelaars "
                "(minstens %(required)s) hun beoordeling hebben ingediend."
            )
            % {"required": progress.required}
        )
    value = level_on_scale(criterion, level)
    rationale = (rationale or "").strip()
    if not rationale:
        raise ApplicationError(_("Vul een motivering van de consensus in."), field="rationale")
    final = (
        FinalLevel.objects.select_for_update().filter(dossier=dossier, criterion=criterion).first()
    )
    previous = None if final is None else str(final.level)
    if final is not None and final.level == value and final.rationale == rationale:
        return final
    if final is None:
        final = FinalLevel(dossier=dossier, criterion=criterion)
    final.level, final.rationale, final.set_by = value, rationale, user
    final.full_clean()
    final.save()
    audit_record(
        action="consensus.set",
        actor=user,
        obj=final,
        tender=tender,
        client_address=client_address,
        details={
            "dossier": dossier.pk,
            "criterion": criterion.code,
            "phase": phase,
            "level": str(value),
            "previous": previous,
            "rationale": rationale,
        },
    )
    return final
