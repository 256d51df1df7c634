"""Lumpsum maths: bid amounts, scaling to a budget, payment schedules and settlement.

Pure and standard library only, so the management command, the web views, the workers and an
auditor's re-run all get the same cents. The rules are those of DOMAIN.md ("Lumpsum") and
SCENARIO.md ("Lumpsum command"). All intermediate arithmetic is exact (``Fraction``); money is
rounded to cents once, where the rule says so, and every money input must be a ``Decimal`` (or
``int``) so that a float can never leak in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

PAYMENT_MONTHLY = "monthly"
PAYMENT_QUARTERLY = "quarterly"
PAYMENTS = (PAYMENT_MONTHLY, PAYMENT_QUARTERLY)

OUTCOME_WITHIN_BAND = "within_band"
OUTCOME_RECLAIM = "reclaim"
OUTCOME_PAY_EXTRA = "pay_extra"
OUTCOME_PROVIDER_BEARS = "provider_bears"

FUNDING_LUMPSUM = "lumpsum"
FUNDING_TASK = "task"
FUNDING_POPULATION = "population"
FUNDING_PXQ = "pxq"
FUNDING_RESULT = "result"
# Paid afterwards on production, not in advance: no lumpsum and no instalments.
FUNDINGS_PAID_AFTERWARDS = (FUNDING_PXQ, FUNDING_RESULT)

INITIAL_TERM_YEARS = 3

_FIGURES = ("clients", "months", "hours_per_month")
_ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BidFigures:
    """What a bid states per segment: clients per year, months per trajectory, hours/month."""

    clients: int
    months: Decimal
    hours_per_month: Decimal


@dataclass(frozen=True)
class Winner:
    """An awarded bidder (KvK number); ``bid`` is None when the winner made no lumpsum bid.

    ``current_clients`` (None = not stated, counts 0) is what ``task`` funding shares the budget
    by; ``municipalities`` (CBS codes the dossier serves) is what ``population`` funding uses.
    ``set_amount`` is the yearly amount the municipalities set for a ``task`` segment on the
    contract screen (None = not set: the current-clients share applies).
    """

    bidder: str
    bid: BidFigures | None
    current_clients: int | None = None
    municipalities: frozenset[str] = frozenset()
    set_amount: Decimal | None = None


@dataclass(frozen=True)
class SegmentLumpsumIn:
    """One segment: its funding model (the segment's own, else the lot's), tariff (None = none),
    budget, start date (None = the whole year), payment rhythm and winners.

    ``end_date`` is the last day paid for (inclusive; None = no end applied).
    ``municipalities`` are the lot's municipalities with their inhabitants (None = unknown),
    used by ``population`` funding.
    """

    code: str
    tariff: Decimal | None
    budget: Decimal | None
    start_date: date | None
    payment: str
    winners: tuple[Winner, ...]
    funding: str = FUNDING_LUMPSUM
    end_date: date | None = None
    municipalities: tuple[tuple[str, int | None], ...] = field(default=())


@dataclass(frozen=True)
class Instalment:
    date: date
    amount: Decimal


@dataclass(frozen=True)
class ContractLumpsum:
    bidder: str
    bid: Decimal
    amount: Decimal
    year_total: Decimal
    instalments: tuple[Instalment, ...]


@dataclass(frozen=True)
class SegmentLumpsum:
    segment: str
    budget: Decimal | None
    scaled: bool
    contracts: tuple[ContractLumpsum, ...]


@dataclass(frozen=True)
class LumpsumReport:
    tender: str
    year: int
    segments: tuple[SegmentLumpsum, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``manage.py lumpsum --format json``, SCENARIO.md key order."""
        return {
            "tender": self.tender,
            "year": self.year,
            "segments": [
                {
                    "segment": seg.segment,
                    "budget": None if seg.budget is None else _money_str(seg.budget),
                    "scaled": seg.scaled,
                    "contracts": [
                        {
                            "bidder": c.bidder,
                            "bid": _money_str(c.bid),
                            "amount": _money_str(c.amount),
                            "year_total": _money_str(c.year_total),
                            "instalments": [
                                {"date": i.date.isoformat(), "amount": _money_str(i.amount)}
                                for i in c.instalments
                            ],
                        }
                        for c in seg.contracts
                    ],
                }
                for seg in self.segments
            ],
        }


@dataclass(frozen=True)
class Settlement:
    """Year-end settlement of one contract; ``amount`` is what changes hands (>= 0)."""

    lumpsum: Decimal
    realised: Decimal
    band: Decimal
    lower: Decimal
    upper: Decimal
    outcome: str
    amount: Decimal


# -- exact arithmetic helpers -------------------------------------------------------------------


def _exact(name: str, value: Decimal | int) -> Fraction:
    """Exact value of a Decimal/int input; floats are refused because they are not exact."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{name} must be finite, got {value}")
    return Fraction(value)


def _money_in(name: str, value: Decimal | int) -> Fraction:
    """A money input: non-negative and in whole cents (otherwise sums to the cent cannot hold)."""
    exact = _exact(name, value)
    if exact < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    if (exact * 100).denominator != 1:
        raise ValueError(f"{name} must be in whole cents, got {value}")
    return exact


def _cents_to_decimal(cents: int) -> Decimal:
    # Built from a string so no decimal context precision can round a large amount.
    return Decimal(f"{cents}e-2")


def _round_cents(value: Fraction) -> Decimal:
    """Round to cents, ROUND_HALF_UP (halves away from zero, like ``Decimal.quantize``)."""
    scaled = abs(value) * 100
    cents = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return _cents_to_decimal(-cents if value < 0 else cents)


def _floor_cents(value: Fraction) -> int:
    return math.floor(value * 100)


def _money_str(value: Decimal) -> str:
    return f"{value:.2f}"


def largest_remainder(total_cents: int, weights: Mapping[str, Fraction | int]) -> dict[str, int]:
    """Split ``total_cents`` (whole cents, not negative) over ``weights`` (not all zero), the
    one split of money to the cent in the application.

    Each exact share total x weight / sum of weights is floored to a whole cent; the cents left
    over (fewer than the number of keys, since each floor loses less than one cent) go one each
    to the largest remainders, ties to the lower key first. So the shares add up to
    ``total_cents`` exactly and none exceeds its exact share by a cent or more.
    """
    whole = sum((Fraction(w) for w in weights.values()), Fraction(0))
    exact = {key: Fraction(total_cents) * Fraction(w) / whole for key, w in weights.items()}
    return _round_to_total(total_cents, exact)


def _round_to_total(total_cents: int, exact: Mapping[str, Fraction]) -> dict[str, int]:
    """Exact shares in cents, each floored; the cents left over to reach ``total_cents`` go
    one each to the largest remainders, ties to the lower key first."""
    cents = {key: math.floor(share) for key, share in exact.items()}
    leftover = total_cents - sum(cents.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - cents[k]), k))[:leftover]:
        cents[key] += 1
    return cents


def add_years(start: date, years: int) -> date:
    """``start`` moved ``years`` on; 29 February becomes 1 March in a year without it, so a
    term of N years always ends the day before its N-th anniversary (28 February)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a common year
        return date(start.year + years, 3, 1)


def term_end(start: date, years: int) -> date:
    """Last day of a term of ``years`` years from ``start`` (inclusive): the day before the
    anniversary. 1 Jan 2022 + 3 years ends 31 Dec 2024."""
    return add_years(start, years) - timedelta(days=1)


# -- lumpsum -------------------------------------------------------------------------------------


def bid_amount(figures: BidFigures | None, tariff: Decimal) -> Decimal:
    """Bid = clients x months x hours per month x tariff, rounded once to cents (HALF_UP).

    A winner without a bid gets 0.00 so that it still appears in the report. Raises ValueError
    for negative figures or tariff and TypeError for float inputs.
    """
    t = _exact("tariff", tariff)
    if t < 0:
        raise ValueError(f"tariff must not be negative, got {tariff}")
    if figures is None:
        return _ZERO
    factors = [_exact(name, getattr(figures, name)) for name in _FIGURES]
    if any(f < 0 for f in factors):
        raise ValueError(f"bid figures must not be negative: {figures}")
    return _round_cents(math.prod(factors) * t)


def scale_to_budget(
    bids: Mapping[str, Decimal], budget: Decimal | None
) -> tuple[dict[str, Decimal], bool]:
    """Scale the bids of one segment down to its budget when they add up to more.

    Each exact share bid x budget / sum is floored to cents; the cents left over (fewer than the
    number of bidders, since each floor loses less than one cent) go one each to the largest
    remainders, ties to the lower bidder (KvK) first. So the amounts add up to the budget exactly
    and none exceeds its bid. Without a budget, or when the bids fit, the bids stand unchanged.
    Returns ``(amount per bidder, scaled?)``; raises ValueError for negative or sub-cent money.
    """
    exact = {bidder: _money_in(f"bid of {bidder}", bid) for bidder, bid in bids.items()}
    total = sum(exact.values(), Fraction(0))
    if budget is None:
        return dict(bids), False
    b = _money_in("budget", budget)
    if total <= b:
        return dict(bids), False

    cents = largest_remainder(_floor_cents(b), exact)
    return {bidder: _cents_to_decimal(cents[bidder]) for bidder in bids}, True


def _last_day(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def active_months(start_date: date | None, year: int, end_date: date | None = None) -> list[int]:
    """Months of ``year`` that lie wholly inside the term: the month starts on or after
    ``start_date`` and ends on or before ``end_date`` (inclusive). None = no bound.

    A start on 15 Aug makes September the first active month; a year before the start has none.
    An end on 31 Jul makes July the last active month, an end on 30 Jul June.
    """
    return [
        month
        for month in range(1, 13)
        if (start_date is None or date(year, month, 1) >= start_date)
        and (end_date is None or _last_day(year, month) <= end_date)
    ]


def _periods(months: list[int], payment: str) -> list[list[int]]:
    """Group active months into payment periods: each month, or each calendar quarter."""
    if payment == PAYMENT_MONTHLY:
        return [[month] for month in months]
    if payment == PAYMENT_QUARTERLY:
        quarters: dict[int, list[int]] = {}
        for month in months:
            quarters.setdefault((month - 1) // 3, []).append(month)
        return list(quarters.values())
    raise ValueError(f"payment must be one of {PAYMENTS}, got {payment!r}")


def payment_schedule(
    amount: Decimal,
    *,
    start_date: date | None,
    year: int,
    payment: str,
    end_date: date | None = None,
) -> tuple[Decimal, tuple[Instalment, ...]]:
    """The instalments of one yearly lumpsum in calendar year ``year``: ``(year_total, ...)``.

    year_total = amount x active months / 12 (pro rata by whole months), rounded to cents. Each
    period is paid in advance on the first day of its first active month. With m = amount / 12
    unrounded, every instalment but the last is m x its months rounded to cents and the last is
    year_total minus the others, so the instalments always add up to year_total exactly.

    One guard beyond the literal rule: an instalment never exceeds what is left of year_total.
    It only bites for amounts under 0.72, where rounding every instalment up could otherwise make
    the last one negative; for every other amount the schedule is exactly the literal rule.
    Raises ValueError for an unknown ``payment`` and for negative or sub-cent amounts.
    """
    a = _money_in("amount", amount)
    periods = _periods(active_months(start_date, year, end_date), payment)
    n_months = sum(len(period) for period in periods)
    year_total = _round_cents(a * n_months / 12)
    if not periods:
        return year_total, ()

    monthly = a / 12
    left = year_total
    instalments = []
    for period in periods[:-1]:
        instalment = min(_round_cents(monthly * len(period)), left)
        instalments.append(Instalment(date(year, period[0], 1), instalment))
        left -= instalment
    instalments.append(Instalment(date(year, periods[-1][0], 1), left))
    return year_total, tuple(instalments)


def task_amounts(budget: Decimal, clients: Mapping[str, int | None]) -> dict[str, Decimal]:
    """Task funding: the budget shared by the winners' current clients (None counts 0), equal
    shares where they add up to 0; floored to cents, left-over cents by largest remainder
    (ties: lower KvK first), so the amounts add up to the budget exactly."""
    if not clients:
        return {}
    counts = {bidder: c or 0 for bidder, c in clients.items()}
    if any(c < 0 for c in counts.values()):
        raise ValueError(f"current clients must not be negative: {clients}")
    weights = counts if sum(counts.values()) else dict.fromkeys(counts, 1)
    cents = largest_remainder(_floor_cents(_money_in("budget", budget)), weights)
    return {bidder: _cents_to_decimal(c) for bidder, c in cents.items()}


def population_amounts(
    budget: Decimal,
    municipalities: Sequence[tuple[str, int | None]],
    served: Mapping[str, frozenset[str]],
) -> dict[str, Decimal]:
    """Population funding: municipality m of the lot gets budget x inhabitants(m) / the lot's
    inhabitants (each counts 1 where any has no number, or where they add up to 0); its share
    goes in equal parts to the winners serving it, nothing where none does. A winner's exact
    amount, the sum of its parts, is floored to cents; the cents left over up to the served
    shares' total rounded to cents (HALF_UP) go by largest remainder, ties lower KvK first."""
    b = _money_in("budget", budget)
    people = {code: n for code, n in municipalities}
    if any(n is not None and n < 0 for n in people.values()):
        raise ValueError(f"inhabitants must not be negative: {municipalities}")
    weights = {code: n or 0 for code, n in people.items()}
    if None in people.values() or not sum(weights.values()):
        weights = dict.fromkeys(people, 1)
    whole = sum(weights.values())
    exact = dict.fromkeys(served, Fraction(0))
    served_total = Fraction(0)
    for code in sorted(people):
        serving = sorted(bidder for bidder, codes in served.items() if code in codes)
        if not serving:
            continue
        share = b * weights[code] / whole
        served_total += share
        for bidder in serving:
            exact[bidder] += share / len(serving)
    total = _cents(_round_cents(served_total))
    cents = _round_to_total(total, {bidder: value * 100 for bidder, value in exact.items()})
    return {bidder: _cents_to_decimal(c) for bidder, c in cents.items()}


def _cents(value: Decimal) -> int:
    return int(value * 100)


def segment_lumpsum(segment: SegmentLumpsumIn, *, year: int) -> SegmentLumpsum | None:
    """Bids, yearly amounts by funding model and the ``year`` schedule of every winner of one
    segment (SCENARIO.md, "Lumpsum command"); None when the segment is left out: ``pxq`` and
    ``result`` (paid afterwards), ``lumpsum`` without a tariff, ``task`` or ``population``
    without a budget.

    Contracts are ordered by bidder. Raises ValueError when a bidder appears twice, since two
    contracts for one bidder in one segment would make the shares ambiguous.
    """
    funding = segment.funding
    if funding in FUNDINGS_PAID_AFTERWARDS:
        return None
    if funding == FUNDING_LUMPSUM and segment.tariff is None:
        return None
    if funding in (FUNDING_TASK, FUNDING_POPULATION) and segment.budget is None:
        return None
    if funding not in (FUNDING_LUMPSUM, FUNDING_TASK, FUNDING_POPULATION):
        raise ValueError(f"unknown funding model {funding!r}")
    bids: dict[str, Decimal] = {}
    for winner in segment.winners:
        if winner.bidder in bids:
            raise ValueError(f"bidder {winner.bidder} wins segment {segment.code} twice")
        bids[winner.bidder] = (
            _ZERO if segment.tariff is None else bid_amount(winner.bid, segment.tariff)
        )
    if funding == FUNDING_TASK and segment.budget is not None:
        clients = {w.bidder: w.current_clients for w in segment.winners}
        amounts, scaled = task_amounts(segment.budget, clients), True
        # Where the municipalities set an amount, it replaces the default share (the others
        # keep theirs, as the stored contract schedules do).
        for w in segment.winners:
            if w.set_amount is not None:
                amounts[w.bidder] = w.set_amount
    elif funding == FUNDING_POPULATION and segment.budget is not None:
        served = {w.bidder: w.municipalities for w in segment.winners}
        amounts = population_amounts(segment.budget, segment.municipalities, served)
        scaled = True
    else:
        amounts, scaled = scale_to_budget(bids, segment.budget)

    contracts = []
    for bidder in sorted(bids):
        year_total, instalments = payment_schedule(
            amounts[bidder],
            start_date=segment.start_date,
            year=year,
            payment=segment.payment,
            end_date=segment.end_date,
        )
        contracts.append(
            ContractLumpsum(bidder, bids[bidder], amounts[bidder], year_total, instalments)
        )
    return SegmentLumpsum(segment.code, segment.budget, scaled, tuple(contracts))


def lumpsum_report(
    tender: str, segments: Sequence[SegmentLumpsumIn], *, year: int
) -> LumpsumReport:
    """The lumpsum report of a tender for ``year``, segments in code order; the segments
    ``segment_lumpsum`` leaves out are not in it."""
    codes = [segment.code for segment in segments]
    if len(set(codes)) != len(codes):
        raise ValueError(f"duplicate segment codes in {codes}")
    ordered = sorted(segments, key=lambda segment: segment.code)
    computed = (segment_lumpsum(segment, year=year) for segment in ordered)
    return LumpsumReport(tender, year, tuple(s for s in computed if s is not None))


# -- settlement ----------------------------------------------------------------------------------


def settle(
    *, lumpsum: Decimal, realised: Decimal, band: Decimal, pay_above_band: bool
) -> Settlement:
    """Year-end settlement of realised production R against lumpsum L with band b.

    |R - L| <= b x L: nothing changes hands. R < L(1 - b): the municipalities reclaim
    L(1 - b) - R. R > L(1 + b): they pay R - L(1 + b) if the contract says so
    (``pay_above_band``), otherwise the provider bears it. The comparison is exact; amounts are
    rounded to cents HALF_UP, and a difference that rounds to 0.00 counts as within the band so
    that the outcome never claims money while the amount says none. Raises ValueError for a
    negative lumpsum or realised production and for a band outside [0, 1).
    """
    lump = _exact("lumpsum", lumpsum)
    real = _exact("realised", realised)
    b = _exact("band", band)
    if lump < 0 or real < 0:
        raise ValueError(f"lumpsum and realised must not be negative: {lumpsum}, {realised}")
    if not 0 <= b < 1:
        raise ValueError(f"band must be in [0, 1), got {band}")

    lower, upper = lump * (1 - b), lump * (1 + b)
    outcome, amount = OUTCOME_WITHIN_BAND, _ZERO
    if real < lower and _round_cents(lower - real) > 0:
        outcome, amount = OUTCOME_RECLAIM, _round_cents(lower - real)
    elif real > upper and _round_cents(real - upper) > 0:
        if pay_above_band:
            outcome, amount = OUTCOME_PAY_EXTRA, _round_cents(real - upper)
        else:
            outcome = OUTCOME_PROVIDER_BEARS
    return Settlement(
        lumpsum, realised, band, _round_cents(lower), _round_cents(upper), outcome, amount
    )
