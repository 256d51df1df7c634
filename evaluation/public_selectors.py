"""What the public tender page shows of the evaluation: the award notice, once the award is
decided (``AWARD_DECIDED_STATES``). Registered in ``evaluation.apps`` as a public section."""

from dataclasses import dataclass, field

from tender.constants import AWARD_DECIDED_STATES, Phase
from tender.models import Segment, Tender

from .models import RankingRow
from .selectors import SELECTED_STATUSES, final_ranking


@dataclass
class SegmentAward:
    segment: Segment
    winners: list[str] = field(default_factory=list)


def award_notice(*, tender: Tender) -> list[SegmentAward] | None:
    """The winners per segment (organisation names in rank order) from the final award
    ranking; None before the award is decided or without a final award ranking. Two queries
    at most."""
    if tender.state not in AWARD_DECIDED_STATES:
        return None
    ranking = final_ranking(tender=tender, phase=Phase.AWARD)
    if ranking is None:
        return None
    awards: dict[int, SegmentAward] = {}
    rows = (
        RankingRow.objects.filter(ranking=ranking, status__in=SELECTED_STATUSES)
        .select_related("segment")
        .order_by("segment__position", "segment__code", "rank", "position")
    )
    for row in rows:
        awards.setdefault(row.segment_id, SegmentAward(row.segment)).winners.append(row.bidder_name)
    return list(awards.values())
