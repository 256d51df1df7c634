"""Sealed means sealed, in the database too (issue 13, point 2): until the four-eyes opening a
copy of every table and of the media folder shows nothing of what a bidder handed in (answers,
bid figures, municipalities and specialisms, file names, subcontractors, the UEA); the opening
decrypts it into the plain columns, in one transaction, audited, and the evaluation screens
show it."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.roles import BEOORDELAAR, INKOPER, VOORZITTER
from audit.models import AuditEntry
from evaluation.services.assignments import assignment_create, conflict_declare
from providers.envelopes import content_load
from providers.models import (
    DocumentKind,
    Dossier,
    RequirementAnswer,
    Subcontractor,
    Submission,
    SubmissionEnvelope,
    UEADeclaration,
)
from providers.services import submissions as services
from tender.models import Requirement
from tender.services.lifecycle import tender_confirm_opening

from .submission_support import (
    docx_bytes,
    draft_with_bid,
    media,  # noqa: F401
    open_tender,
    pdf_bytes,
    provider,
    staff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

FILE_MARKER = "Dossier-ZQXW-7731"
REFERENCE_MARKER = "Referentie-KJHV-5520"
CONTENT_MARKER = b"INHOUD-PLMQ-9042"
SUBCONTRACTOR_MARKER = "Onderaannemer-RTBN-3318"
MONTHS, HOURS, CLIENTS = "17.318407", "23.905161", 48271936
MARKERS = [
    FILE_MARKER,
    REFERENCE_MARKER,
    CONTENT_MARKER.decode(),
    SUBCONTRACTOR_MARKER,
    MONTHS,
    HOURS,
    str(CLIENTS),
    "73641928",  # the subcontractor's KvK number
    "UEA-VXNM",  # every text answer of the UEA
    "Ondertekenaar-HGFD-2210",
    "Functie-WQAZ-6604",
]


def _uea_signed_with_markers(tender, organisation, user):
    from providers.services.uea import uea_save, uea_sign
    from tests.providers.factories import uea_answers

    answers = {
        code: {"ja": True, "nee": False}.get(value, f"UEA-VXNM {value}")
        for code, value in uea_answers().items()
    }
    for key in ("signer_name", "signer_role", "signed_place"):
        answers.pop(key)
    uea_save(
        tender=tender,
        organisation=organisation,
        user=user,
        answers=answers,
        signer_name="Ondertekenaar-HGFD-2210",
        signer_role="Functie-WQAZ-6604",
        signed_place="Doetinchem",
    )
    return uea_sign(tender=tender, organisation=organisation, user=user)


def _sealed_world(procedure="restricted"):
    """One bidder: version 1 sealed with every kind of content, version 2 a draft copied from
    it with a subcontractor added."""
    tender = open_tender(procedure=procedure)
    user, organisation = provider("Zorg Envelop")
    _uea_signed_with_markers(tender, organisation, user)
    draft, segment = draft_with_bid(
        tender, user, organisation, clients=CLIENTS, months=MONTHS, hours=HOURS
    )
    for kind, name, data in (
        (DocumentKind.DOSSIER, f"{FILE_MARKER}.pdf", pdf_bytes(2, marker=CONTENT_MARKER)),
        (DocumentKind.REFERENCE, f"{REFERENCE_MARKER}.docx", docx_bytes(marker=CONTENT_MARKER)),
    ):
        services.document_upload(
            submission=draft, kind=kind, name=name, data=data, user=user, segment=segment
        )
    sealed = services.submission_seal(submission=draft, user=user)
    second = services.submission_start(tender=tender, organisation=organisation, user=user)
    services.subcontractor_add(
        submission=second, name=SUBCONTRACTOR_MARKER, kvk="73641928", user=user
    )
    return tender, user, sealed, second


def _database_dump() -> list[tuple[str, str]]:
    """Every row of every table as text; binary values both raw and as hex."""
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  (table names from the DB)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        raw = bytes(value)
                        dump.append((table, raw.decode("latin-1") + raw.hex()))
                    else:
                        dump.append((table, str(value)))
    return dump


def _media_dump(root: Path) -> list[tuple[str, str]]:
    return [
        (str(path), str(path.relative_to(root)) + path.read_bytes().decode("latin-1"))
        for path in root.rglob("*")
        if path.is_file()
    ]


def test_a_copy_of_the_database_and_media_reveals_no_bid_content(media):  # noqa: F811
    tender, _user, sealed, second = _sealed_world()

    dumps = _database_dump() + _media_dump(media)
    leaks = [(where, marker) for where, text in dumps for marker in MARKERS if marker in text]
    assert leaks == []
    # What carries no marker: the answers, municipalities and specialisms are neutral too.
    assert not RequirementAnswer.objects.filter(submission__tender=tender, met=True).exists()
    assert not Dossier.municipalities.through.objects.filter(
        dossier__submission__tender=tender
    ).exists()
    assert not Dossier.objects.filter(submission__tender=tender, bid_clients__isnull=False)
    assert Submission.objects.get(pk=sealed.pk).manifest is None
    # The bidder itself still reads its own content (through the envelope).
    assert content_load(second)["subcontractors"]
    assert [d["name"] for d in content_load(sealed)["manifest"]["documents"]] == [
        f"{FILE_MARKER}.pdf",
        f"{REFERENCE_MARKER}.docx",
    ]


def test_the_bidder_sees_and_edits_its_own_draft_through_the_envelope(client):
    tender, user, _sealed, _second = _sealed_world()
    client.force_login(user)
    page = client.get(reverse("portal-submission", args=[tender.slug])).content.decode()
    assert SUBCONTRACTOR_MARKER in page and f"{FILE_MARKER}.pdf" in page
    assert 'name="bid_months"' not in page  # a restricted request asks no bid (round 2 does)
    uea = client.get(reverse("portal-uea", args=[tender.slug])).content.decode()
    assert "Ondertekenaar-HGFD-2210" in uea and "UEA-VXNM" in uea


def test_the_opening_decrypts_into_the_evaluation_tables_in_one_audited_step(client_for):
    tender, _user, sealed, second = _sealed_world(procedure="open")  # the offer carries the bid
    # The deadline passes and the tender closes.
    tender.deadline = timezone.now() - dt.timedelta(minutes=1)
    tender.state = "offers_closed"
    tender.save(update_fields=["deadline", "state"])

    tender_confirm_opening(tender=tender, user=staff("inkoper", INKOPER))
    assert SubmissionEnvelope.objects.filter(submission=sealed).exists()  # one is not enough
    tender_confirm_opening(tender=tender, user=staff("voorzitter", VOORZITTER))

    tender.refresh_from_db()
    assert tender.state == "offers_opened"
    assert not SubmissionEnvelope.objects.filter(submission=sealed).exists()
    dossier = Dossier.objects.select_related("submission__tender", "segment").get(submission=sealed)
    assert (dossier.bid_clients, dossier.bid_months, dossier.bid_hours_per_month) == (
        CLIENTS,
        Decimal(MONTHS),
        Decimal(HOURS),
    )
    assert dossier.municipalities.exists()
    answers = RequirementAnswer.objects.filter(submission=sealed)
    assert answers.count() == 2 and not answers.filter(met=False).exists()
    assert Submission.objects.get(pk=sealed.pk).manifest["dossiers"][0]["bid"]["clients"] == (
        CLIENTS
    )
    # The draft begun after sealing is never read: it stays sealed.
    assert SubmissionEnvelope.objects.filter(submission=second).exists()
    assert Subcontractor.objects.get(submission=second).name == ""
    entry = AuditEntry.objects.get(action="submission.envelopes_open")
    assert (entry.details["opened"], entry.details["ueas"]) == (1, 1)
    uea = UEADeclaration.objects.get(tender=tender)
    assert uea.signer_name == "Ondertekenaar-HGFD-2210" and uea.sealed_content is None
    assert any("UEA-VXNM" in str(value) for value in uea.answers.values())

    client = client_for(BEOORDELAAR, "beoordelaar")
    chair = staff("voorzitter2", VOORZITTER)
    assignment_create(dossier=dossier, user=client.user, assigned_by=chair)
    conflict_declare(dossier=dossier, user=client.user, has_conflict=False, note="")
    page = client.get(reverse("scoring-dossier", args=[tender.slug, "selection", dossier.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert f"{FILE_MARKER}.pdf" in content and f"{REFERENCE_MARKER}.docx" in content


def test_content_stored_before_the_envelope_existed_is_sealed_by_the_upgrade_command():
    from django.core.management import call_command

    from tests.factories import SubmissionFactory

    submission = SubmissionFactory(submitted=True)
    tender = submission.tender
    tender.state = "requests_closed"
    tender.save(update_fields=["state"])
    answer = RequirementAnswer.objects.create(
        submission=submission,
        requirement=Requirement.objects.create(tender=tender, code="AM9", text="Eis"),
        met=True,
    )
    Subcontractor.objects.create(submission=submission, name=SUBCONTRACTOR_MARKER, kvk="73641928")

    call_command("seal_submissions", stdout=io.StringIO())

    answer.refresh_from_db()
    assert not answer.met and SubmissionEnvelope.objects.filter(submission=submission).exists()
    assert Subcontractor.objects.get(submission=submission).name == ""
    content = content_load(submission)
    assert content["answers"] == {str(answer.requirement_id): True}
    assert [s["name"] for s in content["subcontractors"].values()] == [SUBCONTRACTOR_MARKER]


def test_an_opening_with_the_wrong_master_key_is_refused_and_undone(settings):
    from tender.errors import ApplicationError

    tender, _user, sealed, _second = _sealed_world()
    tender.deadline = timezone.now() - dt.timedelta(minutes=1)
    tender.state = "requests_closed"
    tender.save(update_fields=["deadline", "state"])
    tender_confirm_opening(tender=tender, user=staff("inkoper", INKOPER))
    settings.SUBMISSION_MASTER_KEY = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="

    with pytest.raises(ApplicationError) as refused:
        tender_confirm_opening(tender=tender, user=staff("voorzitter", VOORZITTER))

    assert "niet worden ontsloten" in refused.value.message
    tender.refresh_from_db()
    assert tender.state == "requests_closed"
    assert SubmissionEnvelope.objects.filter(submission=sealed).exists()
