"""The sealed content of a submission until the opening ("Sealed means sealed", issue 13).

What a bidder hands in (the requirement answers, the dossiers' municipalities, specialisms and
bid figures, the documents' names, the subcontractors, and the manifest once sealed) is kept
as one JSON document, encrypted under the tender's data key (``providers.crypto``), in the
submission's ``SubmissionEnvelope``. Meanwhile the plain columns hold neutral values only: a
row says that a requirement was answered, a segment chosen, a document uploaded or a
subcontractor named, never what. A copy of the database and the media folder without the
master key reveals no content.

- ``content_load`` decrypts (or, for a submission without an envelope, reads the plain rows:
  scenario worlds, factories and data from before the envelope);
- ``content_store`` encrypts, drops what no longer has a row, and neutralises the columns;
- ``envelope_unseal`` puts the content on the objects of a ``submission_detail`` in memory, so
  the portal, the checklist and the manifest read the values as before;
- ``envelope_open`` writes the content into the plain columns and deletes the envelope: the
  opening (``providers.services.envelopes``), after which everything reads the columns.

The content document (string keys, as JSON has them)::

    {"answers": {"<requirement id>": true},
     "dossiers": {"<segment id>": {"municipalities": [<municipality id>], "specialisms": [],
                                   "bid_clients": 12, "bid_months": "6.5",
                                   "bid_hours_per_month": "4.25"}},
     "documents": {"<document id>": "name.pdf"},
     "subcontractors": {"<subcontractor id>": {"name": "", "kvk": "", "organisation": null}},
     "party_answers": {"<party answer id>": true},
     "manifest": null}
"""

import json
from decimal import Decimal
from typing import Any

from tender.models import Municipality

from . import crypto
from .models import (
    Dossier,
    PartyAnswer,
    RequirementAnswer,
    Subcontractor,
    Submission,
    SubmissionDocument,
    SubmissionEnvelope,
    UEADeclaration,
)

Content = dict[str, Any]

FORMAT = "aanbesteding-envelope-v1"


def content_empty() -> Content:
    return {
        "format": FORMAT,
        "answers": {},
        "dossiers": {},
        "documents": {},
        "subcontractors": {},
        "party_answers": {},
        "manifest": None,
    }


def _text(value) -> str | None:
    return None if value is None else str(value)


def dossier_content(dossier: Dossier, municipality_ids=None) -> dict:
    if municipality_ids is None:
        municipality_ids = [m.pk for m in dossier.municipalities.all()]
    return {
        "municipalities": sorted(municipality_ids),
        "specialisms": sorted(dossier.specialisms or []),
        "bid_clients": dossier.bid_clients,
        "bid_months": _text(dossier.bid_months),
        "bid_hours_per_month": _text(dossier.bid_hours_per_month),
    }


def _content_from_rows(submission: Submission) -> Content:
    """The content of a submission whose plain columns are the truth (no envelope)."""
    content = content_empty()
    content["answers"] = {
        str(a.requirement_id): a.met
        for a in RequirementAnswer.objects.filter(submission=submission)
    }
    for dossier in Dossier.objects.filter(submission=submission).prefetch_related("municipalities"):
        content["dossiers"][str(dossier.segment_id)] = dossier_content(dossier)
    content["documents"] = {
        str(d.pk): d.name for d in SubmissionDocument.objects.filter(submission=submission)
    }
    content["subcontractors"] = {
        str(s.pk): {"name": s.name, "kvk": s.kvk, "organisation": s.organisation_id}
        for s in Subcontractor.objects.filter(submission=submission)
    }
    content["party_answers"] = {
        str(a.pk): a.met for a in PartyAnswer.objects.filter(submission=submission)
    }
    content["manifest"] = submission.manifest
    return content


def _envelope_of(submission: Submission) -> SubmissionEnvelope | None:
    if Submission.envelope.is_cached(submission):  # select_related("envelope")
        try:
            return submission.envelope
        except SubmissionEnvelope.DoesNotExist:
            return None
    return SubmissionEnvelope.objects.filter(submission_id=submission.pk).first()


def _decrypt(submission: Submission, envelope: SubmissionEnvelope, data_key=None) -> Content:
    plaintext = crypto.decrypt_sealed(
        submission.tender, f"submission:{submission.pk}", envelope.ciphertext, data_key=data_key
    )
    return json.loads(plaintext)


def is_sealed(submission: Submission) -> bool:
    return SubmissionEnvelope.objects.filter(submission_id=submission.pk).exists()


def content_load(submission: Submission, data_key: bytes | None = None) -> Content:
    """The submission's content: decrypted from its envelope, or read from the plain rows
    when it has none. ``data_key``: the tender's key when the caller has it (saves a query)."""
    envelope = _envelope_of(submission)
    if envelope is None:
        return _content_from_rows(submission)
    return _decrypt(submission, envelope, data_key=data_key)


def content_store(submission: Submission, content: Content, data_key: bytes | None = None) -> None:
    """Encrypt ``content`` into the submission's envelope (creating it) and leave the plain
    columns neutral. Entries whose row is gone (a segment left, a document deleted) are
    dropped. Call inside the transaction that changed the rows. ``data_key`` as in
    ``content_load``."""
    content = {**content_empty(), **content}
    answer_ids = {
        str(pk)
        for pk in RequirementAnswer.objects.filter(submission=submission).values_list(
            "requirement_id", flat=True
        )
    }
    segment_ids = {
        str(pk)
        for pk in Dossier.objects.filter(submission=submission).values_list("segment_id", flat=True)
    }
    document_ids = {
        str(pk)
        for pk in SubmissionDocument.objects.filter(submission=submission).values_list(
            "pk", flat=True
        )
    }
    subcontractor_ids = {
        str(pk)
        for pk in Subcontractor.objects.filter(submission=submission).values_list("pk", flat=True)
    }
    party_answer_ids = {
        str(pk)
        for pk in PartyAnswer.objects.filter(submission=submission).values_list("pk", flat=True)
    }
    for key, ids in (
        ("party_answers", party_answer_ids),
        ("answers", answer_ids),
        ("dossiers", segment_ids),
        ("documents", document_ids),
        ("subcontractors", subcontractor_ids),
    ):
        content[key] = {k: v for k, v in content[key].items() if k in ids}
    plaintext = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    SubmissionEnvelope.objects.update_or_create(
        submission_id=submission.pk,
        defaults={
            "ciphertext": crypto.encrypt_sealed(
                submission.tender, f"submission:{submission.pk}", plaintext, data_key=data_key
            )
        },
    )
    _neutralise(submission)


def _neutralise(submission: Submission) -> None:
    RequirementAnswer.objects.filter(submission=submission, met=True).update(met=False)
    PartyAnswer.objects.filter(submission=submission, met=True).update(met=False)
    dossiers = Dossier.objects.filter(submission=submission)
    dossiers.exclude(
        specialisms=[], bid_clients=None, bid_months=None, bid_hours_per_month=None
    ).update(specialisms=[], bid_clients=None, bid_months=None, bid_hours_per_month=None)
    Dossier.municipalities.through.objects.filter(dossier__submission=submission).delete()
    SubmissionDocument.objects.filter(submission=submission).exclude(name="").update(name="")
    Subcontractor.objects.filter(submission=submission).exclude(
        name="", kvk="", organisation=None
    ).update(name="", kvk="", organisation=None)
    Submission.objects.filter(pk=submission.pk, manifest__isnull=False).update(manifest=None)


# -- reading: the content on the objects, in memory --------------------------------------------


def _set_municipalities(dossier: Dossier, municipalities: list[Municipality]) -> None:
    """Make ``dossier.municipalities.all()`` return ``municipalities`` (the prefetch cache)."""
    queryset = Municipality.objects.filter(pk__in=[m.pk for m in municipalities])
    queryset._result_cache = sorted(municipalities, key=lambda m: m.code)
    queryset._prefetch_done = True
    cache = getattr(dossier, "_prefetched_objects_cache", None)
    if cache is None:
        cache = dossier._prefetched_objects_cache = {}
    cache["municipalities"] = queryset


def _number(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def apply_dossier(dossier: Dossier, entry: dict | None) -> None:
    entry = entry or {}
    dossier.specialisms = list(entry.get("specialisms", []))
    dossier.bid_clients = entry.get("bid_clients")
    dossier.bid_months = _number(entry.get("bid_months"))
    dossier.bid_hours_per_month = _number(entry.get("bid_hours_per_month"))


def envelope_unseal(
    submission: Submission,
    content: Content | None = None,
    municipalities: dict[int, Municipality] | None = None,
) -> Submission:
    """Put the sealed content on ``submission`` and its prefetched answers, dossiers,
    documents and subcontractors (``submission_detail``), in memory only. Nothing happens for
    a submission without an envelope: its columns hold the content. For the bidder's own
    portal and API and for sealing; the caller has checked who asks. ``municipalities`` (by
    id) saves the look-up of the dossiers' municipalities (``envelopes_unseal``)."""
    if content is None:
        envelope = _envelope_of(submission)
        if envelope is None:
            return submission
        content = _decrypt(submission, envelope)
    submission.manifest = content.get("manifest")
    cache = getattr(submission, "_prefetched_objects_cache", {})
    if "answers" in cache:
        for answer in cache["answers"]:
            answer.met = bool(content["answers"].get(str(answer.requirement_id), False))
    if "party_answers" in cache:
        for party_answer in cache["party_answers"]:
            party_answer.met = bool(content.get("party_answers", {}).get(str(party_answer.pk)))
    if "dossiers" in cache:
        wanted = {
            pk for entry in content["dossiers"].values() for pk in entry.get("municipalities", [])
        }
        if municipalities is None:
            municipalities = Municipality.objects.in_bulk(wanted) if wanted else {}
        for dossier in cache["dossiers"]:
            entry = content["dossiers"].get(str(dossier.segment_id))
            apply_dossier(dossier, entry)
            _set_municipalities(
                dossier,
                [
                    municipalities[pk]
                    for pk in (entry or {}).get("municipalities", [])
                    if pk in municipalities
                ],
            )
    if "documents" in cache:
        for document in cache["documents"]:
            document.name = content["documents"].get(str(document.pk), "")
    if "subcontractors" in cache:
        for subcontractor in cache["subcontractors"]:
            entry = content["subcontractors"].get(str(subcontractor.pk), {})
            subcontractor.name = entry.get("name", "")
            subcontractor.kvk = entry.get("kvk", "")
            subcontractor.organisation_id = entry.get("organisation")
    return submission


def envelopes_unseal(submissions: list[Submission]) -> list[Submission]:
    """``envelope_unseal`` for many submissions (``select_related("envelope")`` and the
    prefetches of ``submission_detail``) in a fixed number of queries: the tenders' data keys
    and the dossiers' municipalities once for all."""
    sealed = [(s, _envelope_of(s)) for s in submissions]
    sealed = [(s, e) for s, e in sealed if e is not None]
    if not sealed:
        return submissions
    keys = crypto.tender_data_keys({s.tender_id for s, _ in sealed})
    contents = [(s, _decrypt(s, e, data_key=keys.get(s.tender_id))) for s, e in sealed]
    wanted = {
        pk
        for _, content in contents
        for entry in content["dossiers"].values()
        for pk in entry.get("municipalities", [])
    }
    municipalities = Municipality.objects.in_bulk(wanted) if wanted else {}
    for submission, content in contents:
        envelope_unseal(submission, content, municipalities)
    return submissions


def document_name(document: SubmissionDocument) -> str:
    """A document's name for its own bidder (messages in the portal)."""
    if document.name:
        return document.name
    envelope = _envelope_of(document.submission)
    if envelope is None:
        return document.name
    return _decrypt(document.submission, envelope)["documents"].get(str(document.pk), "")


# -- the opening ------------------------------------------------------------------------------


def envelope_open(submission: Submission, data_key: bytes | None = None) -> bool:
    """Write the sealed content into the plain columns and delete the envelope; False when
    the submission has none. Only the opening calls this (inside its transaction)."""
    envelope = _envelope_of(submission)
    if envelope is None:
        return False
    content = _decrypt(submission, envelope, data_key=data_key)
    answers = list(RequirementAnswer.objects.filter(submission=submission))
    for answer in answers:
        answer.met = bool(content["answers"].get(str(answer.requirement_id), False))
    RequirementAnswer.objects.bulk_update(answers, ["met"])
    party_answers = list(PartyAnswer.objects.filter(submission=submission))
    for party_answer in party_answers:
        party_answer.met = bool(content.get("party_answers", {}).get(str(party_answer.pk)))
    PartyAnswer.objects.bulk_update(party_answers, ["met"])
    dossiers = list(Dossier.objects.filter(submission=submission))
    through = Dossier.municipalities.through
    links = []
    for dossier in dossiers:
        entry = content["dossiers"].get(str(dossier.segment_id)) or {}
        apply_dossier(dossier, entry)
        links.extend(
            through(dossier_id=dossier.pk, municipality_id=pk)
            for pk in entry.get("municipalities", [])
        )
    Dossier.objects.bulk_update(
        dossiers, ["specialisms", "bid_clients", "bid_months", "bid_hours_per_month"]
    )
    through.objects.bulk_create(links, ignore_conflicts=True)
    documents = list(SubmissionDocument.objects.filter(submission=submission))
    for document in documents:
        document.name = content["documents"].get(str(document.pk), "")
    SubmissionDocument.objects.bulk_update(documents, ["name"])
    subcontractors = list(Subcontractor.objects.filter(submission=submission))
    for subcontractor in subcontractors:
        entry = content["subcontractors"].get(str(subcontractor.pk), {})
        subcontractor.name = entry.get("name", "")
        subcontractor.kvk = entry.get("kvk", "")
        subcontractor.organisation_id = entry.get("organisation")
    Subcontractor.objects.bulk_update(subcontractors, ["name", "kvk", "organisation"])
    Submission.objects.filter(pk=submission.pk).update(manifest=content.get("manifest"))
    envelope.delete()
    return True


# -- the UEA: one organisation's declaration for a tender ---------------------------------------

UEA_NEUTRAL: dict[str, Any] = {
    "answers": {},
    "identity": {},
    "signer_name": "",
    "signer_role": "",
    "signed_place": "",
}


def _uea_purpose(declaration: UEADeclaration) -> str:
    return f"uea:{declaration.pk}"


def uea_store(declaration: UEADeclaration) -> UEADeclaration:
    """Save ``declaration`` with its answers, identity and signer sealed (encrypted in
    ``sealed_content``) and those columns neutral; the object keeps the values in memory."""
    content = {field: getattr(declaration, field) for field in UEA_NEUTRAL}
    plaintext = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    declaration.sealed_content = crypto.encrypt_sealed(
        declaration.tender, _uea_purpose(declaration), plaintext
    )
    for field, neutral in UEA_NEUTRAL.items():
        setattr(declaration, field, type(neutral)())
    declaration.save()
    for field, value in content.items():
        setattr(declaration, field, value)
    return declaration


def uea_unseal(declaration: UEADeclaration, data_key: bytes | None = None) -> UEADeclaration:
    """Put the sealed content on ``declaration`` in memory (nothing when it has none)."""
    if declaration.sealed_content:
        content = json.loads(
            crypto.decrypt_sealed(
                declaration.tender,
                _uea_purpose(declaration),
                declaration.sealed_content,
                data_key=data_key,
            )
        )
        for field in UEA_NEUTRAL:
            setattr(declaration, field, content.get(field, UEA_NEUTRAL[field]))
    return declaration


def uea_open(declaration: UEADeclaration, data_key: bytes | None = None) -> bool:
    """Write the sealed content into the columns (the opening); False when none."""
    if not declaration.sealed_content:
        return False
    uea_unseal(declaration, data_key=data_key)
    declaration.sealed_content = None
    declaration.save(update_fields=[*UEA_NEUTRAL, "sealed_content"])
    return True
