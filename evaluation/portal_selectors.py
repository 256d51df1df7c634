"""The provider portal's view of the evaluation: an organisation's own results. Shown on the
portal's tender page through ``providers.portal_sections`` (registered in ``evaluation.apps``)."""

from providers.models import Organisation
from providers.portal_selectors import combination_of
from tender.constants import OPENED_STATES, Phase
from tender.models import Tender

from .models import Ranking, RankingRow


def own_results(*, tender: Tender, organisation: Organisation) -> list[dict]:
    """After the opening: per phase, the final ranking's rows of the organisation's own bid
    (its own, or the combination's it is in), per segment. Never another bidder's row.
    ``final`` is False for a phase without a final ranking yet."""
    if tender.state not in OPENED_STATES:
        return []
    combination = combination_of(tender=tender, organisation=organisation)
    bidder_kvk = combination.lead.kvk if combination else organisation.kvk
    finals = {
        r.phase: r
        for r in Ranking.objects.filter(tender=tender, is_final=True, superseded=False).only(
            "pk", "phase", "finalised_at", "tender_id"
        )
    }
    rows = (
        RankingRow.objects.filter(ranking__in=finals.values(), bidder_kvk=bidder_kvk)
        .select_related("segment")
        .order_by("segment__code")
    )
    by_phase = {phase: [] for phase in finals}
    for row in rows:
        by_phase[next(p for p, r in finals.items() if r.pk == row.ranking_id)].append(row)
    return [
        {
            "phase": phase,
            "label": label,
            "final": phase in finals,
            "rows": by_phase.get(phase, []),
        }
        for phase, label in Phase.choices
    ]
