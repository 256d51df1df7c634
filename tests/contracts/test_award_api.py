"""The award decision API: the same rules as the screens."""

import pytest

from contracts.award_models import AwardLetter, Objection
from contracts.services.awards import decision_send
from providers.models import OrganisationMembership
from tests.contracts.award_support import inkoper, make_letters
from tests.problems import field_errors

pytestmark = pytest.mark.django_db
API = "/api/v1/"


def test_staff_make_send_object_and_finalise_through_the_api(
    award_tender, fast_pdf, client_for, django_capture_on_commit_callbacks
):
    tender = award_tender
    client = client_for("inkoper")
    base = f"{API}tenders/{tender.slug}/award/"
    decision = client.get(base).json()
    assert [p["phase"] for p in decision["phases"]] == ["selection", "award"]
    assert decision["phases"][1]["bidders"] == 20 and decision["segments"]

    for phase in ("selection", "award"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{base}letters/{phase}/generate/")
        assert response.status_code == 202 and response.json()["total"] > 0
        assert client.post(f"{base}send/{phase}/").status_code == 204
    assert field_errors(client.post(f"{base}send/award/")) == {
        "transition": [
            "'Gunningsbeslissing versturen' kan niet in de status 'Opschortende termijn'."
        ]
    }
    letter = AwardLetter.objects.filter(phase="award").first()
    bad = client.post(
        f"{base}objections/",
        {"segment": "NOPE", "bidder_kvk": letter.bidder.kvk, "kind": "bezwaar"},
    )
    assert bad.status_code == 400 and "segment" in field_errors(bad)
    segment = tender.segments.filter(standstill__isnull=False).first()
    created = client.post(
        f"{base}objections/",
        {"segment": segment.code, "bidder_kvk": letter.bidder.kvk, "kind": "kort_geding"},
    )
    assert created.status_code == 201
    result = client.post(f"{base}finalise/").json()
    assert result["finalised"] == [] and segment.code in result["refused"]
    assert not result["tender_awarded"]
    resolved = client.post(
        f"{base}objections/{Objection.objects.get().pk}/resolve/",
        {"result": "withdrawn", "outcome": "Ingetrokken"},
    )
    assert resolved.status_code == 200 and resolved.json()["resolved_at"]


def test_a_provider_lists_and_downloads_only_its_own_sent_letters(
    award_tender, fast_pdf, client_for, django_capture_on_commit_callbacks
):
    tender = award_tender
    make_letters(tender, "selection", django_capture_on_commit_callbacks)
    decision_send(tender=tender, phase="selection", user=inkoper())
    mine, other = list(AwardLetter.objects.order_by("bidder__kvk")[:2])
    client = client_for("aanbieder")
    OrganisationMembership.objects.create(user=client.user, organisation=mine.bidder)

    listed = client.get(f"{API}award-letters/").json()
    assert [row["reference"] for row in listed["results"]] == [mine.reference]
    assert client.get(f"{API}award-letters/{mine.pk}/pdf/").status_code == 200
    assert client.get(f"{API}award-letters/{other.pk}/").status_code == 404
    assert client.get(f"{API}award-letters/{other.pk}/pdf/").status_code == 404
    assert client.get(f"{API}tenders/{tender.slug}/award/").status_code == 404


def test_read_only_staff_cannot_act(award_tender, client_for):
    client = client_for("contractmanager")
    base = f"{API}tenders/{award_tender.slug}/award/"
    assert client.get(base).status_code == 200
    assert client.post(f"{base}letters/award/generate/").status_code == 404
    assert client.post(f"{base}finalise/").status_code == 404
