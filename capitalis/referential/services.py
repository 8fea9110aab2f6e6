"""Every write on the référentiel: one transaction, an audit record.

Sections: shipped data loading (``referential_data_load``) and the national register's
import (``register_import``). Edit by section; keep each service keyword-only and typed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

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
    BlockData,
    Fiche,
    RegisterFormatError,
    read_fiches,
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
        _data_upsert(
            CrosswalkEntry,
            entries,
            (from_block, to_block),
            {"crosswalk": crosswalk, "from_block_id": from_block, "to_block_id": to_block},
            {"coverage": entry["coverage"], **_data_texts(entry, ("note_fr", "note_en"))},
            counts,
        )
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

REGISTER_PROVENANCE = "France compétences open data export"
REGISTER_VERSION_CODE = "register"
REGISTER_BATCH_SIZE = 500


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
    with transaction.atomic():
        batch: list[Fiche] = []
        for fiche in read_fiches(path):
            if fiche.code in seen:
                raise RegisterFormatError(
                    element="NUMERO_FICHE",
                    line=fiche.line,
                    detail=_("fiche %(code)s appears twice in the file") % {"code": fiche.code},
                )
            seen.add(fiche.code)
            batch.append(fiche)
            if len(batch) >= batch_size:
                _register_write_batch(batch, report)
                batch = []
        if batch:
            _register_write_batch(batch, report)
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


def _register_write_batch(batch: list[Fiche], report: ImportReport) -> None:
    existing = {
        code: (pk, digest)
        for code, pk, digest in Certification.objects.filter(
            code__in=[fiche.code for fiche in batch]
        ).values_list("code", "pk", "register_hash")
    }
    new: list[Fiche] = []
    changed: list[tuple[int, Fiche]] = []
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
        return
    certifier_ids = _register_certifiers(touched)
    if new:
        _register_create(new, certifier_ids)
        report.created += len(new)
    for pk, fiche in changed:
        _register_update(pk, fiche, certifier_ids)
        report.updated += 1
    report.crosswalks += _register_crosswalks({fiche.code for fiche in touched})


def _certifier_key(siret: str, name: str) -> tuple[str, str]:
    return ("siret", siret) if siret else ("name", name)


def _register_certifiers(fiches: list[Fiche]) -> dict[tuple[str, str], int]:
    """Certifier ids by key (SIRET, or name without SIRET), creating the missing ones; a
    known SIRET takes the name the latest fiche gives it."""
    wanted: dict[tuple[str, str], str] = {}
    for fiche in fiches:
        for certifier in fiche.certifiers:
            wanted[_certifier_key(certifier.siret, certifier.name)] = certifier.name
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


def _certification_values(fiche: Fiche) -> dict[str, Any]:
    def code_labels(items: Iterable[Any]) -> list[dict[str, str]]:
        return [{"code": item.code, "label": item.label} for item in items]

    return {
        "register": fiche.register,
        "register_id": fiche.register_id,
        "title_fr": fiche.title,
        "abbreviation_code": fiche.abbreviation_code,
        "abbreviation_label": fiche.abbreviation_label,
        "state": fiche.state,
        "eqf_level": fiche.eqf_level,
        "eqf_label": fiche.eqf_label,
        "nsf_codes": code_labels(fiche.nsf_codes),
        "rome_codes": code_labels(fiche.rome_codes),
        "formacodes": code_labels(fiche.formacodes),
        "has_partners": fiche.has_partners,
        "registration_date": fiche.registration_date,
        "registration_end": fiche.registration_end,
        "registration_years": fiche.registration_years,
        "registration_type": fiche.registration_type,
        "award_deadline": fiche.award_deadline,
        "active": fiche.active,
        "blocks_separately": fiche.blocks_separately,
        "access_routes": {
            route.key: {
                "active": route.active,
                "composition": route.composition,
                "changed_on": route.changed_on.isoformat() if route.changed_on else None,
            }
            for route in fiche.access_routes
        },
        "activities_text": fiche.activities_text,
        "capacities_text": fiche.capacities_text,
        "sectors_text": fiche.sectors_text,
        "target_jobs_text": fiche.target_jobs_text,
        "objectives_text": fiche.objectives_text,
        "entry_prerequisites_text": fiche.entry_prerequisites_text,
        "register_extra": list(fiche.extra),
        "register_hash": fiche.digest,
        "provenance": REGISTER_PROVENANCE,
    }


def _version_values(fiche: Fiche) -> dict[str, Any]:
    return {
        "label_fr": f"Fiche {fiche.code} du registre national",
        "label_en": f"National register fiche {fiche.code}",
        "status": VersionStatus.CURRENT,
        "register_code": fiche.code,
        "valid_from": fiche.registration_date,
        "valid_until": fiche.registration_end,
        "provenance": REGISTER_PROVENANCE,
    }


def _rule_values(fiche: Fiche) -> dict[str, Any]:
    optional = any(block.optional for block in fiche.blocks)
    return {
        "all_common_required": True,
        "optional_blocks_required": 1 if optional else 0,
        "provenance": REGISTER_PROVENANCE,
    }


def _block_values(block: BlockData, position: int) -> dict[str, Any]:
    return {
        "title_fr": block.title,
        "kind": BlockKind.OPTIONAL if block.optional else BlockKind.COMMON,
        "position": position,
        "competencies_text": block.competencies_text,
        "assessment_text": block.assessment_text,
        "entry_prerequisites_text": block.entry_prerequisites_text,
        "validation_prerequisites_text": block.validation_prerequisites_text,
        "provenance": REGISTER_PROVENANCE,
    }


def _statement_rows(block: BlockData) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Competencies (C01, C02…) and modalities (M01…) split from a block's register texts."""
    competencies = [(f"C{i:02d}", text) for i, text in enumerate(block.competencies, 1)]
    modalities = [(f"M{i:02d}", text) for i, text in enumerate(block.modalities, 1)]
    return competencies, modalities


def _fiche_children(
    certification_id: int, fiche: Fiche, certifier_ids: dict[tuple[str, str], int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows (as field values) of a fiche's certifiers, succession links and correspondences."""
    links: list[dict[str, Any]] = []
    linked: set[int] = set()
    for position, certifier in enumerate(fiche.certifiers):
        certifier_id = certifier_ids[_certifier_key(certifier.siret, certifier.name)]
        if certifier_id in linked:
            continue
        linked.add(certifier_id)
        links.append(
            {
                "certification_id": certification_id,
                "certifier_id": certifier_id,
                "position": position,
                "commercial_name": certifier.commercial_name,
                "website": certifier.website,
                "state": certifier.state,
                "state_date": certifier.state_date,
            }
        )
    succession: list[dict[str, Any]] = []
    for kind, codes in (
        (RegisterLink.Kind.REPLACED_BY, fiche.replaced_by),
        (RegisterLink.Kind.REPLACES, fiche.replaces),
    ):
        for position, code in enumerate(dict.fromkeys(codes)):
            succession.append(
                {
                    "certification_id": certification_id,
                    "kind": str(kind),
                    "other_code": code,
                    "position": position,
                }
            )
    correspondences = [
        {
            "certification_id": certification_id,
            "position": position,
            "source_block_codes": list(corr.source_block_codes),
            "destination_code": corr.destination_code,
            "destination_block_codes": list(corr.destination_block_codes),
        }
        for position, corr in enumerate(fiche.correspondences)
    ]
    return links, succession, correspondences


class _RawInsert:
    """Set-wise INSERT of plain rows into a model's table, without building model instances
    (the register import writes about a million rows for a full export). Values are adapted
    like the ORM does (dates, JSON, timestamps); fields not given take their default."""

    def __init__(self, model: Any) -> None:
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.pk_column = connection.ops.quote_name(model._meta.pk.column)
        self.defaults: list[tuple[str, Any]] = []
        self.now_at: list[int] = []
        self.json_at: list[int] = []
        self.date_at: list[int] = []
        for index, field in enumerate(self.fields):
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.now_at.append(index)
            elif isinstance(field, models.JSONField):
                self.json_at.append(index)
            elif isinstance(field, models.DateField):
                self.date_at.append(index)
            self.defaults.append((field.attname, field.get_default()))

    def _rows(self, rows: list[dict[str, Any]]) -> list[list[Any]]:
        ops = connection.ops
        adapt_json, adapt_date = ops.adapt_json_value, ops.adapt_datefield_value
        now = ops.adapt_datetimefield_value(timezone.now())
        defaults, now_at, json_at, date_at = self.defaults, self.now_at, self.json_at, self.date_at
        out = []
        for values in rows:
            get = values.get
            row = [get(attname, default) for attname, default in defaults]
            for index in now_at:
                row[index] = now
            for index in json_at:
                row[index] = adapt_json(row[index], None)
            for index in date_at:
                if row[index] is not None:
                    row[index] = adapt_date(row[index])
            out.append(row)
        return out

    def insert(self, rows: list[dict[str, Any]], *, returning: bool = False) -> list[int]:
        """Insert the rows; with ``returning``, their new ids in the same order."""
        if not rows:
            return []
        values = self._rows(rows)
        one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        with connection.cursor() as cursor:
            if not returning:
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES {one}",  # noqa: S608
                    values,
                )
                return []
            ids: list[int] = []
            limit = connection.features.max_query_params or 65535
            per = max(1, limit // len(self.fields))
            for start in range(0, len(values), per):
                chunk = values[start : start + per]
                cursor.execute(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES "  # noqa: S608
                    f"{', '.join([one] * len(chunk))} RETURNING {self.pk_column}",
                    [value for row in chunk for value in row],
                )
                ids.extend(row[0] for row in cursor.fetchall())
            return ids


def _register_create(fiches: list[Fiche], certifier_ids: dict[tuple[str, str], int]) -> None:
    """Create new fiches set-wise with plain INSERTs (no history rows, like any bulk write;
    the import's audit event records it)."""
    certification_ids = _RawInsert(Certification).insert(
        [{"code": fiche.code, **_certification_values(fiche)} for fiche in fiches],
        returning=True,
    )
    version_ids = _RawInsert(CertificationVersion).insert(
        [
            {"certification_id": pk, "code": REGISTER_VERSION_CODE, **_version_values(fiche)}
            for pk, fiche in zip(certification_ids, fiches, strict=True)
        ],
        returning=True,
    )
    _RawInsert(CertificationRule).insert(
        [
            {"version_id": pk, **_rule_values(fiche)}
            for pk, fiche in zip(version_ids, fiches, strict=True)
        ]
    )
    block_rows: list[dict[str, Any]] = []
    block_data: list[BlockData] = []
    for version_id, fiche in zip(version_ids, fiches, strict=True):
        for position, data in enumerate(fiche.blocks):
            block_rows.append(
                {"version_id": version_id, "code": data.code, **_block_values(data, position)}
            )
            block_data.append(data)
    block_ids = _RawInsert(Block).insert(block_rows, returning=True)
    competencies: list[dict[str, Any]] = []
    modalities: list[dict[str, Any]] = []
    for block_id, data in zip(block_ids, block_data, strict=True):
        competency_rows, modality_rows = _statement_rows(data)
        competencies.extend(
            {
                "block_id": block_id,
                "code": code,
                "statement_fr": text,
                "position": position,
                "provenance": REGISTER_PROVENANCE,
            }
            for position, (code, text) in enumerate(competency_rows)
        )
        modalities.extend(
            {
                "block_id": block_id,
                "code": code,
                "label_fr": text,
                "position": position,
                "provenance": REGISTER_PROVENANCE,
            }
            for position, (code, text) in enumerate(modality_rows)
        )
    _RawInsert(Competency).insert(competencies)
    _RawInsert(EvaluationModality).insert(modalities)
    links: list[dict[str, Any]] = []
    succession: list[dict[str, Any]] = []
    correspondences: list[dict[str, Any]] = []
    for pk, fiche in zip(certification_ids, fiches, strict=True):
        more = _fiche_children(pk, fiche, certifier_ids)
        links.extend(more[0])
        succession.extend(more[1])
        correspondences.extend(more[2])
    _RawInsert(CertificationCertifier).insert(links)
    _RawInsert(RegisterLink).insert(succession)
    _RawInsert(RegisterCorrespondence).insert(correspondences)


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set the values on obj; True when one of them changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _sync_rows(model: Any, parent: dict[str, Any], rows: list[tuple[str, str]], field: str) -> None:
    """Make a block's competencies or modalities match ``rows`` (code, text), keyed by code:
    kept rows keep their id (others may point at them), changed ones are saved."""
    existing = {row.code: row for row in model.objects.filter(**parent)}
    for position, (code, text) in enumerate(rows):
        values = {field: text, "position": position, "provenance": REGISTER_PROVENANCE}
        row = existing.pop(code, None)
        if row is None:
            model.objects.create(code=code, **parent, **values)
        elif _assign(row, values):
            row.save()
    for row in existing.values():
        row.delete()


def _register_update(pk: int, fiche: Fiche, certifier_ids: dict[tuple[str, str], int]) -> None:
    """Update one changed fiche in place, keyed by codes (blocks and competencies keep
    their ids), with history rows for what changed."""
    certification = Certification.objects.get(pk=pk)
    if _assign(certification, _certification_values(fiche)):
        certification.save()
    certification.certifier_links.all().delete()
    certification.register_links.all().delete()
    certification.register_correspondences.all().delete()
    links, succession, correspondences = _fiche_children(pk, fiche, certifier_ids)
    CertificationCertifier.objects.bulk_create(CertificationCertifier(**row) for row in links)
    RegisterLink.objects.bulk_create(RegisterLink(**row) for row in succession)
    RegisterCorrespondence.objects.bulk_create(
        RegisterCorrespondence(**row) for row in correspondences
    )
    version = CertificationVersion.objects.filter(
        certification=certification, code=REGISTER_VERSION_CODE
    ).first()
    if version is None:
        version = CertificationVersion.objects.create(
            certification=certification, code=REGISTER_VERSION_CODE, **_version_values(fiche)
        )
    elif _assign(version, _version_values(fiche)):
        version.save()
    rule = CertificationRule.objects.filter(version=version).first()
    if rule is None:
        CertificationRule.objects.create(version=version, **_rule_values(fiche))
    elif _assign(rule, _rule_values(fiche)):
        rule.save()
    existing = {block.code: block for block in version.blocks.all()}
    for position, data in enumerate(fiche.blocks):
        block = existing.pop(data.code, None)
        if block is None:
            block = Block.objects.create(
                version=version, code=data.code, **_block_values(data, position)
            )
        elif _assign(block, _block_values(data, position)):
            block.save()
        competency_rows, modality_rows = _statement_rows(data)
        _sync_rows(Competency, {"block": block}, competency_rows, "statement_fr")
        _sync_rows(EvaluationModality, {"block": block}, modality_rows, "label_fr")
    for block in existing.values():
        block.delete()


def _register_crosswalks(codes: set[str]) -> int:
    """(Re)build the register crosswalks for every correspondence from or to the given
    fiches whose two fiches are loaded: one crosswalk per pair of register versions, from
    the older fiche to the newer when a succession link says which, else from the source
    fiche; one entry per (source block, destination block), whole when 1 ↔ 1, else partial.
    Returns the number of crosswalks written."""
    correspondences = list(
        RegisterCorrespondence.objects.filter(
            Q(certification__code__in=codes) | Q(destination_code__in=codes)
        )
        .select_related("certification")
        .only(
            "certification__code",
            "position",
            "source_block_codes",
            "destination_code",
            "destination_block_codes",
        )
        .order_by("certification_id", "position")
    )
    if not correspondences:
        return 0
    pair_codes = {c.certification.code for c in correspondences} | {
        c.destination_code for c in correspondences
    }
    versions = dict(
        CertificationVersion.objects.filter(
            code=REGISTER_VERSION_CODE, certification__code__in=pair_codes
        ).values_list("certification__code", "pk")
    )
    newer_than: set[tuple[str, str]] = set()  # (newer, older)
    for code, kind, other in RegisterLink.objects.filter(
        certification__code__in=pair_codes
    ).values_list("certification__code", "kind", "other_code"):
        if kind == RegisterLink.Kind.REPLACES:
            newer_than.add((code, other))
        else:
            newer_than.add((other, code))
    pairs: dict[frozenset[str], tuple[str, str, list[RegisterCorrespondence]]] = {}
    for corr in correspondences:
        source, target = corr.certification.code, corr.destination_code
        if source == target or source not in versions or target not in versions:
            continue
        key = frozenset((source, target))
        if key not in pairs:
            newer_source = (source, target) in newer_than
            direction = (target, source) if newer_source else (source, target)
            pairs[key] = (direction[0], direction[1], [])
        pairs[key][2].append(corr)
    if not pairs:
        return 0
    version_ids = [versions[code] for key in pairs for code in key]
    block_ids = {
        (version_id, code): pk
        for version_id, code, pk in Block.objects.filter(version_id__in=version_ids).values_list(
            "version_id", "code", "pk"
        )
    }
    Crosswalk.objects.filter(
        status=CrosswalkStatus.REGISTER,
        from_version_id__in=version_ids,
        to_version_id__in=version_ids,
    ).delete()
    taken = set(
        Crosswalk.objects.filter(
            from_version_id__in=version_ids, to_version_id__in=version_ids
        ).values_list("from_version_id", "to_version_id")
    )
    planned: list[tuple[Crosswalk, list[RegisterCorrespondence]]] = []
    for from_code, to_code, corrs in pairs.values():
        from_version, to_version = versions[from_code], versions[to_code]
        if (from_version, to_version) in taken or (to_version, from_version) in taken:
            continue
        crosswalk = Crosswalk(
            from_version_id=from_version,
            to_version_id=to_version,
            status=CrosswalkStatus.REGISTER,
            note_fr=f"Correspondances publiées au registre national ({from_code} → {to_code})",
            note_en=f"Correspondences published in the national register ({from_code} → {to_code})",
            provenance=REGISTER_PROVENANCE,
        )
        planned.append((crosswalk, corrs))
    Crosswalk.objects.bulk_create(crosswalk for crosswalk, _corrs in planned)
    entries: dict[tuple[int, int, int], CrosswalkEntry] = {}
    for crosswalk, corrs in planned:
        for corr in corrs:
            source_version = versions[corr.certification.code]
            target_version = versions[corr.destination_code]
            coverage = (
                Coverage.WHOLE
                if len(corr.source_block_codes) == 1 and len(corr.destination_block_codes) == 1
                else Coverage.PARTIAL
            )
            for source_code in corr.source_block_codes:
                for target_code in corr.destination_block_codes:
                    source_block = block_ids.get((source_version, source_code))
                    target_block = block_ids.get((target_version, target_code))
                    if source_block is None or target_block is None:
                        continue
                    if source_version != crosswalk.from_version_id:
                        source_block, target_block = target_block, source_block
                    entries.setdefault(
                        (crosswalk.pk, source_block, target_block),
                        CrosswalkEntry(
                            crosswalk=crosswalk,
                            from_block_id=source_block,
                            to_block_id=target_block,
                            coverage=coverage,
                        ),
                    )
    CrosswalkEntry.objects.bulk_create(entries.values())
    written = len(planned)
    return written
