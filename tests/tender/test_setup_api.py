"""Set-up API (/api/v1/setup/...): field errors as 400, the same permission rules as the
screens for every endpoint, filtering and pagination, import and export."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from tender.constants import TenderState
from tender.models import Criterion, Lot, Requirement, Segment, SubSegment, Tender
from tender.scenario import validate_scenario
from tests.problems import field_errors, problem

from .setup_helpers import CODES, build_tender, make_region

pytestmark = pytest.mark.django_db

API = "/api/v1/setup"
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


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def new_payloads(tender, region):
    """One valid create payload per endpoint."""
    return {
        "tenders": {
            "slug": "nieuw-2027",
            "title": "Nieuw",
            "region": region.code,
            "deadline": "2030-06-01T12:00:00+02:00",
        },
        "lots": {"tender": SLUG, "code": "WMO", "name": "Wmo", "municipalities": CODES},
        "segments": {"tender": SLUG, "lot": "JH", "code": "JH-NEW", "name": "Nieuw", "places": 2},
        "subsegments": {"tender": SLUG, "segment": "JH-DYS", "code": "JH-DYS-B", "name": ""},
        "requirements": {"tender": SLUG, "code": "AM2", "text": "Certificaat"},
        "criteria": {
            "tender": SLUG,
            "segment": "JH-DYS",
            "code": "B",
            "name": "Kwaliteit",
            "phase": "selection",
            "max_points": "20",
        },
    }


def detail_urls(tender):
    segment = tender.segments.get()
    return {
        "tenders": f"{API}/tenders/{SLUG}/",
        "lots": f"{API}/lots/{tender.lots.get().pk}/",
        "segments": f"{API}/segments/{segment.pk}/",
        "subsegments": f"{API}/subsegments/{segment.subsegments.get().pk}/",
        "requirements": f"{API}/requirements/{tender.requirements.get(code='AM1').pk}/",
        "criteria": f"{API}/criteria/{segment.criteria.get(code='A').pk}/",
    }


# -- writing -------------------------------------------------------------------------------


def test_inkoper_creates_everything_through_the_api(tender, region, inkoper):
    for endpoint, payload in new_payloads(tender, region).items():
        response = post(inkoper, f"{API}/{endpoint}/", payload)
        assert response.status_code == 201, (endpoint, response.json())
    assert Tender.objects.get(slug="nieuw-2027").state == TenderState.DRAFT
    assert (
        sorted(Lot.objects.get(code="WMO").municipalities.values_list("code", flat=True)) == CODES
    )
    assert Criterion.objects.get(code="B").segment.code == "JH-DYS"
    assert Requirement.objects.get(code="AM2").segment is None
    created = AuditEntry.objects.filter(actor=inkoper.user, action__endswith="_create").count()
    assert created == 6


def test_patch_merges_into_the_current_values(tender, inkoper):
    urls = detail_urls(tender)
    response = patch(inkoper, urls["segments"], {"places": 3, "band": "0.10"})
    assert response.status_code == 200, response.json()
    segment = Segment.objects.get(code="JH-DYS")
    assert (segment.places, segment.band, segment.tariff) == (3, Decimal("0.1"), Decimal("62.5"))
    response = patch(inkoper, urls["lots"], {"municipalities": CODES[:2]})
    assert response.json()["municipalities"] == CODES[:2]
    response = patch(inkoper, urls["tenders"], {"title": "Andere titel"})
    assert response.json()["title"] == "Andere titel"


def test_requirement_phase_is_written_kept_on_patch_and_checked(tender, inkoper):
    urls = detail_urls(tender)
    assert inkoper.get(urls["requirements"]).json()["phase"] == "selection"
    response = patch(inkoper, urls["requirements"], {"phase": "award"})
    assert response.status_code == 200, response.json()
    response = patch(inkoper, urls["requirements"], {"text": "Nieuwe tekst"})
    assert response.json()["phase"] == "award"
    assert Requirement.objects.get(code="AM1").phase == "award"
    assert patch(inkoper, urls["requirements"], {"phase": "later"}).status_code == 400


def test_delete_through_the_api(tender, inkoper):
    urls = detail_urls(tender)
    for endpoint in ("criteria", "subsegments", "requirements", "segments", "lots"):
        assert inkoper.delete(urls[endpoint]).status_code == 204, endpoint
    assert not Lot.objects.exists() and not Segment.objects.exists()
    assert inkoper.delete(urls["tenders"]).status_code == 405  # tenders are never deleted


@pytest.mark.parametrize(
    ("endpoint", "changes", "field", "text"),
    [
        ("criteria", {"max_points": "0"}, "max_points", "groter dan 0"),
        ("criteria", {"max_points": "-5"}, "max_points", "groter dan 0"),
        ("criteria", {"min_level": "1.5"}, "min_level", "tussen 0 en 1"),
        ("criteria", {"code": "A"}, "code", "Criteriumcode A bestaat al"),
        ("criteria", {"segment": "NOPE"}, "segment", "bestaat niet"),
        ("segments", {"places": 0}, "places", "ten minste 1"),
        ("segments", {"award_places": 0}, "award_places", "ten minste 1"),
        ("segments", {"code": "JH-DYS"}, "code", "Segmentcode JH-DYS bestaat al"),
        ("segments", {"band": "1"}, "band", "fractie van 0 tot 1"),
        ("segments", {"lot": "NOPE"}, "lot", "Perceel NOPE bestaat niet"),
        ("lots", {"code": "JH"}, "code", "Perceelcode JH bestaat al"),
        ("lots", {"municipalities": ["GM0363"]}, "municipalities", "hoort niet bij regio"),
        ("lots", {"municipalities": []}, "municipalities", "ten minste één"),
        ("requirements", {"code": "JH-DYS-M1"}, "code", "Eiscode JH-DYS-M1 bestaat al"),
        ("subsegments", {"code": "JH-DYS-A"}, "code", "Subsegmentcode JH-DYS-A bestaat al"),
        ("tenders", {"slug": SLUG}, "slug", "al in gebruik"),
        ("tenders", {"slug": "Geen Slug"}, "slug", "kleine letters"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(
    tender, region, inkoper, endpoint, changes, field, text
):
    before = AuditEntry.objects.count()
    payload = {**new_payloads(tender, region)[endpoint], **changes}
    response = post(inkoper, f"{API}/{endpoint}/", payload)
    assert response.status_code == 400
    errors = field_errors(response)
    assert any(text in message for message in errors[field]), errors
    assert AuditEntry.objects.count() == before


def test_all_problems_come_back_at_once(tender, region, inkoper):
    payload = {**new_payloads(tender, region)["segments"], "places": 0, "band": "2", "code": ""}
    errors = field_errors(post(inkoper, f"{API}/segments/", payload))
    assert set(errors) == {"places", "band", "code"}


def test_the_slug_and_a_criterions_segment_cannot_change(tender, inkoper):
    urls = detail_urls(tender)
    assert patch(inkoper, urls["tenders"], {"slug": "anders"}).status_code == 400
    response = patch(inkoper, urls["criteria"], {"segment": "ANDER"})
    assert response.status_code == 400 and "segment" in field_errors(response)


def test_create_needs_the_tender(inkoper, tender):
    response = post(inkoper, f"{API}/lots/", {"code": "X", "name": "X", "municipalities": CODES})
    assert response.status_code == 400 and "tender" in field_errors(response)


# -- permissions per role for every endpoint -------------------------------------------------


@pytest.mark.parametrize("role", ["voorzitter", "auditor"])
def test_staff_without_the_inkoper_role_read_but_cannot_write(tender, region, client_for, role):
    client = client_for(role)
    payloads = new_payloads(tender, region)
    for endpoint, url in detail_urls(tender).items():
        assert client.get(f"{API}/{endpoint}/?tender={SLUG}").json()["count"] >= 1, endpoint
        assert client.get(url).status_code == 200, endpoint
        assert post(client, f"{API}/{endpoint}/", payloads[endpoint]).status_code == 403
        assert patch(client, url, {"name": "X"}).status_code == 403, endpoint
        if endpoint != "tenders":
            assert client.delete(url).status_code == 403, endpoint
    assert client.get(f"{API}/tenders/{SLUG}/export/").status_code == 403
    upload = SimpleUploadedFile("s.json", b"{}", content_type="application/json")
    assert client.post(f"{API}/import/", {"file": upload}).status_code == 403
    assert Lot.objects.count() == 1 and Tender.objects.count() == 1


@pytest.mark.parametrize("role", ["beoordelaar", "aanbieder", None])
def test_non_staff_get_empty_lists_and_404s(tender, region, client_for, role):
    client = client_for(role)
    payloads = new_payloads(tender, region)
    for endpoint, url in detail_urls(tender).items():
        listing = client.get(f"{API}/{endpoint}/")
        assert listing.status_code == 200 and listing.json()["results"] == [], endpoint
        assert client.get(url).status_code == 404, endpoint
        assert post(client, f"{API}/{endpoint}/", payloads[endpoint]).status_code == 404, endpoint
        assert patch(client, url, {"name": "X"}).status_code == 404, endpoint
    assert client.get(f"{API}/tenders/{SLUG}/export/").status_code == 404
    assert post(client, f"{API}/import/", {}).status_code == 404


def test_anonymous_requests_are_refused(tender, client):
    assert client.get(f"{API}/lots/").status_code in (401, 403)
    assert post(client, f"{API}/tenders/", {}).status_code in (401, 403)


def test_writes_are_refused_once_the_set_up_is_frozen(tender, inkoper):
    Tender.objects.filter(pk=tender.pk).update(state=TenderState.REQUESTS_OPEN)
    response = patch(inkoper, detail_urls(tender)["segments"], {"places": 5})
    assert response.status_code == 403
    assert "ligt vast" in response.json()["detail"]
    assert Segment.objects.get().places == 2


# -- filtering and pagination --------------------------------------------------------------


def test_lists_filter_on_tender_and_parent(tender, region, inkoper, make_user):
    build_tender(make_user("ander", "inkoper"), region, slug="ander-2027")
    assert inkoper.get(f"{API}/lots/").json()["count"] == 2
    assert inkoper.get(f"{API}/lots/?tender={SLUG}").json()["count"] == 1
    data = inkoper.get(f"{API}/criteria/?tender={SLUG}&segment=JH-DYS&phase=award").json()
    assert [c["code"] for c in data["results"]] == ["G"]
    data = inkoper.get(f"{API}/requirements/?tender={SLUG}&segment=JH-DYS").json()
    assert [r["code"] for r in data["results"]] == ["JH-DYS-M1"]
    assert inkoper.get(f"{API}/tenders/?state=published").json()["count"] == 0


def test_lists_are_paginated(tender, inkoper):
    segment = tender.segments.get()
    for i in range(60):
        Criterion.objects.create(
            segment=segment, code=f"X{i}", name="X", phase="award", max_points=1, position=10 + i
        )
    first = inkoper.get(f"{API}/criteria/?tender={SLUG}").json()
    assert first["count"] == 62 and len(first["results"]) == 50 and first["next"]


# -- import and export ---------------------------------------------------------------------


def test_export_returns_a_loadable_scenario(tender, inkoper):
    response = inkoper.get(f"{API}/tenders/{SLUG}/export/")
    assert response.status_code == 200
    assert validate_scenario(response.json()) == []


def test_export_of_an_incomplete_tender_is_a_409_with_issues(tender, inkoper):
    Criterion.objects.all().delete()
    response = inkoper.get(f"{API}/tenders/{SLUG}/export/")
    assert response.status_code == 409
    assert response.json()["issues"][0]["path"] == "$.tender.lots[0].segments[0].criteria"


def test_import_a_json_body(inkoper, achterhoek_data):
    response = post(inkoper, f"{API}/import/", achterhoek_data)
    assert response.status_code == 201 and response.json()["slug"] == "inkoop-2022"
    again = post(inkoper, f"{API}/import/", achterhoek_data)
    assert again.status_code == 400 and "replace" in field_errors(again)
    replaced = inkoper.post(
        f"{API}/import/?replace=true", json.dumps(achterhoek_data), content_type="application/json"
    )
    assert replaced.status_code == 201


def test_import_errors_name_their_json_path_and_nothing_is_stored(inkoper, achterhoek_data):
    body = json.dumps(achterhoek_data).replace('"max_points": "20"', '"max_points": "0"', 1)
    response = inkoper.post(f"{API}/import/", body, content_type="application/json")
    assert response.status_code == 400
    issues = problem(response)["invalid_params"]
    assert issues[0]["name"].endswith(".max_points") and "groter dan 0" in issues[0]["reason"]
    assert not Tender.objects.exists()


def test_import_refuses_duplicate_keys_like_load_scenario(inkoper):
    response = inkoper.post(
        f"{API}/import/", '{"format": "a", "format": "b"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "komt twee keer voor" in problem(response)["invalid_params"][0]["reason"]


def test_import_a_multipart_file(inkoper, achterhoek_data):
    upload = SimpleUploadedFile("s.json", json.dumps(achterhoek_data).encode())
    response = inkoper.post(f"{API}/import/", {"file": upload, "replace": "false"})
    assert response.status_code == 201
    assert SubSegment.objects.count() == 0 and Tender.objects.count() == 1
