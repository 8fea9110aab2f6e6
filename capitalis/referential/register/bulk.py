"""The database side of the register import: the connection set up for one bulk write
(``import_session``: no garbage collector passes, SQLite's journal and cache, no foreign-key
lookup per row) and plain multi-row INSERTs without model instances (``BulkInsert``: a full
export is about a million rows). Used by the writer and the crosswalk builder."""

from __future__ import annotations

import contextlib
import gc
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import DatabaseError, connection

from capitalis.core import clock

# --- The connection during an import ---------------------------------------------------------


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while importing: the import makes millions of short-lived
    tuples and no reference cycles, and the collector's passes cost about a tenth of both
    processes' time (the forked reader inherits the setting)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _sqlite_rollback_journal() -> Iterator[None]:
    """On SQLite, outside any transaction and when no other connection is using the file:
    the import's transaction in a rollback journal rather than the WAL, then back to WAL.
    Pages added past the end of the file need no journal, so a first import writes each
    page once, where the WAL writes it twice (the WAL, then the checkpoint at commit: a
    second pass over the whole import, at the end). Left in WAL, without waiting, when
    another connection holds the file."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    switched = False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        timeout = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout = 0")
        try:
            cursor.execute("PRAGMA journal_mode")
            if cursor.fetchone()[0] == "wal":
                cursor.execute("PRAGMA journal_mode = DELETE")
                switched = cursor.fetchone()[0] == "delete"
        except DatabaseError:
            pass  # another connection is using the file: stay in WAL
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    try:
        yield
    finally:
        if switched:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode = WAL")


# SQLite's page cache during an import, in KiB: the writer's indexes (block and statement
# codes) stay in memory instead of being spilled and read back; bounded, so the peak memory
# stays flat whatever the file's size.
_SQLITE_IMPORT_CACHE_KIB = 49_152


@contextlib.contextmanager
def _sqlite_import_cache() -> Iterator[None]:
    """On SQLite, a larger page cache for this connection while importing; restored after."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-_SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


@contextlib.contextmanager
def import_session() -> Iterator[None]:
    """The connection set up for one bulk import (enter it outside the import's transaction):
    no cyclic garbage collection, and on SQLite a rollback journal, a larger page cache and no
    foreign-key lookup per inserted row (a million of them for a full export: the writer
    takes every foreign key from a row it has just inserted or read in this transaction; a
    no-op inside an outer transaction, and on PostgreSQL)."""
    with (
        _collector_paused(),
        _sqlite_rollback_journal(),
        _sqlite_import_cache(),
        connection.constraint_checks_disabled(),
    ):
        yield


# --- Rows into tables ------------------------------------------------------------------------


def chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size`` (a bounded list of values per ``IN`` clause)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class BulkInsert:
    """A plain INSERT of rows giving ``names`` (in that order, values ready for the database:
    see ``_prepare``) into a model's table, without model instances (a full export is about a
    million rows). The other columns take ``constants`` or their default (adapted like the
    ORM does); timestamps are now."""

    # SQLite: rows per INSERT statement (``VALUES (…), (…), …``). AUTOINCREMENT reads and
    # writes sqlite_sequence once per statement, and each statement is one pass of its
    # program: a hundred rows a statement write a competency table 2.5× faster than one.
    SQLITE_ROWS_PER_STATEMENT = 100

    def __init__(
        self,
        model: Any,
        names: Sequence[str],
        constants: dict[str, Any] | None = None,
        utf8: frozenset[str] = frozenset(),
    ) -> None:
        """``utf8``: the names whose values may be UTF-8 bytes for a text or JSON column."""
        ops = connection.ops
        constants = constants or {}
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        by_name = {field.attname: field for field in fields}
        given = [by_name[name] for name in names]
        now = clock.now()
        tail: list[Any] = []
        rest = [field for field in fields if field.attname not in names]
        for field in rest:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = constants.get(field.attname, field.get_default())
            tail.append(field.get_db_prep_save(value, connection))
        self.tail = tuple(tail)
        self.table = ops.quote_name(model._meta.db_table)
        self.pk_column = model._meta.pk.column
        self.columns = [field.column for field in given + rest]
        self.sql = self._sql(self.columns)
        self.utf8 = [index for index, name in enumerate(names) if name in utf8]
        if connection.vendor == "sqlite":
            # The constant columns written into the statement, not bound on every row (five
            # of nine values of a competency; a million rows in a full export); bound when
            # one of them has no plain literal.
            literals = [_sqlite_literal(value) for value in self.tail]
            marks = ["?"] * len(given)
            for index in self.utf8:  # the bytes stored as the text they encode, as they are
                marks[index] = "CAST(? AS TEXT)"
            if None in literals:
                self.bound_tail = self.tail
                marks += ["?"] * len(self.tail)
            else:
                self.bound_tail = ()
                marks += [str(literal) for literal in literals]
            self.sqlite_row = "(" + ", ".join(marks) + ")"
            quoted = ", ".join(ops.quote_name(column) for column in self.columns)
            self.sqlite_prefix = f"INSERT INTO {self.table} ({quoted}) VALUES "  # noqa: S608
            bound = len(given) + len(self.bound_tail)
            limit = connection.features.max_query_params or 999
            self.sqlite_rows = max(1, min(self.SQLITE_ROWS_PER_STATEMENT, limit // max(1, bound)))

    def _sql(self, columns: list[str]) -> str:
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        marks = ", ".join(["%s"] * len(columns))
        return f"INSERT INTO {self.table} ({quoted}) VALUES ({marks})"  # noqa: S608

    def _rows(self, rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        tail = self.tail
        if self.utf8:  # PostgreSQL: UTF-8 bytes back to text
            decoded = []
            for row in rows:
                values = list(row)
                for index in self.utf8:
                    if isinstance(values[index], bytes):
                        values[index] = values[index].decode()
                decoded.append((*values, *tail))
            return decoded
        return [row + tail for row in rows]

    def _sqlite_insert(self, rows: Iterable[tuple[Any, ...]]) -> int:
        """Insert the rows, a hundred per statement, through the driver's own cursor (Django's
        wrapper would rewrite each statement's placeholders); the number inserted."""
        plain = rows if isinstance(rows, list) else list(rows)
        if not plain:
            return 0
        if self.bound_tail:
            plain = [row + self.bound_tail for row in plain]
        size = self.sqlite_rows
        full = len(plain) - len(plain) % size
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        flat = itertools.chain.from_iterable
        try:
            if full:
                sql = self.sqlite_prefix + ", ".join([self.sqlite_row] * size)
                for start in range(0, full, size):
                    cursor.execute(sql, list(flat(plain[start : start + size])))
            if full < len(plain):
                rest = plain[full:]
                sql = self.sqlite_prefix + ", ".join([self.sqlite_row] * len(rest))
                cursor.execute(sql, list(flat(rest)))
        finally:
            cursor.close()
        return len(plain)

    def insert(self, rows: Iterable[tuple[Any, ...]]) -> None:
        if connection.vendor == "sqlite":
            self._sqlite_insert(rows)
            return
        values = self._rows(rows)
        if values:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, values)

    def insert_ids(self, rows: Iterable[tuple[Any, ...]]) -> list[int]:
        """Insert the rows; their new ids, in the same order."""
        if connection.vendor == "sqlite":
            count = self._sqlite_insert(rows)
            if not count:
                return []
            # One writer holds the database while in a transaction, and AUTOINCREMENT
            # numbers the rows in the order they are inserted: the ids end at the last one.
            cursor = connection.connection.cursor()
            try:
                last = cursor.execute("SELECT last_insert_rowid()").fetchone()[0]
            finally:
                cursor.close()
            return list(range(last - count + 1, last + 1))
        values = self._rows(rows)
        if not values:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [self.table.strip('"'), self.pk_column, len(values)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            cursor.executemany(
                self._sql([self.pk_column, *self.columns]),
                [(pk, *row) for pk, row in zip(ids, values, strict=True)],
            )
            return ids


def _sqlite_literal(value: Any) -> str | None:
    """A constant as an SQLite literal, or None when it is not a plain value."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None
