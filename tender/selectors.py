"""Reading tenders for the staff screens and the API."""

from django.db.models import Case, Count, Prefetch, Q, QuerySet, When

from accounts.permissions import is_staff_member

from .constants import BIDS_READABLE_STATES
from .models import Lot, Segment, Tender, first_round_q, readable_rounds_q


def tenders_visible_to(user) -> QuerySet[Tender]:
    """Tenders the user may see; nothing for anyone who is not municipal staff."""
    if not is_staff_member(user):
        return Tender.objects.none()
    return Tender.objects.select_related("region")


def tender_list(*, user) -> QuerySet[Tender]:
    return (
        tenders_visible_to(user)
        .annotate(
            lot_count=Count("lots", distinct=True),
            segment_count=Count("segments", distinct=True),
        )
        .order_by("-deadline", "slug")
    )


def tender_detail(*, user, slug: str) -> Tender:
    """The tender with lots, their municipalities and segments prefetched (4 queries).

    ``segment.dossier_count`` counts the dossiers of the current sealed submissions, and only
    where bids are readable (``Tender.bids_readable``): before the opening it is None, so no
    page tells how many bid; drafts and earlier versions never count."""
    counted = Q(
        readable_rounds_q("dossiers__submission__"),
        first_round_q("dossiers__submission__"),
        dossiers__submission__state="sealed",
        dossiers__submission__is_current=True,
        dossiers__submission__tender__state__in=BIDS_READABLE_STATES,
    )
    segments = Segment.objects.order_by("code").annotate(
        dossier_count=Case(
            When(tender__state__in=BIDS_READABLE_STATES, then=Count("dossiers", filter=counted)),
            default=None,
        )
    )
    lots = Lot.objects.prefetch_related("municipalities", Prefetch("segments", queryset=segments))
    return tenders_visible_to(user).prefetch_related(Prefetch("lots", queryset=lots)).get(slug=slug)
