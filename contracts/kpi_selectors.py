"""Reading KPIs: definitions per tender, and dashboards per contract and per segment with the
values against the target. Staff dashboards show submitted values only."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q

from tender.models import Segment, Tender

from .kpi_models import KpiDirection, KpiEffect, KpiReport, ProviderKpi
from .models import Contract
from .services.kpis import kpis_for_contract


def kpi_definitions(*, tender: Tender) -> list[KpiEffect]:
    return list(
        KpiEffect.objects.filter(tender=tender).prefetch_related(
            Prefetch(
                "provider_kpis",
                queryset=ProviderKpi.objects.select_related("segment", "lot").order_by(
                    "position", "pk"
                ),
            )
        )
    )


def target_met(kpi: ProviderKpi, value: Decimal) -> bool | None:
    """Whether ``value`` meets the KPI's target; None while the KPI has no target (an example)."""
    if kpi.target is None:
        return None
    return value >= kpi.target if kpi.direction == KpiDirection.HIGHER else value <= kpi.target


@dataclass
class SeriesPoint:
    period: str
    value: Decimal
    comment: str
    met: bool | None


@dataclass
class KpiPanel:
    kpi: ProviderKpi
    series: dict[str, list[SeriesPoint]] = field(default_factory=dict)  # label -> points

    @property
    def periods(self) -> list[str]:
        return sorted({p.period for points in self.series.values() for p in points})

    def chart(self) -> dict:
        periods = self.periods
        lines = []
        for label, points in self.series.items():
            by_period = {p.period: str(p.value) for p in points}
            lines.append({"label": label, "values": [by_period.get(p) for p in periods]})
        return {
            "periods": periods,
            "lines": lines,
            "target": str(self.kpi.target) if self.kpi.target is not None else None,
            "unit": self.kpi.unit,
            "name": self.kpi.name,
        }

    @property
    def rows(self) -> list[dict]:
        """The table: one row per period, one cell per line (accessible equivalent)."""
        table = []
        for period in self.periods:
            cells = []
            for points in self.series.values():
                point = next((p for p in points if p.period == period), None)
                cells.append(point)
            table.append({"period": period, "cells": cells})
        return table


def contract_dashboard(*, contract: Contract, submitted_only: bool = True) -> list[KpiPanel]:
    """One panel per KPI of the contract with its values per period (3 queries)."""
    kpis = list(kpis_for_contract(contract))
    reports = KpiReport.objects.filter(contract=contract, kpi__in=kpis).order_by("period")
    if submitted_only:
        reports = reports.filter(submitted_at__isnull=False)
    by_kpi = defaultdict(list)
    for report in reports:
        by_kpi[report.kpi_id].append(report)
    panels = []
    for kpi in kpis:
        points = [
            SeriesPoint(r.period, r.value, r.comment, target_met(kpi, r.value))
            for r in by_kpi[kpi.pk]
        ]
        panels.append(KpiPanel(kpi, {contract.provider.name: points}))
    return panels


def segment_dashboard(*, segment: Segment) -> list[KpiPanel]:
    """One panel per KPI that applies to the segment, a line per contracted provider."""
    kpis = list(
        ProviderKpi.objects.filter(effect__tender_id=segment.tender_id)
        .filter(Q(segment__isnull=True) | Q(segment=segment))
        .select_related("effect", "segment")
        .order_by("effect__position", "effect_id", "position", "pk")
    )
    contracts = list(
        Contract.objects.filter(segments__segment=segment)
        .select_related("provider")
        .order_by("provider__name")
        .distinct()
    )
    reports = KpiReport.objects.filter(
        kpi__in=kpis, contract__in=contracts, submitted_at__isnull=False
    ).order_by("period")
    grouped = defaultdict(list)
    for report in reports:
        grouped[(report.kpi_id, report.contract_id)].append(report)
    panels = []
    for kpi in kpis:
        series = {}
        for contract in contracts:
            series[contract.provider.name] = [
                SeriesPoint(r.period, r.value, r.comment, target_met(kpi, r.value))
                for r in grouped[(kpi.pk, contract.pk)]
            ]
        panels.append(KpiPanel(kpi, series))
    return panels


def tender_contracts(*, tender: Tender) -> list[Contract]:
    return list(
        Contract.objects.filter(tender=tender)
        .select_related("provider")
        .prefetch_related("segments__segment")
        .order_by("number")
    )


def contracts_of_organisation(*, organisation) -> list[Contract]:
    if organisation is None:
        return []
    return list(
        Contract.objects.filter(provider=organisation)
        .select_related("tender", "provider")
        .prefetch_related("segments__segment")
        .order_by("tender__slug", "number")
    )
