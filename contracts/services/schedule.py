"""Lumpsum amounts and payment schedules of contracts, and their split over municipalities.

The amounts are exactly those of ``lumpsum_compute`` (= ``manage.py lumpsum``) and each
contracted segment's instalments are the engine's ``payment_schedule`` of that amount bounded
by the segment's own current term (start to current end, DOMAIN.md "Lumpsum"):
this module stores them, it does no lumpsum maths of its own. The only arithmetic here is the
split of an instalment over the municipalities of its segment, to the cent (``split_cents``).
"""

from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from tender.errors import ApplicationError
from tender.models import Funding, Tender

from .. import lumpsum as engine
from ..lumpsum import largest_remainder
from ..models import Contract, ContractSegment, Instalment
from ..permissions import can_manage_contracts
from . import lumpsum_compute

SPLIT_EQUAL = "equal"
SPLIT_INHABITANTS = "inhabitants"
SPLITS = (SPLIT_EQUAL, SPLIT_INHABITANTS)


def _cents(amount: Decimal) -> int:
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"amount must be in whole cents, got {amount}")
    return int(cents)


def split_cents(amount: Decimal, weights: Sequence[tuple[str, int]]) -> list[tuple[str, Decimal]]:
    """Split ``amount`` over ``weights`` ((key, weight) pairs) to the cent with the lumpsum
    engine's largest remainder (``contracts.lumpsum.largest_remainder``): the shares add up to
    ``amount`` exactly. All-zero weights count as equal weights; a negative amount is split as
    its absolute value and negated. Keys keep their given order.
    """
    if not weights:
        raise ValueError("nothing to split over")
    if any(w < 0 for _, w in weights):
        raise ValueError("weights must not be negative")
    if sum(w for _, w in weights) == 0:
        weights = [(key, 1) for key, _ in weights]
    total = _cents(amount)
    sign = -1 if total < 0 else 1
    base = largest_remainder(abs(total), dict(weights))
    return [(key, Decimal(sign * base[key]).scaleb(-2)) for key, _ in weights]


def split_mode() -> str:
    mode = getattr(settings, "LUMPSUM_MUNICIPALITY_SPLIT", SPLIT_EQUAL)
    if mode not in SPLITS:
        raise ValueError(f"LUMPSUM_MUNICIPALITY_SPLIT must be one of {SPLITS}, got {mode!r}")
    return mode


def municipality_weights(
    municipalities, mode: str, *, year: int | None = None
) -> tuple[list[tuple[str, int]], str]:
    """(code, weight) per municipality and the mode actually used: by inhabitants (the CBS
    figure of ``year`` where given, ``Municipality.inhabitants_in``) only when every
    municipality has a positive number of inhabitants, else equal."""
    ordered = sorted(municipalities, key=lambda m: m.code)
    if mode == SPLIT_INHABITANTS and ordered:
        people = [m.inhabitants if year is None else m.inhabitants_in(year) for m in ordered]
        if all(people):
            return [(m.code, n) for m, n in zip(ordered, people, strict=True)], SPLIT_INHABITANTS
    return [(m.code, 1) for m in ordered], SPLIT_EQUAL


def _year_bounds(tender: Tender) -> tuple[int, int] | None:
    terms = list(
        ContractSegment.objects.filter(contract__tender=tender).values_list(
            "start_date", "end_date"
        )
    )
    if not terms:
        return None
    return min(s for s, _ in terms).year, max(e for _, e in terms).year


def segment_schedule(cs: ContractSegment, amount: Decimal | None, year: int) -> list:
    """(due date, amount) of ``year`` for contracted segment ``cs`` with yearly ``amount``:
    only months inside the segment's own current term, pro rata (the engine's rule)."""
    if amount is None:
        return []
    _total, instalments = engine.payment_schedule(
        amount,
        start_date=cs.start_date,
        year=year,
        payment=cs.segment.payment,
        end_date=cs.end_date,
    )
    return [(i.date, i.amount) for i in instalments]


@transaction.atomic
def contracts_lumpsum_store(*, tender: Tender, year: int, user=None) -> int:
    """Store the lumpsum amounts of every contracted segment and its instalments of ``year``,
    exactly as ``lumpsum_compute(tender=tender, year=year)`` computes them. Idempotent:
    unchanged figures are not rewritten. A year's instalments are replaced only while none of
    that year (in this tender) is marked exported; refused for years outside the contracts'
    terms. Returns the number of instalments of the year now stored.
    """
    if user is not None and not can_manage_contracts(user, tender):
        raise ApplicationError(_("U mag geen betaalschema vastleggen."))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    bounds = _year_bounds(tender)
    if bounds is None:
        raise ApplicationError(_("Deze aanbesteding heeft nog geen contracten."))
    if not bounds[0] <= year <= bounds[1]:
        raise ApplicationError(
            _("Kies een jaar binnen de looptijd van de contracten (%(first)s–%(last)s).")
            % {"first": bounds[0], "last": bounds[1]},
            field="year",
        )
    if Instalment.objects.filter(
        contract_segment__contract__tender=tender, year=year, exported_at__isnull=False
    ).exists():
        raise ApplicationError(
            _(
                "Het betaalschema %(year)s is al doorgegeven aan financiën en kan niet meer "
                "worden herberekend."
            )
            % {"year": year},
            field="year",
        )
    # The contract's own term (with extensions) bounds the years; within it, start dates only.
    report = lumpsum_compute(tender=tender, year=year, initial_term=False)
    computed = {
        (c.bidder, segment.segment): c for segment in report.segments for c in segment.contracts
    }
    contract_segments = list(
        ContractSegment.objects.filter(contract__tender=tender)
        .select_related("contract__provider", "segment__lot")
        .prefetch_related("instalments")
        .select_for_update(of=("self",))
    )
    known = {(cs.contract.provider.kvk, cs.segment.code) for cs in contract_segments}
    missing = sorted(set(computed) - known)
    if missing:
        raise ApplicationError(
            _("Niet elke gegunde inschrijver heeft een contract voor zijn segment: %(list)s.")
            % {"list": ", ".join(f"{kvk} {code}" for kvk, code in missing)}
        )

    changed, changes, stored = [], [], 0
    for cs in contract_segments:
        figures = computed.get((cs.contract.provider.kvk, cs.segment.code))
        bid = figures.bid if figures else None
        amount = figures.amount if figures else None
        if cs.set_amount is not None and cs.segment.effective_funding == Funding.TASK:
            amount = cs.set_amount  # set by the municipalities (task funding)
        wanted = segment_schedule(cs, amount, year)
        have = sorted((i.due_date, i.amount) for i in cs.instalments.all() if i.year == year)
        stored += len(wanted)
        if (cs.bid_amount, cs.lumpsum_amount) != (bid, amount):
            cs.bid_amount, cs.lumpsum_amount = bid, amount
            cs.save(update_fields=["bid_amount", "lumpsum_amount"])
            changed.append(cs)
        if have != wanted:
            cs.instalments.filter(year=year).delete()
            Instalment.objects.bulk_create(
                Instalment(contract_segment=cs, year=year, due_date=d, amount=a) for d, a in wanted
            )
            if cs not in changed:
                changed.append(cs)
            # What changed, for the audit: instalments and total before and after.
            changes.append(
                {
                    "contract_segment": f"{cs.contract.number} {cs.segment.code}",
                    "term": f"{cs.start_date.isoformat()}/{cs.end_date.isoformat()}",
                    "before": {"instalments": len(have), "total": sum(a for _, a in have)},
                    "after": {"instalments": len(wanted), "total": sum(a for _, a in wanted)},
                }
            )
    if changed:
        audit_record(
            action="contract.schedule_store",
            actor=user,
            tender=tender,
            details={
                "year": year,
                "contract_segments": [f"{cs.contract.number} {cs.segment.code}" for cs in changed],
                "instalments": stored,
                "changes": changes,
            },
        )
    return stored


def contracts_schedules_recompute(*, tender: Tender, user=None) -> dict[int, int | None]:
    """Recompute every stored schedule year of ``tender`` (e.g. after the migration to a term
    per contracted segment): each year that has stored instalments and is not exported is
    stored again with ``contracts_lumpsum_store`` (audited with what changed). A year fixed for
    finance is left as it is. Returns per year the instalments now stored, None where the
    year is exported (not recomputed)."""
    years = sorted(
        set(
            Instalment.objects.filter(contract_segment__contract__tender=tender).values_list(
                "year", flat=True
            )
        )
    )
    bounds = _year_bounds(tender)
    result: dict[int, int | None] = {}
    for year in years:
        if Instalment.objects.filter(
            contract_segment__contract__tender=tender, year=year, exported_at__isnull=False
        ).exists():
            result[year] = None
            continue
        if bounds is None or not bounds[0] <= year <= bounds[1]:
            # Outside every segment's term: nothing may be paid in this year.
            with transaction.atomic():
                removed, _detail = Instalment.objects.filter(
                    contract_segment__contract__tender=tender, year=year
                ).delete()
                audit_record(
                    action="contract.schedule_store",
                    actor=user,
                    tender=tender,
                    details={"year": year, "instalments": 0, "removed": removed},
                )
            result[year] = 0
            continue
        result[year] = contracts_lumpsum_store(tender=tender, year=year, user=user)
    return result


@transaction.atomic
def instalments_mark_exported(*, tender: Tender, year: int, user) -> int:
    """Fix a year's schedule for finance: its instalments are marked exported and can no
    longer be recomputed. Returns how many were marked now (0 when already done)."""
    if not can_manage_contracts(user, tender):
        raise ApplicationError(_("U mag het betaalschema niet vastzetten."))
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    marked = Instalment.objects.filter(
        contract_segment__contract__tender=tender, year=year, exported_at__isnull=True
    ).update(exported_at=timezone.now())
    if marked:
        audit_record(
            action="contract.schedule_export",
            actor=user,
            tender=tender,
            details={"year": year, "instalments": marked},
        )
    return marked


def schedule_years(contract: Contract) -> list[int]:
    """Calendar years of the contract's current term (first segment start to last segment
    end), first to last."""
    return list(range(contract.start_date.year, contract.end_date.year + 1))
