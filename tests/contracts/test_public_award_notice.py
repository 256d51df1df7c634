"""After the award decision the public tender page shows the award notice: per segment the
winners of the final award ranking; before it, nothing of the ranking."""

import pytest
from django.urls import reverse

from evaluation.models import RankingRow
from evaluation.selectors import SELECTED_STATUSES, final_ranking
from tender.constants import AWARD_DECIDED_STATES, Phase
from tender.models import Tender

pytestmark = pytest.mark.django_db


def test_the_award_notice_names_the_winners_per_segment_once_the_award_is_decided(
    client, award_tender
):
    url = reverse("public-tender", args=[award_tender.slug])
    assert award_tender.state not in AWARD_DECIDED_STATES
    assert 'id="gunning"' not in client.get(url).content.decode()

    Tender.objects.filter(pk=award_tender.pk).update(state=sorted(AWARD_DECIDED_STATES)[0])
    html = client.get(url).content.decode()
    notice = html[html.index('id="gunning"') : html.index('id="opdracht"')]
    rows = RankingRow.objects.filter(
        ranking=final_ranking(tender=award_tender, phase=Phase.AWARD), status__in=SELECTED_STATUSES
    ).select_related("segment")
    assert rows.exists()
    for row in rows:
        line = notice[notice.index(f"{row.segment.code} {row.segment.name}") :]
        assert row.bidder_name in line[: line.index("</tr>")]
    losers = RankingRow.objects.filter(ranking__tender=award_tender).exclude(
        bidder_name__in=rows.values("bidder_name")
    )
    for name in losers.values_list("bidder_name", flat=True).distinct():
        assert name not in notice
