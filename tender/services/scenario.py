"""Creating a tender from scenario data, and deleting one for a replace."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from ..constants import Phase
from ..errors import ApplicationError
from ..models import Criterion, Lot, Municipality, Region, Requirement, Segment, SubSegment, Tender


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def region_upsert_from_scenario(*, data: dict) -> Region:
    """Create the region and its municipalities, or add to the ones that exist (by code)."""
    region, _created = Region.objects.get_or_create(
        code=data["code"], defaults={"name": data["name"]}
    )
    existing = Municipality.objects.in_bulk(
        [m["code"] for m in data["municipalities"]], field_name="code"
    )
    new = [
        Municipality(code=m["code"], name=m["name"], inhabitants=m.get("inhabitants"))
        for m in data["municipalities"]
        if m["code"] not in existing
    ]
    Municipality.objects.bulk_create(new)
    # A number of inhabitants in the file updates a municipality that exists; none keeps its own.
    changed = []
    for m in data["municipalities"]:
        known = existing.get(m["code"])
        if known is not None and m.get("inhabitants") not in (None, known.inhabitants):
            known.inhabitants = m["inhabitants"]
            changed.append(known)
    Municipality.objects.bulk_update(changed, ["inhabitants"])
    region.municipalities.add(*existing.values(), *new)
    return region


DEMO_COURT = "Gelderland"


@transaction.atomic
def tender_create_from_scenario(*, data: dict, region: Region, replace: bool = False) -> Tender:
    """Create the tender with its lots, segments, requirements and criteria.

    Raises ApplicationError when the slug exists and ``replace`` is false. The data is assumed
    validated by ``tender.scenario.validate_scenario``.
    """
    slug = data["slug"]
    existing = Tender.objects.filter(slug=slug).first()
    if existing is not None:
        if not replace:
            raise ApplicationError(
                _("Aanbesteding '%(slug)s' bestaat al; gebruik --replace om te vervangen.")
                % {"slug": slug},
                field="slug",
            )
        tender_delete(tender=existing)

    tender = Tender(
        slug=slug,
        title=data["title"],
        region=region,
        procedure=data["procedure"],
        deadline=datetime.fromisoformat(data["deadline"]),
        standstill_days=data.get("standstill_days", 20),
        # The objection route on the decision letters; a scenario without one gets the
        # documented demo default (docs/rules.md, "Award decision, letters and standstill").
        objection_address=data.get("objection_address")
        or f"{region.name}, Inkoop Sociaal Domein\nPostbus 100\n7000 AA Doetinchem",
        objection_email=data.get("objection_email") or f"bezwaar.inkoop@{slug}.example.nl",
        court=data.get("court") or DEMO_COURT,
    )
    tender.full_clean()
    tender.save()

    municipalities = {m.code: m for m in region.municipalities.all()}
    requirements = [
        Requirement(
            tender=tender,
            code=r["code"],
            text=r["text"],
            phase=r.get("phase", Phase.SELECTION),
            position=i,
        )
        for i, r in enumerate(data["requirements"])
    ]
    position = len(requirements)
    for lot_index, lot_data in enumerate(data["lots"]):
        lot = Lot.objects.create(
            tender=tender,
            code=lot_data["code"],
            name=lot_data["name"],
            funding=lot_data["funding"],
            position=lot_index,
        )
        lot.municipalities.set([municipalities[c] for c in lot_data["municipalities"]])
        for seg_index, s in enumerate(lot_data["segments"]):
            segment = Segment.objects.create(
                tender=tender,
                lot=lot,
                code=s["code"],
                name=s["name"],
                places=s["places"],
                award_places=s.get("award_places"),
                min_total=_dec(s.get("min_total")),
                coverage_k=s.get("coverage_k", 1),
                specialisms=list(s.get("specialisms", [])),
                start_date=date.fromisoformat(s["start_date"]) if s.get("start_date") else None,
                tariff=_dec(s.get("tariff")),
                budget=_dec(s.get("budget")),
                payment=s.get("payment", "monthly"),
                funding=s.get("funding", ""),
                band=_dec(s.get("band")),
                position=seg_index,
            )
            SubSegment.objects.bulk_create(
                SubSegment(segment=segment, code=sub["code"], name=sub["name"])
                for sub in s.get("subsegments", [])
            )
            for r in s.get("requirements", []):
                requirements.append(
                    Requirement(
                        tender=tender,
                        segment=segment,
                        code=r["code"],
                        text=r["text"],
                        phase=r.get("phase", Phase.SELECTION),
                        position=position,
                    )
                )
                position += 1
            Criterion.objects.bulk_create(
                Criterion(
                    segment=segment,
                    code=c["code"],
                    name=c["name"],
                    phase=c["phase"],
                    max_points=Decimal(c["max_points"]),
                    min_level=_dec(c.get("min_level")),
                    position=i,
                )
                for i, c in enumerate(s["criteria"])
            )
    Requirement.objects.bulk_create(requirements)
    return tender


# Rows of the apps above that protect a tender (``on_delete=PROTECT``) are removed by the app
# that owns them: each registers a step in its ``AppConfig.ready``. The steps run in the reverse
# order of registration, so the apps higher up (later in INSTALLED_APPS) go first, as their
# foreign keys need; this module never names a model of another app.
TenderDeleteStep = Callable[[Tender], None]
_delete_steps: list[TenderDeleteStep] = []


def register_tender_delete(step: TenderDeleteStep) -> None:
    """Called by a later app: ``step(tender)`` deletes that app's rows of the tender."""
    if step not in _delete_steps:
        _delete_steps.append(step)


@transaction.atomic
def tender_delete(*, tender: Tender) -> None:
    """Delete a tender and everything under it (used by a scenario replace).

    The apps above delete their dependants first (``register_tender_delete``); the audit log
    keeps its entries (it refers to the tender by slug only).
    """
    for step in reversed(_delete_steps):
        step(tender)
    tender.delete()
