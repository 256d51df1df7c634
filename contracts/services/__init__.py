"""Contract-side services. The lumpsum maths is in ``contracts.lumpsum``."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Prefetch
from django.db.models.functions import JSONObject

from evaluation.selectors import award_winners
from providers.models import Dossier
from tender.models import (
    LotMembership,
    MunicipalityPopulation,
    Segment,
    Tender,
    inhabitants_for,
)

from .. import lumpsum as engine


def bid_figures(dossier: Dossier | None) -> engine.BidFigures | None:
    """The lumpsum bid of a winner's dossier (None: no bid). The one place that reads the bid
    fields, so they can move (e.g. to an offer dossier) without touching the rules."""
    if dossier is None or not dossier.has_bid:
        return None
    return engine.BidFigures(dossier.bid_clients, dossier.bid_months, dossier.bid_hours_per_month)


def lot_municipalities(lot, year: int) -> tuple[tuple[str, int | None], ...]:
    """(CBS code, inhabitants in ``year``) of the municipalities taking part in ``lot`` on any
    day of ``year``, by code: what population funding shares the budget over (uses the
    prefetched ``lot.memberships`` with their municipality and CBS ``figures``)."""
    members = [m for m in lot.memberships.all() if m.takes_part_in(year)]
    return tuple(
        (
            m.municipality.code,
            inhabitants_for(
                [(f["year"], f["n"]) for f in m.figures],
                year,
                fallback=m.municipality.inhabitants,
            ),
        )
        for m in sorted(members, key=lambda m: m.municipality.code)
    )


def lumpsum_compute(
    *, tender: Tender, year: int, seed: int = 0, initial_term: bool = True
) -> engine.LumpsumReport:
    """Yearly amount and instalments per winner per segment, for calendar year ``year``
    (SCENARIO.md, "Lumpsum command"; the rules are in ``contracts.lumpsum``).

    Winners are the bidders selected (either status) in the award phase: the final award
    ranking where there is one, else the award ranking computed now with ``seed``. Each
    segment's funding model is its own, else its lot's. ``initial_term``: only months inside
    the segment's initial term are paid (the command); False applies the start date only (the
    stored contract schedules take the amounts from here and bound each schedule by its
    contracted segment's own current term).
    """
    winners = award_winners(tender=tender, seed=seed)
    dossiers = {
        (d.submission.bidder.kvk, d.segment.code): d
        for d in Dossier.objects.filter(
            submission__tender=tender,
            submission__is_current=True,
        )
        .select_related("submission__bidder", "segment")
        .prefetch_related("municipalities")
    }
    segments = []
    for segment in (
        Segment.objects.filter(tender=tender)
        .select_related("lot")
        .prefetch_related(
            Prefetch(
                "lot__memberships",
                queryset=LotMembership.objects.select_related("municipality").annotate(
                    figures=ArraySubquery(
                        MunicipalityPopulation.objects.filter(
                            municipality=OuterRef("municipality")
                        ).values(json=JSONObject(year="year", n="inhabitants"))
                    )
                ),
            )
        )
        .order_by("code")
    ):
        segment_winners = []
        for kvk in sorted(winners.get(segment.code, ())):
            dossier = dossiers.get((kvk, segment.code))
            bid = bid_figures(dossier)
            segment_winners.append(
                engine.Winner(
                    bidder=kvk,
                    bid=bid,
                    current_clients=dossier.current_clients if dossier else None,
                    municipalities=frozenset(m.code for m in dossier.municipalities.all())
                    if dossier
                    else frozenset(),
                )
            )
        start = segment.start_date
        segments.append(
            engine.SegmentLumpsumIn(
                code=segment.code,
                tariff=segment.tariff,
                budget=segment.budget,
                start_date=start,  # None: the whole year (docs/rules.md)
                payment=segment.payment,
                winners=tuple(segment_winners),
                funding=segment.effective_funding,
                end_date=(
                    engine.term_end(start, engine.INITIAL_TERM_YEARS)
                    if initial_term and start is not None
                    else None
                ),
                municipalities=lot_municipalities(segment.lot, year),
            )
        )
    return engine.lumpsum_report(tender.slug, segments, year=year)
