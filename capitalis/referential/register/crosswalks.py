"""The register crosswalks, rebuilt once per import between the fiches it loaded (SPEC §1):
one crosswalk per pair of register versions linked by a published correspondence, directed
from the older fiche to the newer when a succession link says which; crosswalks made by hand
are left alone."""

from __future__ import annotations

import json

from django.db import models
from django.db.models.functions import Cast

from capitalis.referential.models import (
    Block,
    CertificationVersion,
    Coverage,
    Crosswalk,
    CrosswalkEntry,
    CrosswalkStatus,
    RegisterCorrespondence,
    RegisterLink,
)
from capitalis.referential.register.bulk import BulkInsert, chunks
from capitalis.referential.register.format import REGISTER_PROVENANCE, REGISTER_VERSION_CODE

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
    for chunk in chunks(stale):
        Crosswalk.objects.filter(pk__in=chunk).delete()
    return taken


def _block_ids(version_ids: list[int]) -> dict[tuple[int, str], int]:
    """Block ids by (version, block code)."""
    block_ids: dict[tuple[int, str], int] = {}
    for chunk in chunks(version_ids):
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
