"""Submissions: the draft, the checklist, sealing at the deadline, versions, withdrawing,
encryption at rest and the one decryption function."""

import datetime as dt
import hashlib
import json

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.roles import INKOPER, VOORZITTER
from audit.models import AuditEntry
from providers.constants import SubmissionState
from providers.envelopes import content_load, envelope_unseal
from providers.models import (
    DocumentKind,
    EncryptedFile,
    Organisation,
    Submission,
    SubmissionDocument,
)
from providers.services import submissions as services
from tender.errors import ApplicationError
from tender.models import Segment

from .factories import uea_signed
from .submission_support import (
    MARKER,
    complete_draft,
    media,  # noqa: F401
    open_bids,
    open_tender,
    pdf_bytes,
    provider,
    staff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def _draft_state(submission: Submission) -> dict:
    submission = Submission.objects.get(pk=submission.pk)
    return {
        "state": submission.state,
        "submitted_at": submission.submitted_at,
        "content_hash": submission.content_hash,
        "answers": sorted(submission.answers.values_list("requirement__code", "met")),
        "dossiers": sorted(
            submission.dossiers.values_list("segment__code", "bid_clients", "bid_months")
        ),
        "documents": sorted(submission.documents.values_list("name", "file__sha256")),
    }


def test_checklist_lists_what_is_missing_and_sealing_refuses_an_incomplete_draft():
    tender = open_tender()
    user, organisation = provider()
    draft = services.submission_start(tender=tender, organisation=organisation, user=user)

    with pytest.raises(ApplicationError) as refused:
        services.submission_seal(submission=draft, user=user)

    assert "nog niet compleet" in refused.value.message
    assert "Kies minstens één inkoopsegment" in refused.value.message
    assert Submission.objects.get(pk=draft.pk).state == SubmissionState.DRAFT


def test_a_complete_draft_is_sealed_with_receipt_time_hashes_and_a_mail(
    django_capture_on_commit_callbacks,
):
    tender = open_tender(procedure="open")  # the bid belongs to an offer
    user, organisation = provider(email="inschrijver@noord.example")
    draft = complete_draft(tender, user, organisation)

    with django_capture_on_commit_callbacks(execute=True):
        sealed = services.submission_seal(submission=draft, user=user)

    sealed.refresh_from_db()
    assert sealed.state == SubmissionState.SEALED and sealed.is_current
    assert sealed.submitted_at is not None
    assert sealed.manifest is None  # sealed in the envelope until the opening
    envelope_unseal(sealed)
    expected = hashlib.sha256(services.canonical_json(sealed.manifest)).hexdigest()
    assert sealed.content_hash == expected
    files = {d["name"]: d["sha256"] for d in sealed.manifest["documents"]}
    assert files["dossier.pdf"] == hashlib.sha256(pdf_bytes(3)).hexdigest()
    assert sealed.manifest["dossiers"][0]["bid"] == {
        "clients": 12,
        "months": "6.500000",
        "hours_per_month": "4.250000",
    }
    assert AuditEntry.objects.filter(action="submission.seal", object_id=str(sealed.pk)).exists()
    assert len(mail.outbox) == 1
    assert sealed.content_hash in mail.outbox[0].body
    assert files["dossier.pdf"] in mail.outbox[0].body


def test_sealing_needs_the_contact_person_the_decision_letters_go_to():
    tender = open_tender()
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    Organisation.objects.filter(pk=organisation.pk).update(contact_name=" ", contact_email="")

    with pytest.raises(ApplicationError) as refused:
        services.submission_seal(submission=draft, user=user)

    message = refused.value.message
    assert "nog niet compleet" in message
    assert f"De contactpersoon van {organisation.name} is bekend met naam en e-mailadres" in message
    assert "(ontbreekt: naam en e-mailadres)" in message
    assert Submission.objects.get(pk=draft.pk).state == SubmissionState.DRAFT

    Organisation.objects.filter(pk=organisation.pk).update(contact_name="Inge de Vries")
    with pytest.raises(ApplicationError, match=r"\(ontbreekt: e-mailadres\)"):
        services.submission_seal(submission=draft, user=user)
    Organisation.objects.filter(pk=organisation.pk).update(contact_email="inge@noord.example")
    sealed = services.submission_seal(submission=draft, user=user)
    assert sealed.state == SubmissionState.SEALED


def test_sealing_a_second_before_the_deadline_is_accepted_a_second_after_is_refused():
    deadline = timezone.now() + dt.timedelta(days=3)
    tender = open_tender(deadline=deadline)
    early_user, early_org = provider("Vroeg")
    late_user, late_org = provider("Laat")
    early = complete_draft(tender, early_user, early_org)
    late = complete_draft(tender, late_user, late_org)
    before = _draft_state(late)

    with time_machine.travel(deadline - dt.timedelta(seconds=1), tick=False):
        sealed = services.submission_seal(submission=early, user=early_user)
    assert sealed.state == SubmissionState.SEALED
    assert sealed.submitted_at == deadline - dt.timedelta(seconds=1)

    with (
        time_machine.travel(deadline + dt.timedelta(seconds=1), tick=False),
        pytest.raises(ApplicationError) as refused,
    ):
        services.submission_seal(submission=late, user=late_user)
    assert "sluitingstermijn" in refused.value.message
    assert "concept blijft ongewijzigd bewaard" in refused.value.message
    assert _draft_state(late) == before


def test_exactly_at_the_deadline_is_too_late():
    deadline = timezone.now() + dt.timedelta(days=3)
    tender = open_tender(deadline=deadline)
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    with time_machine.travel(deadline, tick=False), pytest.raises(ApplicationError):
        services.submission_seal(submission=draft, user=user)


def test_a_new_version_reuses_the_files_and_the_latest_sealed_version_counts():
    tender = open_tender()
    user, organisation = provider()
    first = services.submission_seal(
        submission=complete_draft(tender, user, organisation), user=user
    )

    second = services.submission_start(tender=tender, organisation=organisation, user=user)
    assert second.version == 2 and second.state == SubmissionState.DRAFT
    assert set(second.documents.values_list("file_id", flat=True)) == set(
        first.documents.values_list("file_id", flat=True)
    )
    # The sealed version counts until the new one is sealed.
    first.refresh_from_db()
    assert first.is_current
    services.submission_seal(submission=second, user=user)

    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.is_current and first.state == SubmissionState.SEALED
    assert second.is_current
    assert EncryptedFile.objects.count() == 2  # shared, not copied


def test_withdraw_before_the_deadline_then_resubmit():
    tender = open_tender()
    user, organisation = provider()
    sealed = services.submission_seal(
        submission=complete_draft(tender, user, organisation), user=user
    )

    services.submission_withdraw(submission=sealed, user=user)
    sealed.refresh_from_db()
    assert sealed.state == SubmissionState.WITHDRAWN and not sealed.is_current

    again = services.submission_start(tender=tender, organisation=organisation, user=user)
    services.submission_seal(submission=again, user=user)
    again.refresh_from_db()
    assert again.version == 2 and again.is_current


def test_changes_after_the_deadline_are_refused_and_the_draft_stays():
    deadline = timezone.now() + dt.timedelta(days=1)
    tender = open_tender(deadline=deadline)
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    before = _draft_state(draft)
    with (
        time_machine.travel(deadline + dt.timedelta(minutes=1), tick=False),
        pytest.raises(ApplicationError) as refused,
    ):
        services.submission_answers_save(
            submission=draft, answers={r: False for r in tender.requirements.all()}, user=user
        )
    assert "verstreken" in refused.value.message
    assert _draft_state(draft) == before


def test_another_organisation_cannot_touch_the_draft():
    tender = open_tender()
    user, organisation = provider("A")
    other_user, _ = provider("B")
    draft = complete_draft(tender, user, organisation)
    with pytest.raises(ApplicationError):
        services.submission_seal(submission=draft, user=other_user)
    with pytest.raises(ApplicationError):
        services.subcontractor_add(submission=draft, name="X", kvk="12345678", user=other_user)


def test_subcontractors_by_name_and_kvk_are_in_the_manifest():
    tender = open_tender()
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    with pytest.raises(ApplicationError) as refused:
        services.subcontractor_add(submission=draft, name="Hulp BV", kvk="123", user=user)
    assert refused.value.field == "kvk"
    services.subcontractor_add(submission=draft, name="Hulp BV", kvk="12345678", user=user)

    # Every subcontractor declares for itself: first it registers, then signs its own UEA.
    with pytest.raises(ApplicationError) as refused:
        services.submission_seal(submission=draft, user=user)
    assert "Hulp BV (KvK 12345678) registreert zich" in refused.value.message
    helper_user, helper = provider("Hulp BV")
    Organisation.objects.filter(pk=helper.pk).update(kvk="12345678")
    helper.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        services.submission_seal(submission=draft, user=user)
    assert "nog open: Hulp BV" in refused.value.message
    uea_signed(tender=tender, organisation=helper, user=helper_user)

    sealed = services.submission_seal(submission=draft, user=user)
    assert sealed.manifest["subcontractors"] == [{"kvk": "12345678", "name": "Hulp BV"}]


def test_files_are_encrypted_at_rest(media):  # noqa: F811
    tender = open_tender()
    user, organisation = provider()
    complete_draft(tender, user, organisation)

    stored = [p for p in media.rglob("*") if p.is_file()]
    assert len(stored) == 2
    for path in stored:
        data = path.read_bytes()
        assert MARKER not in data
        assert not data.startswith(b"%PDF") and not data.startswith(b"PK")
        assert path.suffix == ".bin"
    # The original name is only in the database, sealed in the envelope until the opening.
    assert {d.name for d in SubmissionDocument.objects.all()} == {""}
    names = set(content_load(Submission.objects.get()).get("documents").values())
    assert names == {"dossier.pdf", "referentie.docx"}


def test_documents_are_unreadable_before_the_opening_for_everyone():
    tender = open_tender()
    user, organisation = provider()
    sealed = services.submission_seal(
        submission=complete_draft(tender, user, organisation), user=user
    )
    document = sealed.documents.get(kind=DocumentKind.DOSSIER)
    chair = staff("voorzitter1", VOORZITTER)
    for state in ("requests_open", "requests_closed"):
        tender.state = state
        tender.save(update_fields=["state"])
        for reader in (chair, staff(f"inkoper-{state}", INKOPER), user):
            with pytest.raises(ApplicationError):
                services.submission_document_read(document=document, user=reader)

    open_bids(tender)
    assert services.submission_document_read(document=document, user=chair) == pdf_bytes(3)
    assert AuditEntry.objects.filter(action="submission.document_view").count() == 1
    # The provider itself (no municipal role) never reads through the application.
    with pytest.raises(ApplicationError):
        services.submission_document_read(document=document, user=user)


def test_earlier_versions_stay_unreadable_after_the_opening():
    tender = open_tender()
    user, organisation = provider()
    first = services.submission_seal(
        submission=complete_draft(tender, user, organisation), user=user
    )
    second = services.submission_start(tender=tender, organisation=organisation, user=user)
    services.submission_seal(submission=second, user=user)
    open_bids(tender)
    old = first.documents.get(kind=DocumentKind.DOSSIER)
    with pytest.raises(ApplicationError):
        services.submission_document_read(document=old, user=staff("vz", VOORZITTER))


def test_leaving_a_segment_removes_its_dossier_documents_and_answers():
    tender = open_tender()
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    other = Segment.objects.get(tender=tender, code="WMO-BG")
    services.submission_segments_set(submission=draft, segments=[other], user=user)
    assert list(draft.dossiers.values_list("segment__code", flat=True)) == ["WMO-BG"]
    assert not draft.documents.exists()
    assert list(draft.answers.values_list("requirement__code", flat=True)) == ["AM1"]
    assert EncryptedFile.objects.count() == 0


def test_manifest_is_canonical_json():
    assert (
        services.canonical_json({"b": 1, "a": "é"})
        == json.dumps({"a": "é", "b": 1}, separators=(",", ":"), ensure_ascii=False).encode()
    )


def test_a_combination_needs_the_draft_convenant():
    from providers.models import Combination, CombinationMember

    tender = open_tender()
    user, organisation = provider()
    combination = Combination.objects.create(tender=tender, lead=organisation, name="Samen")
    member_user, member = provider("Partner Zuid")
    CombinationMember.objects.create(
        combination=combination, organisation=member, confirmed_at=timezone.now()
    )
    draft = complete_draft(tender, user, organisation)
    assert draft.combination_id is not None
    with pytest.raises(ApplicationError) as refused:
        services.submission_seal(submission=draft, user=user)
    assert "samenwerkingsovereenkomst" in refused.value.message
    assert "nog open: Partner Zuid" in refused.value.message  # the member's own UEA
    uea_signed(tender=tender, organisation=member, user=member_user)

    # A confirmed member cannot start a submission of its own.
    with pytest.raises(ApplicationError) as refused:
        services.submission_start(tender=tender, organisation=member, user=member_user)
    assert "alleen de penvoerder" in refused.value.message

    services.document_upload(
        submission=draft,
        kind=DocumentKind.CONVENANT,
        name="convenant.pdf",
        data=pdf_bytes(),
        user=user,
    )
    sealed = services.submission_seal(submission=draft, user=user)
    assert "convenant" in {d["kind"] for d in sealed.manifest["documents"]}


def test_the_data_key_is_stored_wrapped_and_rewraps_on_rotation():
    import base64
    import os

    from providers import crypto
    from providers.models import TenderDataKey

    tender = open_tender()
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    record = TenderDataKey.objects.get(tender=tender)
    data_key = crypto.tender_data_key(tender)
    assert data_key not in bytes(record.wrapped_key)
    assert record.master_key_id == crypto.master_key_id()

    old, new = crypto.master_key(), os.urandom(32)
    assert crypto.data_keys_rewrap(old_key=old, new_key=new) == 1
    record.refresh_from_db()
    assert record.master_key_id == crypto.master_key_id(new)
    assert crypto.unwrap_key(record.wrapped_key, tender_id=tender.pk, key=new) == data_key
    # With the rotated key in the settings the files still decrypt.
    from django.test import override_settings

    with override_settings(SUBMISSION_MASTER_KEY=base64.b64encode(new).decode()):
        stored = draft.documents.first().file.blob.open("rb").read()
        assert crypto.decrypt_file(tender, stored)


def test_the_rewrap_command_rotates_from_the_environment(monkeypatch, media):  # noqa: F811
    import base64
    import os

    from django.core.management import CommandError, call_command
    from django.test import override_settings

    from providers import crypto

    tender = open_tender()
    user, organisation = provider()
    draft = complete_draft(tender, user, organisation)
    stored = draft.documents.first().file.blob.open("rb").read()
    new = base64.b64encode(os.urandom(32)).decode()

    monkeypatch.setenv("SUBMISSION_MASTER_KEY_OLD", base64.b64encode(crypto.master_key()).decode())
    monkeypatch.setenv("SUBMISSION_MASTER_KEY_NEW", "no-key")
    with pytest.raises(CommandError, match="SUBMISSION_MASTER_KEY_NEW"):
        call_command("rewrap_data_keys")

    monkeypatch.setenv("SUBMISSION_MASTER_KEY_NEW", new)
    call_command("rewrap_data_keys")
    assert AuditEntry.objects.filter(action="crypto.rewrap").count() == 1
    with override_settings(SUBMISSION_MASTER_KEY=new):
        assert crypto.decrypt_file(tender, stored).startswith(b"%PDF")
