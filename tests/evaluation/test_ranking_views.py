"""Ranking pages and API: who may see and do what, and what the pages cost in queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import number_format

from evaluation.models import Ranking
from tests.problems import field_errors

pytestmark = pytest.mark.django_db


def overview_url(phase="selection"):
    return reverse("ranking-overview", args=["inkoop-2022", phase])


def segment_url(code="JH-HSJ", phase="selection"):
    return reverse("ranking-segment", args=["inkoop-2022", phase, code])


@pytest.fixture
def computed(demo_tender, django_capture_on_commit_callbacks, client_for):
    chair = client_for("voorzitter")
    with django_capture_on_commit_callbacks(execute=True):
        response = chair.post(overview_url(), {"seed": "0"})
    assert response.status_code == 302
    return Ranking.objects.get(tender=demo_tender, phase="selection")


def test_anonymous_user_is_sent_to_login(demo_tender, client):
    for url in (
        reverse("home"),
        reverse("tender-detail", args=["inkoop-2022"]),
        overview_url(),
        segment_url(),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["beoordelaar", "aanbieder", None])
def test_non_staff_users_get_404_on_tender_and_ranking_pages(demo_tender, client_for, role):
    client = client_for(role)
    assert client.get(reverse("tender-detail", args=["inkoop-2022"])).status_code == 404
    assert client.get(overview_url()).status_code == 404
    assert client.get(segment_url()).status_code == 404
    assert "inkoop-2022" not in client.get(reverse("home")).content.decode()


def test_chair_computes_a_ranking_and_sees_the_segment_table(computed, client_for):
    client = client_for("voorzitter", "chair2")
    page = client.get(segment_url()).content.decode()
    row = computed.rows.filter(segment__code="JH-HSJ", rank=1).get()
    assert row.bidder_name in page and number_format(row.points, 2) in page  # Dutch: 81,25
    assert "Geselecteerd voor dekking" in page or "Uitgesloten" in page


def test_auditor_reads_but_cannot_compute(computed, client_for):
    client = client_for("auditor")
    assert client.get(segment_url()).status_code == 200
    assert "Ranking berekenen" not in client.get(overview_url()).content.decode()
    assert client.post(overview_url(), {"seed": "1"}).status_code == 404
    assert Ranking.objects.count() == 1


def test_bad_seed_gives_a_dutch_error_and_stores_nothing(demo_tender, client_for):
    client = client_for("voorzitter")
    response = client.post(overview_url(), {"seed": "-3"})
    assert response.status_code == 400
    assert "De seed mag niet negatief zijn." in response.content.decode()
    assert not Ranking.objects.exists()


def test_unknown_phase_is_404(demo_tender, client_for):
    assert client_for("inkoper").get(overview_url("gunning")).status_code == 404


def test_inkoper_cannot_finalise(computed, client_for):
    client = client_for("inkoper")
    url = reverse("ranking-finalise", args=["inkoop-2022", "selection", computed.pk])
    assert client.post(url).status_code == 404
    computed.refresh_from_db()
    assert not computed.is_final


def test_chair_finalises_from_the_overview(computed, client_for):
    client = client_for("voorzitter", "chair2")
    url = reverse("ranking-finalise", args=["inkoop-2022", "selection", computed.pk])
    asked = client.post(url)  # the button alone: the confirmation page, nothing finalised
    assert "De ranking wordt definitief" in asked.content.decode()
    computed.refresh_from_db()
    assert not computed.is_final
    response = client.post(url, {"confirm": "1"}, follow=True)
    assert "definitief vastgesteld" in response.content.decode()
    computed.refresh_from_db()
    assert computed.is_final


def test_main_pages_have_pinned_query_counts(computed, client_for):
    client = client_for("inkoper")
    pins = {
        # session + user + OTP device (2FA) + roles, then the page's own queries (none per row)
        reverse("home"): 6,
        reverse("tender-detail", args=["inkoop-2022"]): 10,  # + the segments' decision records
        overview_url(): 12,  # + the phase's rankings and their reopen entries in the audit log
        segment_url(): 12,  # + the lot's municipalities and those the selected dossiers serve
    }
    counts = {}
    for url in pins:
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    assert counts == pins


def test_progress_partial_stops_polling_when_done(computed, client_for):
    client = client_for("inkoper")
    url = reverse("ranking-progress", args=["inkoop-2022", "selection", computed.pk])
    html = client.get(url).content.decode()
    assert "hx-trigger" not in html and "Berekening klaar" in html


def test_api_queues_a_ranking_and_returns_it(
    demo_tender, client_for, django_capture_on_commit_callbacks
):
    client = client_for("voorzitter")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/rankings/",
            {"tender": "inkoop-2022", "phase": "award", "seed": 2},
            content_type="application/json",
        )
    assert response.status_code == 202
    ranking_id = response.json()["id"]
    detail = client.get(f"/api/v1/rankings/{ranking_id}/").json()
    assert detail["status"] == "done" and detail["result"]["phase"] == "award"


def test_api_refuses_bad_input_with_field_errors(demo_tender, client_for):
    client = client_for("voorzitter")
    response = client.post(
        "/api/v1/rankings/",
        {"tender": "inkoop-2022", "phase": "gunning"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "phase" in field_errors(response)


@pytest.mark.parametrize("role", ["beoordelaar", "aanbieder"])
def test_api_hides_tenders_and_rankings_from_non_staff(computed, client_for, role):
    client = client_for(role)
    assert client.get("/api/v1/tenders/").json()["results"] == []
    assert client.get("/api/v1/tenders/inkoop-2022/").status_code == 404
    assert client.get(f"/api/v1/rankings/{computed.pk}/").status_code == 404
    response = client.post(
        "/api/v1/rankings/",
        {"tender": "inkoop-2022", "phase": "award"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_api_tender_detail_lists_lots_and_segments(demo_tender, client_for):
    data = client_for("auditor").get("/api/v1/tenders/inkoop-2022/").json()
    assert [lot["code"] for lot in data["lots"]] == ["JH", "WMO", "BW"]
    assert len(data["lots"][0]["municipalities"]) == 8


def test_openapi_schema_is_served(client_for):
    response = client_for("inkoper").get("/api/schema/")
    assert response.status_code == 200 and b"/api/v1/rankings/" in response.content
