"""Contract-side services. The lumpsum maths is in ``contracts.lumpsum``."""

from datetime import date

from evaluation.selectors import award_winners
from providers.models import Dossier
from tender.models import Segment, Tender

from .. import lumpsum as engine


def lumpsum_compute(*, tender: Tender, year: int, seed: int = 0) -> engine.LumpsumReport:
    """Yearly lumpsum and instalments per winner per segment, for calendar year ``year``.

    Winners are the bidders selected (either status) in the award phase: the final award
    ranking where there is one, else the award ranking computed now with ``seed``.
    """
    winners = award_winners(tender=tender, seed=seed)
    bids = {
        (kvk, code): (clients, months, hours)
        for kvk, code, clients, months, hours in Dossier.objects.filter(
            submission__tender=tender,
            submission__is_current=True,
        ).values_list(
            "submission__bidder__kvk",
            "segment__code",
            "bid_clients",
            "bid_months",
            "bid_hours_per_month",
        )
    }
    segments = []
    for segment in Segment.objects.filter(tender=tender, tariff__isnull=False).order_by("code"):
        segment_winners = []
        for kvk in sorted(winners.get(segment.code, ())):
            figures = bids.get((kvk, segment.code))
            bid = (
                engine.BidFigures(*figures) if figures is not None and None not in figures else None
            )
            segment_winners.append(engine.Winner(bidder=kvk, bid=bid))
        segments.append(
            engine.SegmentLumpsumIn(
                code=segment.code,
                tariff=segment.tariff,
                budget=segment.budget,
                # No start date: the contract runs the whole year (docs/rules.md).
                start_date=segment.start_date or date(year, 1, 1),
                payment=segment.payment,
                winners=tuple(segment_winners),
            )
        )
    return engine.lumpsum_report(tender.slug, segments, year=year)
