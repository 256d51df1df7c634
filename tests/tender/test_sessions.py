"""Sessions: one participant per organisation, capacity, the conditional overflow session in
registration order, the registration deadline, cancelling, and concurrent registrations on
PostgreSQL that never exceed the capacity."""

import datetime as dt
import io
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from communication.models import Session, SessionRegistration
from communication.selectors import session_attendees
from communication.services.registrations import session_register, session_registration_cancel
from communication.services.sessions import session_create, session_update
from providers.models import Organisation
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


def register(session, user, name="Deelnemer"):
    return session_register(
        session=session,
        organisation=organisation_of(user),
        participant_name=name,
        participant_email=f"{user.username}@example.org",
        user=user,
    )


@pytest.fixture
def providers_(db):
    return [make_provider(f"Aanbieder {letter}") for letter in "ABCDE"]


@pytest.fixture
def grouped(tender):
    extra = make_session(tender, title="Extra sessie", capacity=2)
    main = make_session(tender, title="Informatieve sessie", capacity=2, overflow=extra)
    return main, extra


def test_registrations_fill_the_session_then_the_overflow_in_registration_order(
    grouped, providers_
):
    main, extra = grouped
    placed = [register(main, user).session for user in providers_[:4]]
    assert placed == [main, main, extra, extra]
    attendees = list(session_attendees(main))
    assert [a.organisation.name for a in attendees] == [f"Aanbieder {x}" for x in "ABCD"]
    assert [a.session_id for a in attendees] == [main.pk, main.pk, extra.pk, extra.pk]


def test_a_full_session_without_overflow_refuses_vol(tender, providers_):
    session = make_session(tender, capacity=1)
    register(session, providers_[0])
    with pytest.raises(ApplicationError, match="vol"):
        register(session, providers_[1])
    assert SessionRegistration.objects.filter(session=session).count() == 1


def test_when_the_overflow_is_full_too_registration_is_refused(tender, providers_):
    extra = make_session(tender, title="Extra", capacity=1)
    main = make_session(tender, capacity=1, overflow=extra)
    register(main, providers_[0])
    register(main, providers_[1])
    with pytest.raises(ApplicationError, match="vol"):
        register(main, providers_[2])


def test_one_participant_per_organisation_also_across_the_overflow(grouped, providers_):
    main, extra = grouped
    colleague = make_provider("Collega", username="collega")
    colleague.organisation_membership.organisation = organisation_of(providers_[2])
    colleague.organisation_membership.save()
    register(main, providers_[0])
    register(main, providers_[1])
    register(main, providers_[2])  # -> overflow
    with pytest.raises(ApplicationError, match="al aangemeld"):
        register(main, colleague, name="Tweede deelnemer")
    with pytest.raises(ApplicationError, match="al aangemeld"):
        register(main, providers_[0])


def test_registration_after_the_deadline_is_refused(tender, provider):
    session = make_session(tender)
    with (
        time_machine.travel(session.registration_deadline + dt.timedelta(seconds=1), tick=False),
        pytest.raises(ApplicationError, match="aanmeldtermijn is verstreken"),
    ):
        register(session, provider)
    with time_machine.travel(session.registration_deadline, tick=False):
        assert register(session, provider).session == session


def test_cancelling_frees_the_place_and_nobody_moves_up_from_the_overflow(tender, providers_):
    extra = make_session(tender, title="Extra sessie", capacity=3)
    main = make_session(tender, capacity=2, overflow=extra)
    first, _second, third, _fourth = [register(main, user) for user in providers_[:4]]
    session_registration_cancel(registration=first, user=providers_[0])
    third.refresh_from_db()
    assert third.session == extra  # stays where it was placed (docs/rules.md)
    assert register(main, providers_[4]).session == main  # the freed place
    with pytest.raises(ApplicationError, match="al afgemeld"):
        session_registration_cancel(registration=first, user=providers_[0])
    # Re-registering after a cancellation is a new registration at the back of the queue.
    assert register(main, providers_[0]).session == extra


def test_registering_for_the_overflow_session_itself_is_refused(grouped, provider):
    _main, extra = grouped
    with pytest.raises(ApplicationError, match="Meld u aan voor de sessie"):
        register(extra, provider)


def test_a_provider_cannot_register_or_cancel_for_another_organisation(
    tender, provider, other_provider
):
    session = make_session(tender)
    with pytest.raises(ApplicationError, match="eigen organisatie"):
        session_register(
            session=session,
            organisation=organisation_of(other_provider),
            participant_name="X",
            participant_email="x@example.org",
            user=provider,
        )
    registration = register(session, other_provider)
    with pytest.raises(ApplicationError, match="eigen organisatie"):
        session_registration_cancel(registration=registration, user=provider)


def test_no_registration_for_a_draft_tender(db, provider):
    session = make_session(build_tender(slug="concept", state="draft"))
    with pytest.raises(ApplicationError, match="niet aanmelden"):
        register(session, provider)


def test_the_confirmation_mail_names_the_overflow_session(
    grouped, providers_, django_capture_on_commit_callbacks
):
    main, extra = grouped
    with django_capture_on_commit_callbacks(execute=True):
        for user in providers_[:3]:
            register(main, user)
    assert len(mail.outbox) == 3
    assert "extra sessie" not in mail.outbox[0].body
    assert "de extra sessie van" in mail.outbox[2].body and extra.title in mail.outbox[2].body
    assert mail.outbox[2].to == [f"{providers_[2].username}@example.org"]


def test_overflow_takes_place_only_when_the_capacity_was_exceeded(client, grouped, providers_):
    main, extra = grouped
    url = reverse("public-session", args=[main.tender.slug, extra.pk])
    register(main, providers_[0])
    register(main, providers_[1])
    assert "Deze extra sessie gaat door." not in client.get(url).content.decode()
    register(main, providers_[2])
    assert "Deze extra sessie gaat door." in client.get(url).content.decode()


# -- planning rules -----------------------------------------------------------------------


def plan(tender, user, **overrides):
    starts = timezone.now() + dt.timedelta(days=14)
    values = {
        "kind": Session.Kind.TABLE_TALK,
        "title": "Gesprekstafel Wmo",
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=2),
        "capacity": 70,
        "registration_deadline": starts - dt.timedelta(days=7),
        "location": "Online via Microsoft Teams",
    }
    return session_create(tender=tender, user=user, **{**values, **overrides})


def test_staff_plan_a_session_with_audience_and_overflow(tender, inkoper):
    extra = plan(tender, inkoper, title="Extra sessie")
    lot = tender.lots.get(code="WMO")
    session = plan(tender, inkoper, lots=[lot], overflow=extra)
    assert session.overflow == extra and list(session.lots.all()) == [lot]
    assert extra.main_session == session and extra.is_overflow


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"registration_deadline": timezone.now() + dt.timedelta(days=20)}, "vóór de sessie"),
        ({"location": "", "online_link": ""}, "plaats of een deelnamelink"),
        ({"ends_at": timezone.now() + dt.timedelta(days=13)}, "na het begin"),
    ],
)
def test_a_session_with_impossible_times_or_no_place_is_refused(
    tender, inkoper, overrides, message
):
    with pytest.raises(ApplicationError, match=message):
        plan(tender, inkoper, **overrides)


def test_an_overflow_has_no_overflow_of_its_own_and_serves_one_session(tender, inkoper):
    extra = plan(tender, inkoper, title="Extra")
    main = plan(tender, inkoper, overflow=extra)
    with pytest.raises(ApplicationError, match="al de extra sessie"):
        plan(tender, inkoper, overflow=extra)
    with pytest.raises(ApplicationError, match="zelf een extra sessie"):
        plan(tender, inkoper, overflow=main)
    other = build_tender(slug="andere")
    with pytest.raises(ApplicationError, match="andere aanbesteding"):
        plan(other, inkoper, overflow=plan(tender, inkoper, title="Elders"))


def test_capacity_cannot_drop_below_the_places_taken(grouped, providers_, inkoper):
    main, _extra = grouped
    register(main, providers_[0])
    register(main, providers_[1])
    with pytest.raises(ApplicationError, match="al 2 aanmeldingen"):
        session_update(session=main, user=inkoper, capacity=1)
    assert session_update(session=main, user=inkoper, capacity=3).capacity == 3


def test_an_overflow_holding_registrations_stays_attached(grouped, providers_, inkoper):
    main, _extra = grouped
    for user in providers_[:3]:
        register(main, user)
    with pytest.raises(ApplicationError, match="blijft daarom gekoppeld"):
        session_update(session=main, user=inkoper, overflow=None)


def test_only_communication_managers_plan_sessions(tender, make_user):
    with pytest.raises(ApplicationError, match="niet beheren"):
        plan(tender, make_user("auditor-s", "auditor"))


# -- screens ------------------------------------------------------------------------------


def test_inkoper_creates_a_session_on_the_staff_screen(client_for, tender):
    client = client_for("inkoper")
    url = reverse("communication-session-create", args=[tender.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "webinar",
            "title": "Webinar bekostiging",
            "starts_at": "2099-02-11T14:00",
            "ends_at": "2099-02-11T16:00",
            "location": "",
            "online_link": "https://teams.example/abc",
            "capacity": "70",
            "registration_deadline": "2099-02-03T23:59",
        },
    )
    session = Session.objects.get(title="Webinar bekostiging")
    assert response.status_code == 302
    assert timezone.localtime(session.starts_at).hour == 14  # entered in Amsterdam time
    assert session.starts_at.astimezone(dt.UTC).hour == 13  # CET is UTC+1 in February


def test_the_staff_form_shows_the_service_refusal_on_the_field(client_for, tender):
    client = client_for("inkoper")
    response = client.post(
        reverse("communication-session-create", args=[tender.slug]),
        {
            "kind": "webinar",
            "title": "Zonder plaats",
            "starts_at": "2099-02-11T14:00",
            "ends_at": "2099-02-11T13:00",
            "capacity": "10",
            "registration_deadline": "2099-02-03T23:59",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Het einde moet na het begin liggen." in html
    assert "Vul een plaats of een deelnamelink in." in html


def test_provider_registers_and_cancels_on_the_public_session_page(client, tender, provider):
    session = make_session(tender, online_link="https://teams.example/geheim")
    url = reverse("public-session", args=[tender.slug, session.pk])
    assert "teams.example/geheim" not in client.get(url).content.decode()
    anonymous = client.post(url, {"participant_name": "A", "participant_email": "a@example.org"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]

    client.force_login(provider)
    page = client.get(url).content.decode()
    assert "Aanmelden voor deze sessie" in page and "Zorg Oost" in page
    response = client.post(
        url, {"participant_name": "Anna de Vries", "participant_email": "anna@example.org"}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Uw organisatie is aangemeld met Anna de Vries." in page
    assert "teams.example/geheim" in page  # registered participants see the link
    client.post(url, {"action": "cancel"})
    assert SessionRegistration.objects.get().cancelled_at is not None


def test_a_full_session_shows_the_refusal_on_the_page(client, tender, providers_):
    session = make_session(tender, capacity=1)
    register(session, providers_[0])
    client.force_login(providers_[1])
    response = client.post(
        reverse("public-session", args=[tender.slug, session.pk]),
        {"participant_name": "B", "participant_email": "b@example.org"},
    )
    assert response.status_code == 400
    assert "Deze sessie is vol." in response.content.decode()


def test_staff_export_the_attendees_as_csv_and_excel(client_for, grouped, providers_):
    main, _extra = grouped
    for user in providers_[:3]:
        register(main, user)
    client = client_for("auditor")  # read-only staff may export
    csv_response = client.get(
        reverse("communication-session-export", args=[main.tender.slug, main.pk, "csv"])
    )
    rows = csv_response.content.decode("utf-8-sig").splitlines()
    assert rows[0].split(";")[:4] == ["Volgorde", "Sessie", "Extra sessie", "Organisatie"]
    assert [r.split(";")[3] for r in rows[1:]] == ["Aanbieder A", "Aanbieder B", "Aanbieder C"]
    assert [r.split(";")[2] for r in rows[1:]] == ["nee", "nee", "ja"]

    xlsx = client.get(
        reverse("communication-session-export", args=[main.tender.slug, main.pk, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[4]][3] == "Aanbieder C"


def test_attendee_pages_are_for_staff_only(client, client_for, grouped, provider):
    main, _extra = grouped
    for url in (
        reverse("communication-session", args=[main.tender.slug, main.pk]),
        reverse("communication-session-export", args=[main.tender.slug, main.pk, "csv"]),
    ):
        client.force_login(provider)
        assert client.get(url).status_code == 404
    assert client_for("beoordelaar").get(url).status_code == 404


def test_export_quotes_cells_that_spreadsheets_would_run_as_formulas(client_for, tender):
    session = make_session(tender)
    evil = make_provider("=HYPERLINK(1)", username="evil")
    register(session, evil)
    response = client_for("inkoper").get(
        reverse("communication-session-export", args=[tender.slug, session.pk, "csv"])
    )
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


# -- concurrency --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_the_capacity():
    tender = build_tender()
    extra = make_session(tender, title="Extra", capacity=2)
    main = make_session(tender, capacity=3, overflow=extra)
    users = [make_provider(f"Gelijktijdig {i}") for i in range(10)]
    organisations = {u.pk: Organisation.objects.get(memberships__user=u) for u in users}
    barrier = threading.Barrier(len(users))
    outcomes = []

    def attempt(user):
        try:
            barrier.wait()
            registration = session_register(
                session=main,
                organisation=organisations[user.pk],
                participant_name="P",
                participant_email="p@example.org",
                user=user,
            )
            outcomes.append(registration.session_id)
        except ApplicationError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()  # every thread had its own connection

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count(main.pk) == 3
    assert outcomes.count(extra.pk) == 2
    assert outcomes.count("Deze sessie is vol.") == 5
    active = SessionRegistration.objects.filter(cancelled_at__isnull=True)
    assert active.filter(session=main).count() == 3
    assert active.filter(session=extra).count() == 2
