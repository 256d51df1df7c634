"""Downloads for the procurement file, each one audited (``ranking.export``).

The web page and the API call these, so both give the same file and the same audit entry.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from tender.constants import Phase
from tender.errors import ApplicationError
from tender.models import Tender

from ..constants import RankingStatus
from ..exports import CSV_ENCODING, rankings_csv, scores_workbook
from ..models import Ranking
from ..ranking_selectors import results_for_csv, scores_for_workbook
from .ranking import refuse_before_opening


def _workbook_headers() -> dict[str, str]:
    return {
        "bidder": _("Inschrijver"),
        "kvk": _("KvK"),
        "criterion": _("Criterium"),
        "criterion_name": _("Naam criterium"),
        "weight": _("Weging (w)"),
        "level_of": _("Niveau"),
        "final_level": _("Eindniveau"),
        "rationale": _("Motivering eindniveau"),
        "points": _("Punten (w × eindniveau)"),
    }


@transaction.atomic
def scores_workbook_export(
    *, tender: Tender, phase: str, user, client_address: str | None = None
) -> bytes:
    """The scores workbook of ``phase`` (.xlsx bytes); the download is audited. Refused before
    the opening (it lists every sealed dossier)."""
    if phase not in Phase.values:
        raise ApplicationError(_("Onbekende fase '%(phase)s'.") % {"phase": phase}, field="phase")
    refuse_before_opening(tender)
    content = scores_workbook(
        scores_for_workbook(tender=tender, phase=phase), headers=_workbook_headers()
    )
    audit_record(
        action="ranking.export",
        actor=user,
        obj=tender,
        tender=tender,
        client_address=client_address,
        details={"what": "scores", "format": "xlsx", "phase": phase},
    )
    return content


@transaction.atomic
def ranking_csv_export(*, ranking: Ranking, user, client_address: str | None = None) -> bytes:
    """The stored result of ``ranking`` as CSV bytes; refused before it is computed. Audited."""
    refuse_before_opening(ranking.tender)
    if ranking.status != RankingStatus.DONE:
        raise ApplicationError(_("De ranking is nog niet berekend."))
    content = rankings_csv(results_for_csv(ranking=ranking)).encode(CSV_ENCODING)
    audit_record(
        action="ranking.export",
        actor=user,
        obj=ranking,
        tender=ranking.tender,
        client_address=client_address,
        details={
            "what": "ranking",
            "format": "csv",
            "phase": ranking.phase,
            "final": ranking.is_final,
            "superseded": ranking.superseded,
        },
    )
    return content


def export_filename(*, tender: Tender, phase: str, what: str, extension: str, pk=None) -> str:
    """``scores-inkoop-2022-selection.xlsx``, ``ranking-inkoop-2022-award-12.csv``."""
    parts = [what, tender.slug, phase, *([str(pk)] if pk is not None else [])]
    return "-".join(parts) + "." + extension
