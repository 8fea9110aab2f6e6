"""The register import's writer: the bulk insert/update engine (SPEC §1). New fiches are
written set-wise with plain INSERTs (``bulk.BulkInsert``: no model instances, a full export is
about a million rows), changed ones in place through the ORM with history rows (``_update``), a
fiche whose digest equals the stored one is left untouched; then, once per import, the register
crosswalks between loaded fiches (``crosswalks.register_crosswalks``). ``bulk.import_session``
sets the connection up for a bulk write. Every foreign key is taken from a row just inserted or
read in the import's transaction."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from capitalis.referential.models import (
    Block,
    Certification,
    CertificationCertifier,
    CertificationRule,
    CertificationVersion,
    Certifier,
    Competency,
    EvaluationModality,
    RegisterCorrespondence,
    RegisterLink,
    VersionStatus,
)
from capitalis.referential.register.bulk import BulkInsert, chunks
from capitalis.referential.register.crosswalks import register_crosswalks
from capitalis.referential.register.format import (
    BLOCK_UTF8,
    CERTIFICATION_UTF8,
    REGISTER_PROVENANCE,
    REGISTER_VERSION_CODE,
    BlockRow,
    CertificationRow,
    CertifierLinkRow,
    Prepared,
    RegisterFormatError,
    VersionRow,
)

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
        for chunk in chunks([fiche.code for fiche in batch]):
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
