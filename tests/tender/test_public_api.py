"""The communication API: public reads without login, and per role what is allowed and what
is refused; a provider never sees another organisation's questions or registrations (404)."""

import datetime as dt

import pytest
from django.utils import timezone

from communication.models import KeyDate, NewsItem, Nota, Question, Session, SessionRegistration
from communication.services.questions import question_ask
from communication.services.registrations import session_register
from providers.selectors import organisation_of
from tests.problems import field_errors

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


def as_user(client, user):
    client.force_login(user)
    return client


def new_session_payload(tender, **extra):
    starts = timezone.now() + dt.timedelta(days=20)
    return {
        "tender": tender.slug,
        "kind": "webinar",
        "title": "Webinar lumpsum",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=1)).isoformat(),
        "location": "Online",
        "capacity": 2,
        "registration_deadline": (starts - dt.timedelta(days=2)).isoformat(),
        "lots": ["WMO"],
        **extra,
    }


def test_public_tender_information_needs_no_login(client, tender):
    make_session(tender, online_link="https://teams.example/geheim")
    listing = client.get("/api/v1/public/tenders/")
    assert listing.status_code == 200
    assert [t["slug"] for t in listing.json()["results"]] == [tender.slug]
    detail = client.get(f"/api/v1/public/tenders/{tender.slug}/").json()
    assert detail["key_dates"][-1]["is_deadline"] is True
    assert detail["sessions"][0]["taken"] == 0
    assert "online_link" not in detail["sessions"][0]
    assert "geheim" not in str(detail)


def test_draft_tenders_are_not_in_the_public_api(client, db):
    build_tender(slug="concept", state="draft")
    assert client.get("/api/v1/public/tenders/").json()["results"] == []
    assert client.get("/api/v1/public/tenders/concept/").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [("inkoper", 201), ("voorzitter", 201), ("auditor", 403), ("aanbieder", 403), (None, 403)],
)
def test_creating_a_session_per_role(client_for, tender, role, expected):
    response = client_for(role).post(
        "/api/v1/sessions/", new_session_payload(tender), content_type="application/json"
    )
    assert response.status_code == expected, response.content
    assert Session.objects.exists() == (expected == 201)


def test_staff_create_and_update_a_session_with_overflow(client_for, tender):
    client = client_for("inkoper")
    extra = client.post(
        "/api/v1/sessions/",
        new_session_payload(tender, title="Extra"),
        content_type="application/json",
    ).json()
    main = client.post(
        "/api/v1/sessions/",
        new_session_payload(tender, overflow=extra["id"]),
        content_type="application/json",
    ).json()
    assert main["overflow"] == extra["id"] and main["lots"] == ["WMO"]
    response = client.patch(
        f"/api/v1/sessions/{main['id']}/", {"capacity": 5}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["capacity"] == 5
    refused = client.patch(
        f"/api/v1/sessions/{extra['id']}/",
        {"overflow": main["id"]},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "overflow" in field_errors(refused)


def test_a_provider_registers_and_cancels_its_own_organisation_only(
    client, tender, provider, other_provider
):
    session = make_session(tender, capacity=5)
    theirs = session_register(
        session=session,
        organisation=organisation_of(other_provider),
        participant_name="Buur",
        participant_email="buur@example.org",
        user=other_provider,
    )
    api = as_user(client, provider)
    created = api.post(
        "/api/v1/session-registrations/",
        {"session": session.pk, "participant_name": "Anna", "participant_email": "a@example.org"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["in_overflow"] is False
    again = api.post(
        "/api/v1/session-registrations/",
        {"session": session.pk, "participant_name": "Bob", "participant_email": "b@example.org"},
        content_type="application/json",
    )
    assert again.status_code == 400 and "al aangemeld" in str(again.json())
    listing = api.get("/api/v1/session-registrations/").json()["results"]
    assert [r["participant_name"] for r in listing] == ["Anna"]
    assert api.get(f"/api/v1/session-registrations/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/session-registrations/{theirs.pk}/cancel/").status_code == 404
    mine = created.json()["id"]
    assert api.post(f"/api/v1/session-registrations/{mine}/cancel/").status_code == 200
    assert SessionRegistration.objects.get(pk=mine).cancelled_at is not None


def test_staff_list_registrations_per_session_and_cannot_register_via_api(
    client_for, tender, provider
):
    session = make_session(tender)
    session_register(
        session=session,
        organisation=organisation_of(provider),
        participant_name="Anna",
        participant_email="a@example.org",
        user=provider,
    )
    client = client_for("auditor")
    rows = client.get(f"/api/v1/session-registrations/?session={session.pk}").json()["results"]
    assert [r["organisation"]["name"] for r in rows] == ["Zorg Oost"]
    refused = client.post(
        "/api/v1/session-registrations/",
        {"session": session.pk, "participant_name": "X", "participant_email": "x@example.org"},
        content_type="application/json",
    )
    assert refused.status_code == 403


def test_questions_per_role(client, client_for, tender, provider, other_provider):
    question_ask(
        tender=tender, organisation=organisation_of(other_provider), user=other_provider, text="B"
    )
    api = as_user(client, provider)
    created = api.post(
        "/api/v1/questions/",
        {"tender": tender.slug, "segment": "JH-DYS", "text": "Mag dit?"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["lot"] == "JH" and "organisation" not in created.json()
    mine = api.get("/api/v1/questions/").json()["results"]
    assert [q["text"] for q in mine] == ["Mag dit?"]
    theirs = Question.objects.get(text="B")
    assert api.get(f"/api/v1/questions/{theirs.pk}/").status_code == 404
    assert (
        api.post(
            f"/api/v1/questions/{created.json()['id']}/answer/", {"answer": "zelf"}
        ).status_code
        == 403
    )

    staff = client_for("inkoper", "inkoper-api")
    everything = staff.get(f"/api/v1/questions/?tender={tender.slug}").json()["results"]
    assert {q["organisation"]["name"] for q in everything} == {"Zorg Oost", "Jeugdzorg West"}
    only_dys = staff.get("/api/v1/questions/?segment=JH-DYS").json()["results"]
    assert [q["text"] for q in only_dys] == ["Mag dit?"]
    answer = staff.post(
        f"/api/v1/questions/{theirs.pk}/answer/",
        {"answer": "Ja."},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["answer"] == "Ja."
    answered = staff.get("/api/v1/questions/?answered=true").json()["results"]
    assert [q["text"] for q in answered] == ["B"]
    refused = staff.post(
        "/api/v1/questions/", {"tender": tender.slug, "text": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_the_beoordelaar_and_anonymous_get_nothing(client, client_for, tender, provider):
    question_ask(tender=tender, organisation=organisation_of(provider), user=provider, text="Q")
    evaluator = client_for("beoordelaar")
    assert evaluator.get("/api/v1/questions/").json()["results"] == []
    assert evaluator.get("/api/v1/session-registrations/").json()["results"] == []
    assert evaluator.get("/api/v1/sessions/").json()["results"] == []
    client.logout()
    assert client.get("/api/v1/questions/").status_code == 403


def test_notas_via_the_api(client_for, tender, provider):
    question = question_ask(
        tender=tender, organisation=organisation_of(provider), user=provider, text="Q?"
    )
    staff = client_for("inkoper")
    staff.post(f"/api/v1/questions/{question.pk}/answer/", {"answer": "A."})
    created = staff.post(
        "/api/v1/notas/",
        {"tender": tender.slug, "questions": [question.pk]},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["number"] == 1
    published = staff.post(f"/api/v1/notas/{created.json()['id']}/publish/")
    assert published.status_code == 200, published.content
    assert published.json()["document"]["kind"] == "nota"
    assert Nota.objects.get().is_published
    auditor = client_for("auditor", "auditor-nota")
    assert auditor.get("/api/v1/notas/").json()["count"] == 1
    assert auditor.post(
        "/api/v1/notas/", {"tender": tender.slug, "questions": []}, content_type="application/json"
    ).status_code in (400, 403)


def test_a_late_nota_is_a_400_on_the_deadline_field(client_for, provider):
    tender = build_tender(deadline=timezone.now() + dt.timedelta(days=3))
    question = question_ask(
        tender=tender, organisation=organisation_of(provider), user=provider, text="Q?"
    )
    staff = client_for("voorzitter")
    staff.post(f"/api/v1/questions/{question.pk}/answer/", {"answer": "A."})
    nota = staff.post(
        "/api/v1/notas/",
        {"tender": tender.slug, "questions": [question.pk]},
        content_type="application/json",
    ).json()
    response = staff.post(f"/api/v1/notas/{nota['id']}/publish/")
    assert response.status_code == 400
    assert "Verplaats eerst de sluitingstermijn" in field_errors(response)["deadline"][0]


def test_news_and_key_dates_crud_for_staff(client_for, tender):
    staff = client_for("inkoper")
    news = staff.post(
        "/api/v1/news-items/",
        {"tender": tender.slug, "title": "Nieuws", "body": "Tekst"},
        content_type="application/json",
    )
    assert news.status_code == 201, news.content
    item = news.json()["id"]
    changed = staff.patch(
        f"/api/v1/news-items/{item}/", {"title": "Ander"}, content_type="application/json"
    )
    assert changed.status_code == 200 and NewsItem.objects.get().title == "Ander"
    assert staff.delete(f"/api/v1/news-items/{item}/").status_code == 204
    key_date = staff.post(
        "/api/v1/key-dates/",
        {"tender": tender.slug, "label": "Gunning", "date": "2099-10-01"},
        content_type="application/json",
    )
    assert key_date.status_code == 201
    assert staff.get(f"/api/v1/key-dates/?tender={tender.slug}").json()["count"] == 1
    auditor = client_for("auditor", "auditor-kd")
    assert auditor.delete(f"/api/v1/key-dates/{key_date.json()['id']}/").status_code == 403
    assert KeyDate.objects.count() == 1


def test_providers_cannot_manage_news(client, tender, provider):
    api = as_user(client, provider)
    assert api.get("/api/v1/news-items/").json()["results"] == []
    response = api.post(
        "/api/v1/news-items/",
        {"tender": tender.slug, "title": "x", "body": "y"},
        content_type="application/json",
    )
    assert response.status_code == 403
