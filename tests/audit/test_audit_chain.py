"""The audit log is an append-only hash chain: the database refuses changes, and whatever a
database superuser does anyway, ``manage.py verify_audit`` finds and names."""

import json
import threading
from datetime import date
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.models import AuditChainHead, AuditEntry, AuditLogError
from audit.services import GENESIS_HASH, AuditProblem, audit_record, audit_verify, entry_hash

pytestmark = pytest.mark.django_db


def verify_audit() -> str:
    """``manage.py verify_audit``; its output when the log is intact, CommandError if not."""
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def as_superuser(sql: str, params=()) -> None:
    """Run ``sql`` as an attacker with database superuser rights: with triggers, and so the
    append-only guard, switched off for just this statement."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = DEFAULT")


def raw_insert(entry: AuditEntry) -> None:
    """INSERT ``entry`` with plain SQL; the trigger only guards UPDATE and DELETE."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (seq, created_at, actor_id, actor_repr, action,"
            " object_type, object_id, object_repr, tender_slug, details, client_address,"
            " prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s)",
            [
                entry.seq,
                entry.created_at,
                entry.actor_id,
                entry.actor_repr,
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.object_repr,
                entry.tender_slug,
                json.dumps(entry.details),
                entry.client_address,
                entry.prev_hash,
                entry.hash,
            ],
        )


def forged_entry(*, seq: int, after: AuditEntry) -> AuditEntry:
    """A made-up entry whose own hash is consistent, chained onto ``after``."""
    entry = AuditEntry(
        seq=seq,
        created_at=after.created_at,
        actor_repr="niemand",
        action="contract.award",
        object_type="tender.tender",
        object_id="999",
        object_repr="Verzonnen gunning",
        tender_slug=after.tender_slug,
        details={"winner": "12345678"},
        prev_hash=after.hash,
    )
    entry.hash = entry_hash(entry)
    return entry


def assert_verify_audit_names(kind: str, seq: int) -> None:
    with pytest.raises(CommandError, match=rf"niet intact \({kind}\): #{seq}\b"):
        verify_audit()


@pytest.fixture
def log(make_user):
    """Five entries, written as the services write them: by a user, about a tender."""
    user = make_user("inkoper")
    return [
        audit_record(
            action=f"test.step{step}",
            actor=user,
            obj=user,
            tender="inkoop-2022",
            details={"step": step},
            client_address="192.0.2.10",
        )
        for step in range(1, 6)
    ]


# -- An intact log ---------------------------------------------------------------------------


def test_recorded_entries_form_a_chain_that_verifies(log):
    assert [e.seq for e in log] == list(range(log[0].seq, log[0].seq + 5))
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(log))
    assert AuditChainHead.objects.get().hash == log[-1].hash
    assert audit_verify() is None
    out = verify_audit()
    assert "intact" in out
    assert f"{AuditEntry.objects.count()} entries" in out


def test_the_first_entry_starts_from_the_genesis_hash():
    first = audit_record(action="test.first")
    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)


def test_details_with_decimals_dates_and_accents_still_verify_after_storage(make_user):
    audit_record(
        action="lumpsum.set",
        actor="systeem",
        obj=make_user("zorgaanbieder"),
        tender="inkoop-2022",
        client_address="2001:db8::7",
        details={
            "bedrag": Decimal("1234.50"),
            "per": date(2022, 1, 1),
            "naam": "Zorggroep ’s-Heerenberg & Zoon",
            "segmenten": ("A", "B"),
        },
    )
    stored = AuditEntry.objects.get(action="lumpsum.set")
    assert stored.details["bedrag"] == "1234.50"
    assert stored.actor_repr == "systeem" and stored.actor_id is None
    assert audit_verify() is None


# -- Tampering by a database superuser -------------------------------------------------------


def test_an_altered_entry_is_named_by_verify_audit(log):
    victim = log[2]
    as_superuser(
        "UPDATE audit_auditentry SET details = %s::jsonb WHERE seq = %s",
        [json.dumps({"step": 99}), victim.seq],
    )

    assert audit_verify() == AuditProblem(victim.seq, "altered", f"#{victim.seq}: inhoud gewijzigd")
    assert_verify_audit_names("altered", victim.seq)


def test_an_altered_actor_is_named_by_verify_audit(log):
    as_superuser(
        "UPDATE audit_auditentry SET actor_repr = 'iemand-anders' WHERE seq = %s", [log[0].seq]
    )

    assert_verify_audit_names("altered", log[0].seq)


def test_an_entry_deleted_from_the_middle_is_named_by_verify_audit(log):
    as_superuser("DELETE FROM audit_auditentry WHERE seq = %s", [log[2].seq])

    problem = audit_verify()
    assert (problem.kind, problem.seq) == ("deleted", log[2].seq)
    assert_verify_audit_names("deleted", log[2].seq)


def test_a_truncated_tail_is_detected_through_the_chain_head(log):
    as_superuser("DELETE FROM audit_auditentry WHERE seq >= %s", [log[3].seq])

    problem = audit_verify()
    assert (problem.kind, problem.seq) == ("deleted", log[3].seq)
    assert problem.message == f"#{log[3].seq}..#{log[4].seq}: laatste entries verwijderd"
    assert_verify_audit_names("deleted", log[3].seq)


def test_a_wiped_log_is_detected_through_the_chain_head(log):
    as_superuser("TRUNCATE audit_auditentry")

    assert AuditEntry.objects.count() == 0
    assert_verify_audit_names("deleted", 1)


def test_an_entry_appended_behind_the_chain_head_is_named_as_inserted(log):
    forged = forged_entry(seq=log[-1].seq + 1, after=log[-1])
    raw_insert(forged)

    assert audit_verify() == AuditProblem(
        forged.seq, "inserted", f"#{forged.seq}: staat niet in de ketenkop"
    )
    assert_verify_audit_names("inserted", forged.seq)


def test_an_entry_slipped_into_the_middle_breaks_the_chain_at_the_next_entry(log):
    """The attacker renumbers the later entries (re-hashing each so it looks consistent),
    slips a forged entry into the gap and moves the chain head along. The forged entry links
    correctly to the one before it, so the break shows at the entry after it: that entry's
    previous hash points at the entry before the forgery."""
    slot = log[2].seq
    for entry in reversed(log[2:]):
        entry.seq += 1
        entry.hash = entry_hash(entry)
        as_superuser(
            "UPDATE audit_auditentry SET seq = %s, hash = %s WHERE id = %s",
            [entry.seq, entry.hash, entry.pk],
        )
    raw_insert(forged_entry(seq=slot, after=log[1]))
    AuditChainHead.objects.update(seq=log[-1].seq, hash=log[-1].hash)

    problem = audit_verify()
    assert (problem.kind, problem.seq) == ("inserted", slot + 1)
    assert "vorige hash klopt niet" in problem.message
    assert_verify_audit_names("inserted", slot + 1)


# -- The guards themselves -------------------------------------------------------------------


def test_the_database_refuses_to_update_an_audit_entry(log):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=log[0].pk).update(action="test.rewritten")

    assert AuditEntry.objects.get(pk=log[0].pk).action == log[0].action
    assert audit_verify() is None


def test_the_database_refuses_to_delete_an_audit_entry(log):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=log[-1].pk).delete()

    assert AuditEntry.objects.filter(pk=log[-1].pk).exists()
    assert audit_verify() is None


def test_the_model_refuses_to_save_or_delete_an_existing_entry(log):
    entry = AuditEntry.objects.get(pk=log[0].pk)
    entry.action = "test.rewritten"
    with pytest.raises(AuditLogError):
        entry.save()
    with pytest.raises(AuditLogError):
        entry.delete()

    assert AuditEntry.objects.get(pk=log[0].pk).action == log[0].action
    assert audit_verify() is None


def test_the_database_refuses_to_delete_the_chain_head(log):
    """TRUNCATE is left to database privileges (docs/operations.md); DELETE is refused."""
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditChainHead.objects.all().delete()
    assert audit_verify() is None


# -- Values that change on their way into PostgreSQL ----------------------------------------


def test_an_entry_with_an_uppercase_ipv6_client_address_verifies():
    audit_record(action="test.login", client_address="2001:DB8:0:0::1")

    assert audit_verify() is None


@pytest.mark.parametrize("number", [1e20, -0.0])
def test_an_entry_with_a_float_in_its_details_verifies(number):
    audit_record(action="test.measure", details={"value": number})

    assert audit_verify() is None


# -- Concurrency and deleted users -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_extend_one_unbroken_chain():
    threads_count, entries_each = 4, 25
    before = AuditEntry.objects.count()
    start = threading.Barrier(threads_count)
    errors = []

    def write(writer: int) -> None:
        try:
            start.wait(timeout=30)
            for n in range(entries_each):
                audit_record(action="test.concurrent", details={"writer": writer, "n": n})
        except Exception as exc:  # reported in the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    total = before + threads_count * entries_each
    assert AuditEntry.objects.count() == total
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, total + 1)
    )
    assert AuditEntry.objects.filter(action="test.concurrent").count() == total - before
    assert AuditChainHead.objects.get().seq == total
    assert audit_verify() is None


def test_deleting_a_user_leaves_their_audit_entries_intact(make_user):
    user = make_user("vertrokken-inkoper")
    entry = audit_record(action="tender.publish", actor=user, tender="inkoop-2022")
    user_id = user.pk

    user.delete()

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor_id, stored.actor_repr) == (user_id, "vertrokken-inkoper")
    assert audit_verify() is None
    assert "intact" in verify_audit()
