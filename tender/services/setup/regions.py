"""Set-up services for regions and their municipalities.

A region is shared by every tender in it, so its rules are not those of one tender's set-up:
an inkoper creates and changes regions at any time, but a municipality that a lot of a tender in
the region still uses cannot leave the region. Municipalities are identified by their CBS code
and shared between regions: an existing one is reused, provided the name given matches.
"""

import re
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from ...errors import ApplicationError
from ...models import Lot, Municipality, Region
from ...permissions import can_manage_regions
from ._base import SLUG_PATTERN, Problems, audit, blank, raise_first, save, taken

CBS_PATTERN = re.compile(r"^GM[0-9]{4}$")

MunicipalityInput = tuple[str, str]  # (CBS code, name)


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def municipality_problems(
    municipalities: Sequence[MunicipalityInput], region: Region | None = None
) -> Problems:
    """Problems of a region's list of municipalities: (CBS code, name) pairs."""
    field = "municipalities"
    if not municipalities:
        return [(field, _("Geef ten minste één gemeente op."))]
    problems: Problems = []
    seen: set[str] = set()
    valid: dict[str, str] = {}
    for code, name in municipalities:
        code = (code or "").strip()
        if not CBS_PATTERN.match(code):
            problems.append(
                (
                    field,
                    _("'%(code)s' is geen geldige CBS-code (GM gevolgd door 4 cijfers).")
                    % {"code": code},
                )
            )
            continue
        if code in seen:
            problems.append(
                (field, _("Gemeente %(code)s staat er meer dan eens in.") % {"code": code})
            )
            continue
        seen.add(code)
        if blank(name):
            problems.append((field, _("Vul de naam van gemeente %(code)s in.") % {"code": code}))
            continue
        valid[code] = name.strip()
    for existing in Municipality.objects.filter(code__in=list(valid)).order_by("code"):
        given = valid[existing.code]
        if not _same_name(existing.name, given):
            problems.append(
                (
                    field,
                    _(
                        "Gemeente %(code)s bestaat al met de naam '%(existing)s', niet "
                        "'%(given)s'. Gebruik de bestaande naam."
                    )
                    % {"code": existing.code, "existing": existing.name, "given": given},
                )
            )
    if region is not None and region.pk:
        problems += _removed_in_use(region, seen)
    return problems


def _removed_in_use(region: Region, kept: Iterable[str]) -> Problems:
    """A municipality may leave the region only when no lot of a tender in it uses it."""
    kept = set(kept)
    removed = [m for m in region.municipalities.order_by("code") if m.code not in kept]
    problems: Problems = []
    for municipality in removed:
        lot = (
            Lot.objects.filter(tender__region=region, municipalities=municipality)
            .select_related("tender")
            .order_by("tender__slug", "position", "code")
            .first()
        )
        if lot is not None:
            problems.append(
                (
                    "municipalities",
                    _(
                        "Gemeente %(name)s (%(code)s) kan niet uit de regio: perceel "
                        "%(lot)s (%(lot_name)s) van aanbesteding '%(tender)s' gebruikt haar "
                        "nog. Haal de gemeente eerst uit dat perceel."
                    )
                    % {
                        "name": municipality.name,
                        "code": municipality.code,
                        "lot": lot.code,
                        "lot_name": lot.name,
                        "tender": lot.tender.title,
                    },
                )
            )
    return problems


def region_problems(
    *,
    name: str,
    municipalities: Sequence[MunicipalityInput],
    code: str | None = None,
    region: Region | None = None,
) -> Problems:
    """Problems of a region's data; ``code`` is checked on create only (it never changes)."""
    problems: Problems = []
    if region is None:
        if code is None or blank(code):
            problems.append(("code", _("Vul een code in.")))
        elif not SLUG_PATTERN.match(code):
            problems.append(
                (
                    "code",
                    _(
                        "Een regiocode bestaat uit kleine letters, cijfers en '-' (2 tot 64 "
                        "tekens), bijvoorbeeld achterhoek."
                    ),
                )
            )
        elif taken(Region.objects.filter(code=code), region):
            problems.append(("code", _("Regiocode %(code)s is al in gebruik.") % {"code": code}))
    if blank(name):
        problems.append(("name", _("Vul een naam in.")))
    problems += municipality_problems(municipalities, region)
    return problems


def _check_user(user) -> None:
    if not can_manage_regions(user):
        raise ApplicationError(_("Alleen een inkoper mag regio's beheren."))


def _normalised(municipalities: Iterable[MunicipalityInput]) -> list[MunicipalityInput]:
    return [((code or "").strip(), (name or "").strip()) for code, name in municipalities]


def _set_municipalities(region: Region, municipalities: list[MunicipalityInput]) -> None:
    """Reuse the municipalities that exist (same code), create the others."""
    existing = Municipality.objects.in_bulk([c for c, _n in municipalities], field_name="code")
    members = []
    for code, name in municipalities:
        municipality = existing.get(code)
        if municipality is None:
            municipality = Municipality(code=code, name=name)
            save(municipality, conflict_field="municipalities")
        members.append(municipality)
    region.municipalities.set(members)


@transaction.atomic
def region_create(
    *,
    code: str,
    name: str,
    municipalities: Sequence[MunicipalityInput],
    user,
    client_address: str | None = None,
) -> Region:
    """Create a region with its municipalities. Raises ApplicationError (Dutch, with ``field``)."""
    _check_user(user)
    municipalities = _normalised(municipalities)
    raise_first(region_problems(code=code, name=name, municipalities=municipalities))
    region = Region(code=code, name=name.strip())
    save(region)
    _set_municipalities(region, municipalities)
    audit(
        "region_create",
        user=user,
        obj=region,
        tender=None,
        client_address=client_address,
        details={"code": code, "municipalities": sorted(c for c, _n in municipalities)},
    )
    return region


@transaction.atomic
def region_update(
    *,
    region: Region,
    name: str,
    municipalities: Sequence[MunicipalityInput],
    user,
    client_address: str | None = None,
) -> Region:
    """Change a region's name and municipalities (not its code: tenders and exports refer to
    it). The region row is locked, so changes of one region queue."""
    _check_user(user)
    region = Region.objects.select_for_update().get(pk=region.pk)
    municipalities = _normalised(municipalities)
    raise_first(region_problems(name=name, municipalities=municipalities, region=region))
    before = sorted(region.municipalities.values_list("code", flat=True))
    after = sorted(c for c, _n in municipalities)
    changed = {}
    if region.name != name.strip():
        changed["name"] = [region.name, name.strip()]
        region.name = name.strip()
    save(region)
    if before != after:
        _set_municipalities(region, municipalities)
        changed["municipalities"] = [before, after]
    audit(
        "region_update",
        user=user,
        obj=region,
        tender=None,
        client_address=client_address,
        details={"code": region.code, "changed": changed},
    )
    return region
