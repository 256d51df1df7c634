"""Sessions as the seeds run them (docs/rules.md, "Sessions"): the kinds, the audience, a
registration window ("aanmeldformulier volgt"), the programme and online link mailed by the date
staff set (once), every change and a cancellation mailed, the report linked to the session."""

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from communication.models import MailDelivery, Session, TenderDocument
from communication.services.documents import document_upload
from communication.services.registrations import session_register
from communication.services.sessions import (
    session_cancel,
    session_create,
    session_details_send,
    session_update,
)
from communication.tasks import send_due_session_details, send_session_details
from providers.selectors import organisation_of
from tender.errors import ApplicationError
from tests.conftest import verify_second_factor
from tests.providers.submission_support import pdf_bytes
from tests.tender.communication_helpers import (  # noqa: F401 - fixtures
    inkoper_fixture,
    make_provider,
    make_session,
    other_provider_fixture,
    provider_fixture,
    tender_fixture,
)

pytestmark = pytest.mark.django_db


def staff_login(client, user):
    client.force_login(user)
    verify_second_factor(client, user)


def register(session, user, email=None):
    return session_register(
        session=session,
        organisation=organisation_of(user),
        participant_name=user.username,
        participant_email=email or user.email,
        user=user,
    )


@pytest.fixture
def registered(tender, provider, other_provider, django_capture_on_commit_callbacks):
    """A session in 10 days with two registrants; the confirmations are cleared."""
    session = make_session(tender, capacity=5, online_link="https://teams.example/a")
    with django_capture_on_commit_callbacks(execute=True):
        register(session, provider)
        register(session, other_provider)
    mail.outbox.clear()
    return session


def test_the_seeds_kinds_and_an_audience_of_some_segments(tender, inkoper):
    starts = timezone.now() + dt.timedelta(days=20)
    segment = tender.segments.get(code="JH-DYS")
    kinds = {
        "table_talk": "Gesprekstafel",
        "workshop": "Workshop",
        "knowledge": "Kennissessie",
        "webinar": "Webinar",
        "information": "Informatiebijeenkomst",
    }
    for kind, label in kinds.items():
        session = session_create(
            tender=tender,
            user=inkoper,
            kind=kind,
            title=label,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            capacity=70,
            registration_deadline=starts - dt.timedelta(days=2),
            location="Doetinchem",
            segments=[segment],
        )
        assert session.get_kind_display() == label
        assert list(session.segments.all()) == [segment]


def test_registration_opens_at_its_moment_and_the_page_says_the_form_follows(
    tender, provider, client
):
    opens = timezone.now() + dt.timedelta(minutes=10)  # within the login's idle timeout
    session = make_session(tender, registration_opens_at=opens)
    page = reverse("public-session", args=[tender.slug, session.pk])
    client.force_login(provider)
    body = client.get(page).content.decode()
    assert "Aanmeldformulier volgt" in body and 'name="participant_email"' not in body
    with pytest.raises(ApplicationError, match="Aanmelden kan vanaf"):
        register(session, provider)
    with time_machine.travel(opens, tick=False):
        assert 'name="participant_email"' in client.get(page).content.decode()
        assert register(session, provider).is_active


def test_registration_must_open_before_it_closes(tender, inkoper):
    session = make_session(tender)
    with pytest.raises(ApplicationError, match="openen vóór het sluit"):
        session_update(
            session=session,
            user=inkoper,
            registration_opens_at=session.registration_deadline,
        )


def test_the_programme_leaves_on_the_set_date_exactly_once(
    registered, inkoper, django_capture_on_commit_callbacks
):
    send_by = timezone.localdate() + dt.timedelta(days=3)
    session_update(
        session=registered, user=inkoper, programme="10:00 Welkom", details_send_by=send_by
    )
    assert send_due_session_details() == 0  # not yet
    day = timezone.make_aware(dt.datetime.combine(send_by, dt.time(6, 0)))
    with time_machine.travel(day, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert send_due_session_details() == 1
        assert send_due_session_details() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        registered.registrations.values_list("participant_email", flat=True)
    )
    message = mail.outbox[0]
    assert "10:00 Welkom" in message.body and "https://teams.example/a" in message.body
    # a retry of the task sends nobody anything again
    assert send_session_details(registered.pk) == 0
    assert len(mail.outbox) == 2


def test_staff_may_send_the_programme_earlier_and_the_beat_then_skips_it(
    registered, inkoper, client, django_capture_on_commit_callbacks
):
    session_update(
        session=registered,
        user=inkoper,
        programme="Programma",
        details_send_by=timezone.localdate() + dt.timedelta(days=1),
    )
    staff_login(client, inkoper)
    url = reverse("communication-session-details", args=[registered.tender.slug, registered.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert len(mail.outbox) == 2
    with pytest.raises(ApplicationError, match="al verstuurd"):
        session_details_send(session=registered, user=inkoper)
    with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=False):
        assert send_due_session_details() == 0
    assert len(mail.outbox) == 2


def test_a_failing_mail_server_retries_without_mailing_anyone_twice(
    registered, inkoper, monkeypatch
):
    registered.programme, registered.details_sent_at = "Programma", timezone.now()
    registered.save()
    from django.core.mail.backends.locmem import EmailBackend

    original, calls = EmailBackend.send_messages, []

    def flaky(self, messages):
        calls.append(messages[0].to[0])
        if len(calls) == 2:
            raise smtplib.SMTPServerDisconnected("down")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_session_details.run(registered.pk)  # the first attempt, as Celery sees it
    assert len(mail.outbox) == 1
    send_session_details.run(registered.pk)  # the retry
    assert len(mail.outbox) == 2 and len({m.to[0] for m in mail.outbox}) == 2
    assert MailDelivery.objects.filter(key=f"session:{registered.pk}:details").count() == 2


def test_a_change_of_time_place_or_link_is_mailed_and_a_title_change_is_not(
    registered, inkoper, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session_update(session=registered, user=inkoper, title="Nieuwe titel")
    assert mail.outbox == []
    later = registered.starts_at + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        session_update(
            session=registered,
            user=inkoper,
            starts_at=later,
            ends_at=later + dt.timedelta(hours=2),
            location="Gemeentehuis Doetinchem",
        )
    assert len(mail.outbox) == 2
    assert all(m.subject.startswith("Gewijzigd") for m in mail.outbox)
    assert "Gemeentehuis Doetinchem" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        session_update(session=registered, user=inkoper, online_link="https://teams.example/b")
    assert len(mail.outbox) == 4


def test_a_cancellation_is_mailed_and_closes_the_session(
    registered, inkoper, provider, client, django_capture_on_commit_callbacks
):
    staff_login(client, inkoper)
    url = reverse("communication-session-cancel", args=[registered.tender.slug, registered.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"reason": "Te weinig aanmeldingen."}).status_code == 302
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject.startswith("Geannuleerd")
    assert "Te weinig aanmeldingen." in mail.outbox[0].body
    registered.refresh_from_db()
    assert registered.is_cancelled
    with pytest.raises(ApplicationError, match="geannuleerd"):
        register(registered, make_provider("Zorg Zuid"))
    with pytest.raises(ApplicationError, match="geannuleerd"):
        session_update(session=registered, user=inkoper, location="Elders")
    with pytest.raises(ApplicationError, match="al geannuleerd"):
        session_cancel(session=registered, user=inkoper)
    page = reverse("public-session", args=[registered.tender.slug, registered.pk])
    assert "Deze sessie is geannuleerd" in client.get(page).content.decode()


def test_a_provider_cannot_send_or_cancel(registered, provider, client):
    client.force_login(provider)
    for name in ("communication-session-details", "communication-session-cancel"):
        url = reverse(name, args=[registered.tender.slug, registered.pk])
        assert client.post(url).status_code == 404
    registered.refresh_from_db()
    assert not registered.is_cancelled and registered.details_sent_at is None


def test_the_report_is_a_library_verslag_linked_to_the_session(
    registered, inkoper, client, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    tender = registered.tender
    guide = document_upload(
        tender=tender,
        user=inkoper,
        uploaded_file=SimpleUploadedFile("leidraad.pdf", pdf_bytes()),
        title="Leidraad",
        category=TenderDocument.Category.GUIDE_SELECTION,
        audience=TenderDocument.Audience.PUBLIC,
    )
    with pytest.raises(ApplicationError, match="verslag"):
        session_update(session=registered, user=inkoper, report=guide)
    report = document_upload(
        tender=tender,
        user=inkoper,
        uploaded_file=SimpleUploadedFile("verslag.pdf", pdf_bytes()),
        title="Verslag gesprekstafel",
        category=TenderDocument.Category.REPORT,
        audience=TenderDocument.Audience.PUBLIC,
    )
    session_update(session=registered, user=inkoper, report=report)
    body = client.get(reverse("public-session", args=[tender.slug, registered.pk])).content
    assert b"Verslag gesprekstafel" in body
    assert reverse("public-document", args=[tender.slug, report.pk]).encode() in body
    assert Session.objects.get(pk=registered.pk).report == report
