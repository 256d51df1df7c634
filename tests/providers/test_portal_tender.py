"""The portal tender page: the provider's own overview, its result per phase after the opening
(own rows only), its questions and sessions, and query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from communication.models import Question, SessionRegistration
from evaluation.models import Ranking, RankingRow
from providers.models import Organisation
from tests.tender.communication_helpers import make_session

pytestmark = pytest.mark.django_db


def url(tender):
    return reverse("portal-tender", args=[tender.slug])


def final_selection(tender):
    """A final selection ranking with a row for two bidders in the first segment."""
    segment = tender.segments.order_by("code").first()
    ranking = Ranking.objects.create(
        tender=tender, phase="selection", seed=0, status="done", is_final=True
    )
    RankingRow.objects.create(
        ranking=ranking,
        segment=segment,
        bidder_kvk="30000001",
        bidder_name="Eigen",
        position=1,
        rank=1,
        points=Decimal("87.25"),
        status="selected",
    )
    RankingRow.objects.create(
        ranking=ranking,
        segment=segment,
        bidder_kvk="30000002",
        bidder_name="Ander",
        position=2,
        rank=2,
        points=Decimal("61.40"),
        status="below_line",
    )
    return segment


def test_results_per_phase_show_own_rows_only(org_client, demo_tender):
    own = Organisation.objects.get(kvk="30000001")
    client = org_client(own)
    demo_tender.state = "selection"
    demo_tender.save(update_fields=["state"])
    segment = final_selection(demo_tender)

    html = client.get(url(demo_tender)).content.decode()

    assert "Uw resultaat per fase" in html
    assert segment.code in html
    assert "87,25" in html or "87.25" in html
    assert "Boven de streep" in html
    assert "61,40" not in html and "61.40" not in html
    assert "Onder de streep" not in html
    assert "Ander" not in html
    # The award phase has no final ranking yet.
    assert "Nog niet bekend" in html


def test_no_results_before_the_opening(org_client, open_tender):
    html = org_client().get(url(open_tender)).content.decode()
    assert "Uw resultaat per fase" not in html
    assert "UEA-verklaring" in html


def test_own_questions_and_sessions_with_cancel(org_client, open_tender):
    a, b = org_client(), org_client()
    Question.objects.create(
        tender=open_tender, organisation=a.org, text="Vraag van A", asked_at=timezone.now()
    )
    Question.objects.create(
        tender=open_tender, organisation=b.org, text="Vraag van B", asked_at=timezone.now()
    )
    session = make_session(open_tender, title="Marktconsultatie")
    registration = SessionRegistration.objects.create(
        session=session,
        organisation=a.org,
        participant_name="Deelnemer A",
        participant_email="a@example.org",
        registered_at=timezone.now(),
    )

    html = a.get(url(open_tender)).content.decode()
    assert "Vraag van A" in html and "Vraag van B" not in html
    assert "Marktconsultatie" in html
    assert "Marktconsultatie" not in b.get(url(open_tender)).content.decode()

    # B cannot cancel A's registration; A can.
    other = b.post(
        url(open_tender), {"action": "cancel_registration", "registration": registration.pk}
    )
    assert other.status_code == 404
    a.post(url(open_tender), {"action": "cancel_registration", "registration": registration.pk})
    registration.refresh_from_db()
    assert registration.cancelled_at is not None


def test_draft_tender_is_404_and_home_links_to_the_portal_page(org_client, open_tender):
    client = org_client()
    assert url(open_tender) in client.get(reverse("portal-home")).content.decode()
    open_tender.state = "draft"
    open_tender.save(update_fields=["state"])
    assert client.get(url(open_tender)).status_code == 404


def test_portal_tender_page_query_count(org_client, open_tender, django_assert_num_queries):
    client = org_client()
    for n in range(3):
        session = make_session(
            open_tender, title=f"Sessie {n}", starts_at=timezone.now() + dt.timedelta(days=5 + n)
        )
        SessionRegistration.objects.create(
            session=session,
            organisation=client.org,
            participant_name="P",
            participant_email="p@example.org",
            registered_at=timezone.now(),
        )
        Question.objects.create(
            tender=open_tender,
            organisation=client.org,
            text=f"Vraag {n}",
            asked_at=timezone.now(),
        )
    client.get(url(open_tender))
    # + submission summary (1), letters (1), contracts (2), documents (audience checks:
    # registered, invited; list)
    with django_assert_num_queries(18):
        assert client.get(url(open_tender)).status_code == 200


def test_portal_tender_page_query_count_after_opening(
    org_client, demo_tender, django_assert_num_queries
):
    client = org_client(Organisation.objects.get(kvk="30000001"))
    demo_tender.state = "selection"
    demo_tender.save(update_fields=["state"])
    final_selection(demo_tender)
    client.get(url(demo_tender))
    # + submission summary (1), letters (1), contracts (2), documents (audience checks:
    # registered, invited; list)
    with django_assert_num_queries(21):
        assert client.get(url(demo_tender)).status_code == 200
