"""Issue 16: decisions that hold up in court. Reasons are required before letters are made,
each letter says why in words, and a corrected letter restarts the standstill of its
segments."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from contracts.award_models import AwardLetter, LetterDelivery, SegmentStandstill
from contracts.award_selectors import ReasonFacts, letter_content, segment_reasons
from contracts.services.awards import (
    award_finalise,
    decision_send,
    letter_new_version,
    letter_send,
    letters_request,
    local_today,
    standstill_end,
)
from contracts.tasks import finalise_due_awards
from evaluation.models import FinalLevel, RankingRow
from evaluation.selectors import final_ranking
from providers.models import Combination, Organisation, OrganisationMembership
from tender.errors import ApplicationError
from tender.models import Criterion, Segment
from tests.contracts.award_support import inkoper, make_letters

pytestmark = pytest.mark.django_db


# -- 1. reasons are required --------------------------------------------------------------


def test_letters_refuse_without_a_consensus_rationale_and_the_page_links_what_is_missing(
    award_tender, client_for, monkeypatch
):
    from contracts import award_views

    tender = award_tender
    row = RankingRow.objects.filter(
        ranking=final_ranking(tender=tender, phase="award"), status="below_line"
    ).first()
    finals = FinalLevel.objects.filter(dossier=row.dossier, criterion__phase="award")
    final = finals.order_by("criterion__position", "criterion_id").first()
    FinalLevel.objects.filter(pk=final.pk).update(rationale="  ")
    other = finals.exclude(pk=final.pk).first()
    FinalLevel.objects.filter(pk=other.pk).update(rationale="\n\t")

    with pytest.raises(ApplicationError) as refused:
        letters_request(tender=tender, phase="award", user=inkoper())
    message = str(refused.value)
    assert "ontbreekt een motivering" in message
    assert row.bidder_name in message and final.criterion.code in message
    assert not AwardLetter.objects.filter(tender=tender, phase="award").exists()

    # The page counts every gap and links the first few.
    monkeypatch.setattr(award_views, "RATIONALE_GAPS_SHOWN", 1)
    page = client_for("inkoper").get(reverse("award-decision", args=[tender.slug]))
    html = page.content.decode()
    link = reverse("scoring-consensus", args=[tender.slug, "award", row.dossier_id])
    assert f'href="{link}#final-{final.criterion_id}"' in html
    assert f"#final-{other.criterion_id}" not in html
    assert "Er ontbreken er 2:" in html and "De eerste 1 staan hierboven." in html
    # The selection phase has all its rationales: its letters can be made.
    letters_request(tender=tender, phase="selection", user=inkoper())


def test_the_scoring_and_consensus_screens_show_the_level_descriptors(award_tender, client_for):
    criterion = Criterion.objects.filter(segment__tender=award_tender, phase="award").first()
    Criterion.objects.filter(pk=criterion.pk).update(
        level_descriptors="0 – geen aanpak\n1 – aanpak met bewezen resultaat"
    )
    dossier = (
        RankingRow.objects.filter(
            ranking=final_ranking(tender=award_tender, phase="award"), segment=criterion.segment
        )
        .first()
        .dossier
    )
    page = client_for("voorzitter").get(
        reverse("scoring-consensus", args=[award_tender.slug, "award", dossier.pk])
    )
    assert page.status_code == 200
    assert "aanpak met bewezen resultaat" in page.content.decode()


# -- 2. why, in words ---------------------------------------------------------------------


def _row(segment, kvk, name, *, rank, points, status, reasons=(), dossier_id=None):
    return RankingRow(
        segment=segment,
        bidder_kvk=kvk,
        bidder_name=name,
        rank=rank,
        points=Decimal(points),
        status=status,
        reasons=list(reasons),
        dossier_id=dossier_id,
        position=rank or 99,
    )


@pytest.fixture
def facts():
    segment = Segment(code="JH-X", name="Jeugdhulp X", places=1, min_total=Decimal("50"))
    b = Criterion(pk=2, code="B", name="Aanpak", max_points=Decimal("40"), min_level=Decimal("0.5"))
    a = Criterion(pk=1, code="A", name="Samenwerking", max_points=Decimal("20"))
    return segment, ReasonFacts(
        phase="award",
        criteria=[a, b],
        points={
            (10, 1): Decimal("20.00"),
            (10, 2): Decimal("30.00"),  # the winner
            (11, 1): Decimal("27.50") - Decimal("5.00"),
            (11, 2): Decimal("27.50"),  # the addressee: 22,50 + 27,50 = 50,00
            (12, 1): Decimal("20.00"),
            (12, 2): Decimal("30.00"),  # equal to the winner on every criterion
            (13, 1): Decimal("20.00"),
            (13, 2): Decimal("10.00"),  # below the threshold of B (20,00)
        },
        requirement_texts={"AM3": "De aanbieder beschikt over een keurmerk kwaliteit."},
        municipality_names={"GM0197": "Aalten", "GM1859": "Berkelland"},
        seed=42,
        input_hash="ab12cd34",
    )


def test_a_tie_is_explained_with_the_deciding_criterion_and_both_values(facts):
    segment, f = facts
    winner = _row(
        segment, "1", "Winnaar BV", rank=1, points="50.00", status="selected", dossier_id=10
    )
    mine = _row(
        segment, "2", "Verliezer", rank=2, points="50.00", status="below_line", dossier_id=11
    )
    text = " ".join(segment_reasons(row=mine, segment_rows=[winner, mine], facts=f))
    assert "Winnaar BV heeft evenveel punten als u (50,00)" in text
    assert "beslist op criterium B Aanpak" in text and "30,00 tegen uw 27,50 punten" in text


def test_a_tie_by_lot_names_the_seed_and_the_input_hash(facts):
    segment, f = facts
    winner = _row(
        segment, "1", "Winnaar BV", rank=1, points="50.00", status="selected", dossier_id=10
    )
    mine = _row(segment, "3", "Gelijke", rank=2, points="50.00", status="below_line", dossier_id=12)
    text = " ".join(segment_reasons(row=mine, segment_rows=[winner, mine], facts=f))
    assert "door loting met seed 42 op de invoer met hash ab12cd34" in text
    assert "proces-verbaal van de ranking" in text


def test_a_coverage_pick_names_the_municipalities_the_addressee_does_not_serve(facts):
    segment, f = facts
    mine = _row(segment, "2", "Verliezer", rank=2, points="50.00", status="below_line")
    pick = _row(
        segment,
        "4",
        "Dekker",
        rank=3,
        points="45.00",
        status="selected_coverage",
        reasons=["dekt GM0197, GM1859"],
    )
    text = " ".join(segment_reasons(row=mine, segment_rows=[mine, pick], facts=f))
    assert "Dekker (rangnummer 3) is gekozen boven uw inschrijving (rangnummer 2)" in text
    assert "Aalten en Berkelland, die uw inschrijving niet bedient" in text


def test_an_exclusion_gives_the_requirement_text_and_the_threshold_with_the_score(facts):
    segment, f = facts
    mine = _row(
        segment,
        "5",
        "Uitgesloten",
        rank=None,
        points="30.00",
        status="excluded",
        reasons=["eis AM3 niet voldaan", "criterium B onder drempel", "onder minimumscore (50.00)"],
        dossier_id=13,
    )
    text = " ".join(segment_reasons(row=mine, segment_rows=[mine], facts=f))
    assert "“De aanbieder beschikt over een keurmerk kwaliteit.”" in text
    assert "Op criterium B Aanpak haalt u 10,00 punten; de drempel is 20,00 punten" in text
    assert "minimumscore van 50,00 punten" in text and "50.00" not in text


def test_the_letter_html_has_the_winners_rationale_the_lot_and_the_objection_route(
    award_tender,
):
    tender = award_tender
    row = RankingRow.objects.filter(
        ranking=final_ranking(tender=tender, phase="award"), status="below_line"
    ).first()
    FinalLevel.objects.filter(dossier__segment=row.segment, criterion__phase="award").exclude(
        dossier=row.dossier
    ).update(rationale="Sterk plan met meetbare doelen")
    content = letter_content(tender=tender, phase="award", bidder=row.dossier.submission.bidder)
    html = render_to_string(
        "pdf/award_letter.html",
        {
            "tender": tender,
            "region_name": tender.region.name,
            "municipalities": content.municipalities,
            "content": content,
            "letter": AwardLetter(version=1),
            "reference": "x/v1",
            "decision_date": local_today(),
            "ends_at": standstill_end(local_today(), 20),
            "standstill_days": 20,
        },
    )
    assert content.title in html
    assert "Sterk plan met meetbare doelen" in html and "voordeel ten opzichte van u" in html
    lot = sorted(m.name for m in row.segment.lot.municipalities.all())
    assert ", ".join(lot) in html
    assert "voorzieningenrechter van de rechtbank Gelderland" in html
    assert tender.objection_email in html
    assert "Inkoop Sociaal Domein, Postbus 100, 7000 AA Doetinchem of per e-mail" in html
    bidder = row.dossier.submission.bidder
    assert f"t.a.v. {bidder.contact_name}" in html and bidder.contact_email in html
    if content.won:  # a winner is told the intention is no acceptance
        assert "geen aanvaarding van uw inschrijving" in html
    assert "relatieve voordeel" not in html and "(-" not in html


# -- 4. a correction restarts the standstill ----------------------------------------------


def test_a_correction_15_days_in_moves_the_final_award_to_20_days_after_it(
    award_tender, fast_pdf, django_capture_on_commit_callbacks, mailoutbox
):
    tender = award_tender
    for phase in ("selection", "award"):
        make_letters(tender, phase, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            decision_send(tender=tender, phase=phase, user=inkoper())
    letter = AwardLetter.objects.filter(tender=tender, phase="award").first()
    kvk = letter.bidder.kvk
    segments = set(
        RankingRow.objects.filter(
            ranking=final_ranking(tender=tender, phase="award"), bidder_kvk=kvk
        ).values_list("segment__code", flat=True)
    )
    original_end = SegmentStandstill.objects.filter(segment__tender=tender).first().ends_at

    with time_machine.travel(timezone.now() + timedelta(days=15)):
        correction = letter_new_version(letter=letter, user=inkoper())
        with django_capture_on_commit_callbacks(execute=True):
            letter_send(letter=correction, user=inkoper())
        corrected_on = local_today()
    correction.refresh_from_db()
    new_end = standstill_end(corrected_on, 20)
    assert correction.decision_date == corrected_on and correction.standstill_ends_at == new_end
    moved = SegmentStandstill.objects.filter(segment__tender=tender, ends_at=new_end)
    assert set(moved.values_list("segment__code", flat=True)) == segments
    assert set(moved.values_list("extended_by", flat=True)) == {correction.reference}

    # After the original end, the other segments become final; the corrected ones wait.
    with time_machine.travel(original_end + timedelta(hours=1)):
        outcome = finalise_due_awards.delay().get()
    assert set(outcome[tender.slug]["refused"]) == segments
    with time_machine.travel(original_end + timedelta(hours=2)):
        result = award_finalise(tender=tender, user=inkoper())
    assert {code for code, _reason in result.refused} == segments
    assert all(correction.reference in reason for _code, reason in result.refused)
    result = award_finalise(tender=tender, user=inkoper(), now=new_end + timedelta(seconds=1))
    assert set(result.finalised) == segments and result.tender_awarded


# -- 3. delivery is proven ----------------------------------------------------------------


def test_sending_refuses_a_bidder_without_an_e_mail_address_and_names_it(
    award_tender, fast_pdf, django_capture_on_commit_callbacks
):
    tender = award_tender
    make_letters(tender, "selection", django_capture_on_commit_callbacks)
    bidder = AwardLetter.objects.filter(tender=tender, phase="selection").first().bidder
    Organisation.objects.filter(pk=bidder.pk).update(contact_email="")
    with pytest.raises(ApplicationError, match="geen e-mailadres bekend voor " + bidder.name):
        decision_send(tender=tender, phase="selection", user=inkoper())
    assert not AwardLetter.objects.filter(tender=tender, sent_at__isnull=False).exists()


def test_a_failed_mail_shows_on_the_delivery_table_and_is_recorded_delivered_otherwise(
    award_tender, fast_pdf, django_capture_on_commit_callbacks, mailoutbox, monkeypatch, client_for
):
    from django.core.mail import EmailMessage

    tender = award_tender
    make_letters(tender, "selection", django_capture_on_commit_callbacks)
    bouncing = AwardLetter.objects.filter(tender=tender, phase="selection").first().bidder
    real_send = EmailMessage.send

    def send(message, *args, **kwargs):
        if bouncing.contact_email in message.to:
            raise OSError("550 mailbox unavailable")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    with django_capture_on_commit_callbacks(execute=True):
        decision_send(tender=tender, phase="selection", user=inkoper())

    failed = LetterDelivery.objects.get(organisation=bouncing, letter__phase="selection")
    assert failed.status == "failed" and "550 mailbox unavailable" in failed.detail
    assert failed.attempts == 4  # the first try and three retries
    accepted = LetterDelivery.objects.filter(letter__phase="selection", status="accepted")
    assert accepted.count() == len(mailoutbox) > 0

    client = client_for("inkoper")
    page = client.get(reverse("award-decision", args=[tender.slug])).content.decode()
    assert "550 mailbox unavailable" in page and bouncing.name in page
    url = reverse("award-delivery", args=[tender.slug, failed.pk])
    client.post(url, {"action": "other_means", "reason": ""})
    failed.refresh_from_db()
    assert failed.status == "failed"  # a reason is required
    client.post(url, {"action": "other_means", "reason": "Aangetekend verstuurd, 3SABCD123"})
    failed.refresh_from_db()
    assert failed.status == "other_means" and failed.detail.startswith("Aangetekend")
    assert AuditEntry.objects.filter(action="award.delivery_other_means").count() == 1


def test_every_member_of_a_combination_gets_the_mail_and_reads_the_letter(
    award_tender, fast_pdf, django_capture_on_commit_callbacks, mailoutbox, client_for
):
    tender = award_tender
    combination = next(
        c
        for c in Combination.objects.filter(tender=tender).prefetch_related("members")
        if any(m.pk != c.lead_id for m in c.members.all())
    )
    member = combination.members.exclude(pk=combination.lead_id).first()
    Organisation.objects.filter(pk=member.pk).update(contact_email="lid@example.nl")
    make_letters(tender, "selection", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        decision_send(tender=tender, phase="selection", user=inkoper())
    letter = AwardLetter.objects.get(tender=tender, phase="selection", bidder=combination.lead)
    assert any(m.to == ["lid@example.nl"] for m in mailoutbox)

    client = client_for("aanbieder", "lid-van-de-combinatie")
    OrganisationMembership.objects.create(user=client.user, organisation=member)
    assert letter.reference in client.get(reverse("portal-letters")).content.decode()
    response = client.get(reverse("portal-letter", args=[letter.pk]))
    assert response.status_code == 200
    delivery = LetterDelivery.objects.get(letter=letter, organisation=member)
    assert delivery.opened_at is not None
