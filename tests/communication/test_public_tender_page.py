"""The public tender page shows the tender itself: every lot with its municipalities and
funding, every segment with X, every criterion with its weight; in a fixed number of queries;
with a link to the public OCDS ``tender`` release."""

import datetime as dt
import json

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.dutch_numbers import level, number
from communication.models import KeyDate, NewsItem, TenderDocument
from tender.constants import TenderState
from tender.models import Criterion, Lot, Segment, Tender
from tests.tender.communication_helpers import build_tender, make_session

pytestmark = pytest.mark.django_db

#: The public tender page's queries, however many lots, segments, criteria, documents and
#: sessions the tender holds: the tender, lots, municipalities, segments, criteria, segment
#: requirements, tender requirements, documents, news, sessions with their lots and segments,
#: key dates and notas (and their questions once one is published), the decision records of
#: provisional segments (issue 15.1).
PAGE_QUERIES = 15


def publish(tender: Tender) -> Tender:
    """The tender on the public site, with a session for its first lot, a news item, a key
    date and a public document (so every list of the page has a row to prefetch for)."""
    Tender.objects.filter(pk=tender.pk).update(state=TenderState.PUBLISHED)
    tender.refresh_from_db()
    make_session(tender).lots.add(tender.lots.first())
    NewsItem.objects.create(tender=tender, title="Start", body="Tekst", published_at=timezone.now())
    KeyDate.objects.create(tender=tender, label="Gunning", date=dt.date(2099, 10, 1))
    document = TenderDocument(tender=tender, kind="document", title="Visie", audience="public")
    document.file.save("visie.pdf", ContentFile(b"%PDF-1.4 visie"), save=True)
    return tender


def page_of(client, tender):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("public-tender", args=[tender.slug]))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_public_page_shows_every_lot_segment_x_criterion_and_weight(client, demo_tender):
    tender = publish(demo_tender)
    html, queries = page_of(client, tender)

    lots = Lot.objects.filter(tender=tender).prefetch_related("municipalities")
    assert lots.exists()
    for lot in lots:
        assert f"Perceel {lot.code}: {lot.name}" in html
        assert lot.get_funding_display() in html
        for municipality in lot.municipalities.all():
            assert municipality.name in html
    for segment in Segment.objects.filter(tender=tender):
        heading = f"Segment {segment.code}: {segment.name}"
        assert heading in html
        section = html[html.index(heading) :]
        assert f"<dt>Plaatsen (X)</dt><dd>{segment.places}</dd>" in section
    criteria = Criterion.objects.filter(segment__tender=tender).select_related("segment")
    assert criteria.exists()
    for criterion in criteria:
        segment_part = html[html.index(f"Segment {criterion.segment.code}:") :]
        row = segment_part[segment_part.index(f"{criterion.code} {criterion.name}") :]
        row = row[: row.index("</tr>")]
        assert number(criterion.max_points) in row
        if criterion.min_level is not None:
            assert level(criterion.min_level) in row
    assert reverse("public-tender-ocds", args=[tender.slug]) in html
    assert queries == PAGE_QUERIES


def test_the_page_reads_as_many_queries_for_a_small_tender(client):
    _html, queries = page_of(client, publish(build_tender(slug="klein-2030", state="draft")))
    assert queries == PAGE_QUERIES


def test_the_public_ocds_release_is_the_tender_without_bids(client, demo_tender):
    tender = publish(demo_tender)
    response = client.get(reverse("public-tender-ocds", args=[tender.slug]))
    assert response.status_code == 200
    release = json.loads(response.content)["releases"][0]
    assert release["tag"] == ["tender"]
    assert sorted(item["id"] for item in release["tender"]["items"]) == sorted(
        Segment.objects.filter(tender=tender).values_list("code", flat=True)
    )
    assert "tenderers" not in release["tender"] or release["tender"]["tenderers"] == []
    assert "awards" not in release or release["awards"] == []


def test_a_draft_has_no_public_ocds_release(client, demo_tender):
    assert demo_tender.state == TenderState.DRAFT
    response = client.get(reverse("public-tender-ocds", args=[demo_tender.slug]))
    assert response.status_code == 404


def test_an_anonymous_visitor_finds_the_public_tenders_from_the_login_page(client):
    """'/' asks an anonymous visitor to log in; the header leads to the public tender list,
    which shows a published tender."""
    tender = build_tender(slug="zichtbaar", state=TenderState.PUBLISHED)
    login_page = client.get(reverse("home"), follow=True).content.decode()
    assert f'href="{reverse("public-tenders")}"' in login_page
    public = client.get(reverse("public-tenders")).content.decode()
    assert reverse("public-tender", args=[tender.slug]) in public
