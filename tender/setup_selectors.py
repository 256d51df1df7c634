"""Reading a tender's set-up for the set-up screens and the set-up API."""

from django.db.models import Count, F, Prefetch, QuerySet

from .models import Criterion, Lot, Requirement, Segment, SubSegment, Tender
from .selectors import tenders_visible_to


def setup_lots(*, tender: Tender) -> QuerySet[Lot]:
    """Lots in screen order with their municipalities and segments (criteria counted)."""
    segments = Segment.objects.order_by("position", "code").annotate(
        criterion_count=Count("criteria", distinct=True)
    )
    return (
        Lot.objects.filter(tender=tender)
        .order_by("position", "code")
        .prefetch_related("municipalities", Prefetch("segments", queryset=segments))
    )


def setup_requirements(*, tender: Tender) -> QuerySet[Requirement]:
    """General requirements first, then per segment; each in screen order."""
    return (
        Requirement.objects.filter(tender=tender)
        .select_related("segment")
        .order_by(F("segment__code").asc(nulls_first=True), "position", "code")
    )


def segment_criteria(*, segment: Segment) -> QuerySet[Criterion]:
    return Criterion.objects.filter(segment=segment).order_by("position", "id")


def segment_subsegments(*, segment: Segment) -> QuerySet[SubSegment]:
    return SubSegment.objects.filter(segment=segment).order_by("code")


def segment_requirements(*, segment: Segment) -> QuerySet[Requirement]:
    return Requirement.objects.filter(segment=segment).order_by("position", "code")


# -- scoped querysets for the set-up API (empty for anyone who may not see tenders) --------


def lots_visible_to(user) -> QuerySet[Lot]:
    return (
        Lot.objects.filter(tender__in=tenders_visible_to(user))
        .select_related("tender")
        .prefetch_related("municipalities")
        .order_by("tender__slug", "position", "code")
    )


def segments_visible_to(user) -> QuerySet[Segment]:
    return (
        Segment.objects.filter(tender__in=tenders_visible_to(user))
        .select_related("tender", "lot")
        .order_by("tender__slug", "code")
    )


def subsegments_visible_to(user) -> QuerySet[SubSegment]:
    return (
        SubSegment.objects.filter(segment__tender__in=tenders_visible_to(user))
        .select_related("segment__tender")
        .order_by("segment__tender__slug", "segment__code", "code")
    )


def requirements_visible_to(user) -> QuerySet[Requirement]:
    return (
        Requirement.objects.filter(tender__in=tenders_visible_to(user))
        .select_related("tender", "segment")
        .order_by("tender__slug", "position", "code")
    )


def criteria_visible_to(user) -> QuerySet[Criterion]:
    return (
        Criterion.objects.filter(segment__tender__in=tenders_visible_to(user))
        .select_related("segment__tender")
        .order_by("segment__tender__slug", "segment__code", "position", "id")
    )
