"""Every write on the référentiel: one transaction, an audit record.

Sections: shipped data loading (``referential_data_load``) and the national register's
import (``register_import``). Edit by section; keep each service keyword-only and typed.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils.translation import gettext as _

from capitalis.core.audit import Action
from capitalis.core.data import CREATED, DELETED, UNCHANGED, UPDATED, LoadCounts
from capitalis.core.models import Job, audit_record
from capitalis.core.services import job_start
from capitalis.referential.models import (
    Activity,
    Block,
    Certification,
    CertificationCertifier,
    CertificationRule,
    CertificationVersion,
    Certifier,
    Competency,
    Crosswalk,
    CrosswalkEntry,
    EvaluationCriterion,
    EvaluationModality,
)
from capitalis.referential.register.bulk import import_session
from capitalis.referential.register.format import REGISTER_PROVENANCE, REGISTER_VERSION_CODE
from capitalis.referential.register.reader_fast import prepared_batches
from capitalis.referential.register.writer import ImportReport, RegisterWriter

__all__ = [
    "REGISTER_BATCH_SIZE",
    "REGISTER_PROVENANCE",
    "REGISTER_VERSION_CODE",
    "ImportReport",
    "referential_data_load",
    "register_import",
    "register_import_start",
    "register_upload_keep",
]

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
# The format, reader and writer are in ``capitalis.referential.register`` (see its docstring).

REGISTER_BATCH_SIZE = 500


def register_import(
    *,
    path: str | Path | IO[bytes],
    dry_run: bool = False,
    actor: Any = None,
    batch_size: int = REGISTER_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a register export (flux V4.1): create or update one certification per fiche,
    its register version (blocks, competencies, modalities, rule), certifiers, succession
    links and block correspondences, and the register crosswalks between loaded fiches.

    The file is streamed and written in batches of ``batch_size`` fiches, all inside one
    transaction: a malformed file (RegisterFormatError) or ``dry_run`` leaves the database
    unchanged. A fiche whose digest equals the stored one is not touched ("unchanged").
    ``progress`` is told the number of fiches written after each batch."""
    report = ImportReport(dry_run=dry_run)
    with import_session(), transaction.atomic():
        writer = RegisterWriter(report)
        for batch in prepared_batches(path, batch_size, report.timings):
            writer.write(batch)
            if progress is not None:
                progress(report.fiches)
        writer.link_crosswalks()
        audit_record(
            action=Action.REGISTER_IMPORT,
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


REGISTER_UPLOADS_DIR = "register-uploads"


def register_upload_keep(*, upload: Any, key: uuid.UUID | None = None) -> str:
    """Keep an uploaded register file until an import reads it: in the default storage under
    ``register-uploads/<uuid>.xml`` (a random name; no URL serves that directory, the file is
    only ever read by the import). Returns the stored name."""
    key = key or uuid.uuid4()
    return default_storage.save(f"{REGISTER_UPLOADS_DIR}/{key}.xml", File(upload))


def register_import_start(*, name: str, actor: Any) -> Job:
    """Start importing the kept upload ``name`` as a background job (``register_import`` in
    ``tasks.register_import_job``; issue 13 point 10) and return the job to follow; its
    progress counts fiches, and the job deletes the upload once read. Asked again for the same
    upload while it runs (a reload, a double click), the same job is returned."""
    from capitalis.referential.tasks import import_job_key, register_import_job

    return job_start(
        kind="referential.register_import",
        key=import_job_key(name),
        user=actor,
        task=register_import_job,
        args=[name],
        title=_("Importing a national register file"),
    )
