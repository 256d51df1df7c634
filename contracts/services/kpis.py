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
from tender.models import Segment, Tender

from ..kpi_models import KpiEffect, KpiPeriod, KpiReport, ProviderKpi
from ..models import Contract

# The default KPI set per kind of lot (issue 17.6). The Wmo row is the seeds' table "Van
# Effecten naar KPI's" (Achterhoek, Wmo) in its own words; the seeds have no row for Jeugdhulp
# or Beschermd Wonen, so theirs follow the same chain (effect -> goal -> municipal KPI ->
# provider KPIs) in the words of those domains. The provider KPI of the table names its
# evidence (scaled-down care, client satisfaction, no relapse within a term): each becomes a KPI
# of its own. Every KPI is an example ("voorbeeld", as the seeds' table calls them) without a
# target: the targets are agreed in the dialogue phase ("in detail gezamenlijk vast te stellen
# in de dialoogfase") and set by staff; until then a KPI does not count for a contract's start.
# ``{region}`` is the tender's region (``region_words``).
JEUGD, WMO, BESCHERMD_WONEN = "jeugd", "wmo", "beschermd_wonen"
DEFAULT_KPI_SETS = {
    JEUGD: (
        {
            "effect": "Het kind of de jongere groeit veilig en gezond op en ontwikkelt zich naar "
            "vermogen",
            "goal": "De hulp is gericht op het versterken van de eigen kracht van het kind, de "
            "jongere en het gezin, zo thuis en zo kort als mogelijk.",
            "municipal_kpi": "% jeugdigen {region} van wie de hulp is afgerond met het "
            "afgesproken doel bereikt en zonder nieuwe hulpvraag binnen een bepaalde termijn",
            "provider_kpis": (
                (
                    "% trajecten afgesloten met het doel (grotendeels) bereikt",
                    "%",
                    "higher",
                    "half_year",
                ),
                (
                    "% jeugdigen zonder herhaalde hulpvraag binnen 12 maanden na afsluiting",
                    "%",
                    "higher",
                    "year",
                ),
                (
                    "Cliënttevredenheid jeugdige en ouders (gemiddeld rapportcijfer)",
                    "cijfer",
                    "higher",
                    "year",
                ),
            ),
        },
    ),
    WMO: (
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
                    "higher",
                    "half_year",
                ),
                ("% cliënten bij wie de zorg is afgeschaald", "%", "higher", "half_year"),
                ("Cliënttevredenheid (gemiddeld rapportcijfer)", "cijfer", "higher", "year"),
                ("% cliënten met terugval binnen 12 maanden na afsluiting", "%", "lower", "year"),
            ),
        },
    ),
    BESCHERMD_WONEN: (
        {
            "effect": "De inwoner woont zo zelfstandig mogelijk in de eigen omgeving",
            "goal": "Beschermd wonen is gericht op herstel en op de doorstroom naar een "
            "beschermd thuis of een zelfstandige woning.",
            "municipal_kpi": "% inwoners {region} met beschermd wonen dat binnen de afgesproken "
            "termijn is doorgestroomd naar een (beschermd) thuis, zonder terugval",
            "provider_kpis": (
                (
                    "% cliënten doorgestroomd naar een beschermd thuis of zelfstandige woning",
                    "%",
                    "higher",
                    "year",
                ),
                (
                    "% cliënten met verbeterde zelfredzaamheid (zelfredzaamheidsmatrix)",
                    "%",
                    "higher",
                    "half_year",
                ),
                ("% cliënten met terugval binnen 12 maanden na uitstroom", "%", "lower", "year"),
            ),
        },
    ),
}


def lot_kind(lot) -> str:
    """Which default KPI set a lot gets: Beschermd Wonen, Jeugd(hulp), else Wmo (Begeleiding,
    Dagbesteding, Huishoudelijke ondersteuning are Wmo)."""
    words = f"{lot.code} {lot.name}".lower()
    if "beschermd" in words or lot.code.upper() == "BW":
        return BESCHERMD_WONEN
    if "jeugd" in words or lot.code.upper() in ("JH", "JGD"):
        return JEUGD
    return WMO


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
    target: Decimal | None,
    direction: str,
    period: str,
    segment=None,
    lot=None,
    user,
    instance: ProviderKpi | None = None,
) -> ProviderKpi:
    """Save a provider KPI; an empty ``target`` keeps it an example ("voorbeeld") that does not
    count for the start of a contract (``contracts.services.contracts``)."""
    if segment is not None and segment.tender_id != effect.tender_id:
        raise ApplicationError(_("Kies een segment van deze aanbesteding."), field="segment")
    if lot is not None and lot.tender_id != effect.tender_id:
        raise ApplicationError(_("Kies een perceel van deze aanbesteding."), field="lot")
    if segment is not None and lot is not None and segment.lot_id != lot.pk:
        raise ApplicationError(_("Het segment hoort niet bij dit perceel."), field="segment")
    if instance is not None and instance.period != period and instance.reports.exists():
        raise ApplicationError(
            _("Er zijn al waarden gerapporteerd; de periode kan niet meer wijzigen."),
            field="period",
        )
    kpi = instance or ProviderKpi(effect=effect)
    kpi.name, kpi.unit, kpi.target = name, unit, target
    kpi.direction, kpi.period, kpi.segment = direction, period, segment
    if instance is None:
        kpi.lot = lot
        kpi.position = ProviderKpi.objects.filter(effect=effect).count()
    elif lot is not None:
        kpi.lot = lot
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
            "target": str(target) if target is not None else None,
            "direction": direction,
            "period": period,
            "segment": segment.code if segment else None,
            "lot": kpi.lot.code if kpi.lot_id else None,
        },
    )
    if effect.tender.state == TenderState.CONTRACTED and target is not None:
        from .contracts import contracts_activate

        contracts_activate(tender=effect.tender)  # drafts waiting for their KPIs start now
    return kpi


@transaction.atomic
def provider_kpi_target_set(*, kpi: ProviderKpi, target: Decimal | None, user) -> ProviderKpi:
    """Set the target of ``kpi`` (None: back to an example). Audited; once the tender is
    contracted, draft contracts waiting for KPIs with targets start."""
    kpi = ProviderKpi.objects.select_for_update().select_related("effect__tender").get(pk=kpi.pk)
    previous = kpi.target
    kpi.target = target
    kpi.full_clean()
    kpi.save(update_fields=["target"])
    tender = kpi.effect.tender
    audit_record(
        action="provider_kpi.target",
        actor=user,
        obj=kpi,
        tender=tender,
        details={
            "from": str(previous) if previous is not None else None,
            "to": str(target) if target is not None else None,
        },
    )
    if tender.state == TenderState.CONTRACTED and target is not None:
        from .contracts import contracts_activate

        contracts_activate(tender=tender)
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
    """Load the default KPI set into ``tender`` once: per lot the set of its kind
    (``lot_kind``: Jeugd, Wmo, Beschermd Wonen), worded for the tender's region, every KPI
    without a target (an example until staff set it). Returns the number of provider KPIs made
    (0 when the tender already has KPIs)."""
    Tender.objects.select_for_update().get(pk=tender.pk)
    if KpiEffect.objects.filter(tender=tender).exists():
        return 0
    made = 0
    region = region_words(tender)
    for lot in tender.lots.order_by("position", "code"):
        for row in DEFAULT_KPI_SETS[lot_kind(lot)]:
            effect = kpi_effect_save(
                tender=tender,
                effect=f"{lot.name}: {row['effect']}",
                goal=str(row["goal"]),
                municipal_kpi=str(row["municipal_kpi"]).format(region=region),
                user=user,
            )
            for name, unit, direction, period in row["provider_kpis"]:
                provider_kpi_save(
                    effect=effect,
                    name=name,
                    unit=unit,
                    target=None,
                    direction=direction,
                    period=period,
                    lot=lot,
                    user=user,
                )
                made += 1
    return made


# -- provider: reporting values ------------------------------------------------------------------


def kpis_for_contract(contract: Contract):
    """The KPIs that apply to ``contract``: tender-wide ones, those of the lots of its segments
    and those of its segments."""
    from django.db.models import Q

    segment_ids = [cs.segment_id for cs in contract.segments.all()]
    lot_ids = Segment.objects.filter(pk__in=segment_ids).values("lot_id")
    return (
        ProviderKpi.objects.filter(effect__tender_id=contract.tender_id)
        .filter(
            Q(segment__isnull=True, lot__isnull=True)
            | Q(segment__isnull=True, lot_id__in=lot_ids)
            | Q(segment_id__in=segment_ids)
        )
        .select_related("effect", "segment", "lot")
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
