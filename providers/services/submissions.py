"""A bidder's submission: the draft (segments, answers, dossiers, documents, subcontractors),
sealing with a receipt, withdrawing, and the one place where a file is decrypted.

Rules (docs/rules.md, "Submissions, sealing and encryption"):
- a submission belongs to a round (request, offer, application: ``tender.constants.Round``);
  drafts of a round are started, changed and sealed only while that round is open
  (``ROUND_WRITABLE_STATE``) and the server time is strictly before the round's deadline;
- one draft per bidder, tender and round at a time; editing a sealed or withdrawn version
  starts a new draft version copied from it (files re-used by reference); the sealed version
  stays current until the new one is sealed;
- files are decrypted only after the opening, for the sealed current version, for a permitted
  user (``providers.permissions.can_read_submission_document``).
"""

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.permissions import provider_membership
from audit.services import audit_record
from tender.constants import ROUND_WRITABLE_STATE, Phase, PlanDocuments, RequirementBinds, Round
from tender.errors import ApplicationError
from tender.models import Criterion, Municipality, Requirement, Segment, Tender
from tender.pdf import render_to_pdf
from tender.services.mail import absolute_url, local_display, mail_after_commit, mail_render

from .. import crypto
from .. import envelopes as envelope
from ..constants import SubmissionState
from ..models import (
    DocumentKind,
    Dossier,
    EncryptedFile,
    Organisation,
    PartyAnswer,
    RequirementAnswer,
    Subcontractor,
    Submission,
    SubmissionDocument,
    kvk_validator,
)
from ..permissions import can_edit_submission, can_read_submission_document
from ..submission_selectors import (
    MAX_REFERENCES,
    checklist_missing,
    invited_segments,
    member_refusal,
    round_admits,
    submission_checklist,
    submission_combination,
    submission_detail,
    submission_parties,
)
from ..uploads import check_upload

MANIFEST_FORMAT = "aanbesteding-inschrijving-v1"


# -- guards -------------------------------------------------------------------------------------


def round_refusal(tender: Tender, round: str | None = None, now=None) -> str | None:
    """Why a submission of ``round`` (default: the round open now) cannot be started, changed,
    sealed or withdrawn now (Dutch), or None: its round must be open and the server time
    strictly before the round's deadline."""
    now = now or timezone.now()
    round = round or tender.writable_round() or tender.rounds[0]
    if round not in tender.rounds or tender.state != ROUND_WRITABLE_STATE[round]:
        return _("Inschrijven is bij deze aanbesteding niet mogelijk (status: %(state)s).") % {
            "state": tender.get_state_display()
        }
    if round == Round.APPLICATION:
        return admission_refusal(tender, now)
    if tender.deadline_passed(now, round):
        return _(
            "De sluitingstermijn (%(deadline)s) is verstreken. Uw concept blijft bewaard, maar "
            "kan niet meer worden gewijzigd of ingediend."
        ) % {"deadline": local_display(tender.round_deadline(round))}
    return None


def admission_refusal(tender: Tender, at) -> str | None:
    """Open House: why an application cannot be made at ``at`` (outside the admission
    period, Dutch), or None."""
    if tender.in_admission_period(at):
        return None
    if tender.admission_start is not None and at < tender.admission_start:
        return _(
            "De toelatingsperiode begint op %(start)s; aanmelden kan pas vanaf dat moment."
        ) % {"start": local_display(tender.admission_start)}
    return _(
        "De toelatingsperiode is op %(end)s geëindigd; aanmelden kan niet meer. Uw concept "
        "blijft bewaard."
    ) % {"end": local_display(tender.admission_end)}


def application_refusal(versions) -> str | None:
    """Open House: why a new application cannot be started (Dutch), or None. An application in
    a batch waits for its decision; an admitted provider does not apply again; a rejected one
    may (a new version; the earlier decision stays on record)."""
    if versions.filter(round=Round.APPLICATION, admission_outcome="admitted").exists():
        return _("Uw organisatie is al toegelaten; een nieuwe aanmelding is niet nodig.")
    if versions.filter(
        round=Round.APPLICATION, admission_batch__isnull=False, admission_outcome=""
    ).exists():
        return _(
            "Uw aanmelding is geopend en wordt beoordeeld; wacht op het besluit voordat u "
            "opnieuw aanmeldt."
        )
    return None


def draft_refusal(tender: Tender, now=None, round: str | None = None) -> str | None:
    """Why a draft of ``tender`` (of ``round``, default the open round) cannot be changed now."""
    return round_refusal(tender, round, now)


def _check_user(user, submission: Submission) -> None:
    if not can_edit_submission(user, submission):
        raise ApplicationError(_("U kunt alleen voor uw eigen organisatie handelen."))


def _lock_draft(submission: Submission, user) -> Submission:
    """Lock the draft row and check the user, the version and the moment."""
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("tender", "bidder")
        .get(pk=submission.pk)
    )
    _check_user(user, locked)
    if locked.state != SubmissionState.DRAFT:
        raise ApplicationError(
            _("Deze versie is al ingediend of ingetrokken; wijzig via een nieuwe versie.")
        )
    refusal = draft_refusal(locked.tender, round=locked.round)
    if refusal:
        raise ApplicationError(refusal)
    return locked


def _audit(
    action: str,
    submission: Submission,
    user,
    details: dict | None = None,
    *,
    client_address: str | None,
) -> None:
    audit_record(
        action=action,
        actor=user,
        obj=submission,
        tender=submission.tender,
        details={
            "bidder": submission.bidder.kvk,
            "round": submission.round,
            "version": submission.version,
            **(details or {}),
        },
        client_address=client_address,
    )


# -- the draft ----------------------------------------------------------------------------------


@transaction.atomic
def submission_start(
    *,
    tender: Tender,
    organisation: Organisation,
    user,
    round: str | None = None,
    client_address: str | None = None,
) -> Submission:
    """The organisation's draft for ``tender`` in ``round`` (default: the round open now): the
    existing one, or a new version (copied from the latest sealed or withdrawn version of that
    round, if any). A round beyond the first only for whom it admits (the invited)."""
    Organisation.objects.select_for_update().get(pk=organisation.pk)  # one start at a time
    if not can_edit_submission(user, Submission(bidder=organisation)):
        raise ApplicationError(_("U kunt alleen voor uw eigen organisatie handelen."))
    tender = Tender.objects.get(pk=tender.pk)
    round = round or tender.writable_round() or tender.rounds[0]
    if round not in tender.rounds:
        raise ApplicationError(_("Deze ronde hoort niet bij de procedure."))
    if not round_admits(tender=tender, organisation=organisation, round=round):
        raise ApplicationError(_("Uw organisatie is niet uitgenodigd voor deze ronde."))
    versions = Submission.objects.filter(tender=tender, round=round, bidder=organisation).order_by(
        "-version"
    )
    draft = versions.filter(state=SubmissionState.DRAFT).first()
    if draft is not None:
        return draft
    refusal = (
        draft_refusal(tender, round=round)
        or application_refusal(versions)
        or member_refusal(tender=tender, organisation=organisation)
    )
    if refusal:
        raise ApplicationError(refusal)
    latest = versions.first()
    submission = Submission.objects.create(
        tender=tender,
        round=round,
        bidder=organisation,
        combination=submission_combination(tender=tender, organisation=organisation),
        state=SubmissionState.DRAFT,
        version=latest.version + 1 if latest else 1,
        is_current=False,
    )
    content = envelope.content_empty()
    if latest is not None:
        content = _copy_content(source=latest, target=submission)
    envelope.content_store(submission, content)
    _audit(
        "submission.start",
        submission,
        user,
        {"copied_from": latest.version if latest else None},
        client_address=client_address,
    )
    return submission


def _copy_content(*, source: Submission, target: Submission) -> envelope.Content:
    """Answers, dossiers, subcontractors and documents as neutral rows, and the sealed content
    of ``source`` re-keyed to them (the documents' encrypted files are re-used by reference,
    never re-encrypted). Returns the target's content (without the manifest)."""
    content = envelope.content_load(source)
    RequirementAnswer.objects.bulk_create(
        RequirementAnswer(submission=target, requirement_id=a.requirement_id, met=False)
        for a in source.answers.all()
    )
    Dossier.objects.bulk_create(
        Dossier(submission=target, segment_id=d.segment_id) for d in source.dossiers.all()
    )
    subcontractors = list(source.subcontractors.order_by("pk"))
    copies = Subcontractor.objects.bulk_create(
        Subcontractor(submission=target, name="", kvk="") for _s in subcontractors
    )
    content["subcontractors"] = {
        str(copy.pk): content["subcontractors"].get(str(original.pk), {})
        for original, copy in zip(subcontractors, copies, strict=True)
    }
    copied_subcontractors = {
        original.pk: copy.pk for original, copy in zip(subcontractors, copies, strict=True)
    }
    party_answers = list(source.party_answers.order_by("pk"))
    party_copies = PartyAnswer.objects.bulk_create(
        PartyAnswer(
            submission=target,
            requirement_id=a.requirement_id,
            member_id=a.member_id,
            subcontractor_id=copied_subcontractors.get(a.subcontractor_id),
            met=False,
        )
        for a in party_answers
    )
    content["party_answers"] = {
        str(copy.pk): content.get("party_answers", {}).get(str(original.pk), False)
        for original, copy in zip(party_answers, party_copies, strict=True)
    }
    copied_party_answers = {
        original.pk: copy.pk for original, copy in zip(party_answers, party_copies, strict=True)
    }
    documents = list(source.documents.order_by("pk"))
    copies = SubmissionDocument.objects.bulk_create(
        SubmissionDocument(
            submission=target,
            kind=d.kind,
            segment_id=d.segment_id,
            requirement_id=d.requirement_id,
            criterion_id=d.criterion_id,
            party_answer_id=copied_party_answers.get(d.party_answer_id),
            file_id=d.file_id,
            name="",
            uploaded_by_id=d.uploaded_by_id,
            uploaded_at=d.uploaded_at,
        )
        for d in documents
    )
    content["documents"] = {
        str(copy.pk): content["documents"].get(str(original.pk), "")
        for original, copy in zip(documents, copies, strict=True)
    }
    content["manifest"] = None
    return content


@transaction.atomic
def submission_segments_set(
    *, submission: Submission, segments, user, client_address: str | None = None
) -> Submission:
    """Choose the segments: a dossier per chosen segment; leaving a segment deletes its
    dossier, its documents and the answers to its requirements."""
    submission = _lock_draft(submission, user)
    chosen = {s.pk for s in segments}
    valid = set(
        invited_segments(
            tender=submission.tender, organisation=submission.bidder, round=submission.round
        ).values_list("pk", flat=True)
    )
    if not chosen <= valid:
        raise ApplicationError(_("Kies segmenten van deze aanbesteding."), field="segments")
    current = set(submission.dossiers.values_list("segment_id", flat=True))
    removed = current - chosen
    if removed:
        submission.dossiers.filter(segment_id__in=removed).delete()
        _documents_delete(submission.documents.filter(segment_id__in=removed))
        _documents_delete(submission.documents.filter(requirement__segment_id__in=removed))
        submission.answers.filter(requirement__segment_id__in=removed).delete()
    Dossier.objects.bulk_create(
        Dossier(submission=submission, segment_id=pk) for pk in sorted(chosen - current)
    )
    envelope.content_store(submission, envelope.content_load(submission))
    _audit(
        "submission.segments",
        submission,
        user,
        {"segments": sorted(Segment.objects.filter(pk__in=chosen).values_list("code", flat=True))},
        client_address=client_address,
    )
    return submission


@transaction.atomic
def submission_answers_save(
    *,
    submission: Submission,
    answers: dict,
    user,
    party_answers: dict | None = None,
    client_address: str | None = None,
) -> Submission:
    """``answers`` maps Requirement -> True/False (answered) or None (clear the answer). Only
    general requirements and those of a chosen segment can be answered.

    ``party_answers`` maps (Requirement, party key) -> True/False/None for the requirements that
    bind every party (``Requirement.binds``): the key names a confirmed member of the
    combination the bidder leads (``m<organisation id>``) or a subcontractor of the submission
    (``s<subcontractor id>``), ``submission_parties``. Sealed like the bidder's own answers."""
    submission = _lock_draft(submission, user)
    segments = set(submission.dossiers.values_list("segment_id", flat=True))
    content = envelope.content_load(submission)
    if party_answers:
        _party_answers_put(submission, segments, party_answers, content)
    for requirement, met in answers.items():
        if requirement.tender_id != submission.tender_id or (
            requirement.segment_id is not None and requirement.segment_id not in segments
        ):
            raise ApplicationError(
                _("Eis %(code)s hoort niet bij uw inschrijving.") % {"code": requirement.code},
                field="answers",
            )
        if met is None:
            submission.answers.filter(requirement=requirement).delete()
            content["answers"].pop(str(requirement.pk), None)
        else:  # the row says "answered"; the answer itself is sealed
            RequirementAnswer.objects.get_or_create(
                submission=submission, requirement=requirement, defaults={"met": False}
            )
            content["answers"][str(requirement.pk)] = bool(met)
    envelope.content_store(submission, content)
    _audit(
        "submission.answers",
        submission,
        user,
        {
            "requirements": sorted(r.code for r in answers),
            **(
                {"party_requirements": sorted({r.code for r, _key in party_answers})}
                if party_answers
                else {}
            ),
        },
        client_address=client_address,
    )
    return submission


def _party_answers_put(submission: Submission, segments: set, given: dict, content) -> None:
    parties = {p.key: p for p in submission_parties(submission)}
    content.setdefault("party_answers", {})
    for (requirement, key), met in given.items():
        if (
            requirement.tender_id != submission.tender_id
            or requirement.binds != RequirementBinds.EVERY_PARTY
            or (requirement.segment_id is not None and requirement.segment_id not in segments)
        ):
            raise ApplicationError(
                _("Eis %(code)s vraagt geen antwoord per partij in uw inschrijving.")
                % {"code": requirement.code},
                field="answers",
            )
        party = parties.get(key)
        if party is None:
            raise ApplicationError(
                _("Deze partij hoort niet bij uw inschrijving (eis %(code)s).")
                % {"code": requirement.code},
                field="answers",
            )
        rows = PartyAnswer.objects.filter(
            submission=submission,
            requirement=requirement,
            member=party.member,
            subcontractor=party.subcontractor,
        )
        if met is None:
            _documents_delete(SubmissionDocument.objects.filter(party_answer__in=rows))
            rows.delete()
            continue
        row = rows.first() or PartyAnswer.objects.create(
            submission=submission,
            requirement=requirement,
            member=party.member,
            subcontractor=party.subcontractor,
            met=False,  # the row says "answered"; the answer itself is sealed
        )
        content["party_answers"][str(row.pk)] = bool(met)


def _decimal(value, label: str, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise ApplicationError(
            _("%(label)s: vul een getal in.") % {"label": label}, field=name
        ) from None
    if not number.is_finite() or number < 0:
        raise ApplicationError(
            _("%(label)s: vul een getal van 0 of meer in.") % {"label": label}, field=name
        )
    exponent = number.as_tuple().exponent  # an int: the number is finite
    if not isinstance(exponent, int) or exponent < -6 or number >= Decimal("1e8"):
        raise ApplicationError(
            _("%(label)s: gebruik hoogstens 6 decimalen en minder dan 100.000.000.")
            % {"label": label},
            field=name,
        )
    return number


@transaction.atomic
def dossier_save(
    *,
    submission: Submission,
    segment: Segment,
    user,
    municipality_codes: list[str],
    specialisms: list[str],
    bid_clients=None,
    bid_months=None,
    bid_hours_per_month=None,
    client_address: str | None = None,
) -> Dossier:
    """The municipalities served (of the segment's lot), the specialisms (of the segment) and
    the lumpsum bid of one dossier. Empty bid fields are allowed in a draft.

    Per round (docs/rules.md, "Rounds"): a restricted offer states no municipalities or
    specialisms (it takes those of the request; what is sent is ignored). The portal asks the
    bid in the round that carries it (``Submission.carries_bid``); a bid sent in a restricted
    request is refused."""
    submission = _lock_draft(submission, user)
    if submission.serves_from_request:
        municipality_codes, specialisms = [], []
    if not submission.carries_bid and any(
        value not in (None, "") for value in (bid_clients, bid_months, bid_hours_per_month)
    ):
        # Round 1 of the restricted procedure: the bid belongs to the offer (round 2).
        raise ApplicationError(
            _(
                "Een verzoek tot deelneming bevat geen bod: u brengt uw bod uit in de "
                "inschrijving (ronde 2), als u bent uitgenodigd."
            ),
            field="bid_clients",
        )
    dossier = submission.dossiers.select_related("segment__lot").filter(segment=segment).first()
    if dossier is None:
        raise ApplicationError(_("Kies dit segment eerst."), field="segment")
    lot_municipalities = {m.code: m for m in dossier.segment.lot.municipalities.all()}
    unknown = sorted(set(municipality_codes) - set(lot_municipalities))
    if unknown:
        raise ApplicationError(
            _("Deze gemeenten horen niet bij het perceel: %(codes)s.")
            % {"codes": ", ".join(unknown)},
            field="municipalities",
        )
    offered = set(dossier.segment.specialisms or [])
    if not set(specialisms) <= offered:
        raise ApplicationError(_("Kies alleen specialismen van dit segment."), field="specialisms")
    clients = _decimal(bid_clients, _("Cliënten per jaar"), "bid_clients")
    if clients is not None and clients != clients.to_integral_value():
        raise ApplicationError(
            _("Cliënten per jaar: vul een geheel getal in."), field="bid_clients"
        )
    dossier.bid_clients = int(clients) if clients is not None else None
    dossier.bid_months = _decimal(bid_months, _("Trajectduur (maanden)"), "bid_months")
    dossier.bid_hours_per_month = _decimal(
        bid_hours_per_month, _("Uren per maand"), "bid_hours_per_month"
    )
    dossier.specialisms = sorted(set(specialisms))
    # Sealed: the values go into the envelope only; the returned dossier carries them in memory.
    content = envelope.content_load(submission)
    content["dossiers"][str(segment.pk)] = envelope.dossier_content(
        dossier, [lot_municipalities[c].pk for c in set(municipality_codes)]
    )
    envelope.content_store(submission, content)
    _audit(
        "submission.dossier",
        submission,
        user,
        {"segment": segment.code},
        client_address=client_address,
    )
    return dossier


@transaction.atomic
def segment_section_save(
    *,
    submission: Submission,
    segment: Segment,
    answers: dict,
    user,
    party_answers: dict | None = None,
    client_address: str | None = None,
    **dossier_fields,
) -> Dossier:
    """One segment's section of the overview in one action: its requirement answers (the
    other parties' too) and its dossier data (municipalities, specialisms, bid)."""
    submission_answers_save(
        submission=submission,
        answers=answers,
        party_answers=party_answers,
        user=user,
        client_address=client_address,
    )
    return dossier_save(
        submission=submission,
        segment=segment,
        user=user,
        client_address=client_address,
        **dossier_fields,
    )


# -- documents --------------------------------------------------------------------------------


def _documents_delete(documents) -> None:
    """Delete document rows; an encrypted file no other document points to goes as well (its
    bytes are removed from storage after commit)."""
    file_ids = list(documents.values_list("file_id", flat=True))
    documents.delete()
    orphans = EncryptedFile.objects.filter(pk__in=file_ids, documents__isnull=True)
    for encrypted in orphans:
        name, storage = encrypted.blob.name, encrypted.blob.storage
        encrypted.delete()
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))


@transaction.atomic
def document_upload(
    *,
    submission: Submission,
    kind: str,
    name: str,
    data: bytes | IO[bytes],
    user,
    segment: Segment | None = None,
    requirement: Requirement | None = None,
    criterion: Criterion | None = None,
    party_answer: PartyAnswer | None = None,
    client_address: str | None = None,
) -> SubmissionDocument:
    """Check (type by content, size, name, zip bomb, PDF pages), encrypt and store one file.
    ``data`` is the content in memory or, from the views, the uploaded file itself: it is read
    in chunks (``providers.uploads``, ``providers.crypto.store_encrypted``), never whole.
    The dossier, an evidence file and the convenant have one slot each: a new upload replaces
    the previous one; references are added (at most ``MAX_REFERENCES`` per segment)."""
    submission = _lock_draft(submission, user)
    if kind not in DocumentKind.values:
        raise ApplicationError(_("Kies het soort document."), field="kind")
    chosen = set(submission.dossiers.values_list("segment_id", flat=True))
    slot = submission.documents.filter(kind=kind)
    if kind != DocumentKind.PLAN:
        criterion = None
    if kind != DocumentKind.EVIDENCE:
        party_answer = None
    if kind == DocumentKind.PLAN:
        segment, criterion = _plan_slot(submission, chosen, segment, criterion)
        requirement = None
        slot = slot.filter(segment=segment, criterion=criterion)
    elif kind in (DocumentKind.DOSSIER, DocumentKind.REFERENCE):
        if segment is None or segment.pk not in chosen:
            raise ApplicationError(_("Kies een segment van uw inschrijving."), field="segment")
        requirement = None
        slot = slot.filter(segment=segment)
    elif kind == DocumentKind.EVIDENCE:
        if (
            requirement is None
            or requirement.tender_id != submission.tender_id
            or (requirement.segment_id is not None and requirement.segment_id not in chosen)
        ):
            raise ApplicationError(_("Kies een eis van uw inschrijving."), field="requirement")
        segment = None
        if party_answer is not None and (
            party_answer.submission_id != submission.pk
            or party_answer.requirement_id != requirement.pk
        ):
            raise ApplicationError(
                _("Beantwoord de eis eerst voor deze partij; dan kunt u haar bewijs uploaden."),
                field="party",
            )
        slot = slot.filter(requirement=requirement, party_answer=party_answer)
    else:  # convenant
        led = submission_combination(tender=submission.tender, organisation=submission.bidder)
        if led is not None and submission.combination_id != led.pk:
            submission.combination = led
            submission.save(update_fields=["combination"])
        if led is None:
            raise ApplicationError(
                _("Een samenwerkingsovereenkomst hoort alleen bij een combinatie."), field="kind"
            )
        segment = requirement = None
    if kind == DocumentKind.REFERENCE and slot.count() >= MAX_REFERENCES:
        raise ApplicationError(
            ngettext(
                "Per segment kunt u hoogstens %(n)s referentie uploaden.",
                "Per segment kunt u hoogstens %(n)s referenties uploaden.",
                MAX_REFERENCES,
            )
            % {"n": MAX_REFERENCES},
            field="file",
        )
    checked = check_upload(name=name, data=data, kind=kind)
    if kind != DocumentKind.REFERENCE:
        _documents_delete(slot)
    encrypted = EncryptedFile(
        tender=submission.tender,
        size=checked.size,
        content_type=checked.content_type,
        pages=checked.pages,
    )
    encrypted.sha256 = crypto.store_encrypted(submission.tender, checked.file, encrypted.blob)
    try:
        encrypted.save()
        document = SubmissionDocument.objects.create(
            submission=submission,
            kind=kind,
            segment=segment,
            requirement=requirement,
            criterion=criterion,
            party_answer=party_answer,
            file=encrypted,
            name="",  # sealed: the name is in the envelope
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
            uploaded_at=timezone.now(),
        )
        content = envelope.content_load(submission)
        content["documents"][str(document.pk)] = checked.name
        envelope.content_store(submission, content)
    except Exception:
        encrypted.blob.storage.delete(encrypted.blob.name)  # nothing stored on failure
        raise
    document.name = checked.name
    _audit(
        "submission.document_upload",
        submission,
        user,
        {
            "kind": kind,
            "segment": segment.code if segment else None,
            "requirement": requirement.code if requirement else None,
            "criterion": criterion.code if criterion else None,
            "size": encrypted.size,
            "sha256": encrypted.sha256,
        },
        client_address=client_address,
    )
    return document


def _plan_slot(submission: Submission, chosen: set, segment, criterion):
    """Where a plan goes (docs/rules.md, "Rounds"): one per chosen segment, or one per award
    criterion of a chosen segment, as the tender sets; only in the round of the offer."""
    setting = submission.tender.plan_documents
    if setting == PlanDocuments.NONE or submission.round != Round.OFFER:
        raise ApplicationError(_("Deze aanbesteding vraagt in deze ronde geen plan."), field="kind")
    if segment is None or segment.pk not in chosen:
        raise ApplicationError(_("Kies een segment van uw inschrijving."), field="segment")
    if setting == PlanDocuments.PER_SEGMENT:
        return segment, None
    if criterion is None or criterion.segment_id != segment.pk or criterion.phase != Phase.AWARD:
        raise ApplicationError(
            _("Kies een gunningscriterium van dit segment voor het plan."), field="criterion"
        )
    return segment, criterion


@transaction.atomic
def document_delete(
    *, document: SubmissionDocument, user, client_address: str | None = None
) -> None:
    submission = _lock_draft(document.submission, user)
    document = SubmissionDocument.objects.get(pk=document.pk, submission=submission)
    details = {"kind": document.kind}
    _documents_delete(SubmissionDocument.objects.filter(pk=document.pk))
    envelope.content_store(submission, envelope.content_load(submission))
    _audit("submission.document_delete", submission, user, details, client_address=client_address)


# -- subcontractors ---------------------------------------------------------------------------


@transaction.atomic
def subcontractor_add(
    *, submission: Submission, name: str, kvk: str, user, client_address: str | None = None
) -> Subcontractor:
    submission = _lock_draft(submission, user)
    name, kvk = (name or "").strip(), (kvk or "").strip()
    if not name:
        raise ApplicationError(_("Vul de naam van de onderaannemer in."), field="name")
    try:
        kvk_validator(kvk)
    except Exception:
        raise ApplicationError(_("Een KvK-nummer bestaat uit 8 cijfers."), field="kvk") from None
    if kvk == submission.bidder.kvk:
        raise ApplicationError(_("U kunt uzelf niet als onderaannemer opgeven."), field="kvk")
    content = envelope.content_load(submission)
    if any(entry.get("kvk") == kvk for entry in content["subcontractors"].values()):
        raise ApplicationError(_("Deze onderaannemer staat al in de lijst."), field="kvk")
    subcontractor = Subcontractor.objects.create(submission=submission, name="", kvk="")
    organisation = Organisation.objects.filter(kvk=kvk).first()
    content["subcontractors"][str(subcontractor.pk)] = {
        "name": name[:200],
        "kvk": kvk,
        "organisation": organisation.pk if organisation else None,
    }
    envelope.content_store(submission, content)
    _audit("submission.subcontractor_add", submission, user, client_address=client_address)
    subcontractor.name, subcontractor.kvk, subcontractor.organisation = (
        name[:200],
        kvk,
        organisation,
    )
    return subcontractor


@transaction.atomic
def subcontractor_remove(
    *, subcontractor: Subcontractor, user, client_address: str | None = None
) -> None:
    submission = _lock_draft(subcontractor.submission, user)
    subcontractor = Subcontractor.objects.get(pk=subcontractor.pk, submission=submission)
    _documents_delete(SubmissionDocument.objects.filter(party_answer__subcontractor=subcontractor))
    subcontractor.delete()  # its answers to the requirements of every party go with it
    envelope.content_store(submission, envelope.content_load(submission))
    _audit("submission.subcontractor_remove", submission, user, client_address=client_address)


# -- sealing ----------------------------------------------------------------------------------


def _number(value) -> str | None:
    if value is None:
        return None
    return format(Decimal(value).quantize(Decimal("0.000001")), "f")


def submission_manifest(submission: Submission, *, received_at) -> dict:
    """The canonical content of a submission (docs/rules.md): the whole-submission hash is the
    SHA-256 of ``canonical_json(manifest)``. Hashes of files are over their plaintext.
    ``submission`` comes from ``submission_detail`` (prefetched, its sealed content unsealed in
    memory), as the checklist's does."""
    members = []
    if submission.combination_id:
        members = sorted(submission.combination.members.values_list("kvk", flat=True))
    return {
        "format": MANIFEST_FORMAT,
        "tender": submission.tender.slug,
        "bidder": submission.bidder.kvk,
        "combination_members": members,
        "version": submission.version,
        "received_at": received_at.astimezone(UTC).isoformat(),
        "answers": sorted(
            ({"requirement": a.requirement.code, "met": a.met} for a in submission.answers.all()),
            key=lambda a: a["requirement"],
        ),
        # the answers of the other parties (requirements of every party); no key without any
        **_party_manifest(submission),
        "dossiers": [
            {
                "segment": d.segment.code,
                "municipalities": sorted(m.code for m in d.municipalities.all()),
                "specialisms": sorted(d.specialisms),
                "bid": {
                    "clients": d.bid_clients,
                    "months": _number(d.bid_months),
                    "hours_per_month": _number(d.bid_hours_per_month),
                },
            }
            for d in sorted(submission.dossiers.all(), key=lambda d: d.segment.code)
        ],
        "documents": sorted(
            (
                {
                    "kind": d.kind,
                    "segment": d.segment.code if d.segment_id else None,
                    "requirement": d.requirement.code if d.requirement_id else None,
                    # a plan per award criterion names its criterion (other documents: no key)
                    **({"criterion": d.criterion.code} if d.criterion_id else {}),
                    "name": d.name,
                    "size": d.file.size,
                    "sha256": d.file.sha256,
                }
                for d in submission.documents.all()
            ),
            key=lambda d: (
                d["kind"],
                d["segment"] or "",
                d["requirement"] or "",
                d["sha256"],
                d["name"],
            ),
        ),
        "subcontractors": sorted(
            ({"kvk": s.kvk, "name": s.name} for s in submission.subcontractors.all()),
            key=lambda s: s["kvk"],
        ),
    }


def _party_manifest(submission: Submission) -> dict:
    rows = list(submission.party_answers.all())
    if not rows:
        return {}
    subcontractors = {s.pk: s.kvk for s in submission.subcontractors.all()}
    members = dict(
        Organisation.objects.filter(pk__in=[a.member_id for a in rows if a.member_id]).values_list(
            "pk", "kvk"
        )
    )
    return {
        "party_answers": sorted(
            (
                {
                    "requirement": a.requirement.code,
                    "party": members.get(a.member_id) or subcontractors.get(a.subcontractor_id),
                    "role": "member" if a.member_id else "subcontractor",
                    "met": a.met,
                }
                for a in rows
            ),
            key=lambda a: (a["requirement"], a["role"], a["party"] or ""),
        )
    }


def canonical_json(data) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@transaction.atomic
def submission_seal(
    *, submission: Submission, user, base_url: str = "", client_address: str | None = None
) -> Submission:
    """Submit the draft: lock it, take the receipt time (server clock, after the lock), check
    the deadline (strictly before it) and the checklist, hash, mark this version current (the
    previous sealed one no longer), audit, and mail the receipt after commit."""
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("tender__region", "bidder")  # the region: the receipt mail's footer
        .get(pk=submission.pk)
    )
    received_at = timezone.now()
    _check_user(user, locked)
    if locked.state != SubmissionState.DRAFT:
        raise ApplicationError(_("Deze versie van uw inschrijving is al ingediend."))
    membership = provider_membership(user)
    if membership is not None and not membership.email_verified:
        raise ApplicationError(
            _(
                "Bevestig eerst uw e-mailadres via de link in de e-mail die u bij het "
                "registreren kreeg; daarna kunt u indienen."
            )
        )
    tender = locked.tender
    if locked.round == Round.APPLICATION and (
        refusal := admission_refusal(tender, received_at)
        or application_refusal(
            Submission.objects.filter(tender=tender, bidder=locked.bidder).exclude(pk=locked.pk)
        )
    ):
        raise ApplicationError(refusal)
    if tender.deadline_passed(received_at, locked.round):
        raise ApplicationError(
            _(
                "De sluitingstermijn (%(deadline)s) is verstreken; indienen kan niet meer. Uw "
                "concept blijft ongewijzigd bewaard."
            )
            % {"deadline": local_display(tender.round_deadline(locked.round))}
        )
    if tender.state != ROUND_WRITABLE_STATE[locked.round]:
        raise ApplicationError(
            _("Indienen kan alleen als de inschrijving is opengesteld (status: %(state)s).")
            % {"state": tender.get_state_display()}
        )
    # The combination may have formed (or fallen apart) since the draft was started.
    led = submission_combination(tender=tender, organisation=locked.bidder)
    if locked.combination_id != (led.pk if led else None):
        locked.combination = led
        locked.save(update_fields=["combination"])
    # One prefetched read of the content, for the checklist and the manifest alike.
    detail = submission_detail(locked.pk)
    missing = checklist_missing(submission_checklist(detail))
    if missing:
        raise ApplicationError(
            _("Uw inschrijving is nog niet compleet: %(items)s.")
            % {"items": "; ".join(item.label for item in missing)}
        )
    previous = list(
        Submission.objects.select_for_update()
        .filter(tender=tender, round=locked.round, bidder=locked.bidder, is_current=True)
        .exclude(pk=locked.pk)
    )
    Submission.objects.filter(pk__in=[p.pk for p in previous]).update(is_current=False)
    manifest = submission_manifest(detail, received_at=received_at)
    data_key = crypto.tender_data_key(tender)  # one lookup for the read and the write
    content = envelope.content_load(detail, data_key=data_key)  # envelope came with the detail
    content["manifest"] = manifest
    envelope.content_store(locked, content, data_key=data_key)  # the manifest sealed too
    locked.manifest = None
    locked.content_hash = hashlib.sha256(canonical_json(manifest)).hexdigest()
    locked.submitted_at = received_at
    locked.state = SubmissionState.SEALED
    locked.is_current = True
    locked.sealed_by = user if getattr(user, "is_authenticated", False) else None
    locked.save(
        update_fields=[
            "manifest",
            "content_hash",
            "submitted_at",
            "state",
            "is_current",
            "sealed_by",
        ]
    )
    locked.manifest = manifest  # in memory, for the receipt
    # The mail is rendered now and sent after commit. Rendering it before the audit entry
    # keeps the lock on the audit chain (held until commit, one seal at a time) short.
    _mail_receipt(locked, user, base_url)
    _audit(
        "submission.seal",
        locked,
        user,
        {
            "content_hash": locked.content_hash,
            "received_at": received_at.isoformat(),
            "replaces": [p.version for p in previous],
        },
        client_address=client_address,
    )
    return locked


def _mail_receipt(submission: Submission, user, base_url: str) -> None:
    url = absolute_url(
        reverse("portal-submission-receipt", args=[submission.tender.slug, submission.version]),
        base_url,
    )
    addresses: list[str] = []
    for address in (getattr(user, "email", ""), submission.bidder.contact_email):
        if address and address.lower() not in {a.lower() for a in addresses}:
            addresses.append(address)
    mail_after_commit(
        mail_render(
            "submission_sealed",
            {
                "submission": submission,
                "tender": submission.tender,
                "manifest": submission.manifest,
                "url": url,
            },
            address,
        )
        for address in addresses
    )


@transaction.atomic
def submission_withdraw(
    *, submission: Submission, user, client_address: str | None = None
) -> Submission:
    """Withdraw the sealed current version before the deadline. It is kept (never readable)
    and no longer counts; the bidder may start a new version until the deadline."""
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("tender", "bidder")
        .get(pk=submission.pk)
    )
    _check_user(user, locked)
    if locked.state != SubmissionState.SEALED or not locked.is_current:
        raise ApplicationError(_("Alleen een ingediende inschrijving kan worden ingetrokken."))
    now = timezone.now()
    if round_refusal(locked.tender, locked.round, now):
        raise ApplicationError(_("De sluitingstermijn is verstreken; intrekken kan niet meer."))
    if locked.admission_batch_id is not None:
        raise ApplicationError(
            _("Deze aanmelding wordt geopend of is geopend; intrekken kan niet meer.")
        )
    locked.state = SubmissionState.WITHDRAWN
    locked.is_current = False
    locked.withdrawn_at = now
    locked.save(update_fields=["state", "is_current", "withdrawn_at"])
    _audit("submission.withdraw", locked, user, client_address=client_address)
    return locked


def receipt_reference(submission: Submission) -> str:
    # The first round keeps the one-round reference; a later round names itself.
    prefix = "" if submission.round == submission.tender.rounds[0] else f"{submission.round}-"
    return f"ONT-{submission.tender.slug}-{prefix}{submission.bidder.kvk}-v{submission.version}"


def submission_receipt_pdf(submission: Submission) -> bytes:
    manifest = submission.manifest or {}
    codes = {code for d in manifest.get("dossiers", []) for code in d.get("municipalities", [])}
    names = dict(Municipality.objects.filter(code__in=codes).values_list("code", "name"))
    dossiers = [
        {**d, "municipality_names": [names.get(c, c) for c in d.get("municipalities", [])]}
        for d in manifest.get("dossiers", [])
    ]
    return render_to_pdf(
        "pdf/submission_receipt.html",
        {
            "submission": submission,
            "manifest": manifest,
            "dossiers": dossiers,
            "tender": submission.tender,
            "region_name": submission.tender.region.name,
            "reference": receipt_reference(submission),
        },
    )


# -- reading a file (the only decryption) -------------------------------------------------------


def submission_document_open(
    *, document: SubmissionDocument, user, client_address=None
) -> Iterator[bytes]:
    """The plaintext of ``document`` for ``user`` as chunks (for a streamed response), refused
    (ApplicationError) before the opening, for any version but the sealed current one, and
    without permission; the refusal and the audit (every read) happen here, before the first
    chunk. Decryption streams: each chunk is authenticated before it is given out, so nothing
    altered is ever served; the SHA-256 of the plaintext is checked at the end (a mismatch ends
    the stream with ApplicationError, a damaged or truncated file with
    ``crypto.FileDecryptionError``)."""
    document = SubmissionDocument.objects.select_related(
        "submission__tender", "submission__bidder", "file", "segment"
    ).get(pk=document.pk)
    if not can_read_submission_document(user, document):
        raise ApplicationError(_("Dit document is (nog) niet in te zien."))
    submission = document.submission
    data_key = crypto.tender_data_key(submission.tender)
    audit_record(
        action="submission.document_view",
        actor=user,
        obj=document,
        tender=submission.tender,
        client_address=client_address,
        details={
            "bidder": submission.bidder.kvk,
            "kind": document.kind,
            "sha256": document.file.sha256,
        },
    )
    return _decrypted_chunks(document, data_key)


def _decrypted_chunks(document: SubmissionDocument, data_key: bytes) -> Iterator[bytes]:
    digest = hashlib.sha256()
    with document.file.blob.open("rb") as handle:
        for chunk in crypto.decrypt_stream(document.submission.tender, handle, data_key=data_key):
            digest.update(chunk)
            yield chunk
    if digest.hexdigest() != document.file.sha256:
        raise ApplicationError(_("Het document is beschadigd: de hash klopt niet."))


def submission_document_read(*, document: SubmissionDocument, user, client_address=None) -> bytes:
    """The whole plaintext of ``document`` in memory (small files, tests): see
    ``submission_document_open``, which the views use."""
    return b"".join(
        submission_document_open(document=document, user=user, client_address=client_address)
    )
