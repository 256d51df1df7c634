"""The audit log for the auditor and staff (issue 18, point 5): per tender, filtered by action,
person, object and date, 50 per page in a fixed number of queries; one entry with its chain
check; the CSV export; the check of the whole chain on a worker; who may see it."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.roles import AANBIEDER, AUDITOR, BEOORDELAAR, CONTRACTMANAGER, INKOPER, VOORZITTER
from audit.models import AuditEntry, AuditVerification
from audit.services import audit_record
from tests.audit.test_audit_chain import as_superuser
from tests.url_sweep import response_text

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _rows(response) -> list[int]:
    """The sequence numbers the log page lists, in order."""
    page = response.content.decode()
    return [entry.seq for entry in response.context["page_obj"] if f"#{entry.seq}<" in page]


def _log(client, tender, **params):
    return client.get(reverse("audit-log", args=[tender.slug]), params)


def _record(tender, action, actor, **extra):
    return audit_record(action=action, actor=actor, tender=tender, **extra)


def test_the_auditor_filters_the_log_by_action_person_object_and_date(
    award_tender, client_for, make_user
):
    tender = award_tender
    chair = make_user("filter-chair", VOORZITTER)
    mine = _record(tender, "test.filter", chair, details={"n": 1})
    other = _record(tender, "test.filter", "systeemtaak")
    _record("andere-aanbesteding", "test.filter", chair)  # another tender: never listed
    client = client_for(AUDITOR)

    assert _rows(_log(client, tender, action="test.filter")) == [other.seq, mine.seq]
    assert _rows(_log(client, tender, action="test.filter", actor="filter-chair")) == [mine.seq]
    # the object: a part of its name ("inkoop-2022 Gunning #2"), or its id
    award = AuditEntry.objects.get(
        tender_slug=tender.slug, action="ranking.finalise", object_repr__contains="Gunning"
    )
    assert _rows(_log(client, tender, action="ranking.finalise", object="gunning")) == [award.seq]
    assert award.seq in _rows(_log(client, tender, object=award.object_id))
    # dates are days in Amsterdam, both ends included
    today = datetime.now(AMSTERDAM).date().isoformat()
    assert mine.seq in _rows(_log(client, tender, date_from=today, date_to=today))
    assert _rows(_log(client, tender, date_to="2000-01-01")) == []
    # the lists offer what occurs in this tender's log
    page = _log(client, tender)
    actors = [value for value, _ in page.context["form"].fields["actor"].choices]
    assert "filter-chair" in actors and "systeemtaak" in actors
    refused = _log(client, tender, date_from="2026-02-01", date_to="2026-01-01")
    assert refused.status_code == 400
    assert "De einddatum ligt voor de begindatum" in refused.content.decode()


def test_the_log_shows_50_entries_a_page_in_a_fixed_number_of_queries(
    award_tender, client_for, django_assert_num_queries
):
    tender = award_tender
    client = client_for(INKOPER)
    # session, user, device, roles, tender; the filter's three lists; count, page; the check
    with django_assert_num_queries(11) as first:
        page = _log(client, tender)
    assert page.status_code == 200
    for n in range(60):  # two pages of test entries
        _record(tender, "test.page", "systeemtaak", details={"n": n})
    total = AuditEntry.objects.filter(tender_slug=tender.slug).count()
    assert total > 60
    with django_assert_num_queries(len(first.captured_queries)):
        page = _log(client, tender, page=2)
    assert len(page.context["page_obj"]) == total - 50
    assert page.context["page_obj"].paginator.num_pages == 2
    newest = _log(client, tender, action="test.page")
    assert len(_rows(newest)) == 50 and _rows(newest)[0] == AuditEntry.objects.last().seq
    assert "Pagina 1 van 2" in newest.content.decode()


def test_the_export_is_the_filtered_log_in_dutch_in_amsterdam_time_without_formulas(
    award_tender, client_for
):
    tender = award_tender
    formula = _record(tender, "test.export", '=HYPERLINK("https://x")', details={"a": "@b"})
    _record(tender, "test.export", "-2+3")
    client = client_for(AUDITOR)
    url = reverse("audit-log-export", args=[tender.slug])

    response = client.get(url, {"action": "test.export"})
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"auditlog-{tender.slug}.csv" in response["Content-Disposition"]
    text = response_text(response)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header, *body = rows
    assert header[:4] == ["Volgnummer", "Tijdstip (Europe/Amsterdam)", "Gebruiker", "Handeling"]
    assert len(body) == 2 and {row[3] for row in body} == {"test.export"}
    row = next(row for row in body if row[0] == str(formula.seq))
    assert row[1] == formula.created_at.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M:%S")
    assert row[2] == '\'=HYPERLINK("https://x")'
    assert {row[2] for row in body} == {'\'=HYPERLINK("https://x")', "'-2+3"}
    assert row[-1] == formula.hash and row[-2] == formula.prev_hash
    # no filter: the whole log of the tender
    everything = response_text(client.get(url)).lstrip("\ufeff").splitlines()
    assert len(everything) == 1 + AuditEntry.objects.filter(tender_slug=tender.slug).count()


def test_an_entry_shows_its_chain_check_and_a_tampered_entry_the_mismatch(award_tender, client_for):
    tender = award_tender
    entry = _record(tender, "test.detail", "systeemtaak", details={"step": 1})
    client = client_for(AUDITOR)
    url = reverse("audit-entry", args=[tender.slug, entry.seq])

    page = client.get(url)
    text = page.content.decode()
    assert page.context["check"].intact
    assert "Deze regel klopt" in text and entry.hash in text and entry.prev_hash in text

    as_superuser(
        "UPDATE audit_auditentry SET details = '{\"step\": 99}'::jsonb WHERE seq = %s", [entry.seq]
    )
    page = client.get(url)
    check = page.context["check"]
    assert not check.hash_matches and check.link_matches
    assert check.stored_hash == entry.hash != check.computed_hash
    assert "Deze regel klopt niet" in page.content.decode()
    assert "afwijkend" in page.content.decode()
    # an entry of another tender is not found under this one
    elsewhere = _record("andere-aanbesteding", "test.detail", "systeemtaak")
    assert client.get(reverse("audit-entry", args=[tender.slug, elsewhere.seq])).status_code == 404


def test_verify_chain_runs_on_the_worker_and_the_page_shows_the_result(
    demo_tender, client_for, django_capture_on_commit_callbacks
):
    client = client_for(AUDITOR)
    log = reverse("audit-log", args=[demo_tender.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audit-verify"), {"tender": demo_tender.slug})
    assert response.status_code == 302 and response["Location"] == log
    verification = AuditVerification.objects.get()
    assert verification.status == "done" and verification.intact is True
    assert verification.checked == AuditEntry.objects.count()  # its own entry included
    assert verification.requested_by == client.user
    assert AuditEntry.objects.filter(action="audit.verify", actor=client.user).exists()
    assert "Keten intact" in client.get(log).content.decode()
    partial = client.get(reverse("audit-verify-progress", args=[verification.pk]))
    assert "Keten intact" in partial.content.decode() and "hx-get" not in partial.content.decode()

    victim = AuditEntry.objects.filter(tender_slug=demo_tender.slug).first()
    as_superuser("UPDATE audit_auditentry SET actor_repr = 'x' WHERE seq = %s", [victim.seq])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("audit-verify"))
    page = client.get(reverse("audit-home")).content.decode()
    assert "Keten niet intact" in page and f"#{victim.seq}: inhoud gewijzigd" in page


def test_a_running_check_is_polled_and_not_started_twice(demo_tender, client_for):
    client = client_for(VOORZITTER)
    client.post(reverse("audit-verify"))  # the task runs after commit: never, here
    client.post(reverse("audit-verify"))
    verification = AuditVerification.objects.get()
    page = client.get(reverse("audit-home")).content.decode()
    assert "De keten wordt gecontroleerd" in page
    assert reverse("audit-verify-progress", args=[verification.pk]) in page


@pytest.mark.parametrize("role", [BEOORDELAAR, AANBIEDER, CONTRACTMANAGER])
def test_evaluators_providers_and_contract_managers_do_not_reach_the_log(
    demo_tender, client_for, role
):
    client = client_for(role)
    entry = AuditEntry.objects.filter(tender_slug=demo_tender.slug).first()
    urls = [
        reverse("audit-home"),
        reverse("audit-log", args=[demo_tender.slug]),
        reverse("audit-log-export", args=[demo_tender.slug]),
        reverse("audit-entry", args=[demo_tender.slug, entry.seq]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("audit-verify")).status_code == 404
    assert not AuditVerification.objects.exists()


@pytest.mark.parametrize("role", [AUDITOR, INKOPER, VOORZITTER])
def test_the_tender_page_links_to_the_log_and_the_auditor_has_it_in_the_header(
    demo_tender, client_for, role
):
    client = client_for(role)
    page = client.get(reverse("tender-detail", args=[demo_tender.slug])).content.decode()
    assert reverse("audit-log", args=[demo_tender.slug]) in page
    assert (f'href="{reverse("audit-home")}"' in page) == (role == AUDITOR)
    assert client.get(reverse("audit-home")).status_code == 200


def test_the_contract_manager_gets_no_link_to_the_log(demo_tender, client_for):
    page = client_for(CONTRACTMANAGER).get(reverse("tender-detail", args=[demo_tender.slug]))
    assert reverse("audit-log", args=[demo_tender.slug]) not in page.content.decode()
