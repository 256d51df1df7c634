"""Contract-side services. The lumpsum maths is in ``contracts.lumpsum``."""

from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Prefetch, TextField
from django.db.models.functions import Cast, JSONObject

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
from ..models import ContractSegment


def bid_figures(dossier: Dossier | None, offer: Dossier | None = None) -> engine.BidFigures | None:
    """The lumpsum bid of a winner (None: no bid): from its offer dossier where there is one
    (round 2 of the restricted procedure), else from ``dossier`` (the one round). The one
    place that reads the bid fields."""
    source = offer if offer is not None else dossier
    if source is None or not source.has_bid:
        return None
    return engine.BidFigures(source.bid_clients, source.bid_months, source.bid_hours_per_month)


def winner_dossiers(tender: Tender) -> dict[tuple[str, str], tuple[Dossier, Dossier | None]]:
    """Per (bidder KvK, segment code) of the current submissions: the dossier of the first
    round (municipalities, specialisms) and the offer dossier of round 2 (bid, current clients)
    where the procedure has two rounds and the bidder made one."""
    first, offers = {}, {}
    for d in (
        Dossier.objects.filter(submission__tender=tender, submission__is_current=True)
        .select_related("submission__bidder", "segment")
        .prefetch_related("municipalities")
    ):
        key = (d.submission.bidder.kvk, d.segment.code)
        if d.submission.round == tender.rounds[0]:
            first[key] = d
        else:
            offers[key] = d
    return {key: (dossier, offers.get(key)) for key, dossier in first.items()}


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
    dossiers = winner_dossiers(tender)
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
        .annotate(
            # yearly amounts staff set for a task segment (contract screen), in this query
            set_amounts=ArraySubquery(
                ContractSegment.objects.filter(
                    segment=OuterRef("pk"), set_amount__isnull=False
                ).values(
                    json=JSONObject(
                        kvk="contract__provider__kvk", amount=Cast("set_amount", TextField())
                    )
                )
            )
        )
        .order_by("code")
    ):
        set_amounts = {s["kvk"]: Decimal(s["amount"]) for s in segment.set_amounts}
        segment_winners = []
        for kvk in sorted(winners.get(segment.code, ())):
            dossier, offer = dossiers.get((kvk, segment.code), (None, None))
            bid = bid_figures(dossier, offer)
            stated = offer if offer is not None else dossier
            segment_winners.append(
                engine.Winner(
                    bidder=kvk,
                    bid=bid,
                    current_clients=stated.current_clients if stated else None,
                    municipalities=frozenset(m.code for m in dossier.municipalities.all())
                    if dossier
                    else frozenset(),
                    set_amount=set_amounts.get(kvk),
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
