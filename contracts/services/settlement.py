"""Year-end settlement of lumpsum contracts (DOMAIN.md "Lumpsum"): providers report their
realised production per contracted segment and year, staff compute the settlement with
``contracts.lumpsum.settle`` and approve it; the statement is a PDF.

Realised production R is the delivered hours x the segment's normative tariff, rounded to cents
HALF_UP; the lumpsum L of a year is the engine's ``payment_schedule`` year total of the
contracted yearly amount (pro rata by whole months in a partial first year), so L is exactly
what the instalments of that year add up to.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from tender.errors import ApplicationError

from .. import lumpsum as engine
from ..models import ContractSegment
from ..settlement_models import AboveBandPolicy, ContractPolicy, ProductionReport, Settlement

CENT = Decimal("0.01")

# The funding models settled with the band (DOMAIN.md "Funding models").
BANDED_FUNDINGS = (engine.FUNDING_LUMPSUM, engine.FUNDING_TASK)


def realised_amount(*, hours: Decimal, tariff: Decimal) -> Decimal:
    """R = hours x tariff, rounded once to cents HALF_UP (like the bid amount)."""
    if not isinstance(hours, Decimal) or not isinstance(tariff, Decimal):
        raise TypeError("hours and tariff must be Decimal")
    return (hours * tariff).quantize(CENT, rounding=ROUND_HALF_UP)


def year_lumpsum(*, contract_segment: ContractSegment, year: int) -> Decimal:
    """L for ``year``: the year total of the contracted yearly lumpsum (engine's schedule) for
    the months inside the segment's current term, so a partial year is pro rata."""
    segment = contract_segment.segment
    year_total, _instalments = engine.payment_schedule(
        contract_segment.lumpsum_amount,
        start_date=contract_segment.start_date,
        year=year,
        payment=segment.payment,
        end_date=contract_segment.end_date,
    )
    return year_total


def band_of(segment) -> Decimal:
    """The segment's band, else the ``SETTLEMENT_DEFAULT_BAND`` setting (fraction)."""
    if segment.band is not None:
        return segment.band
    return Decimal(str(settings.SETTLEMENT_DEFAULT_BAND))


def above_band_policy(contract) -> str:
    """The contract's above-band policy; without an explicit one the provider bears it."""
    policy = ContractPolicy.objects.filter(contract=contract).first()
    return policy.above_band if policy else AboveBandPolicy.PROVIDER_BEARS


@dataclass(frozen=True)
class SettlementPreview:
    lumpsum: Decimal
    realised: Decimal
    result: engine.Settlement


def settlement_preview(*, report: ProductionReport, policy: str) -> SettlementPreview:
    """What ``settlement_compute`` would store for ``report`` (pure read)."""
    contract_segment = report.contract_segment
    segment = contract_segment.segment
    if segment.tariff is None:
        raise ApplicationError(_("Dit segment heeft geen normtarief; verrekenen kan niet."))
    funding = segment.effective_funding
    if funding in engine.FUNDINGS_PAID_AFTERWARDS:
        raise ApplicationError(
            _(
                "Bij P x Q wordt de gedeclareerde productie achteraf betaald; "
                "er is niets te verrekenen."
            )
        )
    lump = year_lumpsum(contract_segment=contract_segment, year=report.year)
    real = realised_amount(hours=report.realised_hours, tariff=segment.tariff)
    result = engine.settle(
        lumpsum=lump,
        realised=real,
        # The band applies to lumpsum and task funding only; population is settled exactly.
        band=band_of(segment) if funding in BANDED_FUNDINGS else Decimal("0"),
        pay_above_band=policy == AboveBandPolicy.PAY_EXTRA,
    )
    return SettlementPreview(lump, real, result)


# -- provider ---------------------------------------------------------------------------------


def _check_year(contract_segment: ContractSegment, year: int) -> None:
    first, last = contract_segment.start_date.year, contract_segment.end_date.year
    if not first <= year <= last:
        raise ApplicationError(
            _("Kies een jaar van de looptijd (%(first)s-%(last)s).")
            % {"first": first, "last": last},
            field="year",
        )
    if year > timezone.localdate().year:
        raise ApplicationError(
            _("Over een toekomstig jaar kunt u nog niet verantwoorden."), field="year"
        )


def _audit(action, obj, contract_segment, user, client_address, details: dict) -> None:
    """One audit entry of the settlement, naming its contract and segment."""
    audit_record(
        action=action,
        actor=user,
        obj=obj,
        tender=contract_segment.contract.tender,
        details={
            "contract": contract_segment.contract.number,
            "segment": contract_segment.segment.code,
            **details,
        },
        client_address=client_address,
    )


@transaction.atomic
def production_report_save(
    *,
    contract_segment: ContractSegment,
    year: int,
    realised_clients: int,
    realised_hours: Decimal,
    comment: str,
    user,
    submit: bool = False,
    client_address: str | None = None,
) -> ProductionReport:
    """Create or change the provider's report of ``year``; ``submit`` hands it in (final)."""
    contract_segment = ContractSegment.objects.select_related(
        "contract", "contract__tender", "segment"
    ).get(pk=contract_segment.pk)
    _check_year(contract_segment, year)
    if realised_hours < 0 or realised_clients < 0:
        raise ApplicationError(_("Vul geen negatieve aantallen in."), field="realised_hours")
    report = (
        ProductionReport.objects.select_for_update()
        .filter(contract_segment=contract_segment, year=year)
        .first()
    )
    if report is not None and report.submitted_at is not None:
        raise ApplicationError(_("Deze verantwoording is al ingediend en kan niet meer wijzigen."))
    report = report or ProductionReport(contract_segment=contract_segment, year=year)
    report.realised_clients = realised_clients
    report.realised_hours = realised_hours
    report.comment = comment
    if submit:
        report.submitted_at = timezone.now()
        report.submitted_by = user
    report.full_clean()
    report.save()
    _audit(
        "production_report.submit" if submit else "production_report.save",
        report,
        contract_segment,
        user,
        client_address,
        {
            "year": year,
            "clients": realised_clients,
            "hours": str(realised_hours),
        },
    )
    return report


# -- staff ------------------------------------------------------------------------------------


@transaction.atomic
def contract_policy_set(*, contract, above_band: str, user, client_address=None) -> ContractPolicy:
    if above_band not in AboveBandPolicy.values:
        raise ApplicationError(_("Kies een geldige afspraak."), field="above_band")
    policy, _created = ContractPolicy.objects.select_for_update().get_or_create(contract=contract)
    policy.above_band = above_band
    policy.save()
    audit_record(
        action="contract_policy.set",
        actor=user,
        obj=policy,
        tender=contract.tender,
        details={"contract": contract.number, "above_band": above_band},
        client_address=client_address,
    )
    return policy


@transaction.atomic
def settlement_compute(
    *, report: ProductionReport, user, client_address: str | None = None
) -> Settlement:
    """Compute (or recompute) the settlement of a submitted report; refused once approved."""
    report = (
        ProductionReport.objects.select_for_update(of=("self",))
        .select_related("contract_segment__contract__tender", "contract_segment__segment__lot")
        .get(pk=report.pk)
    )
    if report.submitted_at is None:
        raise ApplicationError(_("De verantwoording is nog niet ingediend."))
    contract_segment = report.contract_segment
    settlement = (
        Settlement.objects.select_for_update()
        .filter(contract_segment=contract_segment, year=report.year)
        .first()
    )
    if settlement is not None and settlement.approved_at is not None:
        raise ApplicationError(_("Deze verrekening is vastgesteld en kan niet meer wijzigen."))
    policy = above_band_policy(contract_segment.contract)
    preview = settlement_preview(report=report, policy=policy)
    result = preview.result
    settlement = settlement or Settlement(contract_segment=contract_segment, year=report.year)
    settlement.report = report
    settlement.tariff = contract_segment.segment.tariff
    settlement.lumpsum = result.lumpsum
    settlement.realised = result.realised
    settlement.band = result.band
    settlement.lower = result.lower
    settlement.upper = result.upper
    settlement.above_band = policy
    settlement.outcome = result.outcome
    settlement.amount = result.amount
    settlement.computed_at = timezone.now()
    settlement.computed_by = user
    settlement.save()
    _audit(
        "settlement.compute",
        settlement,
        contract_segment,
        user,
        client_address,
        {
            "year": report.year,
            "lumpsum": str(result.lumpsum),
            "realised": str(result.realised),
            "band": str(result.band),
            "outcome": result.outcome,
            "amount": str(result.amount),
        },
    )
    return settlement


@transaction.atomic
def settlement_approve(*, settlement: Settlement, user, client_address=None) -> Settlement:
    """Approve a computed settlement; with ``SETTLEMENT_FOUR_EYES`` not by who computed it."""
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if settlement.approved_at is not None:
        raise ApplicationError(_("Deze verrekening is al vastgesteld."))
    if settings.SETTLEMENT_FOUR_EYES and settlement.computed_by_id == user.pk:
        raise ApplicationError(
            _("Vier ogen: een andere medewerker dan wie berekende moet de verrekening vaststellen.")
        )
    settlement.approved_at = timezone.now()
    settlement.approved_by = user
    settlement.save(update_fields=["approved_at", "approved_by"])
    contract_segment = ContractSegment.objects.select_related("contract__tender", "segment").get(
        pk=settlement.contract_segment_id
    )
    _audit(
        "settlement.approve",
        settlement,
        contract_segment,
        user,
        client_address,
        {
            "year": settlement.year,
            "outcome": settlement.outcome,
            "amount": str(settlement.amount),
        },
    )
    return settlement


@transaction.atomic
def production_report_reopen(
    *, report: ProductionReport, user, reason: str, client_address: str | None = None
) -> ProductionReport:
    """Return a submitted report to the provider for a correction; its computed (not yet
    approved) settlement is removed. Refused once the settlement is approved."""
    report = (
        ProductionReport.objects.select_for_update(of=("self",))
        .select_related("contract_segment__contract__tender", "contract_segment__segment__lot")
        .get(pk=report.pk)
    )
    if report.submitted_at is None:
        raise ApplicationError(_("Deze verantwoording is nog niet ingediend."))
    if not reason.strip():
        raise ApplicationError(_("Geef een reden op."), field="reason")
    settlement = Settlement.objects.select_for_update().filter(report=report).first()
    if settlement is not None and settlement.approved_at is not None:
        raise ApplicationError(_("Deze verrekening is vastgesteld en kan niet meer wijzigen."))
    if settlement is not None:
        settlement.delete()
    report.submitted_at, report.submitted_by = None, None
    report.save(update_fields=["submitted_at", "submitted_by", "updated_at"])
    contract_segment = report.contract_segment
    _audit(
        "production_report.reopen",
        report,
        contract_segment,
        user,
        client_address,
        {
            "year": report.year,
            "reason": reason.strip()[:2000],
            "settlement_removed": settlement is not None,
        },
    )
    return report


def settlement_statement_pdf(*, settlement: Settlement) -> bytes:
    """The settlement statement (house-style PDF)."""
    from tender.pdf import render_to_pdf

    settlement = Settlement.objects.select_related(
        "report",
        "contract_segment__contract__provider",
        "contract_segment__contract__tender__region",
        "contract_segment__segment__lot",
        "computed_by",
        "approved_by",
    ).get(pk=settlement.pk)
    contract = settlement.contract_segment.contract
    return render_to_pdf(
        "pdf/settlement.html",
        {
            "settlement": settlement,
            "contract": contract,
            "segment": settlement.contract_segment.segment,
            "report": settlement.report,
            "region_name": contract.tender.region.name,
            "today": timezone.localdate(),
        },
    )
