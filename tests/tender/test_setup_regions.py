"""Regions in the browser and the API: an inkoper sets up Achterhoek with its eight
municipalities and then a tender in it; every bad input is explained in Dutch and stores
nothing; only an inkoper may manage regions."""

import json

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from tender.errors import ApplicationError
from tender.models import Municipality, Region, Tender
from tender.services import setup
from tests.problems import field_errors

from .setup_helpers import CODES, build_tender, make_region
from .test_setup_views import assert_field_error, errors_of, tender_post

pytestmark = pytest.mark.django_db

API = "/api/v1/setup/regions"

ACHTERHOEK = [
    ("GM0197", "Aalten"),
    ("GM1859", "Berkelland"),
    ("GM1876", "Bronckhorst"),
    ("GM0222", "Doetinchem"),
    ("GM1955", "Montferland"),
    ("GM1586", "Oost Gelre"),
    ("GM1509", "Oude IJsselstreek"),
    ("GM0294", "Winterswijk"),
]
ACHTERHOEK_TEXT = "\n".join(f"{code} {name}" for code, name in ACHTERHOEK)


@pytest.fixture
def inkoper(client_for):
    return client_for("inkoper")


def region_post(**changes):
    return {
        "code": "achterhoek",
        "name": "Sociaal Domein Achterhoek",
        "municipalities": ACHTERHOEK_TEXT,
        **changes,
    }


def stored():
    return Region.objects.count(), Municipality.objects.count()


# -- the whole flow in the browser ----------------------------------------------------------


def test_inkoper_creates_achterhoek_and_then_a_tender_in_it(inkoper):
    create_page = inkoper.get(reverse("setup-tender-create")).content.decode()
    assert "Regio ontbreekt?" in create_page
    assert reverse("setup-region-create") in create_page

    page = inkoper.get(reverse("setup-region-create"))
    assert page.status_code == 200 and page.content.decode().count("<h1") == 1
    assert 'for="id_municipalities"' in page.content.decode()

    response = inkoper.post(reverse("setup-region-create"), region_post())
    assert response.status_code == 302 and response["Location"] == reverse("setup-regions")
    region = Region.objects.get(code="achterhoek")
    assert region.name == "Sociaal Domein Achterhoek"
    assert sorted(region.municipalities.values_list("code", "name")) == sorted(ACHTERHOEK)
    entry = AuditEntry.objects.get(action="setup.region_create")
    assert entry.actor == inkoper.user and len(entry.details["municipalities"]) == 8

    listing = inkoper.get(reverse("setup-regions")).content.decode()
    assert "Sociaal Domein Achterhoek" in listing and "Oude IJsselstreek" in listing

    response = inkoper.post(reverse("setup-tender-create"), tender_post(region))
    assert response.status_code == 302
    tender = Tender.objects.get(slug="nieuw-2027")
    assert tender.region == region
    response = inkoper.post(
        reverse("setup-lot-create", args=[tender.slug]),
        {"code": "JH", "name": "Jeugdhulp", "funding": "lumpsum", "municipalities": ["GM0197"]},
    )
    assert response.status_code == 302 and tender.lots.get().municipalities.count() == 1


def test_edit_page_shows_the_lines_and_saves_changes(inkoper):
    region = make_region()
    url = reverse("setup-region-edit", args=[region.code])
    page = inkoper.get(url).content.decode()
    assert f"{CODES[0]} Gemeente 000" in page and 'name="code"' not in page
    lines = "\n".join(f"{c} Gemeente {c[-3:]}" for c in CODES) + "\nGM0197 Aalten"
    response = inkoper.post(url, {"name": "Nieuwe naam", "municipalities": lines})
    assert response.status_code == 302
    region.refresh_from_db()
    assert region.name == "Nieuwe naam" and region.municipalities.count() == 6
    assert AuditEntry.objects.filter(action="setup.region_update").exists()


def test_an_existing_municipality_is_reused(inkoper):
    make_region(code="andere", name="Andere", codes=["GM0197"])
    Municipality.objects.filter(code="GM0197").update(name="Aalten")
    response = inkoper.post(reverse("setup-region-create"), region_post())
    assert response.status_code == 302
    assert Municipality.objects.filter(code="GM0197").count() == 1
    assert Region.objects.get(code="achterhoek").municipalities.count() == 8


# -- bad input: a Dutch message, nothing stored ---------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field_id", "text"),
    [
        (
            {"municipalities": "GM0197 Aalten\nGM1859 Berkelland\nGM97 Aalten"},
            "id_municipalities",
            "Regel 3: &#x27;GM97 Aalten&#x27; is geen geldige CBS-code "
            "(GM gevolgd door 4 cijfers).",
        ),
        (
            {"municipalities": "GM0197 Aalten\n\nGM0197 Aalten"},
            "id_municipalities",
            "Regel 3: GM0197 staat al op regel 1.",
        ),
        ({"municipalities": "GM0197"}, "id_municipalities", "Regel 1: vul na GM0197 de naam"),
        ({"municipalities": "  \n "}, "id_municipalities", "Geef ten minste één gemeente op"),
        ({"code": "Achter Hoek"}, "id_code", "kleine letters"),
        ({"code": "testregio"}, "id_code", "Regiocode testregio is al in gebruik."),
        ({"name": ""}, "id_name", "Vul een naam in."),
    ],
)
def test_bad_region_input_is_explained_on_the_field(inkoper, changes, field_id, text):
    make_region()
    before = stored()
    response = inkoper.post(reverse("setup-region-create"), region_post(**changes))
    assert_field_error(response, field_id, text)
    assert response.content.decode().count("<h1") == 1
    assert stored() == before
    assert not AuditEntry.objects.filter(action="setup.region_create").exists()


def test_every_bad_line_is_listed(inkoper):
    lines = "GM97 Aalten\nGM0222 Doetinchem\nXX1234 Foo\nGM0222 Doetinchem"
    response = inkoper.post(reverse("setup-region-create"), region_post(municipalities=lines))
    texts = [label for _href, label in errors_of(response)]
    assert [t.split(":")[1].strip() for t in texts] == ["Regel 1", "Regel 3", "Regel 4"]


def test_a_name_that_differs_from_the_existing_municipality_is_refused(inkoper):
    make_region(codes=["GM0197"])  # stored as "Gemeente 197"
    before = stored()
    response = inkoper.post(reverse("setup-region-create"), region_post())
    assert_field_error(
        response,
        "id_municipalities",
        "Gemeente GM0197 bestaat al met de naam &#x27;Gemeente 197&#x27;, niet &#x27;Aalten&#x27;",
    )
    assert stored() == before
    with pytest.raises(ApplicationError) as exc:
        setup.region_create(
            code="achterhoek", name="Achterhoek", municipalities=ACHTERHOEK, user=inkoper.user
        )
    assert exc.value.field == "municipalities" and "Gemeente 197" in exc.value.message
    assert stored() == before


def test_removing_a_municipality_a_lot_uses_is_refused(inkoper, make_user):
    region = make_region()
    build_tender(make_user("bouwer", "inkoper"), region)  # lot JH uses CODES[:3]
    url = reverse("setup-region-edit", args=[region.code])
    lines = "\n".join(f"{c} Gemeente {c[-3:]}" for c in CODES[1:])
    response = inkoper.post(url, {"name": region.name, "municipalities": lines})
    assert_field_error(response, "id_municipalities", "perceel JH (Jeugdhulp)")
    assert region.municipalities.count() == 5
    # a municipality no lot uses may go
    lines = "\n".join(f"{c} Gemeente {c[-3:]}" for c in CODES[:4])
    assert inkoper.post(url, {"name": region.name, "municipalities": lines}).status_code == 302
    assert region.municipalities.count() == 4


def test_the_service_refuses_bad_input_as_well(inkoper):
    user = inkoper.user
    cases = [
        ({"municipalities": []}, "municipalities", "ten minste één"),
        ({"municipalities": [("GM97", "Aalten")]}, "municipalities", "geen geldige CBS-code"),
        (
            {"municipalities": [("GM0197", "Aalten"), ("GM0197", "Aalten")]},
            "municipalities",
            "meer dan eens",
        ),
        ({"code": "Achter Hoek"}, "code", "kleine letters"),
    ]
    for changes, field, text in cases:
        data = {"code": "achterhoek", "name": "Achterhoek", "municipalities": ACHTERHOEK}
        with pytest.raises(ApplicationError) as exc:
            setup.region_create(user=user, **{**data, **changes})
        assert exc.value.field == field and text in exc.value.message
    assert stored() == (0, 0)


# -- who may manage regions -----------------------------------------------------------------


def region_urls():
    region = Region.objects.get()
    return [
        reverse("setup-regions"),
        reverse("setup-region-create"),
        reverse("setup-region-edit", args=[region.code]),
    ]


@pytest.mark.parametrize("role", ["voorzitter", "auditor", "contractmanager"])
def test_other_staff_are_refused_with_a_reason(client_for, role):
    make_region()
    client = client_for(role)
    for url in region_urls():
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Alleen een inkoper" in response.content.decode()
    response = client.post(reverse("setup-region-create"), region_post())
    assert response.status_code == 403 and stored() == (1, 5)
    assert "Regio&#x27;s" not in client.get(reverse("home")).content.decode()
    with pytest.raises(ApplicationError):
        setup.region_create(
            code="achterhoek", name="A", municipalities=ACHTERHOEK, user=client.user
        )


@pytest.mark.parametrize("role", ["beoordelaar", "aanbieder", None])
def test_non_staff_get_404(client_for, role):
    make_region()
    client = client_for(role)
    for url in region_urls():
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("setup-region-create"), region_post()).status_code == 404
    assert stored() == (1, 5)


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("setup-regions"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_inkoper_sees_the_link_on_the_tender_list(inkoper):
    home = inkoper.get(reverse("home")).content.decode()
    assert reverse("setup-regions") in home


# -- API ------------------------------------------------------------------------------------


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def api_payload(**changes):
    return {
        "code": "achterhoek",
        "name": "Sociaal Domein Achterhoek",
        "municipalities": [{"code": c, "name": n} for c, n in ACHTERHOEK],
        **changes,
    }


def test_api_create_list_and_update(inkoper):
    response = post(inkoper, f"{API}/", api_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "achterhoek" and len(body["municipalities"]) == 8
    assert {"code": "GM0197", "name": "Aalten"} in body["municipalities"]
    assert inkoper.get(f"{API}/").json()["count"] == 1
    response = patch(inkoper, f"{API}/achterhoek/", {"name": "Achterhoek"})
    assert response.status_code == 200 and response.json()["name"] == "Achterhoek"
    assert len(response.json()["municipalities"]) == 8
    response = patch(inkoper, f"{API}/achterhoek/", {"code": "anders"})
    assert response.status_code == 400 and "code" in field_errors(response)


def test_api_bad_input_is_a_400_with_field_errors(inkoper):
    make_region()
    before = stored()
    payload = api_payload(
        code="testregio",
        municipalities=[{"code": "GM97", "name": "Aalten"}, {"code": "GM0197", "name": ""}],
    )
    response = post(inkoper, f"{API}/", payload)
    assert response.status_code == 400
    errors = field_errors(response)
    assert "al in gebruik" in errors["code"][0]
    assert any("geen geldige CBS-code" in m for m in errors["municipalities"])
    assert any("naam van gemeente GM0197" in m for m in errors["municipalities"])
    response = post(inkoper, f"{API}/", api_payload(municipalities=[]))
    assert (
        response.status_code == 400
        and "ten minste één" in field_errors(response)["municipalities"][0]
    )
    assert stored() == before


def test_api_refuses_removing_a_municipality_in_use(inkoper, make_user):
    region = make_region()
    build_tender(make_user("bouwer", "inkoper"), region)
    payload = {"municipalities": [{"code": c, "name": f"Gemeente {c[-3:]}"} for c in CODES[1:]]}
    response = patch(inkoper, f"{API}/{region.code}/", payload)
    assert response.status_code == 400
    assert "perceel JH" in field_errors(response)["municipalities"][0]
    assert region.municipalities.count() == 5


def test_api_permissions(client_for):
    make_region()
    for role, write_status in (("voorzitter", 403), ("auditor", 403), ("beoordelaar", 404)):
        client = client_for(role, f"api-{role}")
        assert post(client, f"{API}/", api_payload()).status_code == write_status, role
        assert patch(client, f"{API}/testregio/", {"name": "X"}).status_code in (403, 404)
    assert client_for("aanbieder", "api-aanbieder").get(f"{API}/").json()["count"] == 0
    assert stored() == (1, 5)
