"""The award decision page for staff and the letters in the provider portal."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from contracts import award_views
from contracts.award_models import AwardLetter, Objection, SegmentStandstill
from contracts.award_selectors import latest_letters
from providers.models import OrganisationMembership
from tests.contracts.award_support import make_letters

pytestmark = pytest.mark.django_db


def url(tender, name="award-decision", **kwargs):
    return reverse(name, kwargs={"slug": tender.slug, **kwargs})


def test_staff_go_from_the_final_ranking_to_letters_standstill_and_final_award(
    award_tender, fast_pdf, client_for, django_capture_on_commit_callbacks, mailoutbox, make_user
):
    tender = award_tender
    bidder_user = make_user("zorg", "aanbieder", email="zorg@example.org")
    letter_bidder = tender.submissions.order_by("bidder__kvk").first().bidder
    OrganisationMembership.objects.create(user=bidder_user, organisation=letter_bidder)
    client = client_for("inkoper")

    detail = client.get(reverse("tender-detail", args=[tender.slug]))
    assert url(tender) in detail.content.decode()
    page = client.get(url(tender))
    assert page.status_code == 200
    assert "Brieven maken (32)" in page.content.decode()

    for phase in ("selection", "award"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url(tender, "award-letters-generate", phase=phase))
        assert response.status_code == 302
        asked = client.post(url(tender, "award-decision-send", phase=phase))
        assert "de opschortende termijn begint" in asked.content.decode()  # asks, sends nothing
        assert not AwardLetter.objects.filter(sent_at__isnull=False, phase=phase).exists()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url(tender, "award-decision-send", phase=phase), {"confirm": "1"})
    tender.refresh_from_db()
    assert tender.state == "standstill"
    assert AwardLetter.objects.filter(sent_at__isnull=False).count() == 52
    # One mail per letter to each address of the organisation (its contact and its user).
    sent_to_it = AwardLetter.objects.filter(bidder=letter_bidder).count()
    assert sent_to_it >= 1
    to_user = [m for m in mailoutbox if m.to == ["zorg@example.org"]]
    assert len(to_user) == sent_to_it
    assert reverse("portal-letters") in to_user[0].body
    assert not AwardLetter.objects.filter(deliveries__isnull=True).exists()

    run = tender.letter_runs.first()
    progress = client.get(url(tender, "award-progress", pk=run.pk))
    assert "Brieven klaar: 20 van 20" in progress.content.decode()
    assert "hx-get" not in progress.content.decode()
    letter = AwardLetter.objects.filter(phase="award").first()
    download = client.get(url(tender, "award-letter", pk=letter.pk))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"

    segment = SegmentStandstill.objects.filter(segment__tender=tender).first().segment
    response = client.post(
        url(tender, "award-objection"),
        {"segment": segment.pk, "bidder": letter.bidder.pk, "kind": "bezwaar", "note": "x"},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    asked = client.post(url(tender, "award-finalise"))
    assert "worden definitief gegund" in asked.content.decode()
    page = client.post(url(tender, "award-finalise"), {"confirm": "1"}, follow=True)
    assert "nog niet definitief: de opschortende termijn loopt tot" in page.content.decode()
    # The standstill is over (moved back rather than travelling: the session would expire).
    SegmentStandstill.objects.update(ends_at=timezone.now() - timedelta(minutes=1))
    page = client.post(url(tender, "award-finalise"), {"confirm": "1"}, follow=True)
    text = page.content.decode()
    assert f"Segment {segment.code} is nog niet definitief: er loopt een bezwaar" in text
    client.post(
        url(tender, "award-objection-resolve", pk=objection.pk),
        {"result": "rejected", "outcome": "Ongegrond"},
    )
    page = client.post(url(tender, "award-finalise"), {"confirm": "1"}, follow=True)
    assert "Alle segmenten zijn definitief gegund." in page.content.decode()
    tender.refresh_from_db()
    assert tender.state == "awarded"


def test_the_award_page_is_for_staff_and_only_managers_act(
    award_tender, fast_pdf, client_for, django_capture_on_commit_callbacks
):
    tender = award_tender
    make_letters(tender, "award", django_capture_on_commit_callbacks)
    letter = AwardLetter.objects.first()
    for role in ("beoordelaar", "aanbieder"):
        client = client_for(role, f"u-{role}")
        assert client.get(url(tender)).status_code == 404
        assert client.get(url(tender, "award-letter", pk=letter.pk)).status_code == 404
        client.logout()
    client = client_for("contractmanager")
    assert client.get(url(tender)).status_code == 200
    assert client.post(url(tender, "award-letters-generate", phase="award")).status_code == 404
    assert client.post(url(tender, "award-finalise")).status_code == 404


def test_the_award_page_reads_in_a_fixed_number_of_queries(
    monkeypatch,
    award_tender,
    fast_pdf,
    client_for,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    tender = award_tender
    client = client_for("inkoper")
    for phase in ("selection", "award"):
        make_letters(tender, phase, django_capture_on_commit_callbacks)
    # + the selection standstills (1); per phase the rationale gaps and the letters'
    # addressees (each counted in SQL with the final ranking as a subquery), the deliveries
    # and whether every addressee can be reached
    with django_assert_num_queries(31):
        assert client.get(url(tender)).status_code == 200

    # Each phase's letters are a list of their own, 50 a page (here 10).
    monkeypatch.setattr(award_views, "LETTERS_PER_PAGE", 10)
    letters = latest_letters(tender=tender, phase="award")
    html = client.get(url(tender), {"award-brieven": 2}).content.decode()
    shown = [letter for letter in letters if letter.reference in html]
    assert shown == letters[10:20]
    assert "?award-brieven=2&amp;selection-brieven=2" in html  # the other list's next page


def test_a_provider_sees_and_downloads_only_its_own_sent_letters(
    award_tender,
    fast_pdf,
    client_for,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    tender = award_tender
    make_letters(tender, "selection", django_capture_on_commit_callbacks)
    mine, other = list(AwardLetter.objects.order_by("bidder__kvk")[:2])
    client = client_for("aanbieder")
    OrganisationMembership.objects.create(user=client.user, organisation=mine.bidder)

    # Not sent yet: not the provider's.
    assert "nog geen brieven" in client.get(reverse("portal-letters")).content.decode()
    assert client.get(reverse("portal-letter", args=[mine.pk])).status_code == 404

    AwardLetter.objects.filter(pk__in=[mine.pk, other.pk]).update(sent_at=mine.generated_at)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("portal-letters"))
    text = page.content.decode()
    assert mine.reference in text and other.reference not in text
    assert 'aria-current="page"' in text and reverse("portal-letters") in text
    assert client.get(reverse("portal-letter", args=[mine.pk])).status_code == 200
    assert client.get(reverse("portal-letter", args=[other.pk])).status_code == 404

    # The include point of the portal's tender page lists the same letters.
    html = Template('{% include "portal/_tender_award.html" %}').render(
        Context({"tender": tender, "organisation": mine.bidder})
    )
    assert mine.reference in html and other.reference not in html
