"""Result-based steering: KPIs per tender (optionally per segment) and the values providers
report per contract per period. The chain effect -> goal -> municipal KPI is one ``KpiEffect``
(the seeds' table has one of each per row); a provider KPI hangs under it."""

import re
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from tender.constants import TenderState
from tender.errors import ApplicationError
from tender.models import Tender

from ..kpi_models import KpiDirection, KpiEffect, KpiPeriod, KpiReport, ProviderKpi
from ..models import Contract

# The seeds' table "Van Effecten naar KPI's" (Achterhoek, Wmo), in its own words. The provider
# KPI of the table names its evidence (scaled-down care, client satisfaction, no relapse within
# a term): each becomes a KPI of its own. The targets are the region's starting values, to be
# agreed in the dialogue phase ("in detail gezamenlijk vast te stellen in de dialoogfase").
DEFAULT_KPI_SET = (
    {
        "effect": "De inwoner participeert maximaal naar vermogen in de samenleving",
        "goal": "De ondersteuning is gericht op het behouden en versterken van de "
        "zelfredzaamheid door participatie van de inwoner.",
        "municipal_kpi": "% inwoners {region} waarvan zelfredzaamheid en participatie is "
        "verbeterd (te zien door % afschaling van zorginzet, doelrealisatie en duurzaam "
        "resultaat = geen terugval binnen bepaalde termijn)",
        "provider_kpis": (
            (
                "% cliënten in traject waarvan zelfredzaamheid en participatie is verbeterd",
                "%",
                "70.00",
                KpiDirection.HIGHER,
                KpiPeriod.HALF_YEAR,
            ),
            (
                "% cliënten bij wie de zorg is afgeschaald",
                "%",
                "40.00",
                KpiDirection.HIGHER,
                KpiPeriod.HALF_YEAR,
            ),
            (
                "Cliënttevredenheid (gemiddeld rapportcijfer)",
                "cijfer",
                "7.50",
                KpiDirection.HIGHER,
                KpiPeriod.YEAR,
            ),
            (
                "% cliënten met terugval binnen 12 maanden na afsluiting",
                "%",
                "10.00",
                KpiDirection.LOWER,
                KpiPeriod.YEAR,
            ),
        ),
    },
)

PERIOD_RE = {
    KpiPeriod.YEAR: re.compile(r"^(\d{4})$"),
    KpiPeriod.HALF_YEAR: re.compile(r"^(\d{4})-H([12])$"),
    KpiPeriod.QUARTER: re.compile(r"^(\d{4})-Q([1-4])$"),
}


def period_bounds(period_kind: str, label: str) -> tuple[date, date]:
    """First and last day of a period label ("2023", "2023-H1", "2023-Q3")."""
    match = PERIOD_RE[period_kind].match(label or "")
    if not match:
        raise ApplicationError(_("Ongeldige periode."), field="period")
    year = int(match.group(1))
    if period_kind == KpiPeriod.YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    months = 6 if period_kind == KpiPeriod.HALF_YEAR else 3
    index = int(match.group(2))
    start = date(year, (index - 1) * months + 1, 1)
    end_month = index * months
    end = date(year + (end_month == 12), end_month % 12 + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def periods_of(period_kind: str, start: date, end: date) -> list[str]:
    """Period labels from ``start`` to ``end`` (both inclusive, partial periods count)."""
    labels = []
    for year in range(start.year, end.year + 1):
        if period_kind == KpiPeriod.YEAR:
            candidates = [str(year)]
        elif period_kind == KpiPeriod.HALF_YEAR:
            candidates = [f"{year}-H1", f"{year}-H2"]
        else:
            candidates = [f"{year}-Q{q}" for q in range(1, 5)]
        for label in candidates:
            first, last = period_bounds(period_kind, label)
            if last >= start and first <= end:
                labels.append(label)
    return labels


def reportable_periods(kpi: ProviderKpi, contract: Contract, today: date) -> list[str]:
    """Periods of the contract that have started (a provider reports on running periods)."""
    return periods_of(kpi.period, contract.start_date, min(contract.end_date, today))


# -- staff: defining KPIs ------------------------------------------------------------------------


@transaction.atomic
def kpi_effect_save(
    *, tender: Tender, effect: str, goal: str, municipal_kpi: str, user, instance=None
) -> KpiEffect:
    obj = instance or KpiEffect(tender=tender)
    obj.effect, obj.goal, obj.municipal_kpi = effect, goal, municipal_kpi
    if instance is None:
        obj.position = KpiEffect.objects.filter(tender=tender).count()
    obj.full_clean()
    obj.save()
    audit_record(
        action="kpi_effect.save", actor=user, obj=obj, tender=tender, details={"effect": effect}
    )
    return obj


@transaction.atomic
def provider_kpi_save(
    *,
    effect: KpiEffect,
    name: str,
    unit: str,
    target: Decimal,
    direction: str,
    period: str,
    segment=None,
    user,
    instance: ProviderKpi | None = None,
) -> ProviderKpi:
    if segment is not None and segment.tender_id != effect.tender_id:
        raise ApplicationError(_("Kies een segment van deze aanbesteding."), field="segment")
    if instance is not None and instance.period != period and instance.reports.exists():
        raise ApplicationError(
            _("Er zijn al waarden gerapporteerd; de periode kan niet meer wijzigen."),
            field="period",
        )
    kpi = instance or ProviderKpi(effect=effect)
    kpi.name, kpi.unit, kpi.target = name, unit, target
    kpi.direction, kpi.period, kpi.segment = direction, period, segment
    if instance is None:
        kpi.position = ProviderKpi.objects.filter(effect=effect).count()
    kpi.full_clean()
    kpi.save()
    audit_record(
        action="provider_kpi.save",
        actor=user,
        obj=kpi,
        tender=effect.tender,
        details={
            "name": name,
            "unit": unit,
            "target": str(target),
            "direction": direction,
            "period": period,
            "segment": segment.code if segment else None,
        },
    )
    if effect.tender.state == TenderState.CONTRACTED:
        from .contracts import contracts_activate

        contracts_activate(tender=effect.tender)  # drafts waiting for their KPIs start now
    return kpi


def region_words(tender: Tender) -> str:
    """The region as the KPI texts name it: "Sociaal Domein Achterhoek" -> "Achterhoek"."""
    name = tender.region.name
    for prefix in ("Sociaal Domein ", "Sociaal domein ", "Regio ", "regio "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@transaction.atomic
def kpi_default_set_load(*, tender: Tender, user) -> int:
    """Load the seeds' KPI set into ``tender`` once, worded for its region; returns the number
    of provider KPIs made (0 when the tender already has KPIs)."""
    Tender.objects.select_for_update().get(pk=tender.pk)
    if KpiEffect.objects.filter(tender=tender).exists():
        return 0
    made = 0
    for row in DEFAULT_KPI_SET:
        effect = kpi_effect_save(
            tender=tender,
            effect=row["effect"],
            goal=row["goal"],
            municipal_kpi=str(row["municipal_kpi"]).format(region=region_words(tender)),
            user=user,
        )
        for name, unit, target, direction, period in row["provider_kpis"]:
            provider_kpi_save(
                effect=effect,
                name=name,
                unit=unit,
                target=Decimal(target),
                direction=direction,
                period=period,
                user=user,
            )
            made += 1
    return made


# -- provider: reporting values ------------------------------------------------------------------


def kpis_for_contract(contract: Contract):
    """The KPIs that apply to ``contract``: tender-wide ones and those of its segments."""
    from django.db.models import Q

    segment_ids = [cs.segment_id for cs in contract.segments.all()]
    return (
        ProviderKpi.objects.filter(effect__tender_id=contract.tender_id)
        .filter(Q(segment__isnull=True) | Q(segment_id__in=segment_ids))
        .select_related("effect", "segment")
        .order_by("effect__position", "effect_id", "position", "pk")
    )


@transaction.atomic
def kpi_report_save(
    *,
    contract: Contract,
    kpi: ProviderKpi,
    period: str,
    value: Decimal,
    comment: str,
    user,
    client_address: str | None = None,
) -> KpiReport:
    """Store a draft value; refused once the contract's report of that period is submitted."""
    if not kpis_for_contract(contract).filter(pk=kpi.pk).exists():
        raise ApplicationError(_("Deze KPI hoort niet bij dit contract."), field="kpi")
    if period not in reportable_periods(kpi, contract, timezone.localdate()):
        raise ApplicationError(
            _("Kies een lopende of verstreken periode van het contract."), field="period"
        )
    report = (
        KpiReport.objects.select_for_update()
        .filter(kpi=kpi, contract=contract, period=period)
        .first()
    )
    if report is not None and report.submitted_at is not None:
        raise ApplicationError(_("Deze periode is al ingediend en kan niet meer wijzigen."))
    report = report or KpiReport(kpi=kpi, contract=contract, period=period)
    report.value, report.comment = value, comment
    report.full_clean()
    report.save()
    audit_record(
        action="kpi_report.save",
        actor=user,
        obj=report,
        tender=contract.tender,
        details={"contract": contract.number, "kpi": kpi.pk, "period": period, "value": str(value)},
        client_address=client_address,
    )
    return report


@transaction.atomic
def kpi_period_submit(
    *, contract: Contract, period: str, user, client_address: str | None = None
) -> int:
    """Submit every draft value of ``contract`` in ``period``; they are final from then on.
    Refused when the period holds no draft value."""
    drafts = list(
        KpiReport.objects.select_for_update().filter(
            contract=contract, period=period, submitted_at__isnull=True
        )
    )
    if not drafts:
        raise ApplicationError(_("Er zijn geen waarden om in te dienen voor deze periode."))
    now = timezone.now()
    for report in drafts:
        report.submitted_at, report.submitted_by = now, user
        report.save(update_fields=["submitted_at", "submitted_by"])
    audit_record(
        action="kpi_report.submit",
        actor=user,
        obj=contract,
        tender=contract.tender,
        details={"contract": contract.number, "period": period, "values": len(drafts)},
        client_address=client_address,
    )
    return len(drafts)
