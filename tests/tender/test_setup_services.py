"""Set-up services: every bad input refused with a Dutch message on its field, nothing written
and nothing audited on a refusal; who may change the set-up, and when."""

from decimal import Decimal

import pytest
import time_machine

from audit.models import AuditEntry
from tender.constants import TenderState
from tender.errors import ApplicationError
from tender.models import Criterion, Lot, Requirement, Segment, SubSegment, Tender
from tender.services import setup
from tender.services.lifecycle import tender_transition

from .setup_helpers import CODES, build_tender, future, make_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def inkoper(make_user):
    return make_user("inkoper", "inkoper")


@pytest.fixture
def region(db):
    return make_region()


@pytest.fixture
def tender(inkoper, region):
    return build_tender(inkoper, region)


@pytest.fixture
def lot(tender):
    return tender.lots.get(code="JH")


@pytest.fixture
def segment(tender):
    return tender.segments.get(code="JH-DYS")


def refused(call, field, text):
    """Run ``call``: it must raise on ``field`` with ``text`` in the message, audit nothing."""
    before = AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as info:
        call()
    assert info.value.field == field, (info.value.field, info.value.message)
    assert text in info.value.message, info.value.message
    assert AuditEntry.objects.count() == before
    return info.value


def segment_kwargs(lot, **changes):
    return {"lot": lot, "code": "JH-NEW", "name": "Nieuw", "places": 1, **changes}


# -- a tender built by hand ----------------------------------------------------------------


def test_inkoper_builds_a_tender_and_every_step_is_audited(tender, inkoper):
    assert tender.state == TenderState.DRAFT
    lot = tender.lots.get()
    assert sorted(m.code for m in lot.municipalities.all()) == CODES[:3]
    segment = lot.segments.get()
    assert (segment.places, segment.band, segment.payment) == (2, Decimal("0.0500"), "quarterly")
    assert list(segment.criteria.values_list("code", "position")) == [("A", 0), ("G", 1)]
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions == [
        "setup.tender_create",
        "setup.lot_create",
        "setup.segment_create",
        "setup.subsegment_create",
        "setup.requirement_create",
        "setup.requirement_create",
        "setup.criterion_create",
        "setup.criterion_create",
    ]
    assert set(AuditEntry.objects.values_list("tender_slug", flat=True)) == {"zorg-2027"}
    assert AuditEntry.objects.filter(actor=inkoper).count() == len(actions)


def test_the_hand_built_tender_can_be_published(tender, inkoper):
    published = tender_transition(tender=tender, name="publish", user=inkoper)
    assert published.state == TenderState.PUBLISHED


def test_publishing_with_a_deadline_in_the_past_is_refused_by_the_lifecycle(tender, inkoper):
    with (
        time_machine.travel(future(90), tick=False),
        pytest.raises(ApplicationError, match="verleden"),
    ):
        tender_transition(tender=tender, name="publish", user=inkoper)


def test_update_records_what_changed(tender, inkoper, lot):
    setup.lot_update(
        lot=lot,
        user=inkoper,
        code="JH",
        name="Jeugd",
        funding="pxq",
        municipalities=CODES[:2],
    )
    entry = AuditEntry.objects.filter(action="setup.lot_update").get()
    assert entry.details["changed"]["name"] == ["Jeugdhulp", "Jeugd"]
    assert entry.details["changed"]["municipalities"] == [CODES[:3], CODES[:2]]
    assert lot.municipalities.count() == 2


# -- validation, one bad input at a time ----------------------------------------------------


@pytest.mark.parametrize("points", [Decimal("0"), Decimal("-5")])
def test_criterion_points_must_be_positive(segment, inkoper, points):
    refused(
        lambda: setup.criterion_create(
            segment=segment, user=inkoper, code="X", name="X", phase="award", max_points=points
        ),
        "max_points",
        "groter dan 0",
    )
    assert not Criterion.objects.filter(code="X").exists()


@pytest.mark.parametrize("level", [Decimal("1.5"), Decimal("-0.1")])
def test_criterion_min_level_must_be_between_0_and_1(segment, inkoper, level):
    refused(
        lambda: setup.criterion_create(
            segment=segment,
            user=inkoper,
            code="X",
            name="X",
            phase="selection",
            max_points=Decimal("10"),
            min_level=level,
        ),
        "min_level",
        "tussen 0 en 1",
    )


@pytest.mark.parametrize("places", [0, -1])
def test_segment_places_must_be_at_least_1(lot, inkoper, places):
    refused(
        lambda: setup.segment_create(user=inkoper, **segment_kwargs(lot, places=places)),
        "places",
        "ten minste 1",
    )
    assert not Segment.objects.filter(code="JH-NEW").exists()


def test_segment_award_places_must_be_at_least_1_when_given(lot, inkoper):
    refused(
        lambda: setup.segment_create(user=inkoper, **segment_kwargs(lot, award_places=0)),
        "award_places",
        "ten minste 1",
    )


@pytest.mark.parametrize("band", [Decimal("1"), Decimal("-0.01"), Decimal("5")])
def test_segment_band_must_be_a_fraction_between_0_and_1(lot, inkoper, band):
    refused(
        lambda: setup.segment_create(user=inkoper, **segment_kwargs(lot, band=band)),
        "band",
        "fractie van 0 tot 1",
    )


def test_segment_specialisms_must_be_codes(lot, inkoper):
    refused(
        lambda: setup.segment_create(user=inkoper, **segment_kwargs(lot, specialisms=["G Z"])),
        "specialisms",
        "geen geldige code",
    )


def test_lot_codes_are_unique_per_tender(tender, inkoper):
    refused(
        lambda: setup.lot_create(
            tender=tender, user=inkoper, code="JH", name="Nog een", municipalities=CODES[:1]
        ),
        "code",
        "Perceelcode JH bestaat al",
    )
    assert Lot.objects.filter(tender=tender).count() == 1


def test_lot_codes_may_repeat_in_another_tender(tender, inkoper, region):
    other = setup.tender_create(
        user=inkoper, slug="ander", title="Ander", region=region, deadline=future()
    )
    lot = setup.lot_create(
        tender=other, user=inkoper, code="JH", name="Jeugd", municipalities=CODES[:1]
    )
    assert lot.code == "JH"


def test_segment_codes_are_unique_per_tender_across_lots(tender, inkoper):
    other_lot = setup.lot_create(
        tender=tender, user=inkoper, code="WMO", name="Wmo", municipalities=CODES
    )
    refused(
        lambda: setup.segment_create(
            user=inkoper, **segment_kwargs(other_lot, code="JH-DYS", name="Dubbel")
        ),
        "code",
        "Segmentcode JH-DYS bestaat al",
    )


def test_requirement_codes_are_unique_per_tender_general_and_segment_alike(
    tender, inkoper, segment
):
    refused(
        lambda: setup.requirement_create(
            tender=tender, user=inkoper, code="JH-DYS-M1", text="Dubbel als algemene eis"
        ),
        "code",
        "Eiscode JH-DYS-M1 bestaat al",
    )
    refused(
        lambda: setup.requirement_create(
            tender=tender, user=inkoper, code="AM1", text="Dubbel", segment=segment
        ),
        "code",
        "Eiscode AM1 bestaat al",
    )
    assert Requirement.objects.filter(tender=tender).count() == 2


def test_criterion_codes_are_unique_per_segment_only(tender, inkoper, segment, lot):
    refused(
        lambda: setup.criterion_create(
            segment=segment, user=inkoper, code="A", name="Dubbel", phase="award", max_points=1
        ),
        "code",
        "Criteriumcode A bestaat al in dit segment",
    )
    second = setup.segment_create(user=inkoper, **segment_kwargs(lot))
    criterion = setup.criterion_create(
        segment=second, user=inkoper, code="A", name="Ook A", phase="selection", max_points=10
    )
    assert criterion.segment == second


def test_subsegment_codes_are_unique_per_segment(segment, inkoper):
    refused(
        lambda: setup.subsegment_create(segment=segment, user=inkoper, code="JH-DYS-A"),
        "code",
        "Subsegmentcode JH-DYS-A bestaat al",
    )
    assert SubSegment.objects.filter(segment=segment).count() == 1


def test_renaming_a_code_to_a_taken_one_is_refused_but_keeping_it_is_fine(tender, inkoper):
    second = setup.lot_create(
        tender=tender, user=inkoper, code="WMO", name="Wmo", municipalities=CODES
    )
    refused(
        lambda: setup.lot_update(
            lot=second, user=inkoper, code="JH", name="Wmo", funding="lumpsum", municipalities=CODES
        ),
        "code",
        "bestaat al",
    )
    kept = setup.lot_update(
        lot=second, user=inkoper, code="WMO", name="Wmo 2", funding="lumpsum", municipalities=CODES
    )
    assert kept.name == "Wmo 2"


def test_lot_municipalities_must_belong_to_the_region(tender, inkoper):
    make_region(code="elders", name="Elders", codes=["GM0363"])
    refused(
        lambda: setup.lot_create(
            tender=tender, user=inkoper, code="WMO", name="Wmo", municipalities=["GM0363"]
        ),
        "municipalities",
        "Gemeente GM0363 hoort niet bij regio Testregio",
    )


def test_lot_needs_at_least_one_municipality(tender, inkoper):
    refused(
        lambda: setup.lot_create(
            tender=tender, user=inkoper, code="WMO", name="Wmo", municipalities=[]
        ),
        "municipalities",
        "ten minste één",
    )


@pytest.mark.parametrize(
    ("code", "text"), [("a b", "Een code bestaat uit"), ("", "Vul een code in")]
)
def test_codes_must_be_well_formed(tender, inkoper, code, text):
    refused(
        lambda: setup.lot_create(
            tender=tender, user=inkoper, code=code, name="X", municipalities=CODES[:1]
        ),
        "code",
        text,
    )


@pytest.mark.parametrize(
    ("slug", "text"),
    [("Hoofd Letters", "kleine letters"), ("zorg-2027", "al in gebruik"), ("", "Vul een kenmerk")],
)
def test_tender_slug_must_be_a_free_scenario_slug(tender, inkoper, region, slug, text):
    refused(
        lambda: setup.tender_create(
            user=inkoper, slug=slug, title="X", region=region, deadline=future()
        ),
        "slug",
        text,
    )
    assert Tender.objects.count() == 1


def test_standstill_days_may_not_be_negative(inkoper, region):
    refused(
        lambda: setup.tender_create(
            user=inkoper,
            slug="x-2027",
            title="X",
            region=region,
            deadline=future(),
            standstill_days=-1,
        ),
        "standstill_days",
        "niet negatief",
    )


def test_region_cannot_change_while_lots_have_municipalities_outside_it(tender, inkoper):
    other = make_region(code="ander", name="Andere regio", codes=["GM0363"])
    refused(
        lambda: setup.tender_update(
            tender=tender,
            user=inkoper,
            title=tender.title,
            region=other,
            procedure=tender.procedure,
            deadline=tender.deadline,
            standstill_days=20,
        ),
        "region",
        "Perceel JH heeft gemeenten die niet bij regio Andere regio horen",
    )


def test_a_published_tender_keeps_its_deadline_in_the_future(tender, inkoper):
    tender_transition(tender=tender, name="publish", user=inkoper)
    tender.refresh_from_db()
    refused(
        lambda: setup.tender_update(
            tender=tender,
            user=inkoper,
            title=tender.title,
            region=tender.region,
            procedure=tender.procedure,
            deadline=future(-1),
            standstill_days=20,
        ),
        "deadline",
        "in de toekomst",
    )


def test_full_clean_backs_the_checks_up(tender):
    from tender.services.setup._base import save

    with pytest.raises(ApplicationError, match="bestaat al"):
        save(Lot(tender=tender, code="JH", name="Dubbel"))


# -- who and when --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["voorzitter", "auditor", "beoordelaar", "aanbieder", None])
def test_only_an_inkoper_sets_up_tenders(tender, region, make_user, role):
    user = make_user(f"u-{role}", role)
    refused(
        lambda: setup.tender_create(
            user=user, slug="nieuw-2027", title="X", region=region, deadline=future()
        ),
        None,
        "inkoper",
    )
    refused(
        lambda: setup.lot_create(
            tender=tender, user=user, code="WMO", name="Wmo", municipalities=CODES
        ),
        None,
        "inkoper",
    )


def test_superuser_may_set_up(tender, make_user):
    admin = make_user("admin", None, is_superuser=True)
    lot = setup.lot_create(tender=tender, user=admin, code="WMO", name="Wmo", municipalities=CODES)
    assert lot.pk


def test_set_up_is_frozen_once_submissions_open(tender, inkoper, segment):
    tender_transition(tender=tender, name="publish", user=inkoper)
    setup.criterion_create(
        segment=segment, user=inkoper, code="B", name="Na publicatie", phase="award", max_points=5
    )
    tender_transition(tender=tender, name="start_requests", user=inkoper)
    refused(
        lambda: setup.criterion_create(
            segment=segment, user=inkoper, code="C", name="Te laat", phase="award", max_points=5
        ),
        None,
        "Verzoeken tot deelneming open",
    )
    refused(lambda: setup.segment_delete(segment=segment, user=inkoper), None, "ligt vast")


def test_a_tender_with_submissions_is_frozen_even_as_draft(demo_tender, make_user):
    inkoper = make_user("inkoper2", "inkoper")
    assert demo_tender.state == TenderState.DRAFT
    refused(
        lambda: setup.lot_delete(lot=demo_tender.lots.first(), user=inkoper),
        None,
        "al inschrijvingen",
    )
    assert demo_tender.lots.count() == 3


def test_deleting_a_lot_removes_its_segments_criteria_and_segment_requirements(
    tender, inkoper, lot
):
    setup.lot_delete(lot=lot, user=inkoper)
    assert not Segment.objects.filter(tender=tender).exists()
    assert not Criterion.objects.filter(segment__tender=tender).exists()
    assert list(tender.requirements.values_list("code", flat=True)) == ["AM1"]
    entry = AuditEntry.objects.get(action="setup.lot_delete")
    assert entry.details == {"code": "JH", "segments": ["JH-DYS"]}
