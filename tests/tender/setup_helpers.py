"""Building blocks for the set-up tests: a region of five municipalities and a small tender
built through the set-up services, as an inkoper would on the screens."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from tender.models import Municipality, Region
from tender.services import setup

CODES = [f"GM9{i:03d}" for i in range(5)]


def make_region(code="testregio", name="Testregio", codes=CODES):
    region = Region.objects.create(code=code, name=name)
    region.municipalities.add(
        *(
            Municipality.objects.get_or_create(code=c, defaults={"name": f"Gemeente {c[-3:]}"})[0]
            for c in codes
        )
    )
    return region


def future(days=60):
    return timezone.now() + timedelta(days=days)


def build_tender(user, region, slug="zorg-2027"):
    """One lot with three municipalities, one segment (places 2) with a subsegment, a general
    and a segment requirement, and a selection and an award criterion."""
    tender = setup.tender_create(
        user=user,
        slug=slug,
        title="Inkoop zorg 2027",
        region=region,
        procedure="restricted",
        deadline=future(),
        standstill_days=20,
    )
    lot = setup.lot_create(
        tender=tender, user=user, code="JH", name="Jeugdhulp", municipalities=CODES[:3]
    )
    segment = setup.segment_create(
        lot=lot,
        user=user,
        code="JH-DYS",
        name="Dyslexie",
        places=2,
        min_total=Decimal("30.00"),
        specialisms=["GGZ", "LVB"],
        start_date=date(2027, 8, 1),
        tariff=Decimal("62.50"),
        budget=Decimal("1350000.00"),
        payment="quarterly",
        band=Decimal("0.05"),
    )
    setup.subsegment_create(segment=segment, user=user, code="JH-DYS-A", name="Basis")
    setup.requirement_create(tender=tender, user=user, code="AM1", text="Geen uitsluitingsgronden")
    setup.requirement_create(
        tender=tender, user=user, code="JH-DYS-M1", text="Twee jaar ervaring", segment=segment
    )
    setup.criterion_create(
        segment=segment,
        user=user,
        code="A",
        name="Kennis",
        phase="selection",
        max_points=Decimal("60"),
        min_level=Decimal("0.5"),
    )
    setup.criterion_create(
        segment=segment, user=user, code="G", name="Samenwerking", phase="award", max_points=40
    )
    return tender
