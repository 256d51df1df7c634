"""Questions and the nota van inlichtingen: providers see only their own questions, the nota
and the public FAQ never show who asked, notas and their questions are numbered, and a nota
later than 6 days before the deadline needs the deadline moved first."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEntry
from communication.models import NewsletterSubscription, Nota, Question, TenderDocument
from communication.selectors import questions_visible_to
from communication.services.market import tender_deadline_move
from communication.services.notas import nota_create, nota_publish, nota_update
from communication.services.questions import question_answer, question_ask
from communication.services.registrations import session_register
from providers.selectors import organisation_of
from tender.errors import ApplicationError

from .communication_helpers import (  # noqa: F401 - fixtures
    build_tender,
    inkoper_fixture,
    make_provider,
    make_session,
    other_provider_fixture,
    provider_fixture,
    tender_fixture,
)

pytestmark = pytest.mark.django_db

SECRET_NAME = "Zorg Oost"  # the asking provider's organisation


def ask(tender, user, text, **where):
    return question_ask(
        tender=tender, organisation=organisation_of(user), user=user, text=text, **where
    )


def answered(tender, user, inkoper, text, answer="Ja, dat mag.", **where):
    question = ask(tender, user, text, **where)
    return question_answer(question=question, user=inkoper, answer=answer)


def pdf_text(document: TenderDocument) -> str:
    with document.file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


# -- asking -------------------------------------------------------------------------------


def test_a_provider_sees_only_its_own_questions(tender, provider, other_provider):
    ask(tender, provider, "Mag een coöperatie i.o. inschrijven?")
    ask(tender, other_provider, "Wat is het budget van Dyslexie?")
    assert [q.text for q in questions_visible_to(provider, tender)] == [
        "Mag een coöperatie i.o. inschrijven?"
    ]
    assert questions_visible_to(make_provider("Zonder vragen"), tender).count() == 0


def test_questions_are_accepted_until_the_deadline_of_a_published_tender(provider):
    tender = build_tender(deadline=timezone.now() + dt.timedelta(days=2))
    with (
        time_machine.travel(tender.deadline, tick=False),
        pytest.raises(ApplicationError, match="tot de sluitingstermijn"),
    ):
        ask(tender, provider, "Te laat?")
    draft = build_tender(slug="concept", state="draft")
    with pytest.raises(ApplicationError, match="gepubliceerde aanbesteding"):
        ask(draft, provider, "Al open?")


def test_a_segment_question_is_about_its_lot(tender, provider):
    segment = tender.segments.get(code="JH-DYS")
    question = ask(tender, provider, "Dyslexie?", segment=segment)
    assert question.lot.code == "JH"
    with pytest.raises(ApplicationError, match="segment van deze aanbesteding"):
        ask(tender, provider, "Mismatch", lot=tender.lots.get(code="WMO"), segment=segment)


def test_staff_cannot_ask_and_providers_cannot_answer(tender, provider, inkoper):
    with pytest.raises(ApplicationError, match="zorgaanbieder"):
        question_ask(tender=tender, organisation=organisation_of(provider), user=inkoper, text="?")
    question = ask(tender, provider, "Vraag")
    with pytest.raises(ApplicationError, match="niet beantwoorden"):
        question_answer(question=question, user=provider, answer="Zelf")


def test_the_public_page_lets_a_provider_ask_and_shows_its_own_questions(
    client, tender, provider, other_provider
):
    ask(tender, other_provider, "Vraag van de buren")
    url = reverse("public-questions", args=[tender.slug])
    assert "Een vraag stellen" not in client.get(url).content.decode()
    client.force_login(provider)
    response = client.post(url, {"lot": "", "segment": "", "text": "Hoe lang loopt het contract?"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Hoe lang loopt het contract?" in page
    assert "Vraag van de buren" not in page


# -- staff screens ------------------------------------------------------------------------


def test_staff_see_who_asked_and_filter_per_lot_segment_and_status(
    client_for, tender, provider, other_provider, inkoper
):
    ask(tender, provider, "Algemene vraag")
    ask(tender, other_provider, "Dyslexie vraag", segment=tender.segments.get(code="JH-DYS"))
    answered(tender, provider, inkoper, "Wmo vraag", lot=tender.lots.get(code="WMO"))
    client = client_for("voorzitter")
    url = reverse("communication-questions", args=[tender.slug])
    page = client.get(url).content.decode()
    assert "Zorg Oost" in page and "Jeugdzorg West" in page
    assert "Dyslexie vraag" in client.get(url, {"segment": "JH-DYS"}).content.decode()
    only_wmo = client.get(url, {"lot": "WMO"}).content.decode()
    assert "Wmo vraag" in only_wmo and "Dyslexie vraag" not in only_wmo
    open_ones = client.get(url, {"answered": "nee"}).content.decode()
    assert "Algemene vraag" in open_ones and "Wmo vraag" not in open_ones


def test_inkoper_answers_on_the_screen_and_a_read_only_role_cannot(client_for, tender, provider):
    question = ask(tender, provider, "Vraag")
    url = reverse("communication-question", args=[tender.slug, question.pk])
    assert client_for("auditor", "auditor-q").post(url, {"answer": "x"}).status_code == 404
    response = client_for("inkoper", "inkoper-q").post(
        url, {"answer": "Antwoord", "public_text": "Geanonimiseerd"}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.answer, question.published_question) == ("Antwoord", "Geanonimiseerd")


# -- nota van inlichtingen ----------------------------------------------------------------


def test_notas_and_their_questions_are_numbered(tender, provider, other_provider, inkoper):
    first = answered(tender, provider, inkoper, "Eerste")
    second = answered(tender, other_provider, inkoper, "Tweede")
    nota1 = nota_create(tender=tender, user=inkoper, questions=[second, first])
    assert nota1.number == 1
    with pytest.raises(ApplicationError, match="nog in voorbereiding"):
        nota_create(tender=tender, user=inkoper, questions=[])
    nota_publish(nota=nota1, user=inkoper)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number) == (1, 2)  # the order they were asked

    third = answered(tender, provider, inkoper, "Derde")
    nota2 = nota_create(tender=tender, user=inkoper, questions=[third])
    nota_publish(nota=nota2, user=inkoper)
    third.refresh_from_db()
    assert (nota2.number, third.number) == (2, 1)
    assert list(
        TenderDocument.objects.filter(kind="nota", audience="public").values_list(
            "title", flat=True
        )
    ) == ["Nota van inlichtingen 2", "Nota van inlichtingen 1"]


def test_only_answered_questions_of_no_other_nota_go_into_a_nota(tender, provider, inkoper):
    open_question = ask(tender, provider, "Nog open")
    with pytest.raises(ApplicationError, match="nog niet beantwoord"):
        nota_create(tender=tender, user=inkoper, questions=[open_question])
    done = answered(tender, provider, inkoper, "Klaar")
    nota = nota_create(tender=tender, user=inkoper, questions=[done])
    nota_publish(nota=nota, user=inkoper)
    with pytest.raises(ApplicationError, match="andere nota"):
        nota_create(tender=tender, user=inkoper, questions=[done])
    with pytest.raises(ApplicationError, match="kan niet meer"):
        question_answer(question=done, user=inkoper, answer="Ander antwoord")
    with pytest.raises(ApplicationError, match="gepubliceerde nota"):
        nota_update(nota=nota, user=inkoper, questions=[done])


def test_a_draft_nota_changes_its_questions(tender, provider, inkoper):
    one, two = (answered(tender, provider, inkoper, t) for t in ("Een", "Twee"))
    nota = nota_create(tender=tender, user=inkoper, questions=[one])
    nota_update(nota=nota, user=inkoper, questions=[two], intro="Inleiding")
    assert list(nota.questions.values_list("text", flat=True)) == ["Twee"]
    assert Question.objects.get(pk=one.pk).nota is None


def test_the_nota_and_the_faq_never_show_who_asked(
    client, tender, provider, other_provider, inkoper
):
    question = ask(tender, provider, "Geldt de eis ook voor onderaannemers van Zorg Oost?")
    question_answer(
        question=question,
        user=inkoper,
        answer="Ja, de eisen gelden ook voor onderaannemers.",
        public_text="Geldt de eis ook voor onderaannemers?",
    )
    nota = nota_create(tender=tender, user=inkoper, questions=[question])
    nota_publish(nota=nota, user=inkoper)
    nota.refresh_from_db()

    text = pdf_text(nota.document)
    assert "Nota van inlichtingen 1" in text
    assert "Geldt de eis ook voor onderaannemers?" in text
    assert "Ja, de eisen gelden ook voor onderaannemers." in text
    assert SECRET_NAME not in text and organisation_of(provider).kvk not in text

    faq = client.get(reverse("public-questions", args=[tender.slug])).content.decode()
    assert "Geldt de eis ook voor onderaannemers?" in faq and SECRET_NAME not in faq

    client.force_login(other_provider)
    faq = client.get(reverse("public-questions", args=[tender.slug])).content.decode()
    assert "Ja, de eisen gelden ook voor onderaannemers." in faq and SECRET_NAME not in faq

    api = client.get(f"/api/v1/public/tenders/{tender.slug}/").json()
    assert api["notas"][0]["questions"][0]["question"] == "Geldt de eis ook voor onderaannemers?"
    assert SECRET_NAME not in str(api) and organisation_of(provider).kvk not in str(api)

    document = client.get(reverse("public-document", args=[tender.slug, nota.document.pk]))
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"


def test_the_asker_sees_the_answer_only_once_the_nota_is_published(
    client, tender, provider, inkoper
):
    question = answered(tender, provider, inkoper, "Wanneer start Dyslexie?", "Op 1 augustus.")
    client.force_login(provider)
    mine = client.get("/api/v1/questions/").json()["results"][0]
    assert mine["answer"] is None and mine["nota"] is None
    nota_publish(nota=nota_create(tender=tender, user=inkoper, questions=[question]), user=inkoper)
    mine = client.get("/api/v1/questions/").json()["results"][0]
    assert (mine["answer"], mine["nota"], mine["number"]) == ("Op 1 augustus.", 1, 1)
    assert "organisation" not in mine


def test_publishing_mails_registered_bidders_and_confirmed_subscribers(
    tender, provider, other_provider, inkoper, django_capture_on_commit_callbacks
):
    question = answered(tender, provider, inkoper, "Vraag")
    session_register(
        session=make_session(tender),
        organisation=organisation_of(other_provider),
        participant_name="P",
        participant_email="deelnemer@example.org",
        user=other_provider,
    )
    make_provider("Stil Aanbieder")  # neither asked nor registered: not a registered bidder
    NewsletterSubscription.objects.create(
        tender=tender, email="abonnee@example.org", confirmed_at=timezone.now()
    )
    NewsletterSubscription.objects.create(tender=tender, email="onbevestigd@example.org")
    nota = nota_create(tender=tender, user=inkoper, questions=[question])
    with django_capture_on_commit_callbacks(execute=True):
        nota_publish(nota=nota, user=inkoper, base_url="https://inkoop.example/")
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(["abonnee@example.org", provider.email, other_provider.email])
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "nota van inlichtingen 1" in by_address[provider.email].subject
    assert "https://inkoop.example/aanbesteding/" in by_address[provider.email].body
    assert "Afmelden" in by_address["abonnee@example.org"].body
    assert "List-Unsubscribe" in by_address["abonnee@example.org"].extra_headers
    assert "Afmelden" not in by_address[provider.email].body
    assert AuditEntry.objects.filter(action="nota.publish").count() == 1


# -- the 6-day rule and the deadline ----------------------------------------------------------


def test_a_nota_later_than_six_days_before_the_deadline_is_refused(tender, provider, inkoper):
    nota = nota_create(
        tender=tender, user=inkoper, questions=[answered(tender, provider, inkoper, "V")]
    )
    latest = tender.deadline - dt.timedelta(days=6)
    with (
        time_machine.travel(latest + dt.timedelta(minutes=1), tick=False),
        pytest.raises(ApplicationError, match="Verplaats eerst de sluitingstermijn") as refused,
    ):
        nota_publish(nota=nota, user=inkoper)
    assert refused.value.field == "deadline"
    assert not Nota.objects.get(pk=nota.pk).is_published
    with time_machine.travel(latest, tick=False):  # exactly 6 days before: in time
        assert nota_publish(nota=nota, user=inkoper).is_published


def test_the_refusal_offers_to_move_the_deadline_and_moving_it_allows_publishing(
    client_for, tender, provider, inkoper
):
    nota = nota_create(
        tender=tender, user=inkoper, questions=[answered(tender, provider, inkoper, "V")]
    )
    late = tender.deadline - dt.timedelta(days=3)
    with time_machine.travel(late, tick=False):
        client = client_for("inkoper")  # signed in at that moment (sessions expire)
        response = client.post(
            reverse("communication-nota", args=[tender.slug, nota.pk]), {"action": "publish"}
        )
        html = response.content.decode()
        assert response.status_code == 400
        assert "Verplaats eerst de sluitingstermijn." in html
        move_url = reverse("communication-deadline", args=[tender.slug]) + "?reden=nota"
        assert move_url in html
        form = client.get(move_url).content.decode()
        assert 'name="new_deadline"' in form
        new_deadline = (timezone.localtime() + dt.timedelta(days=8)).strftime("%Y-%m-%dT%H:%M")
        assert client.post(move_url, {"new_deadline": new_deadline}).status_code == 302
        tender.refresh_from_db()
        assert nota_publish(nota=nota, user=inkoper).is_published


def test_a_passed_deadline_cannot_be_moved(tender, inkoper):
    with (
        time_machine.travel(tender.deadline + dt.timedelta(seconds=1), tick=False),
        pytest.raises(
            ApplicationError,
            match="^Een verstreken sluitingstermijn kan niet meer worden gewijzigd.$",
        ),
    ):
        tender_deadline_move(
            tender=tender, new_deadline=tender.deadline + dt.timedelta(days=30), user=inkoper
        )


def test_the_new_deadline_must_be_in_the_future_and_not_earlier(tender, inkoper):
    with pytest.raises(ApplicationError, match="in de toekomst"):
        tender_deadline_move(
            tender=tender, new_deadline=timezone.now() - dt.timedelta(hours=1), user=inkoper
        )
    with pytest.raises(ApplicationError, match="alleen later"):
        tender_deadline_move(
            tender=tender, new_deadline=tender.deadline - dt.timedelta(days=1), user=inkoper
        )


def test_moving_the_deadline_is_audited_and_for_inkoper_and_voorzitter_only(
    tender, inkoper, make_user, provider, django_capture_on_commit_callbacks
):
    ask(tender, provider, "Vraag")  # makes the provider a registered bidder
    new = tender.deadline + dt.timedelta(days=14)
    with pytest.raises(ApplicationError, match="niet wijzigen"):
        tender_deadline_move(
            tender=tender, new_deadline=new, user=make_user("cm", "contractmanager")
        )
    with django_capture_on_commit_callbacks(execute=True):
        moved = tender_deadline_move(
            tender=tender, new_deadline=new, user=make_user("vz", "voorzitter")
        )
    assert moved.deadline == new
    entry = AuditEntry.objects.get(action="tender.deadline_move")
    assert entry.actor_repr == "vz" and entry.details["to"] == new.isoformat()
    assert [m.to for m in mail.outbox] == [[provider.email]]
    assert "sluitingstermijn gewijzigd" in mail.outbox[0].subject


def test_moving_the_deadline_while_offers_are_open_moves_the_offers_deadline(
    tender, inkoper, provider, django_capture_on_commit_callbacks
):
    """Round 2 of the restricted procedure: the deadline moved is ``offers_deadline``; the
    first round's deadline stays; registered candidates are mailed as before."""
    ask(tender, provider, "Vraag")  # a registered bidder
    now = timezone.now()
    first = now - dt.timedelta(days=30)
    type(tender).objects.filter(pk=tender.pk).update(
        state="offers_open", deadline=first, offers_deadline=now + dt.timedelta(days=10)
    )
    tender.refresh_from_db()
    new = tender.offers_deadline + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        moved = tender_deadline_move(tender=tender, new_deadline=new, user=inkoper)
    assert (moved.offers_deadline, moved.deadline) == (new, first)
    entry = AuditEntry.objects.get(action="tender.deadline_move")
    assert entry.details["round"] == "offer"
    assert [m.to for m in mail.outbox] == [[provider.email]]
    with pytest.raises(ApplicationError, match="later"):
        tender_deadline_move(tender=moved, new_deadline=new - dt.timedelta(days=1), user=inkoper)


def test_a_nota_of_round_two_reaches_and_shows_to_the_invited_only(
    client, tender, provider, other_provider, inkoper, django_capture_on_commit_callbacks
):
    """While the offers are open (restricted): the nota's document is for the invited, it is
    mailed to them alone, and the FAQ shows it to them only; the six days count from the
    offers deadline."""
    from providers.models import OfferInvitation

    question = answered(tender, provider, inkoper, "Telt het plan per criterium?")
    now = timezone.now()
    type(tender).objects.filter(pk=tender.pk).update(
        state="offers_open",
        deadline=now - dt.timedelta(days=30),
        offers_deadline=now + dt.timedelta(days=20),
    )
    tender.refresh_from_db()
    OfferInvitation.objects.create(
        tender=tender, segment=tender.segments.first(), organisation=organisation_of(provider)
    )
    nota = nota_create(tender=tender, user=inkoper, questions=[question])
    with django_capture_on_commit_callbacks(execute=True):
        nota_publish(nota=nota, user=inkoper)
    nota.refresh_from_db()
    assert nota.document.audience == "invited"
    assert [m.to for m in mail.outbox] == [[provider.email]]

    url = reverse("public-questions", args=[tender.slug])
    assert "Telt het plan per criterium?" not in client.get(url).content.decode()
    client.force_login(other_provider)
    assert "Telt het plan per criterium?" not in client.get(url).content.decode()
    client.force_login(provider)
    page = client.get(url).content.decode()
    assert "Telt het plan per criterium?" in page
    assert reverse("portal-document", args=[tender.slug, nota.document.pk]) in page
