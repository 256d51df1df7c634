"""The demo-only commands: demo users with a fixed TOTP secret, and the current code."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from communication.permissions import can_ask_question
from providers.management.commands.create_demo_users import DEMO_TOTP_SECRET
from providers.models import Organisation, OrganisationMembership

pytestmark = pytest.mark.django_db


def test_demo_users_get_the_published_totp_secret_and_demo_totp_prints_a_valid_code(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    assert DEMO_TOTP_SECRET in out.getvalue() and "otpauth://totp/" in out.getvalue()
    devices = TOTPDevice.objects.filter(confirmed=True)
    assert sorted(d.user.username for d in devices) == [
        "admin",
        "auditor",
        "beoordelaar1",
        "beoordelaar2",
        "contractmanager",
        "inkoper",
        "voorzitter",
    ]  # not the provider
    call_command("create_demo_users", stdout=StringIO())  # again: still one device each
    assert TOTPDevice.objects.filter(user__username="inkoper").count() == 1

    code = StringIO()
    call_command("demo_totp", "voorzitter", stdout=code, stderr=StringIO())
    device = TOTPDevice.objects.get(user__username="voorzitter")
    assert device.verify_token(code.getvalue().strip())


def test_the_demo_provider_is_admin_of_a_demo_organisation_of_its_own(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    membership = OrganisationMembership.objects.get(user__username="aanbieder")
    assert membership.is_admin
    assert (membership.organisation.kvk, membership.organisation.name) == (
        "39999999",
        "Demo Zorgaanbieder",
    )
    assert "beheerder van Demo Zorgaanbieder (39999999)" in out.getvalue()
    assert can_ask_question(membership.user, None)
    call_command("create_demo_users", stdout=StringIO())  # again: one organisation, one link
    assert Organisation.objects.filter(kvk="39999999").count() == 1
    assert OrganisationMembership.objects.filter(user__username="aanbieder").count() == 1


def test_the_demo_provider_acts_for_the_achterhoek_bidder_once_loaded(settings, demo_tender):
    settings.DEBUG = True
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    membership = OrganisationMembership.objects.get(user__username="aanbieder")
    assert membership.is_admin and membership.organisation.kvk == "30000002"
    assert "beheerder van Stichting De Achterhoekse Brug (30000002)" in out.getvalue()
    assert not Organisation.objects.filter(kvk="39999999").exists()
    # Only staff and the provider: the other demo users act for no organisation.
    assert OrganisationMembership.objects.count() == 1


def test_demo_totp_is_refused_without_debug(settings, make_user):
    settings.DEBUG = False
    make_user("inkoper", "inkoper")
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "inkoper")


def test_the_demo_has_a_tender_at_every_stage_and_the_seeds_calendar(demo_tender, client):
    """Issue 15.7: a follow-up in market consultation with a provisional segment, one with
    requests open, Achterhoek 2022 after its opening with the seeds' calendar on its page."""
    from evaluation.management.commands.load_demo import (
        CONSULTATION,
        FOLLOW_UPS,
        REQUESTS_OPEN,
        achterhoek_after_opening,
        follow_up_load,
    )
    from tender.models import Tender

    for slug, title, days in FOLLOW_UPS:
        follow_up_load(slug=slug, title=title, days=days)
    achterhoek_after_opening()
    call_command("load_demo_calendar", stdout=StringIO())

    consultation = Tender.objects.get(slug=CONSULTATION)
    assert consultation.state == "consultation"
    assert list(consultation.segments.filter(provisional=True).values_list("code", flat=True)) == [
        "BW-BESCHUT"
    ]
    page = client.get(f"/aanbesteding/{CONSULTATION}/agenda/").content.decode()
    assert "Dialoogsessie marktconsultatie" in page
    requests = Tender.objects.get(slug=REQUESTS_OPEN)
    assert requests.state == "requests_open" and requests.writable_round() == "request"
    assert not requests.deadline_passed(requests.deadline - timedelta(days=29))

    demo_tender.refresh_from_db()
    assert demo_tender.state == "offers_opened"
    sessions = {s.title: s for s in demo_tender.sessions.all()}
    main = sessions["Vervolg overkoepelende informatieve sessie 'Inkoop 2022'"]
    assert main.capacity == 70 and main.overflow.starts_at.date() == date(2021, 2, 4)
    assert len(sessions) == 7 and demo_tender.key_dates.count() == 7
    front = client.get("/aanbesteding/inkoop-2022/").content.decode()
    assert "ook 7 eerdere bijeenkomsten" in front and "Start aanbesteding" in front
    agenda = client.get("/aanbesteding/inkoop-2022/agenda/").content.decode()
    assert "Vervolg overkoepelende informatieve sessie" in agenda and "Extra sessie" in agenda
    archive = client.get("/aanbesteding/inkoop-2022/nieuwsbrief/archief/").content.decode()
    assert "Thema-nieuwsbrief Inkoop 2022" in archive
    assert demo_tender.documents.filter(kind="document", audience="public").count() == 2
