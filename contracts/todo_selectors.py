"""Start page lines of the award and the contracts (issue 18.1), each in a fixed number of
queries whatever the number of tenders, contracts or letters.

- the award (inkoper, voorzitter): undelivered letters, standstills ending, open objections;
- the contract manager: contracts with a decision (extension) deadline coming, production
  reports to review (submitted, no settlement yet), settlements to approve;
- the provider: its letters, contracts and the production reports it owes.
"""

from datetime import date, timedelta

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.todos import Todo
from providers.models import Organisation
from tender.models import Tender

from .award_models import DeliveryStatus, LetterDelivery, Objection, SegmentStandstill
from .award_selectors import letters_for_organisation
from .models import Contract, ContractSegment, ContractState
from .services.contracts import contract_notice_deadline
from .settlement_models import ProductionReport, Settlement

#: How far ahead a contract's decision deadline is shown on the start page.
DECISION_HORIZON = timedelta(days=183)


def award_todos(*, tenders: list[Tender]) -> list[Todo]:
    """Three queries."""
    by_id = {t.pk: t for t in tenders}
    undelivered = (
        LetterDelivery.objects.filter(letter__tender_id__in=by_id, status=DeliveryStatus.FAILED)
        .values("letter__tender_id")
        .annotate(n=Count("pk"))
        .order_by("letter__tender_id")
    )
    standstills = (
        SegmentStandstill.objects.filter(
            segment__tender_id__in=by_id, final_at__isnull=True, ends_at__gte=timezone.now()
        )
        .values("segment__tender_id")
        .annotate(n=Count("pk"), ends=Min("ends_at"))
        .order_by("segment__tender_id")
    )
    objections = (
        Objection.objects.filter(segment__tender_id__in=by_id, resolved_at__isnull=True)
        .values("segment__tender_id")
        .annotate(n=Count("pk"))
        .order_by("segment__tender_id")
    )
    todos = []
    for row in undelivered:
        tender = by_id[row["letter__tender_id"]]
        todos.append(
            Todo(
                subject=tender.title,
                action=ngettext("%(n)s brief niet bezorgd", "%(n)s brieven niet bezorgd", row["n"])
                % {"n": row["n"]},
                url=reverse("award-decision", args=[tender.slug]),
                count=row["n"],
            )
        )
    for row in standstills:
        tender = by_id[row["segment__tender_id"]]
        todos.append(
            Todo(
                subject=tender.title,
                action=_("Opschortende termijn loopt af; daarna definitief gunnen"),
                url=reverse("award-decision", args=[tender.slug]),
                count=row["n"],
                due=row["ends"],
            )
        )
    for row in objections:
        tender = by_id[row["segment__tender_id"]]
        todos.append(
            Todo(
                subject=tender.title,
                action=ngettext("%(n)s bezwaar open", "%(n)s bezwaren open", row["n"])
                % {"n": row["n"]},
                url=reverse("award-decision", args=[tender.slug]),
                count=row["n"],
            )
        )
    return todos


def contract_manager_todos(*, today: date | None = None) -> list[Todo]:
    """Four queries: the running contracts with their segments, the reports to review and
    the settlements to approve (both per tender)."""
    today = today or timezone.localdate()
    contracts = (
        Contract.objects.filter(state=ContractState.ACTIVE)
        .select_related("tender", "provider")
        .prefetch_related(Prefetch("segments", queryset=ContractSegment.objects.all()))
        .order_by("end_date", "number")
    )
    todos = []
    for contract in contracts:
        deadline = contract_notice_deadline(contract, list(contract.segments.all()))
        if today <= deadline <= today + DECISION_HORIZON:
            todos.append(
                Todo(
                    subject=f"{contract.number} {contract.provider.name}",
                    action=_("Besluiten over verlenging"),
                    url=reverse("contract-detail", args=[contract.tender.slug, contract.number]),
                    due=deadline,
                )
            )
    reports = (
        ProductionReport.objects.filter(submitted_at__isnull=False)
        .filter(~Exists(Settlement.objects.filter(report_id=OuterRef("pk"))))
        .values(
            "contract_segment__contract__tender__slug", "contract_segment__contract__tender__title"
        )
        .annotate(n=Count("pk"))
        .order_by("contract_segment__contract__tender__slug")
    )
    for row in reports:
        todos.append(
            Todo(
                subject=row["contract_segment__contract__tender__title"],
                action=ngettext(
                    "%(n)s productieverantwoording beoordelen",
                    "%(n)s productieverantwoordingen beoordelen",
                    row["n"],
                )
                % {"n": row["n"]},
                url=reverse(
                    "settlement-overview", args=[row["contract_segment__contract__tender__slug"]]
                ),
                count=row["n"],
            )
        )
    settlements = (
        Settlement.objects.filter(approved_at__isnull=True)
        .values(
            "contract_segment__contract__tender__slug", "contract_segment__contract__tender__title"
        )
        .annotate(n=Count("pk"))
        .order_by("contract_segment__contract__tender__slug")
    )
    for row in settlements:
        todos.append(
            Todo(
                subject=row["contract_segment__contract__tender__title"],
                action=ngettext(
                    "%(n)s verrekening vaststellen", "%(n)s verrekeningen vaststellen", row["n"]
                )
                % {"n": row["n"]},
                url=reverse(
                    "settlement-overview", args=[row["contract_segment__contract__tender__slug"]]
                ),
                count=row["n"],
            )
        )
    return todos


def provider_contract_todos(*, organisation: Organisation, today: date | None = None) -> list[Todo]:
    """Three queries: the letters, the running contracts, the reports owed for last year."""
    today = today or timezone.localdate()
    todos = []
    letters = letters_for_organisation(organisation=organisation).count()
    if letters:
        todos.append(
            Todo(
                subject=organisation.name,
                action=ngettext("%(n)s brief", "%(n)s brieven", letters) % {"n": letters},
                url=reverse("portal-letters"),
                count=letters,
            )
        )
    mine = Q(contract__provider=organisation) | Q(contract__members=organisation)
    contracts = (
        Contract.objects.filter(Q(provider=organisation) | Q(members=organisation))
        .filter(state=ContractState.ACTIVE)
        .distinct()
        .count()
    )
    if contracts:
        todos.append(
            Todo(
                subject=organisation.name,
                action=ngettext("%(n)s lopend contract", "%(n)s lopende contracten", contracts)
                % {"n": contracts},
                url=reverse("portal-contracts"),
                count=contracts,
            )
        )
    year = today.year - 1
    owed = (
        ContractSegment.objects.filter(mine, contract__state=ContractState.ACTIVE)
        .filter(start_date__year__lte=year)
        .exclude(
            Exists(
                ProductionReport.objects.filter(
                    contract_segment_id=OuterRef("pk"), year=year, submitted_at__isnull=False
                )
            )
        )
        .distinct()
        .count()
    )
    if owed:
        todos.append(
            Todo(
                subject=organisation.name,
                action=ngettext(
                    "%(n)s productieverantwoording over %(year)s indienen",
                    "%(n)s productieverantwoordingen over %(year)s indienen",
                    owed,
                )
                % {"n": owed, "year": year},
                url=reverse("portal-settlement"),
                count=owed,
            )
        )
    return todos
