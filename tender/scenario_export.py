"""A tender as scenario data (SCENARIO.md): the inverse of ``tender.services.scenario``.

Builds the region and tender parts of a ``tender-scenario/1`` document from the database; the
bidders, evaluators and submissions are added by ``evaluation.services.scenario_export``, which
may read the apps above this one. Optional fields are left out where the tender has no value, so
loading the export creates the same tender again (``load_scenario`` accepts it when the tender is
complete: at least one lot with municipalities and segments, and criteria in every segment).

Not in the scenario format, so not exported: a criterion's custom scale, the tender's state and
documents.
"""

from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from .constants import Phase
from .models import Criterion, Lot, Municipality, Requirement, Segment, Tender

FORMAT = "tender-scenario/1"


def decimal_text(value: Decimal) -> str:
    """'20.00' -> '20', '0.5000' -> '0.5': the shortest exact plain notation."""
    return format(value.normalize(), "f")


def money_text(value: Decimal) -> str:
    """Amounts show two decimals, as in the shipped scenarios ('62.50'), unless they have more."""
    cents = value.quantize(Decimal("0.01"))
    return format(cents, "f") if cents == value else decimal_text(value)


def _requirement(requirement: Requirement) -> dict:
    item = {"code": requirement.code, "text": requirement.text}
    if requirement.phase != Phase.SELECTION:
        item["phase"] = requirement.phase
    return item


def _municipality(municipality: Municipality) -> dict:
    item: dict = {"code": municipality.code, "name": municipality.name}
    if municipality.inhabitants is not None:
        item["inhabitants"] = municipality.inhabitants
    return item


def _criterion(criterion: Criterion) -> dict:
    item = {
        "code": criterion.code,
        "name": criterion.name,
        "phase": criterion.phase,
        "max_points": decimal_text(criterion.max_points),
    }
    if criterion.min_level is not None:
        item["min_level"] = decimal_text(criterion.min_level)
    return item


def _segment(segment: Segment) -> dict:
    item: dict = {"code": segment.code, "name": segment.name, "places": segment.places}
    if segment.award_places is not None:
        item["award_places"] = segment.award_places
    if segment.min_total is not None:
        item["min_total"] = money_text(segment.min_total)
    item["coverage_k"] = segment.coverage_k
    if segment.specialisms:
        item["specialisms"] = list(segment.specialisms)
    if segment.start_date is not None:
        item["start_date"] = segment.start_date.isoformat()
    if segment.tariff is not None:
        item["tariff"] = money_text(segment.tariff)
    if segment.budget is not None:
        item["budget"] = money_text(segment.budget)
    item["payment"] = segment.payment
    if segment.funding:
        item["funding"] = segment.funding
    if segment.band is not None:
        item["band"] = decimal_text(segment.band)
    subsegments = [{"code": s.code, "name": s.name} for s in segment.subsegments.all()]
    if subsegments:
        item["subsegments"] = subsegments
    requirements = [_requirement(r) for r in segment.requirements.all()]
    if requirements:
        item["requirements"] = requirements
    item["criteria"] = [_criterion(c) for c in segment.criteria.all()]
    return item


def tender_scenario(tender: Tender) -> dict:
    """The scenario document of ``tender`` without bidders: ``organisations`` and
    ``submissions`` are empty lists. Seven queries, whatever the size of the tender."""
    segments = Segment.objects.order_by("position", "code").prefetch_related(
        "subsegments",
        Prefetch("requirements", queryset=Requirement.objects.order_by("position", "code")),
        Prefetch("criteria", queryset=Criterion.objects.order_by("position", "id")),
    )
    lots = (
        Lot.objects.filter(tender=tender)
        .order_by("position", "code")
        .prefetch_related("municipalities", Prefetch("segments", queryset=segments))
    )
    region = tender.region
    return {
        "format": FORMAT,
        "region": {
            "code": region.code,
            "name": region.name,
            "municipalities": [_municipality(m) for m in region.municipalities.order_by("code")],
        },
        "tender": {
            "slug": tender.slug,
            "title": tender.title,
            "procedure": tender.procedure,
            "deadline": timezone.localtime(tender.deadline).isoformat(),
            "standstill_days": tender.standstill_days,
            "requirements": [
                _requirement(r)
                for r in tender.requirements.filter(segment__isnull=True).order_by(
                    "position", "code"
                )
            ],
            "lots": [
                {
                    "code": lot.code,
                    "name": lot.name,
                    "funding": lot.funding,
                    "municipalities": sorted(m.code for m in lot.municipalities.all()),
                    "segments": [_segment(s) for s in lot.segments.all()],
                }
                for lot in lots
            ],
        },
        "organisations": [],
        "submissions": [],
    }
