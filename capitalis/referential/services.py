"""Every write on the référentiel: one transaction, an audit record.

Sections: shipped data loading (``referential_data_load``) and the national register's
import (``register_import``). Edit by section; keep each service keyword-only and typed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import itertools
import json
import marshal
import multiprocessing
import os
import re
import resource
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from json.encoder import encode_basestring, encode_basestring_ascii
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from capitalis.core.data import CREATED, DELETED, UNCHANGED, UPDATED, LoadCounts
from capitalis.core.models import audit_record
from capitalis.referential.models import (
    Activity,
    Block,
    BlockKind,
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
    EvaluationCriterion,
    EvaluationModality,
    RegisterCorrespondence,
    RegisterLink,
    VersionStatus,
)
from capitalis.referential.register import (
    _CODE_RE,
    _LEVEL_RE,
    _OPTIONAL_RE,
    _RANK,
    ACCESS_ROUTES,
    Fiche,
    RegisterFormatError,
    _check_length,
    _kid_text,
    _kids,
    _parse_int,
    _text,
    fiche_elements,
    parse_bool,
    parse_date,
    split_statements,
)

if TYPE_CHECKING:
    from capitalis.referential.data import ReferentialDocument

# === Shipped data loading (referential_data_load) ============================================
# The files under data/referential/ are parsed and validated by capitalis.referential.data;
# capitalis.core.services.data_load runs the load in one transaction and records its audit.


def _data_upsert(
    model: type[models.Model],
    existing: dict[Any, Any],
    key: Any,
    create: dict[str, Any],
    values: dict[str, Any],
    counts: LoadCounts,
) -> Any:
    """Create the row, or update it only if one of ``values`` differs (no save, hence no
    ``updated_at`` change and no history row, when nothing differs)."""
    label = model._meta.label
    row = existing.pop(key, None)
    if row is None:
        row = model._default_manager.create(**create, **values)
        counts.add(label, CREATED)
    elif _data_assign(row, values):
        row.save()
        counts.add(label, UPDATED)
    else:
        counts.add(label, UNCHANGED)
    return row


def _data_one(queryset: models.QuerySet[Any]) -> dict[int, Any]:
    """The one row a natural key selects, keyed 1 for ``_data_upsert`` (empty when absent)."""
    row = queryset.first()
    return {} if row is None else {1: row}


def _data_assign(row: Any, values: dict[str, Any]) -> bool:
    """Set the values that differ on row; True when one did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _data_delete_rest(model: type[models.Model], left: dict[Any, Any], counts: LoadCounts) -> None:
    """Delete the rows the file no longer lists (one history row each)."""
    for row in left.values():
        row.delete()
        counts.add(model._meta.label, DELETED)


def _data_texts(item: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {name: item.get(name, "") for name in names}


def _data_certification(cert: dict[str, Any], counts: LoadCounts) -> Certification:
    values = {k: v for k, v in cert.items() if k not in ("code", "certifiers")}
    existing = {c.code: c for c in Certification.objects.filter(code=cert["code"])}
    certification: Certification = _data_upsert(
        Certification, existing, cert["code"], {"code": cert["code"]}, values, counts
    )
    links = {link.certifier_id: link for link in certification.certifier_links.all()}
    for position, item in enumerate(cert.get("certifiers", [])):
        siret = item.get("siret", "")
        lookup = {"siret": siret} if siret else {"siret": "", "name": item["name"]}
        found = _data_one(Certifier.objects.filter(**lookup))
        certifier: Certifier = _data_upsert(
            Certifier, found, 1, {"siret": siret}, {"name": item["name"]}, counts
        )
        link_values = {
            "position": position,
            **_data_texts(item, ("commercial_name", "website", "state")),
            "state_date": item.get("state_date"),
        }
        _data_upsert(
            CertificationCertifier,
            links,
            certifier.pk,
            {"certification": certification, "certifier": certifier},
            link_values,
            counts,
        )
    # Certifier links the file does not name are left alone: the register import may own them.
    return certification


def _data_block_children(block: Block, item: dict[str, Any], counts: LoadCounts) -> None:
    activities = {a.code: a for a in block.activities.all()}
    by_code: dict[str, Activity] = {}
    for position, act in enumerate(item.get("activities", [])):
        by_code[act["code"]] = _data_upsert(
            Activity,
            activities,
            act["code"],
            {"block": block, "code": act["code"]},
            {
                "position": position,
                "title_fr": act["title_fr"],
                "title_en": act.get("title_en", ""),
                "provenance": act["provenance"],
            },
            counts,
        )
    competencies = {c.code: c for c in block.competencies.all()}
    criteria: dict[tuple[int, str], EvaluationCriterion] = {
        (c.competency_id, c.code): c
        for c in EvaluationCriterion.objects.filter(competency__block=block)
    }
    for position, comp in enumerate(item["competencies"]):
        activity = by_code.get(comp.get("activity") or "")
        competency: Competency = _data_upsert(
            Competency,
            competencies,
            comp["code"],
            {"block": block, "code": comp["code"]},
            {
                "position": position,
                "activity_id": activity.pk if activity else None,
                "statement_fr": comp["statement_fr"],
                "statement_en": comp.get("statement_en", ""),
                "provenance": comp["provenance"],
            },
            counts,
        )
        for crit_position, crit in enumerate(comp.get("criteria", [])):
            _data_upsert(
                EvaluationCriterion,
                criteria,
                (competency.pk, crit["code"]),
                {"competency": competency, "code": crit["code"]},
                {
                    "position": crit_position,
                    "text_fr": crit["text_fr"],
                    "text_en": crit.get("text_en", ""),
                    "provenance": crit["provenance"],
                },
                counts,
            )
    modalities = {m.code: m for m in block.modalities.all()}
    for position, mod in enumerate(item.get("modalities", [])):
        _data_upsert(
            EvaluationModality,
            modalities,
            mod["code"],
            {"block": block, "code": mod["code"]},
            {
                "position": position,
                "label_fr": mod["label_fr"],
                "label_en": mod.get("label_en", ""),
                "provenance": mod["provenance"],
            },
            counts,
        )
    _data_delete_rest(EvaluationCriterion, criteria, counts)
    _data_delete_rest(Competency, competencies, counts)
    _data_delete_rest(Activity, activities, counts)
    _data_delete_rest(EvaluationModality, modalities, counts)


def _data_version(
    certification: Certification,
    existing: dict[str, CertificationVersion],
    position: int,
    item: dict[str, Any],
    counts: LoadCounts,
) -> CertificationVersion:
    version: CertificationVersion = _data_upsert(
        CertificationVersion,
        existing,
        item["code"],
        {"certification": certification, "code": item["code"]},
        {
            "position": position,
            "label_fr": item["label_fr"],
            "label_en": item.get("label_en", ""),
            "status": item["status"],
            "register_code": item.get("register_code", ""),
            "valid_from": item.get("valid_from"),
            "valid_until": item.get("valid_until"),
            "provenance": item["provenance"],
        },
        counts,
    )
    rule = item["rule"]
    rules = _data_one(CertificationRule.objects.filter(version=version))
    _data_upsert(
        CertificationRule,
        rules,
        1,
        {"version": version},
        {
            "all_common_required": rule["all_common_required"],
            "optional_blocks_required": rule["optional_blocks_required"],
            **_data_texts(rule, ("description_fr", "description_en")),
            "provenance": rule["provenance"],
            "deliberation_policy": rule.get("deliberation_policy") or {},
        },
        counts,
    )
    blocks = {b.code: b for b in version.blocks.all()}
    for block_position, block_item in enumerate(item["blocks"]):
        block: Block = _data_upsert(
            Block,
            blocks,
            block_item["code"],
            {"version": version, "code": block_item["code"]},
            {
                "position": block_position,
                "kind": block_item["kind"],
                "title_fr": block_item["title_fr"],
                "title_en": block_item.get("title_en", ""),
                **_data_texts(
                    block_item,
                    (
                        "competencies_text",
                        "assessment_text",
                        "entry_prerequisites_text",
                        "validation_prerequisites_text",
                    ),
                ),
                "provenance": block_item["provenance"],
            },
            counts,
        )
        _data_block_children(block, block_item, counts)
    _data_delete_rest(Block, blocks, counts)
    return version


def _data_crosswalk(
    versions: dict[str, CertificationVersion], item: dict[str, Any], counts: LoadCounts
) -> None:
    from_version, to_version = versions[item["from_version"]], versions[item["to_version"]]
    existing = _data_one(Crosswalk.objects.filter(from_version=from_version, to_version=to_version))
    crosswalk: Crosswalk = _data_upsert(
        Crosswalk,
        existing,
        1,
        {"from_version": from_version, "to_version": to_version},
        {
            "status": item["status"],
            **_data_texts(item, ("note_fr", "note_en")),
            "provenance": item["provenance"],
        },
        counts,
    )
    blocks = {
        (b.version_id, b.code): b.pk
        for b in Block.objects.filter(version__in=[from_version, to_version])
    }
    entries = {(e.from_block_id, e.to_block_id): e for e in crosswalk.entries.all()}
    for entry in item["entries"]:
        from_block = blocks[(from_version.pk, entry["from_block"])]
        to_block = blocks[(to_version.pk, entry["to_block"])]
        row: CrosswalkEntry = _data_upsert(
            CrosswalkEntry,
            entries,
            (from_block, to_block),
            {"crosswalk": crosswalk, "from_block_id": from_block, "to_block_id": to_block},
            {"coverage": entry["coverage"], **_data_texts(entry, ("note_fr", "note_en"))},
            counts,
        )
        covered = set(
            Competency.objects.filter(
                block_id=to_block, code__in=entry.get("covered") or []
            ).values_list("pk", flat=True)
        )
        if covered != set(row.covered.values_list("pk", flat=True)):
            row.covered.set(covered)
            counts.add("referential.CrosswalkEntry.covered", UPDATED)
    _data_delete_rest(CrosswalkEntry, entries, counts)


@transaction.atomic
def referential_data_load(*, documents: Sequence[ReferentialDocument]) -> LoadCounts:
    """Make the database match validated référentiel files (see data/README.md): upsert the
    certification, its versions → rule, blocks → activities, competencies → criteria,
    modalities, and its crosswalks, by natural key (codes); write only rows that differ;
    delete the rows of a loaded version (or crosswalk) that the file no longer has. Versions
    the file does not list (e.g. the register import's) are left alone.

    The audit event is recorded by ``capitalis.core.services.data_load``, which calls this
    inside its transaction; use that service (or ``manage.py load_data``) to load data."""
    counts = LoadCounts()
    for document in documents:
        certification = _data_certification(document.certification, counts)
        existing = {v.code: v for v in certification.versions.all()}
        versions = {
            item["code"]: _data_version(certification, existing, position, item, counts)
            for position, item in enumerate(document.versions)
        }
        for crosswalk in document.crosswalks:
            _data_crosswalk(versions, crosswalk, counts)
    return counts


# === National register import (register_import) — SPEC §1, issue 2 point 7 ===================
# Two processes, one transaction: a forked child parses the file (lxml, then the mapping of
# each fiche to plain rows, ``_Prepared``) and sends marshalled batches through a pipe, while
# this process writes the previous batch with plain executemany INSERTs. A malformed file
# is reported by the child and raised here as the same RegisterFormatError, so the
# transaction rolls back. The register crosswalks are rebuilt once, at the end.

REGISTER_PROVENANCE = "France compétences open data export"
REGISTER_VERSION_CODE = "register"
REGISTER_BATCH_SIZE = 500
_SPOOL_DEPTH = 4  # batches the reader may have ready ahead of the writer

# Columns of the rows a prepared fiche carries, in order.
_CERT_FIELDS: tuple[str, ...] = (
    "code",
    "register",
    "register_id",
    "title_fr",
    "abbreviation_code",
    "abbreviation_label",
    "state",
    "eqf_level",
    "eqf_label",
    "nsf_codes",
    "rome_codes",
    "formacodes",
    "has_partners",
    "registration_date",
    "registration_end",
    "registration_years",
    "registration_type",
    "award_deadline",
    "active",
    "blocks_separately",
    "access_routes",
    "activities_text",
    "capacities_text",
    "sectors_text",
    "target_jobs_text",
    "objectives_text",
    "entry_prerequisites_text",
    "register_extra",
    "register_hash",
)
_VERSION_FIELDS: tuple[str, ...] = (
    "label_fr",
    "label_en",
    "register_code",
    "valid_from",
    "valid_until",
)
_BLOCK_FIELDS: tuple[str, ...] = (
    "title_fr",
    "kind",
    "position",
    "competencies_text",
    "assessment_text",
    "entry_prerequisites_text",
    "validation_prerequisites_text",
)
_LINK_FIELDS: tuple[str, ...] = ("commercial_name", "website", "state", "state_date")
_COMPETENCY_CODES = [f"C{i:02d}" for i in range(1, 100)]
_MODALITY_CODES = [f"M{i:02d}" for i in range(1, 100)]


class _PreparedBlock(NamedTuple):
    """A block's code and values (its texts in UTF-8); its competencies and modalities are
    split from its texts by the writer (which has the spare time; the texts cross the pipe
    once)."""

    code: str
    values: tuple[Any, ...]  # _BLOCK_FIELDS

    @property
    def competencies(self) -> list[str]:
        return split_statements(self.values[3].decode())

    @property
    def modalities(self) -> list[str]:
        return split_statements(self.values[4].decode())


class _Prepared(NamedTuple):
    """A fiche as the rows it becomes, built in the reader process (plain, picklable)."""

    code: str
    line: int | None
    digest: str
    certification: tuple[Any, ...]  # _CERT_FIELDS
    version: tuple[Any, ...]  # _VERSION_FIELDS
    optional_blocks_required: int
    blocks: list[_PreparedBlock]
    # (SIRET, name, link values (_LINK_FIELDS)), in the register's order
    certifiers: list[tuple[str, str, tuple[Any, ...]]]
    succession: list[tuple[str, str, int]]  # kind, other code, position
    # position, source block codes (JSON), destination code, destination block codes (JSON)
    correspondences: list[tuple[int, str, str, str]]


REPORT_CODES_SHOWN = 200


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


def register_import(
    *,
    path: str | Path | IO[bytes],
    dry_run: bool = False,
    actor: Any = None,
    batch_size: int = REGISTER_BATCH_SIZE,
) -> ImportReport:
    """Import a register export (flux V4.1): create or update one certification per fiche,
    its register version (blocks, competencies, modalities, rule), certifiers, succession
    links and block correspondences, and the register crosswalks between loaded fiches.

    The file is streamed and written in batches of ``batch_size`` fiches, all inside one
    transaction: a malformed file (RegisterFormatError) or ``dry_run`` leaves the database
    unchanged. A fiche whose digest equals the stored one is not touched ("unchanged")."""
    report = ImportReport(dry_run=dry_run)
    seen: set[str] = set()
    touched: set[str] = set()
    timings = report.timings
    # SQLite: no foreign-key lookup per inserted row (a million of them for a full export):
    # the writer takes every foreign key from a row it has just inserted or read in this
    # transaction. A no-op inside an outer transaction, and on PostgreSQL.
    with (
        _collector_paused(),
        _sqlite_rollback_journal(),
        _sqlite_import_cache(),
        connection.constraint_checks_disabled(),
        transaction.atomic(),
    ):
        writer = _RegisterWriter()
        for batch in _prepared_batches(path, batch_size, timings):
            started = time.perf_counter()
            for fiche in batch:
                if fiche.code in seen:
                    raise RegisterFormatError(
                        element="NUMERO_FICHE",
                        line=fiche.line,
                        detail=_("fiche %(code)s appears twice in the file") % {"code": fiche.code},
                    )
                seen.add(fiche.code)
            touched.update(writer.write(batch, report))
            timings["write"] = timings.get("write", 0.0) + time.perf_counter() - started
        started = time.perf_counter()
        report.crosswalks = _register_crosswalks(touched) if touched else 0
        timings["crosswalks"] = time.perf_counter() - started
        audit_record(
            action="referential.register_import",
            actor=actor,
            target_type="referential.certification",
            summary=_(
                "Register import: %(created)s created, %(updated)s updated, %(unchanged)s unchanged"
            )
            % dataclasses.asdict(report),
            data=dataclasses.asdict(report),
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


# --- Reading: the child process -------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _prepare(fiche: Fiche) -> _Prepared:
    """A fiche as plain rows ready for the database (no ORM, no connection), as the import
    writes them. JSON values are JSON text and dates ISO text, which SQLite stores as the ORM
    does and PostgreSQL casts to the column's type; the long texts (``_UTF8_FIELDS``) are
    UTF-8 bytes, as lxml serialises them (see ``_Insert``)."""
    dumps = json.dumps

    def code_labels(items: Iterable[Any]) -> str:
        return dumps([{"code": item.code, "label": item.label} for item in items])

    blocks = [
        _PreparedBlock(
            block.code,
            (
                block.title,
                BlockKind.OPTIONAL.value if block.optional else BlockKind.COMMON.value,
                position,
                block.competencies_text.encode(),
                block.assessment_text.encode(),
                block.entry_prerequisites_text.encode(),
                block.validation_prerequisites_text.encode(),
            ),
        )
        for position, block in enumerate(fiche.blocks)
    ]
    return _Prepared(
        code=fiche.code,
        line=fiche.line,
        digest=fiche.digest,
        certification=(
            fiche.code,
            fiche.register,
            fiche.register_id,
            fiche.title,
            fiche.abbreviation_code,
            fiche.abbreviation_label,
            fiche.state,
            fiche.eqf_level,
            fiche.eqf_label,
            code_labels(fiche.nsf_codes),
            code_labels(fiche.rome_codes),
            code_labels(fiche.formacodes),
            fiche.has_partners,
            _day(fiche.registration_date),
            _day(fiche.registration_end),
            fiche.registration_years,
            fiche.registration_type,
            _day(fiche.award_deadline),
            fiche.active,
            fiche.blocks_separately,
            dumps(
                {
                    route.key: {
                        "active": route.active,
                        "composition": route.composition,
                        "changed_on": route.changed_on.isoformat() if route.changed_on else None,
                    }
                    for route in fiche.access_routes
                }
            ),
            fiche.activities_text.encode(),
            fiche.capacities_text.encode(),
            fiche.sectors_text.encode(),
            fiche.target_jobs_text.encode(),
            fiche.objectives_text.encode(),
            fiche.entry_prerequisites_text.encode(),
            # half the size of \u escapes
            dumps(list(fiche.extra), ensure_ascii=False).encode(),
            fiche.digest,
        ),
        version=(
            f"Fiche {fiche.code} du registre national",
            f"National register fiche {fiche.code}",
            fiche.code,
            _day(fiche.registration_date),
            _day(fiche.registration_end),
        ),
        optional_blocks_required=1 if any(b.values[1] == BlockKind.OPTIONAL for b in blocks) else 0,
        blocks=blocks,
        certifiers=[
            (c.siret, c.name, (c.commercial_name, c.website, c.state, _day(c.state_date)))
            for c in fiche.certifiers
        ],
        succession=[
            (str(kind), code, position)
            for kind, codes in (
                (RegisterLink.Kind.REPLACED_BY, fiche.replaced_by),
                (RegisterLink.Kind.REPLACES, fiche.replaces),
            )
            for position, code in enumerate(dict.fromkeys(codes))
        ],
        correspondences=[
            (
                position,
                dumps(corr.source_block_codes),
                corr.destination_code,
                dumps(corr.destination_block_codes),
            )
            for position, corr in enumerate(fiche.correspondences)
        ],
    )


# The reader's hot path: one FICHE element straight to its rows, without the ``Fiche``
# dataclasses (``_finish`` of ``_prepare_element`` gives what ``_prepare(fiche_from_element())``
# gives, and the same errors: the checks below are the ones of register.py, in the same
# order). JSON texts are spelled as ``json.dumps`` spells them, by the writer (``_finish``).
_esc = encode_basestring_ascii
_OPTIONAL = BlockKind.OPTIONAL.value
_COMMON = BlockKind.COMMON.value
_REPLACED_BY = str(RegisterLink.Kind.REPLACED_BY)
_REPLACES = str(RegisterLink.Kind.REPLACES)


def _json_codes(codes: Iterable[str]) -> str:
    return "[" + ", ".join([_esc(code) for code in codes]) + "]"


def _row_code_labels(elem: Any, item_tag: str) -> tuple[tuple[str, str], ...] | None:
    """(code, label) pairs, or None when the list's shape is not exactly that (kept as XML)."""
    pairs = []
    for item in elem:
        if item.tag != item_tag:
            return None
        tags = [child.tag for child in item]
        if tags == ["CODE", "LIBELLE"]:
            pairs.append((_text(item[0]), _text(item[1])))
        elif tags == ["CODE"]:
            pairs.append((_text(item[0]), ""))
        else:
            return None
    return tuple(pairs)


def _row_block_codes(elem: Any | None) -> tuple[str, ...]:
    if elem is None:
        return ()
    return tuple(
        _text(leaf)
        for item in elem
        if item.tag == "BLOC_COMPETENCES"
        for leaf in item
        if leaf.tag == "CODE"
    )


def _json_code_labels(pairs: Iterable[tuple[str, str]]) -> str:
    return (
        "["
        + ", ".join(
            ['{"code": ' + _esc(code) + ', "label": ' + _esc(label) + "}" for code, label in pairs]
        )
        + "]"
    )


_ROW_TEXTS: dict[str, tuple[int, int | None]] = {
    "INTITULE": (3, 800),
    "ETAT_FICHE": (6, 100),
    "ACTIVITES_VISEES": (21, None),
    "CAPACITES_ATTESTEES": (22, None),
    "SECTEURS_ACTIVITE": (23, None),
    "TYPE_EMPLOI_ACCESSIBLES": (24, None),
    "TYPE_ENREGISTREMENT": (16, 100),
    "OBJECTIFS_CONTEXTE": (25, None),
    "PREREQUIS_ENTREE_FORMATION": (26, None),
}
_ROW_DATES: dict[str, int | None] = {
    "DATE_DERNIER_JO": None,
    "DATE_DECISION": 13,
    "DATE_FIN_ENREGISTREMENT": 14,
    "DATE_EFFET": None,
    "DATE_DE_PUBLICATION": None,
    "DATE_LIMITE_DELIVRANCE": 17,
}
_ROW_FLAGS: dict[str, int] = {"EXISTENCE_PARTENAIRES": 12, "VALIDATION_PARTIELLE": 19, "ACTIF": 18}
_ROW_CODE_LABELS: dict[str, tuple[int, str]] = {
    "CODES_NSF": (9, "NSF"),
    "CODES_ROME": (10, "ROME"),
    "FORMACODES": (11, "FORMACODE"),
}
_ROUTE_TAGS = ["ACTIF", "COMPOSITION", "DATE_DERNIERE_MODIFICATION"]
# The certification's and its blocks' long texts and kept elements: most of a full export,
# carried from the parser to the database as the UTF-8 bytes lxml serialises (never decoded
# into Python strings and encoded again, four conversions in all).
_UTF8_FIELDS = frozenset(_CERT_FIELDS[21:28])
_BLOCK_UTF8_FIELDS = frozenset(_BLOCK_FIELDS[3:])
_CONTROL = re.compile(rb"[\x00-\x1f]")


def _utf8_text(elem: Any) -> bytes:
    """A childless element's text, stripped, as UTF-8: ``_text(elem).encode()`` without the
    round trip through a string (the string way where a non-ASCII or control character ends
    it, as ``str.strip`` strips more than ``bytes.strip``)."""
    if len(elem):  # the text before its first child, as ``_text``
        return _text(elem).encode()
    text = etree.tostring(elem, method="text", encoding="utf-8", with_tail=False).strip()
    if text and not (32 < text[0] < 127 and 32 < text[-1] < 127):
        return _text(elem).encode()
    return text


def _kid_utf8(kids: dict[str, Any], tag: str) -> bytes:
    """``_kid_text(kids, tag).encode()``, the ``_utf8_text`` way."""
    child = kids.get(tag)
    return b"" if child is None else _utf8_text(child)


def _json_utf8(text: bytes) -> bytes:
    """A UTF-8 text as the body of a JSON string, as ``json.dumps(..., ensure_ascii=False)``
    spells it (in UTF-8, bytes under 0x20 only ever stand for themselves)."""
    if _CONTROL.search(text.replace(b"\n", b"").replace(b"\r", b"").replace(b"\t", b"")):
        # not in well-formed XML 1.0: the slow, exact way
        return encode_basestring(text.decode())[1:-1].encode()
    text = text.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
    return text.replace(b"\n", b"\\n").replace(b"\r", b"\\r").replace(b"\t", b"\\t")


# What the reader does with each child of a FICHE, by tag (one lookup per child; a tag
# missing here is kept as XML).
_ROW_KIND: dict[str, str] = {
    **dict.fromkeys(_ROW_TEXTS, "text"),
    **dict.fromkeys(_ROW_DATES, "date"),
    **dict.fromkeys(_ROW_FLAGS, "flag"),
    **dict.fromkeys(_ROW_CODE_LABELS, "codes"),
    **dict.fromkeys([f"SI_JURY_{route}" for route in ACCESS_ROUTES], "route"),
    "ID_FICHE": "integer",
    "DUREE_ENREGISTREMENT": "integer",
    "NUMERO_FICHE": "number",
    "NOUVELLES_CERTIFICATIONS": "succession",
    "ANCIENNES_CERTIFICATIONS": "succession",
    "ABREGE": "abbreviation",
    "NOMENCLATURE_EUROPE": "level",
    "CERTIFICATEURS": "certifiers",
    "BLOCS_COMPETENCES": "blocks",
    "CORRESPONDANCES": "correspondences",
}


def _prepare_element(elem: Any) -> tuple[Any, ...]:
    """The rows of one ``FICHE`` element, as the reader sends them (``_finish`` makes them
    what ``_prepare(fiche_from_element(elem, digest=False))`` returns): every check is made
    here, where the line numbers are, and the JSON texts are left to the writer, which has
    the spare time: code lists as (code, label) pairs, access routes as (key, active,
    composition, day) tuples, kept elements as (tag, XML[, after]) tuples, correspondences'
    block codes as tuples."""
    cert: list[Any] = [""] * len(_CERT_FIELDS)
    cert[2] = cert[7] = cert[12] = cert[13] = cert[14] = cert[15] = cert[17] = cert[19] = None
    cert[9] = cert[10] = cert[11] = ()
    cert[21] = cert[22] = cert[23] = cert[24] = cert[25] = cert[26] = b""
    cert[18] = True
    code = ""
    replaced_by: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    routes: dict[str, tuple[bool, str, str | None]] = {}
    blocks: list[tuple[str, tuple[Any, ...]]] = []
    certifiers: list[tuple[str, str, tuple[Any, ...]]] = []
    correspondences: list[tuple[int, tuple[str, ...], str, tuple[str, ...]]] = []
    extra: list[tuple[Any, ...]] = []  # (tag, XML in UTF-8[, tag before])
    previous_tag = ""
    tostring = etree.tostring
    kinds = _ROW_KIND
    for child in elem:
        tag = child.tag
        kind = kinds.get(tag)
        kept = False
        if kind is None:
            kept = True
        elif kind == "text":
            if len(child):
                kept = True
            else:
                index, limit = _ROW_TEXTS[tag]
                if limit:
                    text = child.text
                    text = text.strip() if text else ""
                    cert[index] = _check_length(text, limit, element=tag, line=child.sourceline)
                else:
                    cert[index] = _utf8_text(child)
        elif kind == "route":
            tags = [kid.tag for kid in child]
            if not tags or tags[0] != "ACTIF" or [t for t in _ROUTE_TAGS if t in tags] != tags:
                kept = True
            else:
                kids = _kids(child)
                flag = kids["ACTIF"]
                when = kids.get("DATE_DERNIERE_MODIFICATION")
                active = parse_bool(_text(flag), element="ACTIF", line=flag.sourceline)
                routes[tag[8:]] = (
                    active,
                    _kid_text(kids, "COMPOSITION"),
                    parse_date(_text(when), element=when.tag, line=when.sourceline).isoformat()
                    if when is not None
                    else None,
                )
        elif kind == "date":
            if len(child):
                kept = True
            else:
                day = parse_date(_text(child), element=tag, line=child.sourceline)
                slot = _ROW_DATES[tag]
                if slot is None:
                    kept = True
                else:
                    cert[slot] = day.isoformat()
        elif kind == "flag":
            cert[_ROW_FLAGS[tag]] = parse_bool(_text(child), element=tag, line=child.sourceline)
        elif kind == "codes":
            index, item_tag = _ROW_CODE_LABELS[tag]
            labels = _row_code_labels(child, item_tag)
            if labels is None:
                kept = True
            else:
                cert[index] = labels
        elif kind == "integer":
            number = _parse_int(_text(child), element=tag, line=child.sourceline)
            cert[2 if tag == "ID_FICHE" else 15] = number
        elif kind == "number":
            code = _text(child)
            if not _CODE_RE.match(code):
                raise RegisterFormatError(
                    element=tag,
                    line=child.sourceline,
                    detail=_("invalid fiche number “%(value)s”") % {"value": code},
                )
        elif kind == "succession":
            inner = (
                "ID_FICHE_NOUVELLE_CERTIFICATION"
                if tag == "NOUVELLES_CERTIFICATIONS"
                else "ID_FICHE_ANCIENNE_CERTIFICATION"
            )
            codes = tuple(
                _check_length(_text(leaf), 20, element=inner, line=leaf.sourceline)
                for item in child
                for leaf in item
                if leaf.tag == inner
            )
            if tag == "NOUVELLES_CERTIFICATIONS":
                replaced_by = codes
            else:
                replaces = codes
        elif kind == "abbreviation":
            if [kid.tag for kid in child] != ["CODE", "LIBELLE"]:
                kept = True
            else:
                at = child.sourceline
                cert[4] = _check_length(_text(child[0]), 50, element="CODE", line=at)
                cert[5] = _check_length(_text(child[1]), 255, element="LIBELLE", line=at)
        elif kind == "level":
            match = None
            if [kid.tag for kid in child] == ["NIVEAU", "LIBELLE"]:
                match = _LEVEL_RE.match(_text(child[0]))
            if not match:
                kept = True
            else:
                cert[7] = int(match.group(1))
                cert[8] = _check_length(
                    _text(child[1]), 100, element="LIBELLE", line=child.sourceline
                )
        elif kind == "certifiers":
            certifiers = []
            for item in child:
                at = item.sourceline
                kids = _kids(item)
                when = kids.get("DATE_DERNIERE_MODIFICATION_ETAT")
                name = _kid_text(kids, "NOM_CERTIFICATEUR")
                if not name:
                    raise RegisterFormatError(
                        element="CERTIFICATEUR", line=at, detail=_("NOM_CERTIFICATEUR missing")
                    )
                siret = _check_length(
                    _kid_text(kids, "SIRET_CERTIFICATEUR"),
                    14,
                    element="SIRET_CERTIFICATEUR",
                    line=at,
                )
                _check_length(name, 500, element="NOM_CERTIFICATEUR", line=at)
                commercial = _kid_text(kids, "NOM_COMMERCIAL")[:500]
                website = _kid_text(kids, "SITE_INTERNET")[:500]
                state = _check_length(
                    _kid_text(kids, "ETAT_CERTIFICATEUR"), 50, element="ETAT_CERTIFICATEUR", line=at
                )
                state_date = (
                    parse_date(_text(when), element=when.tag, line=when.sourceline).isoformat()
                    if when is not None
                    else None
                )
                certifiers.append((siret, name, (commercial, website, state, state_date)))
        elif kind == "blocks":
            blocks = []
            seen: set[str] = set()
            for position, item in enumerate(child):
                kids = _kids(item)
                block_code = _kid_text(kids, "CODE")
                at = item.sourceline
                if not block_code:
                    raise RegisterFormatError(
                        element="BLOC_COMPETENCES", line=at, detail=_("CODE missing")
                    )
                if block_code in seen:
                    raise RegisterFormatError(
                        element="BLOC_COMPETENCES",
                        line=at,
                        detail=_("duplicate block code “%(code)s” in this fiche")
                        % {"code": block_code},
                    )
                seen.add(block_code)
                _check_length(block_code, 30, element="CODE", line=at)
                title = _check_length(_kid_text(kids, "LIBELLE"), 800, element="LIBELLE", line=at)
                blocks.append(
                    (
                        block_code,
                        (
                            title,
                            _OPTIONAL if _OPTIONAL_RE.search(title) else _COMMON,
                            position,
                            _kid_utf8(kids, "LISTE_COMPETENCES"),
                            _kid_utf8(kids, "MODALITES_EVALUATION"),
                            _kid_utf8(kids, "PREREQUIS_ENTREE_FORMATION_BLOC"),
                            _kid_utf8(kids, "PREREQUIS_VALIDATION_BLOC"),
                        ),
                    )
                )
        elif kind == "correspondences":
            correspondences = []
            for position, item in enumerate(child):
                kids = _kids(item)
                destination = kids.get("DESTINATION")
                target = (
                    _kid_text(_kids(destination), "NUMERO_FICHE") if destination is not None else ""
                )
                if destination is None or not target:
                    raise RegisterFormatError(
                        element="CORRESPONDANCE",
                        line=item.sourceline,
                        detail=_("DESTINATION/NUMERO_FICHE missing"),
                    )
                source = _row_block_codes(kids.get("SOURCE"))
                _check_length(target, 20, element="NUMERO_FICHE", line=destination.sourceline)
                correspondences.append((position, source, target, _row_block_codes(destination)))
        if kept:
            xml = tostring(child, encoding="utf-8", with_tail=False)
            extra.append((tag, xml) if tag in _RANK else (tag, xml, previous_tag))
        previous_tag = tag
    if not code:
        raise RegisterFormatError(
            element="FICHE", line=elem.sourceline, detail=_("NUMERO_FICHE missing")
        )
    cert[0] = code
    cert[1] = "RS" if code.startswith("RS") else "RNCP"
    cert[20] = tuple((key, *value) for key, value in routes.items())
    cert[27] = tuple(extra)
    return (
        code,
        tuple(cert),
        1 if any(values[1] == _OPTIONAL for _code, values in blocks) else 0,
        blocks,
        certifiers,
        [
            (kind, other, position)
            for kind, codes in ((_REPLACED_BY, replaced_by), (_REPLACES, replaces))
            for position, other in enumerate(dict.fromkeys(codes))
        ],
        correspondences,
    )


def _finish(line: int | None, digest: str, rows: tuple[Any, ...]) -> _Prepared:
    """A fiche's rows from the reader (``_prepare_element``) made ready for the database, in
    the writer: the JSON texts, spelled as ``json.dumps`` spells them, and the digest."""
    code, raw, optional, blocks, certifiers, succession, correspondences = rows
    cert = list(raw)
    cert[9] = _json_code_labels(raw[9])
    cert[10] = _json_code_labels(raw[10])
    cert[11] = _json_code_labels(raw[11])
    cert[20] = (
        "{"
        + ", ".join(
            [
                _esc(key)
                + ': {"active": '
                + ("true" if active else "false")
                + ', "composition": '
                + _esc(composition)
                + ', "changed_on": '
                + (_esc(day) if day is not None else "null")
                + "}"
                for key, active, composition, day in raw[20]
            ]
        )
        + "}"
    )
    # json.dumps(nodes, ensure_ascii=False) (half the size of \u escapes), in UTF-8
    cert[27] = (
        b"["
        + b", ".join(
            [
                b'{"tag": '
                + encode_basestring(node[0]).encode()
                + b', "xml": "'
                + _json_utf8(node[1])
                + (
                    b'"}'
                    if len(node) == 2
                    else b'", "after": ' + encode_basestring(node[2]).encode() + b"}"
                )
                for node in raw[27]
            ]
        )
        + b"]"
    )
    cert[28] = digest
    return _Prepared(
        code,
        line,
        digest,
        tuple(cert),
        (
            f"Fiche {code} du registre national",
            f"National register fiche {code}",
            code,
            cert[13],
            cert[14],
        ),
        optional,
        [_PreparedBlock(block_code, values) for block_code, values in blocks],
        certifiers,
        succession,
        [
            (position, _json_codes(source), target, _json_codes(destination))
            for position, source, target, destination in correspondences
        ],
    )


def _batches(
    path: str | Path | IO[bytes], batch_size: int
) -> Iterator[list[tuple[int | None, bytes]]]:
    """Batches of (line, rows): each fiche's rows (``_prepare_element``) marshalled alone, in
    marshal's version 2 (no back-references: equal rows give equal bytes), so that the writer
    takes the fiche's digest from these bytes without marshalling it again."""
    batch: list[tuple[int | None, bytes]] = []
    dumps = marshal.dumps
    for elem in fiche_elements(path):
        batch.append((elem.sourceline, dumps(_prepare_element(elem), 2)))
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _from_wire(batch: Sequence[tuple[int | None, bytes | memoryview]]) -> list[_Prepared]:
    """The prepared fiches of a batch, each with its digest: the SHA-256 of its marshalled
    rows, everything the import stores of it (the line apart), so a fiche whose stored digest
    is the same would be written unchanged."""
    sha256, loads = hashlib.sha256, marshal.loads
    return [_finish(line, sha256(data).hexdigest(), loads(data)) for line, data in batch]


def _spool_batch(batch: list[tuple[int | None, bytes]], name: str) -> None:
    """A batch into a file: the length of its index (8 bytes), the index ((line, length) of
    each fiche, marshalled), then each fiche's marshalled rows, written as they are (a batch
    is several megabytes: not copied into one more string on either side)."""
    index = marshal.dumps([(line, len(rows)) for line, rows in batch], 2)
    with open(name, "wb") as out:
        out.write(len(index).to_bytes(8, "little"))
        out.write(index)
        out.writelines([rows for _line, rows in batch])


def _unspool_batch(name: str) -> list[tuple[int | None, memoryview]]:
    """The batch ``_spool_batch`` wrote: (line, rows) pairs, the rows views into the file's
    bytes, read once."""
    with open(name, "rb") as spooled:
        data = memoryview(spooled.read())
    start = 8 + int.from_bytes(data[:8], "little")
    batch: list[tuple[int | None, memoryview]] = []
    for line, length in marshal.loads(data[8:start]):  # noqa: S302 — our own reader's
        batch.append((line, data[start : start + length]))
        start += length
    return batch


def _register_reader(
    path: str | Path | IO[bytes], batch_size: int, sender: Any, spool: str, slots: Any
) -> None:
    """The reader process: each batch written into a file of ``spool`` (``_spool_batch``; at
    most as many waiting as ``slots`` allows) and announced by a ("batch", file) message;
    then ("done", None) or the error that stopped it. Through files, the reader never waits
    for the writer to take a batch off a pipe."""
    message: tuple[str, Any]
    sending = 0.0
    # What the process inherited (Django, the app registry) is never garbage: out of the
    # collector's sight, it is neither traversed again nor copied page by page from the parent.
    gc.freeze()
    try:
        for number, batch in enumerate(_batches(path, batch_size)):
            started = time.perf_counter()
            slots.acquire()
            sending += time.perf_counter() - started
            name = os.path.join(spool, f"{number}.batch")
            _spool_batch(batch, name)
            sender.send_bytes(marshal.dumps(("batch", name)))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        message = ("done", (usage.ru_utime + usage.ru_stime, sending, usage.ru_maxrss / 1024))
    except RegisterFormatError as error:
        message = ("format", (error.element, error.line, error.detail))
    except OSError as error:
        message = ("os", (error.errno, error.strerror, error.filename))
    except Exception as error:  # reported to the parent, which raises it
        message = ("error", f"{type(error).__name__}: {error}")
    with contextlib.suppress(OSError):  # the parent may have stopped listening
        sender.send_bytes(marshal.dumps(message))
    sender.close()


def _prepared_batches(
    path: str | Path | IO[bytes], batch_size: int, timings: dict[str, float]
) -> Iterator[list[_Prepared]]:
    """Batches of prepared fiches, parsed in a forked reader process (in this one where fork
    is not available); raises what the reader hit (RegisterFormatError, OSError)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        for batch in _batches(path, batch_size):
            yield _from_wire(batch)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    # In memory (tmpfs) where the system has one: the batches are read back within seconds and
    # never need a disk; at most _SPOOL_DEPTH of them are there at a time.
    shm = "/dev/shm"  # noqa: S108 — a private directory is made inside it
    spool = tempfile.mkdtemp(
        prefix="capitalis-register-", dir=shm if os.access(shm, os.W_OK | os.X_OK) else None
    )
    slots = context.Semaphore(_SPOOL_DEPTH)
    reader = context.Process(
        target=_register_reader,
        args=(path, batch_size, sender, spool, slots),
        name="register-reader",
    )
    reader.start()
    sender.close()
    try:
        while True:
            try:
                started = time.perf_counter()
                data = receiver.recv_bytes()
                timings["wait"] = timings.get("wait", 0.0) + time.perf_counter() - started
                kind, payload = marshal.loads(data)  # noqa: S302 — our own child's
                del data
            except EOFError:
                raise RuntimeError("the register reader process stopped unexpectedly") from None
            if kind == "batch":
                spooled = _unspool_batch(payload)
                os.unlink(payload)
                slots.release()
                prepared = _from_wire(spooled)
                del spooled
                yield prepared
            elif kind == "done":
                cpu, sending, peak = payload
                timings.update(reader_cpu=cpu, reader_blocked=sending, reader_peak_mb=peak)
                return
            elif kind == "format":
                element, line, detail = payload
                raise RegisterFormatError(element=element, line=line, detail=detail)
            elif kind == "os":
                raise OSError(*payload)
            else:
                raise RuntimeError(payload)
    finally:
        receiver.close()
        if reader.is_alive():
            reader.kill()
        reader.join()
        shutil.rmtree(spool, ignore_errors=True)


# --- Writing: this process ------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Insert:
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
        now = timezone.now()
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


class _RegisterWriter:
    """Writes batches of prepared fiches: new ones set-wise, changed ones in place."""

    def __init__(self) -> None:
        provenance = {"provenance": REGISTER_PROVENANCE}
        self.certification = _Insert(Certification, _CERT_FIELDS, provenance, _UTF8_FIELDS)
        self.version = _Insert(
            CertificationVersion,
            ("certification_id", "code", *_VERSION_FIELDS),
            {**provenance, "status": VersionStatus.CURRENT.value},
        )
        self.rule = _Insert(
            CertificationRule,
            ("version_id", "optional_blocks_required"),
            {**provenance, "all_common_required": True},
        )
        self.block = _Insert(
            Block, ("version_id", "code", *_BLOCK_FIELDS), provenance, _BLOCK_UTF8_FIELDS
        )
        self.competency = _Insert(
            Competency, ("block_id", "code", "statement_fr", "position"), provenance
        )
        self.modality = _Insert(
            EvaluationModality, ("block_id", "code", "label_fr", "position"), provenance
        )
        self.link = _Insert(
            CertificationCertifier,
            ("certification_id", "certifier_id", "position", *_LINK_FIELDS),
        )
        self.succession = _Insert(
            RegisterLink, ("certification_id", "kind", "other_code", "position")
        )
        self.correspondence = _Insert(
            RegisterCorrespondence,
            (
                "certification_id",
                "position",
                "source_block_codes",
                "destination_code",
                "destination_block_codes",
            ),
        )

    def write(self, batch: list[_Prepared], report: ImportReport) -> list[str]:
        """Write one batch; the codes of the fiches created or updated."""
        existing: dict[str, tuple[int, str]] = {}
        for chunk in _chunks([fiche.code for fiche in batch]):
            for code, pk, digest in Certification.objects.filter(code__in=chunk).values_list(
                "code", "pk", "register_hash"
            ):
                existing[code] = (pk, digest)
        new: list[_Prepared] = []
        changed: list[tuple[int, _Prepared]] = []
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
        certifier_ids = _register_certifiers(touched)
        if new:
            self.create(new, certifier_ids)
            report.created += len(new)
            room = REPORT_CODES_SHOWN - len(report.created_codes)
            report.created_codes += [fiche.code for fiche in new[: max(room, 0)]]
        for pk, fiche in changed:
            _register_update(pk, fiche, certifier_ids)
            report.updated += 1
            if len(report.updated_codes) < REPORT_CODES_SHOWN:
                report.updated_codes.append(fiche.code)
        return [fiche.code for fiche in touched]

    def create(self, fiches: list[_Prepared], certifier_ids: dict[tuple[str, str], int]) -> None:
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
    pk: int, fiche: _Prepared, certifier_ids: dict[tuple[str, str], int]
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


def _register_certifiers(fiches: list[_Prepared]) -> dict[tuple[str, str], int]:
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


def _register_update(pk: int, fiche: _Prepared, certifier_ids: dict[tuple[str, str], int]) -> None:
    """Update one changed fiche in place, keyed by codes (blocks and competencies keep
    their ids), with history rows for what changed."""
    certification = Certification.objects.get(pk=pk)
    values = _orm_values(Certification, _CERT_FIELDS, fiche.certification)
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
            **_orm_values(CertificationCertifier, _LINK_FIELDS, tuple(values)),
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
        **_orm_values(CertificationVersion, _VERSION_FIELDS, fiche.version),
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
            **_orm_values(Block, _BLOCK_FIELDS, data.values),
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


def _register_crosswalks(codes: set[str]) -> int:
    """(Re)build, once per import, the register crosswalks for every correspondence from or
    to the given fiches whose two fiches are loaded: one crosswalk per pair of register
    versions, from the older fiche to the newer when a succession link says which, else
    from the source fiche; one entry per (source block, destination block), whole when
    1 ↔ 1, else partial. Reads whole tables once (no list of codes in the SQL, whatever
    their number). Returns the number of crosswalks written."""
    # The block-code lists as their JSON text, decoded below only for the correspondences
    # whose two fiches are loaded (a few in a hundred in a full export).
    correspondences = [
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
    newer_than: set[tuple[str, str]] = set()  # (newer, older)
    for code, kind, other in RegisterLink.objects.values_list(
        "certification__code", "kind", "other_code"
    ):
        if code not in pair_codes:
            continue
        if kind == RegisterLink.Kind.REPLACES:
            newer_than.add((code, other))
        else:
            newer_than.add((other, code))
    pairs: dict[frozenset[str], tuple[str, str, list[tuple[Any, ...]]]] = {}
    for source, source_json, target, target_json in correspondences:
        if source not in versions or target not in versions:
            continue
        corr = (source, json.loads(source_json), target, json.loads(target_json))
        key = frozenset((source, target))
        if key not in pairs:
            newer_source = (source, target) in newer_than
            direction = (target, source) if newer_source else (source, target)
            pairs[key] = (direction[0], direction[1], [])
        pairs[key][2].append(corr)
    if not pairs:
        return 0
    version_ids = sorted({versions[code] for key in pairs for code in key})
    wanted = set(version_ids)
    block_ids: dict[tuple[int, str], int] = {}
    for chunk in _chunks(version_ids):
        for version_id, code, pk in Block.objects.filter(version_id__in=chunk).values_list(
            "version_id", "code", "pk"
        ):
            block_ids[(version_id, code)] = pk
    stale: list[int] = []
    taken: set[tuple[int, int]] = set()
    for pk, from_id, to_id, status in Crosswalk.objects.values_list(
        "pk", "from_version_id", "to_version_id", "status"
    ):
        if from_id in wanted and to_id in wanted:
            if status == CrosswalkStatus.REGISTER:
                stale.append(pk)
            else:
                taken.add((from_id, to_id))
    for chunk in _chunks(stale):
        Crosswalk.objects.filter(pk__in=chunk).delete()
    planned: list[tuple[int, int, str, str, list[tuple[Any, ...]]]] = []
    for from_code, to_code, corrs in pairs.values():
        from_version, to_version = versions[from_code], versions[to_code]
        if (from_version, to_version) in taken or (to_version, from_version) in taken:
            continue
        planned.append((from_version, to_version, from_code, to_code, corrs))
    crosswalk_ids = _Insert(
        Crosswalk,
        ("from_version_id", "to_version_id", "note_fr", "note_en"),
        {"status": CrosswalkStatus.REGISTER.value, "provenance": REGISTER_PROVENANCE},
    ).insert_ids(
        (
            from_version,
            to_version,
            f"Correspondances publiées au registre national ({from_code} → {to_code})",
            f"Correspondences published in the national register ({from_code} → {to_code})",
        )
        for from_version, to_version, from_code, to_code, _corrs in planned
    )
    entries: dict[tuple[int, int, int], str] = {}
    for crosswalk_id, (from_version, _to, _f, _t, corrs) in zip(
        crosswalk_ids, planned, strict=True
    ):
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
    _Insert(CrosswalkEntry, ("crosswalk_id", "from_block_id", "to_block_id", "coverage")).insert(
        [(*key, coverage) for key, coverage in entries.items()]
    )
    return len(planned)
