"""Issue 18.7: a combination keeps its identity downstream. One name, "Combinatie X (penvoerder
A, leden B, C)", on the receipt, the proces-verbaal, the rankings, the evaluator lists, the
letters and the contracts."""

import pytest
from django.urls import reverse

from contracts.award_selectors import letter_content
from evaluation.models import RankingRow
from providers.models import Combination, Submission, combination_label
from providers.selectors import bidder_label, with_bidder_label


def test_the_label_names_the_lead_and_the_members():
    assert (
        combination_label(name="Zorg Samen", lead="A", members=["B", "C"])
        == "Combinatie Zorg Samen (penvoerder A, leden B, C)"
    )
    assert (
        combination_label(name="Combinatie Oost", lead="A", members=["B"])
        == "Combinatie Oost (penvoerder A, lid B)"
    )
    assert combination_label(name="", lead="A", members=[]) == "Combinatie (penvoerder A)"


@pytest.mark.django_db
def test_rankings_evaluator_lists_and_letters_name_the_whole_combination(award_tender, client_for):
    tender = award_tender
    combination = (
        Combination.objects.filter(tender=tender)
        .select_related("lead")
        .prefetch_related("combinationmember_set__organisation")
        .exclude(combinationmember__organisation=None)
        .first()
    )
    label = combination.display_name
    members = combination.confirmed_member_names()
    assert members and label == combination_label(
        name=combination.name, lead=combination.lead.name, members=members
    )
    assert label.startswith("Combinatie ") and f"(penvoerder {combination.lead.name}, " in label

    rows = RankingRow.objects.filter(ranking__tender=tender, bidder_kvk=combination.lead.kvk)
    assert rows.exists() and {r.bidder_name for r in rows} == {label}

    submission = with_bidder_label(
        Submission.objects.filter(combination=combination, is_current=True)
    ).first()
    assert bidder_label(submission) == label

    chair = client_for("voorzitter", "vz-combi")
    for name in ("scoring-assignments", "scoring-review-list"):
        # the lists are paginated (50 rows a page): the combination is on one of the pages
        url = reverse(name, args=[tender.slug])
        pages = [chair.get(url, {"page": n}).content.decode() for n in (1, 2, 3)]
        assert any(label.replace("&", "&amp;") in page for page in pages), name

    content = letter_content(tender=tender, phase="selection", bidder=combination.lead)
    assert content.combination_display == label
