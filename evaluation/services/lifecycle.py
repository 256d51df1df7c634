"""The evaluation's preconditions for the tender lifecycle (registered in apps.py)."""

from django.utils.translation import gettext as _

from tender.constants import Phase, Procedure
from tender.models import Tender

from ..selectors import final_ranking


def award_needs_final_selection(tender: Tender) -> str | None:
    """Guard of 'start_selection_standstill': the selection decision follows the final
    selection ranking (the offers, round 2, come from the candidates it selected)."""
    if tender.procedure != Procedure.RESTRICTED:
        return None
    if final_ranking(tender=tender, phase=Phase.SELECTION) is None:
        return _("Stel eerst de ranking van de selectiefase definitief vast.")
    return None


def standstill_needs_final_award(tender: Tender) -> str | None:
    if final_ranking(tender=tender, phase=Phase.AWARD) is None:
        return _("Stel eerst de ranking van de gunningsfase definitief vast.")
    return None
