"""TEMPORARY stand-in: the award-decision branch provides this module (with the same function
and signature); this file is replaced by theirs at merge. Implemented here as "segments of the
tender that have winners in the final award ranking, when the tender is awarded or later"."""

from evaluation.constants import ResultStatus
from evaluation.models import RankingRow
from evaluation.selectors import final_ranking
from tender.constants import Phase, TenderState
from tender.models import Segment, Tender

AWARDED_STATES = frozenset({TenderState.AWARDED.value, TenderState.CONTRACTED.value})


def award_final_segments(*, tender: Tender) -> list[Segment]:
    """Segments (code order) with at least one selected bidder in the final award ranking,
    once the tender is awarded (or contracted); else an empty list."""
    if tender.state not in AWARDED_STATES:
        return []
    ranking = final_ranking(tender=tender, phase=Phase.AWARD)
    if ranking is None:
        return []
    segment_ids = RankingRow.objects.filter(
        ranking=ranking,
        status__in=(ResultStatus.SELECTED, ResultStatus.SELECTED_COVERAGE),
    ).values("segment_id")
    return list(Segment.objects.filter(tender=tender, pk__in=segment_ids).order_by("code"))
