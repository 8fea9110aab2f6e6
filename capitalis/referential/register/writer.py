"""The register import's writer: the bulk insert/update engine (SPEC §1). New fiches are
written set-wise with plain INSERTs (``BulkInsert``: no model instances, a full export is about
a million rows), changed ones in place through the ORM with history rows (``_update``), a fiche
whose digest equals the stored one is left untouched; then, once per import, the register
crosswalks between loaded fiches (``register_crosswalks``). ``import_session`` sets the
connection up for a bulk write (no garbage collector passes, SQLite's journal and cache). Every
foreign key is taken from a row just inserted or read in the import's transaction."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from django.db import DatabaseError, connection, models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from capitalis.core import clock
from capitalis.referential.models import (
    Block,
    Certification,
    CertificationCertifier,
    CertificationRule,
    CertificationVersion,
    Certifier,
    Competency,
    Coverage,
    Crosswalk,
    CrosswalkEntry,
    CrosswalkStatus,
    EvaluationModality,
    RegisterCorrespondence,
    RegisterLink,
    VersionStatus,
)
from capitalis.referential.register.format import (
    BLOCK_UTF8,
    CERTIFICATION_UTF8,
    BlockRow,
    CertificationRow,
    CertifierLinkRow,
    Prepared,
    RegisterFormatError,
    VersionRow,
)

REGISTER_PROVENANCE = "France compétences open data export"
REGISTER_VERSION_CODE = "register"
REPORT_CODES_SHOWN = 200
_COMPETENCY_CODES = [f"C{i:02d}" for i in range(1, 100)]
_MODALITY_CODES = [f"M{i:02d}" for i in range(1, 100)]


@dataclasses.dataclass
class ImportReport:
    """What an import did (or would do, with ``dry_run``)."""

    fiches: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    blocks: int = 0
    crosswalks: int = 0
    dry_run: bool = False
    # the first REPORT_CODES_SHOWN codes of the fiches created and updated (for a reader)
    created_codes: list[str] = dataclasses.field(default_factory=list)
    updated_codes: list[str] = dataclasses.field(default_factory=list)
    # where the time went (seconds) and the reader process's peak memory (MB)
    timings: dict[str, float] = dataclasses.field(default_factory=dict)


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


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
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


def _certifier_key(siret: str, name: str) -> tuple[str, str]:
    return ("siret", siret) if siret else ("name", name)


class RegisterWriter:
    """Writes the batches of prepared fiches of one import into ``report``: new ones set-wise,
    changed ones in place, then the crosswalks between the fiches it touched."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.seen: set[str] = set()  # every code written so far (a code twice is refused)
        self.touched: set[str] = set()  # the codes created or updated
        provenance = {"provenance": REGISTER_PROVENANCE}
        self.certification = BulkInsert(
            Certification, CertificationRow._fields, provenance, CERTIFICATION_UTF8
        )
        self.version = BulkInsert(
            CertificationVersion,
            ("certification_id", "code", *VersionRow._fields),
            {**provenance, "status": VersionStatus.CURRENT.value},
        )
        self.rule = BulkInsert(
            CertificationRule,
            ("version_id", "optional_blocks_required"),
            {**provenance, "all_common_required": True},
        )
        self.block = BulkInsert(
            Block, ("version_id", "code", *BlockRow._fields), provenance, BLOCK_UTF8
        )
        self.competency = BulkInsert(
            Competency, ("block_id", "code", "statement_fr", "position"), provenance
        )
        self.modality = BulkInsert(
            EvaluationModality, ("block_id", "code", "label_fr", "position"), provenance
        )
        self.link = BulkInsert(
            CertificationCertifier,
            ("certification_id", "certifier_id", "position", *CertifierLinkRow._fields),
        )
        self.succession = BulkInsert(
            RegisterLink, ("certification_id", "kind", "other_code", "position")
        )
        self.correspondence = BulkInsert(
            RegisterCorrespondence,
            (
                "certification_id",
                "position",
                "source_block_codes",
                "destination_code",
                "destination_block_codes",
            ),
        )

    def write(self, batch: list[Prepared]) -> None:
        """Write one batch (RegisterFormatError for a fiche already in an earlier one)."""
        started = time.perf_counter()
        self._refuse_repeated(batch)
        self.touched.update(self._write(batch, self.report))
        timings = self.report.timings
        timings["write"] = timings.get("write", 0.0) + time.perf_counter() - started

    def link_crosswalks(self) -> None:
        """Rebuild the register crosswalks from and to the fiches written (once, at the end)."""
        started = time.perf_counter()
        self.report.crosswalks = register_crosswalks(self.touched) if self.touched else 0
        self.report.timings["crosswalks"] = time.perf_counter() - started

    def _refuse_repeated(self, batch: list[Prepared]) -> None:
        for fiche in batch:
            if fiche.code in self.seen:
                raise RegisterFormatError(
                    element="NUMERO_FICHE",
                    line=fiche.line,
                    detail=_("fiche %(code)s appears twice in the file") % {"code": fiche.code},
                )
            self.seen.add(fiche.code)

    def _write(self, batch: list[Prepared], report: ImportReport) -> list[str]:
        """Write one batch; the codes of the fiches created or updated."""
        existing: dict[str, tuple[int, str]] = {}
        for chunk in _chunks([fiche.code for fiche in batch]):
            for code, pk, digest in Certification.objects.filter(code__in=chunk).values_list(
                "code", "pk", "register_hash"
            ):
                existing[code] = (pk, digest)
        new: list[Prepared] = []
        changed: list[tuple[int, Prepared]] = []
        for fiche in batch:
            report.fiches += 1
            report.blocks += len(fiche.blocks)
            row = existing.get(fiche.code)
            if row is None:
                new.append(fiche)
            elif row[1] == fiche.digest:
                report.unchanged += 1
            else:
                changed.append((row[0], fiche))
        touched = new + [fiche for _pk, fiche in changed]
        if not touched:
            return []
        certifier_ids = _certifiers(touched)
        if new:
            self.create(new, certifier_ids)
            report.created += len(new)
            room = REPORT_CODES_SHOWN - len(report.created_codes)
            report.created_codes += [fiche.code for fiche in new[: max(room, 0)]]
        for pk, fiche in changed:
            _update(pk, fiche, certifier_ids)
            report.updated += 1
            if len(report.updated_codes) < REPORT_CODES_SHOWN:
                report.updated_codes.append(fiche.code)
        return [fiche.code for fiche in touched]

    def create(self, fiches: list[Prepared], certifier_ids: dict[tuple[str, str], int]) -> None:
        """Create new fiches set-wise (no history rows, like any bulk write; the import's
        audit event records it)."""
        certification_ids = self.certification.insert_ids(fiche.certification for fiche in fiches)
        version_ids = self.version.insert_ids(
            (pk, REGISTER_VERSION_CODE, *fiche.version)
            for pk, fiche in zip(certification_ids, fiches, strict=True)
        )
        self.rule.insert(
            (pk, fiche.optional_blocks_required)
            for pk, fiche in zip(version_ids, fiches, strict=True)
        )
        blocks = [
            (version_id, block)
            for version_id, fiche in zip(version_ids, fiches, strict=True)
            for block in fiche.blocks
        ]
        block_ids = self.block.insert_ids(
            (version_id, block.code, *block.values) for version_id, block in blocks
        )
        competencies: list[tuple[Any, ...]] = []
        modalities: list[tuple[Any, ...]] = []
        for block_id, (_v, block) in zip(block_ids, blocks, strict=True):
            competencies.extend(_statement_rows(block_id, block.competencies, _COMPETENCY_CODES))
            modalities.extend(_statement_rows(block_id, block.modalities, _MODALITY_CODES))
        self.competency.insert(competencies)
        self.modality.insert(modalities)
        links: list[tuple[Any, ...]] = []
        succession: list[tuple[Any, ...]] = []
        correspondences: list[tuple[Any, ...]] = []
        for pk, fiche in zip(certification_ids, fiches, strict=True):
            links.extend(_link_rows(pk, fiche, certifier_ids))
            succession.extend((pk, *row) for row in fiche.succession)
            correspondences.extend((pk, *row) for row in fiche.correspondences)
        self.link.insert(links)
        self.succession.insert(succession)
        self.correspondence.insert(correspondences)


def _statement_rows(block_id: int, texts: list[str], codes: list[str]) -> list[tuple[Any, ...]]:
    """(block, code, text, position) rows; codes C01…, M01… (more digits past 99)."""
    if len(texts) > len(codes):
        codes = [f"{codes[0][0]}{i:02d}" for i in range(1, len(texts) + 1)]
    return [(block_id, codes[position], text, position) for position, text in enumerate(texts)]


def _link_rows(
    pk: int, fiche: Prepared, certifier_ids: dict[tuple[str, str], int]
) -> list[tuple[Any, ...]]:
    """(certification, certifier, position, *link values) rows, one per certifier."""
    rows: list[tuple[Any, ...]] = []
    linked: set[int] = set()
    for position, (siret, name, values) in enumerate(fiche.certifiers):
        certifier_id = certifier_ids[_certifier_key(siret, name)]
        if certifier_id not in linked:
            linked.add(certifier_id)
            rows.append((pk, certifier_id, position, *values))
    return rows


def _certifiers(fiches: list[Prepared]) -> dict[tuple[str, str], int]:
    """Certifier ids by key (SIRET, or name without SIRET), creating the missing ones; a
    known SIRET takes the name the latest fiche gives it."""
    wanted: dict[tuple[str, str], str] = {}
    for fiche in fiches:
        for siret, name, _values in fiche.certifiers:
            wanted[_certifier_key(siret, name)] = name
    sirets = [value for kind, value in wanted if kind == "siret"]
    names = [value for kind, value in wanted if kind == "name"]
    ids: dict[tuple[str, str], int] = {}
    renamed: list[Certifier] = []
    for known in Certifier.objects.filter(Q(siret__in=sirets) | Q(siret="", name__in=names)).only(
        "pk", "siret", "name"
    ):
        key = _certifier_key(known.siret, known.name)
        ids[key] = known.pk
        if known.siret and known.name != wanted[key]:
            known.name = wanted[key]
            renamed.append(known)
    if renamed:
        Certifier.objects.bulk_update(renamed, ["name"])
    missing = [
        Certifier(siret=key[1] if key[0] == "siret" else "", name=name)
        for key, name in wanted.items()
        if key not in ids
    ]
    Certifier.objects.bulk_create(missing)
    for created in missing:
        ids[_certifier_key(created.siret, created.name)] = created.pk
    return ids


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set the values on obj; True when one of them changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _sync_rows(
    model: Any, parent: dict[str, Any], texts: list[str], field: str, prefix: str
) -> None:
    """Make a block's competencies or modalities match ``texts`` (codes C01…, M01…), keyed
    by code: kept rows keep their id (others may point at them), changed ones are saved."""
    existing = {row.code: row for row in model.objects.filter(**parent)}
    for position, text in enumerate(texts):
        code = f"{prefix}{position + 1:02d}"
        values = {field: text, "position": position, "provenance": REGISTER_PROVENANCE}
        row = existing.pop(code, None)
        if row is None:
            model.objects.create(code=code, **parent, **values)
        elif _assign(row, values):
            row.save()
    for row in existing.values():
        row.delete()


def _orm_values(model: Any, names: Sequence[str], row: tuple[Any, ...]) -> dict[str, Any]:
    """A prepared row back as the ORM's values (JSON decoded, dates parsed)."""
    values = dict(zip(names, row, strict=True))
    for name, value in values.items():
        field = model._meta.get_field(name)
        if isinstance(value, bytes):
            values[name] = value = value.decode()
        if isinstance(value, str) and isinstance(field, models.JSONField):
            values[name] = json.loads(value)
        elif isinstance(value, str) and isinstance(field, models.DateField):
            values[name] = date.fromisoformat(value)
    return values


def _update(pk: int, fiche: Prepared, certifier_ids: dict[tuple[str, str], int]) -> None:
    """Update one changed fiche in place, keyed by codes (blocks and competencies keep
    their ids), with history rows for what changed."""
    certification = Certification.objects.get(pk=pk)
    values = _orm_values(Certification, CertificationRow._fields, fiche.certification)
    values["provenance"] = REGISTER_PROVENANCE
    if _assign(certification, values):
        certification.save()
    certification.certifier_links.all().delete()
    certification.register_links.all().delete()
    certification.register_correspondences.all().delete()
    CertificationCertifier.objects.bulk_create(
        CertificationCertifier(
            certification_id=pk,
            certifier_id=certifier_id,
            position=position,
            **_orm_values(CertificationCertifier, CertifierLinkRow._fields, tuple(values)),
        )
        for _pk, certifier_id, position, *values in _link_rows(pk, fiche, certifier_ids)
    )
    RegisterLink.objects.bulk_create(
        RegisterLink(certification_id=pk, kind=kind, other_code=other, position=position)
        for kind, other, position in fiche.succession
    )
    RegisterCorrespondence.objects.bulk_create(
        RegisterCorrespondence(
            certification_id=pk,
            position=position,
            source_block_codes=json.loads(source),
            destination_code=destination,
            destination_block_codes=json.loads(targets),
        )
        for position, source, destination, targets in fiche.correspondences
    )
    version_values = {
        **_orm_values(CertificationVersion, VersionRow._fields, fiche.version),
        "status": VersionStatus.CURRENT,
        "provenance": REGISTER_PROVENANCE,
    }
    version = CertificationVersion.objects.filter(
        certification=certification, code=REGISTER_VERSION_CODE
    ).first()
    if version is None:
        version = CertificationVersion.objects.create(
            certification=certification, code=REGISTER_VERSION_CODE, **version_values
        )
    elif _assign(version, version_values):
        version.save()
    rule_values = {
        "all_common_required": True,
        "optional_blocks_required": fiche.optional_blocks_required,
        "provenance": REGISTER_PROVENANCE,
    }
    rule = CertificationRule.objects.filter(version=version).first()
    if rule is None:
        CertificationRule.objects.create(version=version, **rule_values)
    elif _assign(rule, rule_values):
        rule.save()
    existing = {block.code: block for block in version.blocks.all()}
    for data in fiche.blocks:
        block_values = {
            **_orm_values(Block, BlockRow._fields, data.values),
            "provenance": REGISTER_PROVENANCE,
        }
        block = existing.pop(data.code, None)
        if block is None:
            block = Block.objects.create(version=version, code=data.code, **block_values)
        elif _assign(block, block_values):
            block.save()
        _sync_rows(Competency, {"block": block}, data.competencies, "statement_fr", "C")
        _sync_rows(EvaluationModality, {"block": block}, data.modalities, "label_fr", "M")
    for block in existing.values():
        block.delete()


# A correspondence read back: source code, its block codes, destination code, its block codes.
_Correspondence = tuple[str, list[str], str, list[str]]
# A crosswalk to write: from fiche, to fiche (codes) and the correspondences between them.
_Pair = tuple[str, str, list[_Correspondence]]


def register_crosswalks(codes: set[str]) -> int:
    """(Re)build, once per import, the register crosswalks for every correspondence from or
    to the given fiches whose two fiches are loaded: one crosswalk per pair of register
    versions, from the older fiche to the newer when a succession link says which, else
    from the source fiche; one entry per (source block, destination block), whole when
    1 ↔ 1, else partial. Reads whole tables once (no list of codes in the SQL, whatever
    their number). Returns the number of crosswalks written."""
    correspondences = _correspondences_of(codes)
    if not correspondences:
        return 0
    pair_codes = {row[0] for row in correspondences} | {row[2] for row in correspondences}
    versions = {
        code: pk
        for code, pk in CertificationVersion.objects.filter(code=REGISTER_VERSION_CODE).values_list(
            "certification__code", "pk"
        )
        if code in pair_codes
    }
    pairs = _crosswalk_pairs(correspondences, versions, _newer_than(pair_codes))
    if not pairs:
        return 0
    version_ids = {
        versions[code] for from_code, to_code, _c in pairs for code in (from_code, to_code)
    }
    taken = _replace_register_crosswalks(version_ids)
    planned = [
        pair
        for pair in pairs
        if (versions[pair[0]], versions[pair[1]]) not in taken
        and (versions[pair[1]], versions[pair[0]]) not in taken
    ]
    crosswalk_ids = BulkInsert(
        Crosswalk,
        ("from_version_id", "to_version_id", "note_fr", "note_en"),
        {"status": CrosswalkStatus.REGISTER.value, "provenance": REGISTER_PROVENANCE},
    ).insert_ids(
        (
            versions[from_code],
            versions[to_code],
            f"Correspondances publiées au registre national ({from_code} → {to_code})",
            f"Correspondences published in the national register ({from_code} → {to_code})",
        )
        for from_code, to_code, _corrs in planned
    )
    BulkInsert(CrosswalkEntry, ("crosswalk_id", "from_block_id", "to_block_id", "coverage")).insert(
        _crosswalk_entries(crosswalk_ids, planned, versions, _block_ids(sorted(version_ids)))
    )
    return len(planned)


def _correspondences_of(codes: set[str]) -> list[tuple[str, str, str, str]]:
    """The stored correspondences from or to ``codes`` (between two fiches), their block-code
    lists as JSON text (decoded later only for the pairs whose two fiches are loaded: a few
    in a hundred in a full export)."""
    return [
        row
        for row in RegisterCorrespondence.objects.order_by("certification_id", "position")
        .values_list(
            "certification__code",
            Cast("source_block_codes", models.TextField()),
            "destination_code",
            Cast("destination_block_codes", models.TextField()),
        )
        .iterator(chunk_size=5000)
        if (row[0] in codes or row[2] in codes) and row[0] != row[2]
    ]


def _newer_than(pair_codes: set[str]) -> set[tuple[str, str]]:
    """(newer, older) fiche codes, from the succession links of ``pair_codes``."""
    newer_than: set[tuple[str, str]] = set()
    for code, kind, other in RegisterLink.objects.values_list(
        "certification__code", "kind", "other_code"
    ):
        if code not in pair_codes:
            continue
        if kind == RegisterLink.Kind.REPLACES:
            newer_than.add((code, other))
        else:
            newer_than.add((other, code))
    return newer_than


def _crosswalk_pairs(
    correspondences: list[tuple[str, str, str, str]],
    versions: dict[str, int],
    newer_than: set[tuple[str, str]],
) -> list[_Pair]:
    """The correspondences grouped by pair of loaded fiches, each pair directed from the older
    fiche to the newer when a succession link says which, else from the source fiche."""
    pairs: dict[frozenset[str], _Pair] = {}
    for source, source_json, target, target_json in correspondences:
        if source not in versions or target not in versions:
            continue
        key = frozenset((source, target))
        if key not in pairs:
            newer_source = (source, target) in newer_than
            direction = (target, source) if newer_source else (source, target)
            pairs[key] = (direction[0], direction[1], [])
        pairs[key][2].append((source, json.loads(source_json), target, json.loads(target_json)))
    return list(pairs.values())


def _replace_register_crosswalks(version_ids: set[int]) -> set[tuple[int, int]]:
    """Delete the register crosswalks between these versions (rebuilt next); the (from, to)
    version pairs that hold another crosswalk (made by hand: left alone, none added)."""
    stale: list[int] = []
    taken: set[tuple[int, int]] = set()
    for pk, from_id, to_id, status in Crosswalk.objects.values_list(
        "pk", "from_version_id", "to_version_id", "status"
    ):
        if from_id in version_ids and to_id in version_ids:
            if status == CrosswalkStatus.REGISTER:
                stale.append(pk)
            else:
                taken.add((from_id, to_id))
    for chunk in _chunks(stale):
        Crosswalk.objects.filter(pk__in=chunk).delete()
    return taken


def _block_ids(version_ids: list[int]) -> dict[tuple[int, str], int]:
    """Block ids by (version, block code)."""
    block_ids: dict[tuple[int, str], int] = {}
    for chunk in _chunks(version_ids):
        for version_id, code, pk in Block.objects.filter(version_id__in=chunk).values_list(
            "version_id", "code", "pk"
        ):
            block_ids[(version_id, code)] = pk
    return block_ids


def _crosswalk_entries(
    crosswalk_ids: list[int],
    planned: list[_Pair],
    versions: dict[str, int],
    block_ids: dict[tuple[int, str], int],
) -> list[tuple[int, int, int, str]]:
    """(crosswalk, from block, to block, coverage) rows: one per (source block, destination
    block) of each correspondence, whole when 1 ↔ 1, else partial; the first one kept."""
    entries: dict[tuple[int, int, int], str] = {}
    for crosswalk_id, (from_code, _to, corrs) in zip(crosswalk_ids, planned, strict=True):
        from_version = versions[from_code]
        for source, source_codes, target, target_codes in corrs:
            source_version, target_version = versions[source], versions[target]
            coverage = (
                Coverage.WHOLE.value
                if len(source_codes) == 1 and len(target_codes) == 1
                else Coverage.PARTIAL.value
            )
            for source_code in source_codes:
                for target_code in target_codes:
                    source_block = block_ids.get((source_version, source_code))
                    target_block = block_ids.get((target_version, target_code))
                    if source_block is None or target_block is None:
                        continue
                    if source_version != from_version:
                        source_block, target_block = target_block, source_block
                    entries.setdefault((crosswalk_id, source_block, target_block), coverage)
    return [(*key, coverage) for key, coverage in entries.items()]
