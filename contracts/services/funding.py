"""Funding models per contracted segment (DOMAIN.md "Funding models"): the amount staff set for
a ``task`` segment, the monthly production a provider declares for a ``pxq`` segment (paid
afterwards at the tariff) and how much of a ``pxq`` budget the declarations use.

The amounts of ``lumpsum``, ``task`` (default) and ``population`` come from the engine
(``contracts.lumpsum``) through ``lumpsum_compute``; this module only stores and reads.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from tender.errors import ApplicationError
from tender.models import Funding, Segment, Tender

from ..models import ContractSegment
from ..permissions import can_manage_contracts
from ..settlement_models import ProductionDeclaration
from .settlement import realised_amount

# Budget use of a P x Q segment from which the screens warn (fractions of the budget).
PXQ_WARN_AT = (Decimal("0.8"), Decimal("1"))


def funding_of(contract_segment: ContractSegment) -> str:
    return contract_segment.segment.effective_funding


@transaction.atomic
def task_amount_set(
    *,
    contract_segment: ContractSegment,
    amount: Decimal | None,
    reason: str,
    user,
    client_address: str | None = None,
) -> ContractSegment:
    """Set (or with ``amount`` None reset to the default share) the yearly amount of a
    ``task`` segment, with a reason; audited. The stored schedules that are not yet exported
    are recomputed with it (``contracts_schedules_recompute``)."""
    from .schedule import contracts_schedules_recompute

    cs = (
        ContractSegment.objects.select_for_update(of=("self",))
        .select_related("contract__tender", "segment__lot")
        .get(pk=contract_segment.pk)
    )
    tender = cs.contract.tender
    if not can_manage_contracts(user, tender):
        raise ApplicationError(_("U mag geen bedragen vaststellen."))
    if funding_of(cs) != Funding.TASK:
        raise ApplicationError(
            _("Alleen bij taakgerichte bekostiging stellen de gemeenten het bedrag vast.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Geef een reden op."), field="reason")
    if amount is not None and (amount < 0 or amount != amount.quantize(Decimal("0.01"))):
        raise ApplicationError(_("Geef een bedrag in hele centen, niet negatief."), field="amount")
    before = cs.set_amount
    cs.set_amount, cs.set_amount_reason = amount, reason
    cs.save(update_fields=["set_amount", "set_amount_reason"])
    audit_record(
        action="contract.task_amount_set",
        actor=user,
        obj=cs.contract,
        tender=tender,
        details={
            "contract_segment": f"{cs.contract.number} {cs.segment.code}",
            "before": None if before is None else str(before),
            "after": None if amount is None else str(amount),
            "reason": reason,
        },
        client_address=client_address,
    )
    contracts_schedules_recompute(tender=tender, user=user)
    cs.refresh_from_db()
    return cs


def _first_of_month(value: date) -> date:
    return value.replace(day=1)


def declarable_months(
    contract_segment: ContractSegment, *, today: date | None = None
) -> list[date]:
    """The months of the segment's term up to this month, latest first (P x Q)."""
    today = today or timezone.localdate()
    last = min(_first_of_month(contract_segment.end_date), _first_of_month(today))
    months, month = [], _first_of_month(contract_segment.start_date)
    while month <= last:
        months.append(month)
        month = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
    return months[::-1]


@transaction.atomic
def production_declare(
    *,
    contract_segment: ContractSegment,
    month: date,
    hours: Decimal,
    user,
    client_address: str | None = None,
) -> ProductionDeclaration:
    """Declare (or correct, until paid) the production of one past or current month of a
    ``pxq`` segment: paid afterwards at hours x tariff; audited."""
    cs = (
        ContractSegment.objects.select_for_update(of=("self",))
        .select_related("contract__tender", "segment__lot")
        .get(pk=contract_segment.pk)
    )
    if funding_of(cs) != Funding.PXQ:
        raise ApplicationError(_("Alleen bij P x Q declareert u productie per maand."))
    if cs.segment.tariff is None:
        raise ApplicationError(_("Dit segment heeft geen normtarief; declareren kan niet."))
    month = _first_of_month(month)
    if month < _first_of_month(cs.start_date) or month > cs.end_date:
        raise ApplicationError(
            _("Kies een maand binnen de looptijd van het segment."), field="month"
        )
    if month > _first_of_month(timezone.localdate()):
        raise ApplicationError(
            _("Over een toekomstige maand kunt u nog niet declareren."), field="month"
        )
    if hours is None or hours < 0:
        raise ApplicationError(_("Geef het aantal uren op (niet negatief)."), field="hours")
    amount = realised_amount(hours=hours, tariff=cs.segment.tariff)
    declaration, created = ProductionDeclaration.objects.update_or_create(
        contract_segment=cs,
        month=month,
        defaults={
            "hours": hours,
            "amount": amount,
            "declared_at": timezone.now(),
            "declared_by": user,
        },
    )
    audit_record(
        action="contract.production_declare",
        actor=user,
        obj=cs.contract,
        tender=cs.contract.tender,
        details={
            "contract_segment": f"{cs.contract.number} {cs.segment.code}",
            "month": month.isoformat()[:7],
            "hours": str(hours),
            "amount": str(amount),
            "corrected": not created,
        },
        client_address=client_address,
    )
    return declaration


@dataclass(frozen=True)
class BudgetUse:
    segment: str
    year: int
    budget: Decimal | None
    declared: Decimal
    share: Decimal | None  # declared / budget, None without a budget
    warning: str  # "", "80" or "100"

    @property
    def percent(self) -> Decimal | None:
        """The share in percents (72.5 for 72,5 %), for the ``percent`` filter."""
        return None if self.share is None else self.share * 100


def budget_use(*, code: str, year: int, budget: Decimal | None, declared: Decimal) -> BudgetUse:
    """Declared production against a yearly budget: a warning from 80 % and from 100 %."""
    if not budget:
        return BudgetUse(code, year, budget, declared, None, "")
    share = declared / budget
    warning = ""
    if share >= PXQ_WARN_AT[1]:
        warning = "100"
    elif share >= PXQ_WARN_AT[0]:
        warning = "80"
    return BudgetUse(code, year, budget, declared, share, warning)


def pxq_budget_use(*, segment: Segment, year: int) -> BudgetUse:
    """What the declarations of ``year`` of every provider of a ``pxq`` segment add up to,
    against the segment's yearly budget: a warning from 80 % and from 100 %."""
    declared = ProductionDeclaration.objects.filter(
        contract_segment__segment=segment, month__year=year
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    return budget_use(code=segment.code, year=year, budget=segment.budget, declared=declared)


def pxq_budget_uses(*, tender: Tender) -> list[BudgetUse]:
    """``pxq_budget_use`` of every segment and year of ``tender`` with declared production,
    by segment code and year (one query; for the contract list)."""
    rows = (
        ProductionDeclaration.objects.filter(contract_segment__contract__tender=tender)
        .values(
            code=F("contract_segment__segment__code"),
            budget=F("contract_segment__segment__budget"),
            year=ExtractYear("month"),
        )
        .annotate(declared=Sum("amount"))
        .order_by("code", "year")
    )
    return [
        budget_use(code=r["code"], year=r["year"], budget=r["budget"], declared=r["declared"])
        for r in rows
    ]
