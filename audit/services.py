"""Writing to and checking the audit log.

``audit_record`` is the only way anything enters the log. Call it inside the transaction of
the change it describes, so the entry and the change commit or roll back together.
"""

import hashlib
import ipaddress
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from config.queue import enqueue

from .models import AuditChainHead, AuditEntry, AuditVerification, VerificationStatus

GENESIS_HASH = "0" * 64


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _stable(value):
    """``details`` as the database will give it back: floats become strings, because jsonb
    rewrites some of them (``1e20`` reads back as an integer, ``-0.0`` as ``0.0``)."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stable(v) for v in value]
    return value


def _normalised_address(address: str | None) -> str | None:
    """The address as the database stores it (IPv6 compressed, lower case); None if invalid."""
    if not address:
        return None
    try:
        return ipaddress.ip_address(address.strip()).compressed
    except ValueError:
        return None


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over every field of the entry, including the previous entry's hash."""
    payload = {
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_repr": entry.actor_repr,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "tender_slug": entry.tender_slug,
        "details": entry.details,
        "client_address": entry.client_address,
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def audit_record(
    *,
    action: str,
    actor=None,
    obj=None,
    tender=None,
    details: dict | None = None,
    client_address: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain, serialised by a lock on the chain head.

    ``tender`` may be a Tender or a slug. ``details`` must be JSON-serialisable (Decimals and
    dates are stored as strings). Raises ``AuditLogError`` never; database errors propagate and
    roll back the caller's transaction with it.
    """
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        user = actor if getattr(actor, "is_authenticated", False) else None
        entry = AuditEntry(
            seq=head.seq + 1,
            # Microseconds are kept: the hash covers the stored value exactly.
            created_at=timezone.now(),
            actor=user,
            actor_repr=user.get_username() if user else (actor if isinstance(actor, str) else ""),
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=str(obj)[:255] if obj is not None else "",
            tender_slug=getattr(tender, "slug", tender) or "",
            details=json.loads(_canonical(_stable(details or {}))),
            client_address=_normalised_address(client_address),
            prev_hash=head.hash,
        )
        entry.hash = entry_hash(entry)
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    kind: str  # "altered" | "deleted" | "inserted"
    message: str


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)


def audit_verify(
    *, on_progress: Callable[[int], None] | None = None, every: int = 1000
) -> AuditProblem | None:
    """Walk the chain and return the first problem, or None for an intact log.

    ``on_progress(checked)`` is called after every ``every`` entries (a worker's heartbeat).

    - altered: an entry's stored hash no longer matches its fields;
    - deleted: a gap in the sequence numbers, or the head points past the last entry;
    - inserted: an entry whose own hash is consistent but whose previous hash does not match
      the entry before it (it was slipped in, or rows were renumbered).
    """
    prev_seq, prev_hash = 0, GENESIS_HASH
    for entry in _entries():
        if entry.seq != prev_seq + 1:
            if entry.seq <= prev_seq:
                return AuditProblem(entry.seq, "inserted", f"#{entry.seq}: volgnummer dubbel")
            return AuditProblem(
                prev_seq + 1,
                "deleted",
                f"#{prev_seq + 1}..#{entry.seq - 1}: entries ontbreken (verwijderd)",
            )
        if entry_hash(entry) != entry.hash:
            return AuditProblem(entry.seq, "altered", f"#{entry.seq}: inhoud gewijzigd")
        if entry.prev_hash != prev_hash:
            return AuditProblem(
                entry.seq,
                "inserted",
                f"#{entry.seq}: vorige hash klopt niet (ingevoegd of vervangen)",
            )
        prev_seq, prev_hash = entry.seq, entry.hash
        if on_progress is not None and entry.seq % every == 0:
            on_progress(entry.seq)
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and (head.seq != prev_seq or head.hash != prev_hash):
        if head.seq > prev_seq:
            return AuditProblem(
                prev_seq + 1, "deleted", f"#{prev_seq + 1}..#{head.seq}: laatste entries verwijderd"
            )
        return AuditProblem(prev_seq, "inserted", f"#{prev_seq}: staat niet in de ketenkop")
    return None


@dataclass(frozen=True)
class EntryCheck:
    """The chain check of one entry: its hash recomputed from its fields, and its link to the
    entry before it (``predecessor_hash`` None: that entry is missing, deleted)."""

    stored_hash: str
    computed_hash: str
    prev_hash: str
    predecessor_hash: str | None

    @property
    def hash_matches(self) -> bool:
        return self.stored_hash == self.computed_hash

    @property
    def link_matches(self) -> bool:
        return self.prev_hash == self.predecessor_hash

    @property
    def intact(self) -> bool:
        return self.hash_matches and self.link_matches


def audit_entry_check(entry: AuditEntry) -> EntryCheck:
    """Recompute ``entry``'s hash and compare its previous hash with the hash its predecessor
    stores (the genesis hash for the first entry). One query, for the predecessor."""
    if entry.seq == 1:
        predecessor: str | None = GENESIS_HASH
    else:
        predecessor = (
            AuditEntry.objects.filter(seq=entry.seq - 1).values_list("hash", flat=True).first()
        )
    return EntryCheck(
        stored_hash=entry.hash,
        computed_hash=entry_hash(entry),
        prev_hash=entry.prev_hash,
        predecessor_hash=predecessor,
    )


@transaction.atomic
def audit_verification_request(*, user, client_address: str | None = None) -> AuditVerification:
    """Start a check of the whole chain on a worker (``audit.tasks.verify_audit_chain``). A
    check that is still running is returned instead of starting a second one; a stalled one
    (its worker died) is left behind and a new one started. Recorded in the log itself."""
    active = (
        AuditVerification.objects.select_for_update()
        .filter(status__in=(VerificationStatus.PENDING, VerificationStatus.RUNNING))
        .first()
    )
    if active is not None and not active.is_stalled:
        return active
    verification = AuditVerification.objects.create(
        requested_by=user if getattr(user, "is_authenticated", False) else None
    )
    audit_record(
        action="audit.verify",
        actor=user,
        obj=verification,
        client_address=client_address,
    )
    enqueue("audit.tasks.verify_audit_chain", verification.pk)
    return verification


def audit_verification_execute(*, verification_id: int) -> AuditVerification:
    """Run a requested check and store its outcome. Idempotent: a finished check is returned
    as it is. Progress and heartbeat are written every thousand entries."""
    with transaction.atomic():
        verification = AuditVerification.objects.select_for_update().get(pk=verification_id)
        if verification.status in (VerificationStatus.DONE, VerificationStatus.FAILED):
            return verification
        verification.status = VerificationStatus.RUNNING
        verification.heartbeat_at = timezone.now()
        verification.save(update_fields=["status", "heartbeat_at"])
    total = AuditChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0

    def progress(checked: int) -> None:
        AuditVerification.objects.filter(pk=verification_id).update(
            checked=checked,
            progress=min(99, checked * 100 // max(total, 1)),
            heartbeat_at=timezone.now(),
        )

    try:
        problem = audit_verify(on_progress=progress)
    except Exception as exc:
        AuditVerification.objects.filter(pk=verification_id).update(
            status=VerificationStatus.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    verification.status, verification.progress = VerificationStatus.DONE, 100
    verification.intact = problem is None
    verification.checked = problem.seq - 1 if problem else total
    verification.problem_seq = problem.seq if problem else None
    verification.problem_kind = problem.kind if problem else ""
    verification.message = problem.message if problem else ""
    verification.finished_at = timezone.now()
    verification.save()
    return verification


def client_address_of(request) -> str | None:
    """The client's address as Django sees it (REMOTE_ADDR; proxies set it via the server)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None
