"""Reading contracts, their schedules and the finance export, scoped to the user: staff see
every contract, a provider only those its organisation holds (as contractor or as a member of
the contracting combination), anyone else nothing."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import JSONObject
from django.utils import timezone

from accounts.permissions import is_provider, is_staff_member
from providers.selectors import organisation_of
from tender.models import Lot, LotMembership, Municipality, Tender

from .models import Contract, ContractSegment, ExtensionDecision, Instalment
from .services.contracts import (
    MAX_EXTENSIONS,
    contract_notice_deadline,
    first_end_in_time,
)
from .services.schedule import SPLIT_INHABITANTS, municipality_weights, split_cents, split_mode
from .settlement_models import ProductionDeclaration


def contracts_visible_to(user) -> QuerySet[Contract]:
    queryset = Contract.objects.select_related("tender", "provider")
    if is_staff_member(user):
        return queryset
    if not is_provider(user):
        return queryset.none()
    organisation = organisation_of(user)
    if organisation is None:
        return queryset.none()
    ids = Contract.objects.filter(Q(provider=organisation) | Q(members=organisation)).values("pk")
    return queryset.filter(pk__in=ids)


def contract_list(*, user, tender: Tender | None = None) -> QuerySet[Contract]:
    """Contracts with their segment count, yearly lumpsum total and ``overdue_segments``: the
    segments past their decision deadline while the current term has no decision (0 for an
    ended contract or after the last extension). One query."""
    queryset = contracts_visible_to(user)
    if tender is not None:
        queryset = queryset.filter(tender=tender)
    decided = ExtensionDecision.objects.filter(contract=OuterRef("pk"), term=OuterRef("extensions"))
    overdue = Q(segments__extensions__lt=MAX_EXTENSIONS) & Q(
        segments__end_date__lt=first_end_in_time(timezone.localdate())
    )
    return (
        queryset.annotate(
            segment_count=Count("segments", distinct=True),
            lumpsum_total=Sum("segments__lumpsum_amount"),
            decided=Exists(decided),
            overdue_all=Count("segments", filter=overdue, distinct=True),
        )
        .annotate(
            overdue_segments=Case(
                When(
                    Q(decided=True) | Q(state="ended") | Q(extensions__gte=MAX_EXTENSIONS),
                    then=Value(0),
                ),
                default=F("overdue_all"),
            )
        )
        .prefetch_related("members")
        .order_by("tender__slug", "number")
    )


def contract_detail(*, user, number: str) -> Contract:
    """The contract with segments (municipalities, instalments), members and decisions
    prefetched; raises Contract.DoesNotExist when the user may not see it."""
    segments = ContractSegment.objects.select_related("segment__lot").prefetch_related(
        "municipalities", "instalments"
    )
    return (
        contracts_visible_to(user)
        .select_related("tender__region", "submission")
        .prefetch_related(
            Prefetch("segments", queryset=segments.order_by("segment__code")),
            "members",
            Prefetch("decisions", queryset=ExtensionDecision.objects.select_related("decided_by")),
            "tender__region__municipalities",
        )
        .get(number=number)
    )


def contract_lots(contract: Contract) -> list[Lot]:
    """The lots of the contract's segments with their memberships (municipality and dates),
    the parties on the municipalities' side (one query for the lots, one for the members)."""
    lot_ids = {cs.segment.lot_id for cs in contract.segments.all()}
    return list(
        Lot.objects.filter(pk__in=lot_ids)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=LotMembership.objects.select_related("municipality").order_by(
                    "municipality__name"
                ),
            )
        )
        .order_by("position", "code")
    )


@dataclass(frozen=True)
class Term:
    start: date
    end: date
    extensions: int
    extensions_left: int
    notice_deadline: date
    decided: bool
    overdue: bool  # past the notice deadline, no decision yet: only with a reason now


def contract_term(contract: Contract) -> Term:
    """The contract's term: first start to last end; the notice deadline is the earliest of
    its segments' (uses the prefetched segments and decisions of ``contract_detail``)."""
    decided = any(d.term == contract.extensions for d in contract.decisions.all())
    deadline = contract_notice_deadline(contract)
    left = MAX_EXTENSIONS - contract.extensions
    return Term(
        start=contract.start_date,
        end=contract.end_date,
        extensions=contract.extensions,
        extensions_left=left,
        notice_deadline=deadline,
        decided=decided,
        overdue=bool(left) and not decided and timezone.localdate() > deadline,
    )


@dataclass(frozen=True)
class ScheduleRow:
    due_date: date
    amounts: tuple  # one per contract segment, None where the segment has no instalment
    total: Decimal


@dataclass(frozen=True)
class YearSchedule:
    year: int
    segments: tuple  # ContractSegment, in code order
    rows: tuple[ScheduleRow, ...]
    segment_totals: tuple
    total: Decimal
    exported: bool


def contract_schedule(contract: Contract) -> list[YearSchedule]:
    """Per stored year: one row per payment date with the amount per segment (uses the
    prefetched instalments of ``contract_detail``)."""
    segments = list(contract.segments.all())
    by_year = defaultdict(lambda: defaultdict(dict))
    exported = defaultdict(bool)
    for index, cs in enumerate(segments):
        for instalment in cs.instalments.all():
            by_year[instalment.year][instalment.due_date][index] = instalment.amount
            exported[instalment.year] |= instalment.exported_at is not None
    years = []
    for year in sorted(by_year):
        rows = []
        for due in sorted(by_year[year]):
            amounts = tuple(by_year[year][due].get(i) for i in range(len(segments)))
            rows.append(ScheduleRow(due, amounts, sum((a for a in amounts if a), Decimal("0"))))
        totals = tuple(
            sum((r.amounts[i] for r in rows if r.amounts[i] is not None), Decimal("0"))
            for i in range(len(segments))
        )
        years.append(
            YearSchedule(
                year,
                tuple(segments),
                tuple(rows),
                totals,
                sum(totals, Decimal("0")),
                exported[year],
            )
        )
    return years


def year_totals(*, tender: Tender) -> list[dict]:
    """Per stored year: instalment count, total and how many are exported (one query)."""
    return list(
        Instalment.objects.filter(contract_segment__contract__tender=tender)
        .values("year")
        .annotate(
            count=Count("pk"),
            total=Sum("amount"),
            exported=Count("pk", filter=Q(exported_at__isnull=False)),
        )
        .order_by("year")
    )


def _takes_part(span, day: date) -> bool:
    """Whether a lot membership span (start, end; None = no dates: always) covers ``day``."""
    if span is None:
        return True
    start, end = span
    return (start is None or start <= day) and (end is None or day <= end)


@dataclass(frozen=True)
class FinanceRow:
    contract: str
    provider_kvk: str
    provider_name: str
    segment: str
    year: int
    due_date: date
    instalment: Decimal
    municipality_code: str
    municipality_name: str
    share: Decimal
    split: str


def finance_rows(*, tender: Tender, year: int | None = None) -> list[FinanceRow]:
    """Every instalment of the tender (or of ``year``) split over the municipalities of its
    segment (``LUMPSUM_MUNICIPALITY_SPLIT``): the shares of one instalment add up to it
    exactly. Only the municipalities taking part in the segment's lot on the instalment's date
    count (``LotMembership``), by inhabitants with the figure of the instalment's year. A
    segment without such municipalities gives one row without a municipality. Three queries
    (a fourth for the CBS figures when splitting by inhabitants, and one for the declared
    production of P x Q segments where the tender has any)."""
    mode = split_mode()
    municipalities_qs = Municipality.objects.all()
    if mode == SPLIT_INHABITANTS:
        municipalities_qs = municipalities_qs.prefetch_related("populations")
    dated = (
        LotMembership.objects.filter(lot=OuterRef("segment__lot"))
        .exclude(start_date__isnull=True, end_date__isnull=True)
        .values(json=JSONObject(code="municipality__code", start="start_date", end="end_date"))
    )
    instalments = Instalment.objects.filter(contract_segment__contract__tender=tender)
    if year is not None:
        instalments = instalments.filter(year=year)
    segments = (
        ContractSegment.objects.filter(contract__tender=tender)
        .select_related("contract__provider", "segment__lot")
        .annotate(dated_memberships=ArraySubquery(dated))
        .prefetch_related(
            Prefetch("municipalities", queryset=municipalities_qs),
            Prefetch("instalments", queryset=instalments.order_by("due_date"), to_attr="due"),
        )
        .order_by("contract__number", "segment__code")
    )
    segments = list(segments)
    # P x Q: no instalments; the declared production is paid afterwards (one query, only
    # when the tender has such segments).
    afterwards = [cs for cs in segments if not cs.paid_in_advance]
    declared = defaultdict(list)
    if afterwards:
        for declaration in ProductionDeclaration.objects.filter(
            contract_segment__in=afterwards
        ).order_by("month"):
            if year is None or declaration.due_date.year == year:
                declared[declaration.contract_segment_id].append(
                    SimpleNamespace(
                        year=declaration.due_date.year,
                        due_date=declaration.due_date,
                        amount=declaration.amount,
                    )
                )
    rows = []
    for cs in segments:
        municipalities = {m.code: m for m in cs.municipalities.all()}
        spans = {
            d["code"]: (
                date.fromisoformat(d["start"]) if d["start"] else None,
                date.fromisoformat(d["end"]) if d["end"] else None,
            )
            for d in cs.dated_memberships
        }
        for instalment in [*cs.due, *declared[cs.pk]]:
            taking_part = [
                m
                for code, m in municipalities.items()
                if _takes_part(spans.get(code), instalment.due_date)
            ]
            weights, used = municipality_weights(taking_part, mode, year=instalment.year)
            base = dict(
                contract=cs.contract.number,
                provider_kvk=cs.contract.provider.kvk,
                provider_name=cs.contract.provider.name,
                segment=cs.segment.code,
                year=instalment.year,
                due_date=instalment.due_date,
                instalment=instalment.amount,
            )
            if not weights:
                rows.append(
                    FinanceRow(
                        **base,
                        municipality_code="",
                        municipality_name="",
                        share=instalment.amount,
                        split=used,
                    )
                )
                continue
            for code, share in split_cents(instalment.amount, weights):
                rows.append(
                    FinanceRow(
                        **base,
                        municipality_code=code,
                        municipality_name=municipalities[code].name,
                        share=share,
                        split=used,
                    )
                )
    rows.sort(key=lambda r: (r.due_date, r.contract, r.segment, r.municipality_code))
    return rows
