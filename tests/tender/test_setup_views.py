"""Set-up screens: who may open them, Dutch messages for every bad input (with an error summary
linking to the field), the no-JavaScript flow and the htmx sections, import and export."""

import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from tender.constants import TenderState
from tender.models import Criterion, Lot, Segment, Tender
from tender.scenario import validate_scenario

from .setup_helpers import CODES, build_tender, make_region

pytestmark = pytest.mark.django_db

SLUG = "zorg-2027"


@pytest.fixture
def region(db):
    return make_region()


@pytest.fixture
def tender(region, make_user):
    return build_tender(make_user("bouwer", "inkoper"), region)


@pytest.fixture
def inkoper(client_for):
    return client_for("inkoper")


def setup_urls(tender):
    lot = tender.lots.get()
    segment = tender.segments.get()
    criterion = segment.criteria.first()
    requirement = tender.requirements.first()
    subsegment = segment.subsegments.get()
    slug = tender.slug
    return {
        "overview": reverse("setup-overview", args=[slug]),
        "tender": reverse("setup-tender-edit", args=[slug]),
        "lot-create": reverse("setup-lot-create", args=[slug]),
        "lot-edit": reverse("setup-lot-edit", args=[slug, lot.pk]),
        "lot-delete": reverse("setup-lot-delete", args=[slug, lot.pk]),
        "segment-create": reverse("setup-segment-create", args=[slug, lot.pk]),
        "segment": reverse("setup-segment", args=[slug, segment.pk]),
        "segment-delete": reverse("setup-segment-delete", args=[slug, segment.pk]),
        "criterion-edit": reverse("setup-criterion-edit", args=[slug, criterion.pk]),
        "criterion-delete": reverse("setup-criterion-delete", args=[slug, criterion.pk]),
        "subsegment-delete": reverse("setup-subsegment-delete", args=[slug, subsegment.pk]),
        "requirement-create": reverse("setup-requirement-create", args=[slug]),
        "requirement-edit": reverse("setup-requirement-edit", args=[slug, requirement.pk]),
        "requirement-delete": reverse("setup-requirement-delete", args=[slug, requirement.pk]),
    }


def errors_of(response):
    """The error summary's links: (href, text)."""
    html = response.content.decode()
    summary = re.search(r'class="[^"]*app-error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary on the page"
    return re.findall(r'<a class="utrecht-link" href="(#[^"]+)">([^<]+)</a>', summary.group(0))


def assert_field_error(response, field_id, text):
    assert response.status_code == 400
    links = errors_of(response)
    assert any(href == f"#{field_id}" and text in label for href, label in links), links
    html = response.content.decode()
    assert f'id="{field_id}"' in html
    assert 'aria-invalid="true"' in html


# -- who may open the set-up screens -----------------------------------------------------


def test_inkoper_opens_every_set_up_page(tender, inkoper):
    for name, url in setup_urls(tender).items():
        response = inkoper.get(url)
        assert response.status_code == 200, name
        assert response.content.decode().count("<h1") == 1, name
    for url in (reverse("setup-tender-create"), reverse("setup-import")):
        assert inkoper.get(url).status_code == 200


@pytest.mark.parametrize("role", ["voorzitter", "auditor", "contractmanager"])
def test_other_staff_are_refused_with_a_reason(tender, client_for, role):
    client = client_for(role)
    for name, url in setup_urls(tender).items():
        response = client.get(url)
        assert response.status_code == 403, name
        assert "Alleen een inkoper" in response.content.decode()
    assert client.get(reverse("setup-tender-create")).status_code == 403
    assert client.get(reverse("setup-import")).status_code == 403
    response = client.post(setup_urls(tender)["lot-delete"])
    assert response.status_code == 403 and Lot.objects.filter(tender=tender).exists()


@pytest.mark.parametrize("role", ["beoordelaar", "aanbieder", None])
def test_non_staff_get_404_everywhere(tender, client_for, role):
    client = client_for(role)
    for name, url in setup_urls(tender).items():
        assert client.get(url).status_code == 404, name
    assert client.get(reverse("setup-tender-create")).status_code == 404
    assert client.get(reverse("setup-import")).status_code == 404
    assert client.get(reverse("setup-export", args=[SLUG])).status_code == 404


def test_anonymous_user_is_sent_to_login(tender, client):
    for url in (reverse("setup-tender-create"), setup_urls(tender)["overview"]):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_frozen_tender_explains_why(tender, inkoper):
    Tender.objects.filter(pk=tender.pk).update(state=TenderState.REQUESTS_OPEN)
    response = inkoper.get(setup_urls(tender)["overview"])
    assert response.status_code == 403
    assert "ligt vast" in response.content.decode()
    detail = inkoper.get(reverse("tender-detail", args=[SLUG])).content.decode()
    assert "Opzet bewerken" not in detail and "Exporteren als scenariobestand" in detail


def test_a_tender_with_submissions_explains_the_freeze(demo_tender, inkoper):
    detail = inkoper.get(reverse("tender-detail", args=["inkoop-2022"])).content.decode()
    assert "Opzet bewerken" in detail  # the link costs no query; the page explains
    response = inkoper.get(reverse("setup-overview", args=["inkoop-2022"]))
    assert response.status_code == 403
    assert "al inschrijvingen" in response.content.decode()


def test_links_on_the_tender_pages_only_for_an_inkoper(tender, client_for):
    inkoper = client_for("inkoper")
    assert "Nieuwe aanbesteding" in inkoper.get(reverse("home")).content.decode()
    assert "Opzet bewerken" in inkoper.get(reverse("tender-detail", args=[SLUG])).content.decode()
    chair = client_for("voorzitter", "chair")
    assert "Nieuwe aanbesteding" not in chair.get(reverse("home")).content.decode()
    detail = chair.get(reverse("tender-detail", args=[SLUG])).content.decode()
    assert "Opzet bewerken" not in detail and "Exporteren" not in detail


# -- creating and editing, without JavaScript ----------------------------------------------


def tender_post(in_region, **changes):
    return {
        "slug": "nieuw-2027",
        "title": "Nieuwe inkoop",
        "region": in_region.pk,
        "procedure": "restricted",
        "deadline": "2030-06-01T12:00",
        "standstill_days": "20",
        **changes,
    }


def test_inkoper_creates_a_tender_with_a_local_deadline(region, inkoper):
    response = inkoper.post(reverse("setup-tender-create"), tender_post(region))
    assert response.status_code == 302
    assert response["Location"] == reverse("setup-overview", args=["nieuw-2027"])
    tender = Tender.objects.get(slug="nieuw-2027")
    assert tender.deadline.isoformat() == "2030-06-01T10:00:00+00:00"  # 12:00 in Amsterdam
    assert AuditEntry.objects.filter(action="setup.tender_create", actor=inkoper.user).exists()


@pytest.mark.parametrize(
    ("changes", "field_id", "text"),
    [
        ({"slug": "Met Spaties"}, "id_slug", "kleine letters"),
        ({"slug": SLUG}, "id_slug", "al in gebruik"),
        ({"title": ""}, "id_title", "Vul een titel in"),
        ({"region": ""}, "id_region", "Kies een regio"),
        ({"deadline": "morgen"}, "id_deadline", "Vul een datum en tijd in"),
        ({"standstill_days": "-3"}, "id_standstill_days", "niet negatief"),
    ],
)
def test_bad_tender_input_is_explained_on_the_field(
    tender, region, inkoper, changes, field_id, text
):
    response = inkoper.post(reverse("setup-tender-create"), tender_post(region, **changes))
    assert_field_error(response, field_id, text)
    assert Tender.objects.count() == 1


def test_every_problem_is_listed_at_once(region, inkoper):
    response = inkoper.post(
        reverse("setup-tender-create"), tender_post(region, slug="", title="", region="")
    )
    hrefs = [href for href, _label in errors_of(response)]
    assert hrefs == ["#id_slug", "#id_title", "#id_region"]


def lot_post(**changes):
    return {
        "code": "WMO",
        "name": "Wmo",
        "funding": "lumpsum",
        "municipalities": CODES[:3],
        **changes,
    }


def test_inkoper_adds_a_lot_with_three_municipalities(tender, inkoper):
    response = inkoper.post(setup_urls(tender)["lot-create"], lot_post())
    assert response.status_code == 302
    lot = Lot.objects.get(tender=tender, code="WMO")
    assert sorted(lot.municipalities.values_list("code", flat=True)) == CODES[:3]


@pytest.mark.parametrize(
    ("changes", "field_id", "text"),
    [
        ({"code": "JH"}, "id_code", "Perceelcode JH bestaat al"),
        ({"code": "a b"}, "id_code", "Een code bestaat uit"),
        ({"municipalities": []}, "id_municipalities_0", "ten minste één"),
        ({"municipalities": ["GM0363"]}, "id_municipalities_0", "hoort niet bij de regio"),
    ],
)
def test_bad_lot_input_is_explained_on_the_field(tender, inkoper, changes, field_id, text):
    response = inkoper.post(setup_urls(tender)["lot-create"], lot_post(**changes))
    assert_field_error(response, field_id, text)
    assert Lot.objects.filter(tender=tender).count() == 1


def segment_post(tender, **changes):
    return {
        "lot": tender.lots.get().pk,
        "code": "JH-NEW",
        "name": "Nieuw segment",
        "places": "2",
        "coverage_k": "1",
        "payment": "monthly",
        **changes,
    }


def test_inkoper_adds_a_segment_with_dutch_numbers_and_a_band_in_percent(tender, inkoper):
    response = inkoper.post(
        setup_urls(tender)["segment-create"],
        segment_post(
            tender,
            tariff="62,50",
            budget="1.350.000,00",
            band="5",
            specialisms="GGZ, LVB",
            start_date="2027-08-01",
        ),
    )
    segment = Segment.objects.get(tender=tender, code="JH-NEW")
    assert response["Location"] == reverse("setup-segment", args=[SLUG, segment.pk])
    assert (segment.tariff, segment.budget, segment.band) == (
        Decimal("62.50"),
        Decimal("1350000.00"),
        Decimal("0.05"),
    )
    assert segment.specialisms == ["GGZ", "LVB"]
    page = inkoper.get(response["Location"]).content.decode()
    assert 'name="band" value="5"' in page


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        # Thousands dots alone: five hundred thousand, not five hundred (docs/rules.md).
        ({"budget": "500.000", "tariff": "EUR 62.50"}, ("500000", "62.50"), ("500000,00", "62,50")),
        (
            {"budget": "3.800,5", "tariff": "€ 1.234,56"},
            ("3800.5", "1234.56"),
            ("3800,50", "1234,56"),
        ),
    ],
)
def test_segment_amounts_typed_the_dutch_way_are_read_and_shown_back(
    tender, inkoper, typed, stored, shown
):
    response = inkoper.post(setup_urls(tender)["segment-create"], segment_post(tender, **typed))
    segment = Segment.objects.get(tender=tender, code="JH-NEW")
    assert (segment.budget, segment.tariff) == tuple(Decimal(v) for v in stored)
    page = inkoper.get(response["Location"]).content.decode()
    assert f'name="budget" value="{shown[0]}"' in page
    assert f'name="tariff" value="{shown[1]}"' in page


def test_an_english_amount_is_refused_not_misread(tender, inkoper):
    response = inkoper.post(
        setup_urls(tender)["segment-create"], segment_post(tender, budget="1,350,000.00")
    )
    assert_field_error(response, "id_budget", "Vul een getal in, bijvoorbeeld 12,50.")
    assert not Segment.objects.filter(tender=tender, code="JH-NEW").exists()


@pytest.mark.parametrize(
    ("changes", "field_id", "text"),
    [
        ({"places": "0"}, "id_places", "ten minste 1"),
        ({"places": ""}, "id_places", "ten minste 1"),
        ({"award_places": "0"}, "id_award_places", "ten minste 1"),
        ({"code": "JH-DYS"}, "id_code", "Segmentcode JH-DYS bestaat al"),
        ({"band": "100"}, "id_band", "tussen 0 en 100 procent"),
        ({"band": "-1"}, "id_band", "tussen 0 en 100 procent"),
        ({"tariff": "-1"}, "id_tariff", "niet negatief"),
        ({"tariff": "twaalf"}, "id_tariff", "Vul een getal in"),
        ({"specialisms": "GGZ, G Z"}, "id_specialisms", "geen geldige code"),
    ],
)
def test_bad_segment_input_is_explained_on_the_field(tender, inkoper, changes, field_id, text):
    response = inkoper.post(setup_urls(tender)["segment-create"], segment_post(tender, **changes))
    assert_field_error(response, field_id, text)
    assert not Segment.objects.filter(code="JH-NEW").exists()


def criterion_post(**changes):
    return {
        "criterion-code": "B",
        "criterion-name": "Kwaliteit",
        "criterion-phase": "selection",
        "criterion-max_points": "20",
        "criterion-min_level": "",
        "criterion-position": "",
        **changes,
    }


def criterion_create_url(tender):
    return reverse("setup-criterion-create", args=[SLUG, tender.segments.get().pk])


def test_criterion_added_without_javascript_redirects_to_the_segment(tender, inkoper):
    response = inkoper.post(criterion_create_url(tender), criterion_post())
    assert response.status_code == 302
    assert response["Location"] == setup_urls(tender)["segment"]
    assert Criterion.objects.get(code="B").position == 2


@pytest.mark.parametrize(
    ("changes", "field_id", "text"),
    [
        ({"criterion-max_points": "0"}, "id_criterion-max_points", "groter dan 0"),
        ({"criterion-max_points": "-5"}, "id_criterion-max_points", "groter dan 0"),
        ({"criterion-min_level": "1,5"}, "id_criterion-min_level", "tussen 0 en 1"),
        ({"criterion-code": "A"}, "id_criterion-code", "Criteriumcode A bestaat al"),
    ],
)
def test_bad_criterion_input_is_explained_on_the_field(tender, inkoper, changes, field_id, text):
    response = inkoper.post(criterion_create_url(tender), criterion_post(**changes))
    assert_field_error(response, field_id, text)
    assert Criterion.objects.filter(segment__tender=tender).count() == 2


def test_htmx_adds_a_criterion_and_returns_only_the_section(tender, inkoper):
    response = inkoper.post(criterion_create_url(tender), criterion_post(), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section class="app-section" id="criteria-section"')
    assert "<h1" not in html and "B Kwaliteit" in html
    assert 'hx-swap-oob="true">Criterium B is toegevoegd.' in html


def test_htmx_shows_criterion_errors_in_the_section(tender, inkoper):
    response = inkoper.post(
        criterion_create_url(tender),
        criterion_post(**{"criterion-max_points": "0"}),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # htmx swaps 2xx only
    html = response.content.decode()
    assert "app-error-summary" in html and "groter dan 0" in html
    assert 'href="#id_criterion-max_points"' in html


def test_htmx_deletes_a_criterion_row(tender, inkoper):
    response = inkoper.post(
        setup_urls(tender)["criterion-delete"], {"confirm": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Criterium A is verwijderd." in response.content.decode()
    assert list(Criterion.objects.values_list("code", flat=True)) == ["G"]


def test_subsegment_added_and_deleted(tender, inkoper):
    segment = tender.segments.get()
    delete_url = setup_urls(tender)["subsegment-delete"]
    url = reverse("setup-subsegment-create", args=[SLUG, segment.pk])
    response = inkoper.post(url, {"subsegment-code": "JH-DYS-A", "subsegment-name": ""})
    assert_field_error(response, "id_subsegment-code", "Subsegmentcode JH-DYS-A bestaat al")
    assert inkoper.post(url, {"subsegment-code": "JH-DYS-B"}).status_code == 302
    assert inkoper.post(delete_url, {"confirm": "1"}).status_code == 302
    assert list(segment.subsegments.values_list("code", flat=True)) == ["JH-DYS-B"]


def test_requirement_for_a_segment_and_a_duplicate_code(tender, inkoper):
    segment = tender.segments.get()
    url = setup_urls(tender)["requirement-create"]
    assert (
        f'<option value="{segment.pk}" selected>'
        in inkoper.get(f"{url}?segment={segment.pk}").content.decode()
    )
    response = inkoper.post(url, {"segment": "", "code": "JH-DYS-M1", "text": "Dubbel"})
    assert_field_error(response, "id_code", "Eiscode JH-DYS-M1 bestaat al")
    response = inkoper.post(url, {"segment": segment.pk, "code": "JH-DYS-M2", "text": "VOG"})
    assert response["Location"] == setup_urls(tender)["segment"]
    assert tender.requirements.get(code="JH-DYS-M2").segment == segment
    assert tender.requirements.get(code="JH-DYS-M2").phase == "selection"


def test_the_coverage_help_says_k_0_switches_municipal_coverage_off(tender, inkoper):
    page = inkoper.get(setup_urls(tender)["segment-create"]).content.decode()
    assert "k = 0 schakelt de dekking per gemeente uit" in page


def test_requirement_of_the_award_phase(tender, inkoper):
    url = setup_urls(tender)["requirement-create"]
    page = inkoper.get(url).content.decode()
    assert '<option value="award">Gunning</option>' in page
    data = {"segment": "", "code": "GA1", "text": "Aanvaarding conceptovereenkomst"}
    assert inkoper.post(url, {**data, "phase": "award"}).status_code == 302
    requirement = tender.requirements.get(code="GA1")
    assert requirement.phase == "award"
    edit = reverse("setup-requirement-edit", args=[SLUG, requirement.pk])
    assert '<option value="award" selected>' in inkoper.get(edit).content.decode()
    assert "Gunning" in inkoper.get(setup_urls(tender)["overview"]).content.decode()
    response = inkoper.post(edit, {**data, "phase": "later"})
    assert_field_error(response, "id_phase", "")
    # Whom it binds: the bidder only (default), or every party (issue 14, point 6).
    assert requirement.binds == "bidder"
    assert inkoper.post(edit, {**data, "phase": "award", "binds": "every_party"}).status_code == 302
    requirement.refresh_from_db()
    assert requirement.binds == "every_party"
    assert "Elke partij" in inkoper.get(setup_urls(tender)["overview"]).content.decode()


def test_deleting_a_lot_asks_first(tender, inkoper):
    urls = setup_urls(tender)
    url = urls["lot-delete"]
    page = inkoper.get(url).content.decode()
    assert "Weet u zeker" in page and "worden ook verwijderd" in page
    assert Lot.objects.filter(tender=tender).exists()
    unconfirmed = inkoper.post(url)  # a post without confirm=1 shows the question again
    assert "Weet u zeker" in unconfirmed.content.decode()
    assert Lot.objects.filter(tender=tender).exists()
    response = inkoper.post(url, {"confirm": "1"})
    assert response["Location"] == urls["overview"]
    assert not Lot.objects.filter(tender=tender).exists()


def test_editing_the_tender_keeps_the_slug(tender, region, inkoper):
    response = inkoper.post(
        setup_urls(tender)["tender"], tender_post(region, slug="andere-slug", title="Nieuwe titel")
    )
    assert response.status_code == 302
    tender.refresh_from_db()
    assert (tender.slug, tender.title) == (SLUG, "Nieuwe titel")


# -- import and export ---------------------------------------------------------------------


def test_export_downloads_a_loadable_file(tender, inkoper):
    response = inkoper.get(reverse("setup-export", args=[SLUG]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{SLUG}.json"'
    assert validate_scenario(json.loads(response.content)) == []


def test_export_of_an_incomplete_tender_says_what_is_missing(tender, inkoper):
    tender.segments.get().criteria.all().delete()
    response = inkoper.get(reverse("setup-export", args=[SLUG]), follow=True)
    assert "criteria: moet ten minste 1 element bevatten" in response.content.decode()


@pytest.mark.parametrize("role", ["voorzitter", "auditor"])
def test_export_is_for_inkopers_only(tender, client_for, role):
    assert client_for(role).get(reverse("setup-export", args=[SLUG])).status_code == 403


def upload(data, name="scenario.json"):
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, raw, content_type="application/json")


def test_import_page_loads_a_scenario(inkoper, achterhoek_data):
    response = inkoper.post(reverse("setup-import"), {"file": upload(achterhoek_data)})
    assert response.status_code == 302
    assert response["Location"] == reverse("tender-detail", args=["inkoop-2022"])


def test_import_page_lists_the_issues_with_their_json_path(inkoper, achterhoek_data):
    achterhoek_data = json.loads(json.dumps(achterhoek_data))
    achterhoek_data["tender"]["lots"][0]["segments"][0]["criteria"][0]["max_points"] = "-5"
    response = inkoper.post(reverse("setup-import"), {"file": upload(achterhoek_data)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<code>$.tender.lots[0].segments[0].criteria[0].max_points</code>" in html
    assert "groter dan 0" in html and "Er is niets geladen" in html
    assert (
        "#id_file",
        "Scenariobestand (JSON): Het scenario is niet geladen: het bestand "
        "bevat fouten (zie hieronder).",
    ) in errors_of(response)
    assert not Tender.objects.exists()


def test_import_page_replace_checkbox_maps_to_replace(inkoper, achterhoek_data, demo_tender):
    response = inkoper.post(reverse("setup-import"), {"file": upload(achterhoek_data)})
    assert_field_error(response, "id_replace", "Vervang bestaande")
    response = inkoper.post(
        reverse("setup-import"), {"file": upload(achterhoek_data), "replace": "on"}
    )
    assert response.status_code == 302
    assert Tender.objects.get(slug="inkoop-2022").pk != demo_tender.pk


def test_edit_forms_show_plain_numbers(tender, inkoper):
    urls = setup_urls(tender)
    Criterion.objects.filter(code="A").update(max_points="20.00", min_level="1")
    page = inkoper.get(urls["criterion-edit"]).content.decode()
    assert 'value="20"' in page and 'value="1"' in page and "E+" not in page
    Segment.objects.update(band="0.1")
    page = inkoper.get(urls["segment"]).content.decode()
    assert 'name="band" value="10"' in page and 'name="tariff" value="62,50"' in page


def test_set_up_pages_are_available_in_english(tender, inkoper):
    inkoper.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = inkoper.get(setup_urls(tender)["overview"]).content.decode()
    assert f"Set-up of {tender.title}" in html and "Add lot" in html
    html = inkoper.get(reverse("setup-tender-create")).content.decode()
    assert "New tender" in html and "Nieuwe aanbesteding" not in html


def test_open_house_admission_period_and_plans_on_the_set_up_screen(tender, region, inkoper):
    """Issue 14: the admission period (start, end optional) of an Open House tender and the
    plan setting are edited on the set-up screen, with Dutch errors for a bad period."""
    url = setup_urls(tender)["tender"]
    refused = inkoper.post(
        url, tender_post(region, admission_end="2030-07-01T12:00", procedure="restricted")
    )
    assert_field_error(refused, "id_admission_end", "Alleen een Open House")
    backwards = tender_post(
        region,
        procedure="open_house",
        admission_start="2030-07-01T12:00",
        admission_end="2030-06-01T12:00",
    )
    assert_field_error(inkoper.post(url, backwards), "id_admission_end", "na het begin")
    response = inkoper.post(
        url,
        tender_post(
            region, procedure="open_house", admission_start="2030-06-01T12:00", admission_end=""
        ),
    )
    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.admission_start.isoformat() == "2030-06-01T10:00:00+00:00"
    assert tender.admission_end is None  # open end
    page = inkoper.get(setup_urls(tender)["overview"]).content.decode()
    assert "open einde" in page

    inkoper.post(url, tender_post(region, plan_documents="criterion"))
    tender.refresh_from_db()
    assert (tender.plan_documents, tender.admission_start) == ("criterion", None)
