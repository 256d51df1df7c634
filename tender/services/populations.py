"""Inhabitants per municipality per year and dated lot membership, for the demo and staff.

The figures of ``CBS_INHABITANTS`` are APPROXIMATE: the number of inhabitants on 1 January
2022 (CBS StatLine, table 03759ned "Bevolking op 1 januari"), rounded to hundreds, for the 19
municipalities of the seeds (Achterhoek 8, Hart van Brabant 11). They are good enough for a
demo split by inhabitants; load the exact figures of the year for real use.
"""

from datetime import date

from django.db import transaction

from audit.services import audit_record

from ..models import Lot, LotMembership, Municipality, MunicipalityPopulation

CBS_YEAR = 2022
CBS_SOURCE = "CBS StatLine 03759ned, 1 januari 2022, afgerond op honderdtallen (benadering)"
CBS_INHABITANTS = {
    # Achterhoek
    "GM0197": 27_200,  # Aalten
    "GM1859": 44_300,  # Berkelland
    "GM1876": 36_900,  # Bronckhorst
    "GM0222": 58_300,  # Doetinchem
    "GM1955": 36_300,  # Montferland
    "GM1586": 30_000,  # Oost Gelre
    "GM1509": 39_800,  # Oude IJsselstreek
    "GM0294": 29_100,  # Winterswijk
    # Hart van Brabant
    "GM1723": 10_300,  # Alphen-Chaam
    "GM0744": 7_000,  # Baarle-Nassau
    "GM0766": 26_600,  # Dongen
    "GM0784": 27_100,  # Gilze en Rijen
    "GM0785": 23_900,  # Goirle
    "GM0797": 45_400,  # Heusden
    "GM0798": 15_700,  # Hilvarenbeek
    "GM0809": 23_400,  # Loon op Zand
    "GM0824": 32_400,  # Oisterwijk
    "GM0855": 224_700,  # Tilburg
    "GM0867": 49_000,  # Waalwijk
}


@transaction.atomic
def populations_load(*, year: int = CBS_YEAR, figures=None, source: str = CBS_SOURCE) -> int:
    """Store the inhabitants of ``year`` for the municipalities that exist (default: the
    approximate CBS figures above); existing figures of that year are replaced. Returns how
    many were stored."""
    figures = CBS_INHABITANTS if figures is None else figures
    stored = 0
    for municipality in Municipality.objects.filter(code__in=list(figures)):
        MunicipalityPopulation.objects.update_or_create(
            municipality=municipality,
            year=year,
            defaults={"inhabitants": figures[municipality.code], "source": source},
        )
        stored += 1
    return stored


@transaction.atomic
def lot_membership_set(
    *, lot: Lot, municipality: Municipality, start: date | None, end: date | None = None, user=None
) -> LotMembership:
    """Let ``municipality`` take part in ``lot`` from ``start`` up to and including ``end``
    (None = no bound); audited."""
    if start is not None and end is not None and end < start:
        raise ValueError("end before start")
    membership, _created = LotMembership.objects.update_or_create(
        lot=lot, municipality=municipality, defaults={"start_date": start, "end_date": end}
    )
    audit_record(
        action="lot.membership_set",
        actor=user,
        obj=lot,
        tender=lot.tender,
        details={
            "lot": lot.code,
            "municipality": municipality.code,
            "start_date": start.isoformat() if start else None,
            "end_date": end.isoformat() if end else None,
        },
    )
    return membership
