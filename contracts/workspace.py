"""The tender workspace (issue 18.2): one row of tabs over every staff screen of a tender -
overzicht, opzet, communicatie, inschrijvingen, beoordeling, ranking, gunning, contracten -
each shown only when the user's roles allow its screen (the apps' permission predicates),
under the procedure's timeline. It lives in the top app because it names every app's screens.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from communication.permissions import can_view_tender_communication
from evaluation.permissions import can_assign, can_view_ranking
from tender.constants import Procedure
from tender.models import Tender
from tender.permissions import can_open_setup, can_view_tender

from .permissions import can_view_award, can_view_contracts


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url: str


def workspace_tabs(*, user, tender: Tender) -> list[Tab]:
    """The tabs ``user`` may open for ``tender``, in the order of the procedure. No query
    beyond the user's roles (read once per request)."""
    if not can_view_tender(user, tender):
        return []
    slug = tender.slug
    open_house = tender.procedure == Procedure.OPEN_HOUSE
    tabs = [Tab("overzicht", _("Overzicht"), reverse("tender-detail", args=[slug]))]
    if can_open_setup(user, tender):
        tabs.append(Tab("opzet", _("Opzet"), reverse("setup-overview", args=[slug])))
    if can_view_tender_communication(user, tender):
        tabs.append(
            Tab("communicatie", _("Communicatie"), reverse("communication-hub", args=[slug]))
        )
    if open_house:
        if can_view_award(user, tender):
            tabs.append(Tab("inschrijvingen", _("Aanmeldingen"), reverse("admission", args=[slug])))
    elif can_assign(user, tender):
        tabs.append(
            Tab("inschrijvingen", _("Inschrijvingen"), reverse("scoring-review-list", args=[slug]))
        )
        tabs.append(
            Tab("beoordeling", _("Beoordeling"), reverse("scoring-assignments", args=[slug]))
        )
    if not open_house and can_view_ranking(user, tender):
        phase = "selection" if tender.has_selection() else "award"
        tabs.append(Tab("ranking", _("Ranking"), reverse("ranking-overview", args=[slug, phase])))
    if not open_house and can_view_award(user, tender):
        tabs.append(Tab("gunning", _("Gunning"), reverse("award-decision", args=[slug])))
    if can_view_contracts(user, tender):
        tabs.append(Tab("contracten", _("Contracten"), reverse("contract-list", args=[slug])))
    return tabs
