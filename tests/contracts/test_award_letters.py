"""Decision letters: one per bidder per phase whatever happens, with the content DOMAIN.md
requires, immutable once sent."""

import io
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from pypdf import PdfReader

from contracts.award_models import AwardLetter, LetterImmutableError, LetterKind, LetterRun
from contracts.award_selectors import letter_content, letter_targets
from contracts.services.awards import (
    decision_send,
    letter_new_version,
    letters_execute,
    local_today,
    standstill_end,
)
from contracts.tasks import generate_letters
from evaluation.models import RankingRow
from evaluation.selectors import final_ranking
from tests.contracts.award_support import inkoper, make_letters

pytestmark = pytest.mark.django_db


def pdf_text(letter: AwardLetter) -> str:
    with letter.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def nl(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def one_per_bidder(tender, phase):
    expected = {o.pk for o in letter_targets(tender=tender, phase=phase)}
    letters = list(AwardLetter.objects.filter(tender=tender, phase=phase))
    assert sorted(letter.bidder_id for letter in letters) == sorted(expected)
    return letters


@pytest.fixture
def real_pdf_for(monkeypatch):
    """WeasyPrint for the letters to the bidders with the KvK numbers put in the returned set,
    the HTML as 'PDF' for the others (``fast_pdf``): the letters' records, references and
    hashes are made as always, and only the letter whose text the test reads costs a real
    rendering (about a second each on this machine, 52 letters in all)."""
    from django.template.loader import render_to_string

    from contracts.services import awards

    real, kvks = awards.render_to_pdf, set()

    def render(template_name, context):
        if context["letter"].bidder.kvk in kvks:
            return real(template_name, context)
        return render_to_string(template_name, context).encode()

    monkeypatch.setattr(awards, "render_to_pdf", render)
    return kvks


def test_each_bidder_gets_exactly_one_real_letter_per_phase_even_when_run_twice(
    award_tender, django_capture_on_commit_callbacks, real_pdf_for
):
    tender = award_tender
    # The letter read below, to a bidder that lost a segment, is a real PDF.
    loser_row = RankingRow.objects.filter(
        ranking=final_ranking(tender=tender, phase="award"), status="below_line"
    ).first()
    real_pdf_for.add(loser_row.bidder_kvk)
    for phase in ("selection", "award"):
        make_letters(tender, phase, django_capture_on_commit_callbacks)
    award = one_per_bidder(tender, "award")
    selection = one_per_bidder(tender, "selection")
    assert len(selection) == 32 and len(award) == 20
    hashes = {letter.pk: letter.sha256 for letter in award + selection}

    # The task retried and redelivered, and staff pressing the button again, all the same day.
    run = LetterRun.objects.filter(phase="award").first()
    generate_letters.delay(run.pk)
    LetterRun.objects.filter(pk=run.pk).update(status="running", done=3)
    letters_execute(run_id=run.pk)
    make_letters(tender, "award", django_capture_on_commit_callbacks)
    after = one_per_bidder(tender, "award")
    assert {letter.pk: letter.sha256 for letter in after} == {
        pk: h for pk, h in hashes.items() if pk in {a.pk for a in award}
    }
    assert all(letter.version == 1 for letter in after)
    assert LetterRun.objects.filter(phase="award").first().done == 20

    # A letter to a bidder that lost a segment: own points per criterion, the winners'
    # points with their advantage, the standstill end date.
    letter = AwardLetter.objects.get(phase="award", bidder__kvk=loser_row.bidder_kvk)
    assert letter.kind in (LetterKind.REJECTION, LetterKind.INTENDED_AWARD)
    content = letter_content(tender=tender, phase="award", bidder=letter.bidder)
    text = pdf_text(letter)
    assert content.title in text and "Kenmerk" in text and letter.reference in text
    assert re.search(r"Pagina 1 van \d", text)
    ends = standstill_end(local_today(), tender.standstill_days)
    assert f"{date_format(ends, 'j F Y')} om 23:59:59 uur" in text
    assert content.lost
    for segment in content.segments:
        assert f"{nl(segment.points)} punten" in text
        for line in segment.criteria:
            assert nl(line.points) in text
        assert segment.winners, "a rejected bidder is told who wins"
        for winner in segment.winners:
            assert winner.name in text and nl(winner.points) in text
            assert winner.difference_text in text
            for line in winner.criteria:
                assert line.rationale in text
    assert "namens de colleges van burgemeester en wethouders van de gemeenten" in text
    assert "Aalten" in text and "Winterswijk" in text and "kort geding" in text


def test_the_database_refuses_a_second_letter_of_the_same_version(
    award_tender, fast_pdf, django_capture_on_commit_callbacks
):
    make_letters(award_tender, "award", django_capture_on_commit_callbacks)
    letter = AwardLetter.objects.filter(phase="award").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AwardLetter.objects.create(
            tender=letter.tender,
            phase=letter.phase,
            bidder=letter.bidder,
            version=1,
            kind=letter.kind,
            reference="other",
            decision_date=letter.decision_date,
            pdf=letter.pdf.name,
            sha256=letter.sha256,
            generated_at=letter.generated_at,
        )


def test_a_sent_letter_is_immutable_and_a_correction_is_a_new_version(
    award_tender, fast_pdf, django_capture_on_commit_callbacks, mailoutbox
):
    tender = award_tender
    make_letters(tender, "selection", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        decision_send(tender=tender, phase="selection", user=inkoper())
    letter = AwardLetter.objects.filter(phase="selection").first()
    assert letter.sent_at is not None
    letter.sha256 = "0" * 64
    with pytest.raises(LetterImmutableError):
        letter.save()
    letter.refresh_from_db()
    original = (letter.sha256, letter.pdf.name)

    correction = letter_new_version(letter=letter, user=inkoper())
    assert correction.version == 2 and correction.sent_at is None
    assert correction.reference.endswith("/v2")
    assert b"vervangt onze brief met kenmerk " + letter.reference.encode() in correction.pdf.read()
    letter.refresh_from_db()
    assert (letter.sha256, letter.pdf.name) == original
    # Making letters again never touches the sent version nor duplicates the correction.
    assert AwardLetter.objects.filter(bidder=letter.bidder, phase="selection").count() == 2
