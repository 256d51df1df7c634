"""The tender, its lots, awards and contracts as an OCDS 1.1 release package.

One release per tender (the current state, built on demand), tags ``tender`` plus ``award`` and
``contract`` when there are any. Lots use the lots extension (``tender.lots``, ``relatedLot`` on
items, ``relatedLots`` on awards); segments are the items. Awards come from the final award
ranking (one award per supplier, covering the segments it won) and from the contracts; contracts
from ``Contract`` rows. See docs/rules.md ("Settlement, KPIs and OCDS") for the mapping.

Before the opening (``Tender.bids_readable``) the release is the tender and its lots only: no
party with the role tenderer, no ``numberOfTenderers``, no award or contract.

``ocds_validate`` checks a package against the official OCDS 1.1 schema shipped in
``contracts/ocds_schema/`` (no network).
"""

import json
from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from audit.services import audit_record
from evaluation.models import RankingRow
from evaluation.selectors import SELECTED_STATUSES, final_ranking
from providers.constants import SubmissionState
from providers.models import Organisation
from tender.constants import Phase, Procedure, TenderState
from tender.models import Lot, Tender

from ..models import Contract, ContractState

OCDS_VERSION = "1.1"
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "v1.1.5/extension.json"
)
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "ocds_schema"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

TENDER_STATUS = {
    TenderState.DRAFT: "planning",
    # Market consultation: OCDS "planning" covers market engagement before the tender.
    TenderState.CONSULTATION: "planning",
    TenderState.AWARDED: "complete",
    TenderState.CONTRACTED: "complete",
    TenderState.CANCELLED: "cancelled",
}  # every other state: "active"
PROCUREMENT_METHOD = {
    Procedure.RESTRICTED: "selective",
    Procedure.OPEN: "open",
    Procedure.OPEN_HOUSE: "open",
}
CONTRACT_STATUS = {
    ContractState.DRAFT: "pending",
    ContractState.ACTIVE: "active",
    ContractState.ENDED: "terminated",
}


def ocid_of(tender: Tender) -> str:
    """``OCDS_OCID_PREFIX`` + "-" + the tender's slug (unique and stable per tender)."""
    return f"{settings.OCDS_OCID_PREFIX}-{tender.slug}"


def _number(amount: Decimal) -> float:
    """A money Decimal as a JSON number. Cents below 2**53 / 100 survive the float exactly
    (the shortest repr of the float is the decimal text); anything else is refused."""
    value = float(amount)
    if Decimal(repr(value)) != amount:
        raise ValueError(f"{amount} cannot be written exactly as a JSON number")
    return value


def _value(amount: Decimal | None) -> dict | None:
    return None if amount is None else {"amount": _number(amount), "currency": "EUR"}


def _moment(value: datetime) -> str:
    return timezone.localtime(value, AMSTERDAM).isoformat(timespec="seconds")


def _day(value: date) -> str:
    return datetime.combine(value, time(0), tzinfo=AMSTERDAM).isoformat(timespec="seconds")


def _org_id(kvk: str) -> str:
    return f"NL-KVK-{kvk}"


def _drop_none(obj):
    """OCDS leaves out unknown fields rather than writing null."""
    if isinstance(obj, dict):
        return {k: _drop_none(v) for k, v in obj.items() if v is not None and v != []}
    if isinstance(obj, list):
        return [_drop_none(v) for v in obj]
    return obj


def bids_sealed(tender: Tender) -> bool:
    """The guard of this package: before the opening it is the tender and its lots only."""
    return not tender.bids_readable()


def ocds_release_package(
    *, tender: Tender, uri: str, published: datetime | None = None, tender_only: bool = False
) -> dict:
    """The OCDS 1.1 release package of ``tender`` (plain JSON-ready data); ``uri`` is the
    absolute address the package is served at. ``tender_only``: the ``tender`` release as
    before the opening (the tender and its lots; no bidder, award or contract), whatever the
    state: the public page's machine-readable version."""
    published = published or timezone.now()
    ocid = ocid_of(tender)
    region = tender.region
    lots = list(
        Lot.objects.filter(tender=tender)
        .prefetch_related("segments", "municipalities")
        .order_by("position", "code")
    )
    sealed = tender_only or bids_sealed(tender)
    bidders = (
        []
        if sealed
        else list(
            Organisation.objects.filter(
                submissions__tender=tender,
                submissions__is_current=True,
                submissions__state=SubmissionState.SEALED,
            )
            .distinct()
            .order_by("kvk")
        )
    )
    segment_lot = {}
    items = []
    for lot in lots:
        for segment in sorted(lot.segments.all(), key=lambda s: s.code):
            segment_lot[segment.code] = lot.code
            items.append(
                {
                    "id": segment.code,
                    "description": segment.name,
                    "relatedLot": lot.code,
                }
            )

    # awards: winners of the final award ranking, plus every contracted provider
    won = defaultdict(set)
    ranking = None if sealed else final_ranking(tender=tender, phase=Phase.AWARD)
    if ranking is not None:
        for code, kvk in RankingRow.objects.filter(
            ranking=ranking, status__in=SELECTED_STATUSES
        ).values_list("segment__code", "bidder_kvk"):
            won[kvk].add(code)
    contracts = (
        []
        if sealed
        else list(
            Contract.objects.filter(tender=tender)
            .select_related("provider")
            .prefetch_related("segments__segment")
            .order_by("number")
        )
    )
    names = {org.kvk: org.name for org in bidders}
    for contract in contracts:
        names.setdefault(contract.provider.kvk, contract.provider.name)
        won[contract.provider.kvk].update(cs.segment.code for cs in contract.segments.all())
    contracted = {contract.provider.kvk: contract for contract in contracts}
    missing = set(won) - set(names)
    if missing:
        names.update(Organisation.objects.filter(kvk__in=missing).values_list("kvk", "name"))

    award_status = {
        TenderState.AWARDED: "active",
        TenderState.CONTRACTED: "active",
        TenderState.CANCELLED: "cancelled",
    }.get(tender.state, "pending")
    awards = []
    for kvk in sorted(won):
        codes = sorted(won[kvk])
        contract = contracted.get(kvk)
        amount = (
            sum((cs.lumpsum_amount for cs in contract.segments.all()), Decimal("0.00"))
            if contract
            else None
        )
        awards.append(
            {
                "id": f"{tender.slug}-award-{kvk}",
                "title": names[kvk],
                "status": award_status,
                "date": _moment(ranking.finalised_at)
                if ranking is not None and ranking.finalised_at
                else None,
                "suppliers": [{"id": _org_id(kvk), "name": names[kvk]}],
                "items": [item for item in items if item["id"] in codes],
                "relatedLots": sorted({segment_lot[c] for c in codes if c in segment_lot}),
                "value": _value(amount),
            }
        )
    ocds_contracts = [
        {
            "id": contract.number,
            "awardID": f"{tender.slug}-award-{contract.provider.kvk}",
            "title": f"{contract.number} {contract.provider.name}",
            "description": "Lumpsum per jaar; de waarde is het jaarbedrag van alle segmenten.",
            "status": CONTRACT_STATUS.get(contract.state, "pending"),
            "period": {
                "startDate": _day(contract.start_date),
                "endDate": _day(contract.end_date),
            },
            "value": _value(
                sum((cs.lumpsum_amount for cs in contract.segments.all()), Decimal("0.00"))
            ),
            "items": [
                item
                for item in items
                if item["id"] in {cs.segment.code for cs in contract.segments.all()}
            ],
        }
        for contract in contracts
    ]

    municipalities = sorted(
        {m for lot in lots for m in lot.municipalities.all()}, key=lambda m: m.code
    )
    suppliers = set(won)
    parties = [
        {
            "id": f"NL-REGIO-{region.code}",
            "name": region.name,
            "roles": ["buyer", "procuringEntity"],
        },
        *[
            {"id": f"NL-CBS-{m.code}", "name": f"Gemeente {m.name}", "roles": ["payer"]}
            for m in municipalities
        ],
        *[
            {
                "id": _org_id(kvk),
                "name": names[kvk],
                "identifier": {"scheme": "NL-KVK", "id": kvk, "legalName": names[kvk]},
                "roles": (["tenderer"] if kvk in {b.kvk for b in bidders} else [])
                + (["supplier"] if kvk in suppliers else []),
            }
            for kvk in sorted(names)
        ],
    ]
    budgets = [s.budget for lot in lots for s in lot.segments.all() if s.budget is not None]
    release = {
        "ocid": ocid,
        "id": f"{ocid}-{tender.updated_at.astimezone(AMSTERDAM):%Y%m%dT%H%M%S}",
        "date": _moment(tender.updated_at),
        "tag": ["tender"] + (["award"] if awards else []) + (["contract"] if contracts else []),
        "initiationType": "tender",
        "language": "nl",
        "parties": parties,
        "buyer": {"id": f"NL-REGIO-{region.code}", "name": region.name},
        "tender": {
            "id": tender.slug,
            "title": tender.title,
            "status": TENDER_STATUS.get(tender.state, "active"),
            "procuringEntity": {"id": f"NL-REGIO-{region.code}", "name": region.name},
            "items": items,
            "value": _value(sum(budgets, Decimal("0.00"))) if budgets else None,
            "procurementMethod": PROCUREMENT_METHOD.get(tender.procedure, "open"),
            "procurementMethodDetails": tender.get_procedure_display(),
            "mainProcurementCategory": "services",
            "submissionMethod": ["electronicSubmission"],
            "tenderPeriod": {"endDate": _moment(tender.deadline)},
            "numberOfTenderers": None if sealed else len(bidders),
            "tenderers": [{"id": _org_id(b.kvk), "name": b.name} for b in bidders],
            "lots": [
                {
                    "id": lot.code,
                    "title": lot.name,
                    "status": TENDER_STATUS.get(tender.state, "active"),
                    "value": _value(
                        sum((s.budget for s in lot.segments.all() if s.budget), Decimal("0.00"))
                    )
                    if any(s.budget for s in lot.segments.all())
                    else None,
                }
                for lot in lots
            ],
        },
        "awards": awards,
        "contracts": ocds_contracts,
    }
    return _drop_none(
        {
            "uri": uri,
            "version": OCDS_VERSION,
            "extensions": [LOTS_EXTENSION],
            "publishedDate": _moment(published),
            "publisher": {"name": region.name},
            "license": None,
            "releases": [release],
        }
    )


def ocds_export(*, tender: Tender, user, uri: str, client_address: str | None = None) -> dict:
    """The release package for a member of staff (screen or API): it names the bidders and
    their bids after the opening, so every export is audited (``ocds.export``) with the
    reader and the client address."""
    package = ocds_release_package(tender=tender, uri=uri)
    audit_record(
        action="ocds.export",
        actor=user,
        obj=tender,
        tender=tender,
        client_address=client_address,
        details={"releases": len(package.get("releases", []))},
    )
    return package


def ocds_package_json(package: dict) -> str:
    return json.dumps(package, ensure_ascii=False, indent=2)


@cache
def _validator():
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    package_schema = json.loads((SCHEMA_DIR / "release-package-schema.json").read_text())
    release_schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    release_resource = Resource.from_contents(release_schema, default_specification=DRAFT4)
    # The package schema refers to the release schema by its canonical URL: serve it locally.
    release_url = package_schema["properties"]["releases"]["items"]["$ref"]
    registry = Registry().with_resources([(release_url, release_resource)])
    return jsonschema.Draft4Validator(
        package_schema, registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def ocds_validate(package: dict) -> list[str]:
    """Problems of ``package`` against the OCDS 1.1 release package schema (empty: valid)."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(_validator().iter_errors(package), key=lambda e: list(e.path))
    ]
