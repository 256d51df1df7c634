"""Reopening a final ranking: the one audited way to undo a finalisation.

A final ranking is never changed or deleted. Reopening only marks it ``superseded`` (the one
field ``Ranking.save`` still allows on a final ranking), which frees the phase for a new
computation and finalisation and unlocks the scores; the old ranking stays readable with its
seed, input hash and rows.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from tender.constants import DECIDED_STATES, Phase
from tender.errors import ApplicationError

from ..models import Ranking
from ..permissions import can_reopen_ranking
from ..selectors import final_ranking

REASON_MAX_LENGTH = 2000


@transaction.atomic
def ranking_reopen(
    *, ranking: Ranking, user, reason: str, client_address: str | None = None
) -> Ranking:
    """Mark the final ranking ``ranking`` as reopened (``superseded``) and audit why.

    Refused (``ApplicationError``) when ``user`` is not the chair, without a reason, when the
    ranking is not the phase's current final ranking, when the tender is awarded, contracted or
    cancelled, and for the selection phase while the award phase has a final ranking (that
    ranking was built on this selection: reopen it first).
    """
    ranking = Ranking.objects.select_for_update().select_related("tender").get(pk=ranking.pk)
    tender = ranking.tender
    if not can_reopen_ranking(user, tender):
        raise ApplicationError(_("Alleen de voorzitter kan een ranking heropenen."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Geef een reden voor het heropenen."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(
            _("De reden is te lang (maximaal %(n)d tekens).") % {"n": REASON_MAX_LENGTH},
            field="reason",
        )
    if not ranking.is_final:
        raise ApplicationError(_("Alleen een definitieve ranking kan worden heropend."))
    if ranking.superseded:
        raise ApplicationError(_("Deze ranking is al heropend."))
    if tender.state in DECIDED_STATES:
        raise ApplicationError(
            _("De aanbesteding is %(state)s; de ranking kan niet meer worden heropend.")
            % {"state": tender.get_state_display().lower()}
        )
    if ranking.phase == Phase.SELECTION and final_ranking(tender=tender, phase=Phase.AWARD):
        raise ApplicationError(
            _(
                "De gunningsfase heeft een definitieve ranking die op deze selectie rust; "
                "heropen die eerst."
            )
        )
    ranking.superseded = True
    ranking.save(update_fields=["superseded"])
    audit_record(
        action="ranking.reopen",
        actor=user,
        obj=ranking,
        tender=tender,
        client_address=client_address,
        details={
            "phase": ranking.phase,
            "seed": ranking.seed,
            "input_hash": ranking.input_hash,
            "reason": reason,
        },
    )
    return ranking
