"""Writing many new rows fast: ``bulk_insert`` is ``bulk_create`` through PostgreSQL's COPY.

Used by the scenario load (tens of thousands of scores per region): COPY takes the rows as one
stream instead of one large INSERT that Django compiles value by value. On another database
(SQLite in development) it is ``bulk_create``. Like ``bulk_create`` it calls no ``save()`` and
sends no signals; the database still checks every constraint.

``foreign_keys_rebuilt`` checks the foreign keys of a large load once per constraint instead of
once per row (PostgreSQL manual, "Populating a Database"), at the price of exclusive locks.
"""

import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

M = TypeVar("M", bound=models.Model)

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if type(value) is str:
        return value.translate(_ESCAPES)
    if type(value) is int:
        return str(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):  # a JSONField's value
        return json.dumps(value).translate(_ESCAPES)
    if hasattr(value, "adapted") and hasattr(value, "dumps"):  # psycopg2's Json adapter
        return value.dumps(value.adapted).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


# Fields whose attribute value COPY takes as it is (``get_db_prep_save`` costs a connection
# lookup per value; a tenth of a national load).
_PLAIN = (
    models.ForeignKey,
    models.IntegerField,
    models.BooleanField,
    models.CharField,
    models.TextField,
    models.DecimalField,
)


def _reader(field: models.Field, conn) -> Callable[[models.Model], Any]:
    if isinstance(field, models.DateField):  # auto_now(_add) are set by pre_save
        return lambda obj: field.pre_save(obj, True)
    if isinstance(field, _PLAIN) and not isinstance(field, models.GenericIPAddressField):
        return attrgetter(field.attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), conn)


def bulk_insert(objs: Sequence[M], *, with_ids: bool = False) -> Sequence[M]:
    """Insert new ``objs`` (all of one model); ``with_ids`` sets their primary keys (taken from
    the table's sequence first), as ``bulk_create`` does, for rows that others point to."""
    if not objs:
        return objs
    model = type(objs[0])
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    opts = model._meta
    pk = opts.pk
    fields = [f for f in opts.concrete_fields if f is not pk]
    relations = [f for f in fields if f.is_relation]
    with conn.cursor() as cursor:
        if with_ids:
            for obj, value in zip(objs, reserve_ids(model, len(objs)), strict=True):
                obj.pk = value
            fields = [pk, *fields]
        readers = [_reader(field, conn) for field in fields]
        buffer = io.StringIO()
        for obj in objs:
            for field in relations:  # a related object saved after it was assigned
                if getattr(obj, field.attname) is None and field.is_cached(obj):
                    related = field.get_cached_value(obj)
                    if related is not None:
                        setattr(obj, field.attname, related.pk)
            buffer.write("\t".join([copy_text(read(obj)) for read in readers]))
            buffer.write("\n")
            obj._state.adding = False
            obj._state.db = conn.alias
        buffer.seek(0)
        columns = ", ".join(conn.ops.quote_name(f.column) for f in fields)
        table = conn.ops.quote_name(opts.db_table)
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
    return objs


def bulk_insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    text: bool = False,
    with_ids: bool = False,
) -> list[int]:
    """Insert new rows of ``model`` given as plain tuples: values in the order of ``columns``
    (field attnames: ``dossier_id``, ``level``), prepared once by the caller (ids, decimals as
    text or Decimal, datetimes). The model's other fields get their default (``auto_now``: the
    current time), the same for every row. No model instance is made per row on PostgreSQL
    (COPY); on another database the rows become instances for ``bulk_create``. ``with_ids``:
    the primary keys are taken from the table's sequence first and returned in the rows'
    order, for rows that others point to (otherwise the result is empty).

    ``text``: every value is a ``str`` in COPY's text format already (an id as ``"12"``, a
    datetime's ``isoformat()``, ``"t"``/``"f"``, ``\\N`` for NULL: what ``copy_text`` gives):
    the caller formats each repeated value once instead of once per row."""
    conn = connections[DEFAULT_DB_ALIAS]
    opts = model._meta
    if conn.vendor != "postgresql":
        objs = [
            model(
                **{c: None if text and v == "\\N" else v for c, v in zip(columns, row, strict=True)}
            )
            for row in rows
        ]
        model._default_manager.bulk_create(objs)
        return [obj.pk for obj in objs] if with_ids else []
    by_attname = {f.attname: f for f in opts.concrete_fields}
    given = [by_attname[c] for c in columns]
    if with_ids:
        rows = list(rows)
        ids = reserve_ids(model, len(rows))
        rows = [
            ((str(pk),) if text else (pk,)) + tuple(row) for pk, row in zip(ids, rows, strict=True)
        ]
        given = [opts.pk, *given]
    others = [f for f in opts.concrete_fields if f is not opts.pk and f not in given]
    template = model()
    rest = "".join("\t" + copy_text(_reader(f, conn)(template)) for f in others)
    buffer = io.StringIO()
    count = 0
    end = rest + "\n"
    write = buffer.write
    for row in rows:
        write("\t".join(row if text else [copy_text(value) for value in row]))
        write(end)
        count += 1
    if not count:
        return []
    buffer.seek(0)
    names = ", ".join(conn.ops.quote_name(f.column) for f in [*given, *others])
    table = conn.ops.quote_name(opts.db_table)
    with conn.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
    return ids if with_ids else []


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model`` from its table's sequence (PostgreSQL), for
    rows written with ``bulk_insert_rows`` that other rows point to."""
    if not count:
        return []
    conn = connections[DEFAULT_DB_ALIAS]
    opts = model._meta
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, count],
        )
        return [value for (value,) in cursor.fetchall()]


def _set_constraints_fired(cursor, conn, tables: list[int]) -> None:
    """Run now the checks that wait for the commit of the deferred foreign keys with a trigger
    on one of ``tables`` (oids), and defer those keys again: PostgreSQL refuses to alter a
    table with pending trigger events. The same checks the commit would run, only earlier."""
    cursor.execute(
        "SELECT DISTINCT n.nspname, c.conname FROM pg_constraint c "
        "JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE c.contype = 'f' AND c.condeferred "
        "AND (c.conrelid = ANY(%s::oid[]) OR c.confrelid = ANY(%s::oid[]))",
        [tables, tables],
    )
    names = ", ".join(
        f"{conn.ops.quote_name(schema)}.{conn.ops.quote_name(name)}"
        for schema, name in cursor.fetchall()
    )
    if names:
        cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
        cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")


@contextmanager
def foreign_keys_rebuilt(written: Sequence[type[models.Model]]) -> Iterator[None]:
    """Write many rows into the tables of ``written`` inside the block with their foreign keys
    checked once at its end: on PostgreSQL the tables' foreign-key constraints are dropped at
    the start and added again at the end, with the same names and the same definitions (from
    ``pg_get_constraintdef``), which checks every row with one join per constraint instead of
    a trigger per row at the commit. Elsewhere (SQLite) the block runs as it is.

    All in one savepoint (DDL is transactional): an error inside the block, or a row that
    points nowhere when the keys are added again (``IntegrityError``, as at the commit), rolls
    the constraints back with the rows. The price: until the transaction ends, the written
    tables and the tables they point to are locked exclusively (``ACCESS EXCLUSIVE``: other
    sessions wait even to read them), and adding a key back checks the whole table, not only
    the new rows. For a large load only (docs/operations.md, "Loading a scenario")."""
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in written]
    with transaction.atomic(), conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid, c.confrelid, c.conrelid::regclass::text, c.conname, "
            "pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.contype = 'f' AND t.relname = ANY(%s) AND pg_table_is_visible(t.oid) "
            "ORDER BY c.conrelid, c.conname",
            [tables],
        )
        keys = cursor.fetchall()
        involved = sorted({oid for key in keys for oid in key[:2]})
        _set_constraints_fired(cursor, conn, involved)
        for _oid, _target, table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {conn.ops.quote_name(name)}")
        yield
        _set_constraints_fired(cursor, conn, involved)
        for _oid, _target, table, name, definition in keys:
            name = conn.ops.quote_name(name)
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
