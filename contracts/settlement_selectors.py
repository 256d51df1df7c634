"""Reading production reports and settlements per tender and per provider."""

from django.db.models import Prefetch

from .models import ContractSegment
from .settlement_models import ProductionReport, Settlement


def _segments():
    return (
        ContractSegment.objects.select_related(
            "contract__provider",
            "contract__tender",
            "contract__settlement_policy",
            "segment__lot",
        )
        .prefetch_related(
            Prefetch(
                "production_reports",
                queryset=ProductionReport.objects.select_related("settlement").order_by("year"),
            ),
        )
        .order_by("contract__number", "segment__code")
    )


def tender_settlement_overview(*, tender) -> list[ContractSegment]:
    """Every contracted segment of the tender with its reports and their settlements."""
    return list(_segments().filter(contract__tender=tender))


def provider_settlement_overview(*, organisation) -> list[ContractSegment]:
    if organisation is None:
        return []
    return list(_segments().filter(contract__provider=organisation))


def settlement_of(*, report: ProductionReport) -> Settlement | None:
    return Settlement.objects.filter(report=report).first()
