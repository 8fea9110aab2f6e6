"""Shipped référentiel data (``data/referential/*.yaml``): reading and validation.

One file per certification: the certification, its versions (rule, blocks → activities,
competencies → criteria, modalities) and crosswalks between its versions. The format is
described in ``data/README.md``. Parsing touches no database; the writes are
``capitalis.referential.services.referential_data_load``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from capitalis.core.data import (
    DataFileError,
    DataLoader,
    LoadCounts,
    app_schema,
    check_document,
    check_unique,
    mapping,
    mappings,
)

SCHEMA = app_schema(__file__, "referential")


@dataclass(frozen=True)
class ReferentialDocument:
    """One validated file: plain dicts and lists, strings stripped, positions = list order."""

    path: str
    certification: dict[str, Any]
    versions: list[dict[str, Any]]
    crosswalks: list[dict[str, Any]]


def _check_threshold(policy: dict[str, Any], path: str, errors: list[str]) -> None:
    """The grade threshold (a number or a text) lies within 0–20 (the schema names the keys;
    ``capitalis.jury.rules.Policy`` checks the values again when the jury uses them)."""
    threshold = policy.get("grade_threshold")
    if threshold is None:
        return
    try:
        ok = 0 <= float(threshold) <= 20
    except (TypeError, ValueError):
        ok = False
    if not ok:
        errors.append(
            _("%(path)s: the grade threshold must be a number from 0 to 20")
            % {"path": f"{path}.deliberation_policy.grade_threshold"}
        )


def _unique(parent: dict[str, Any], key: str, path: str, errors: list[str]) -> list[dict[str, Any]]:
    items = parent[key] = mappings(parent.get(key))
    check_unique([str(item.get("code", "")) for item in items], f"{path}.{key}", errors)
    return items


def parse_document(path: Path) -> ReferentialDocument:
    """Read and validate one référentiel file (``schemas/referential.schema.json``, then the
    references between its parts); raise DataFileError listing every problem with the path to
    the bad key (e.g. ``versions[1].blocks[0].title_fr``)."""
    raw, errors = check_document(path, SCHEMA)
    doc = mapping(raw)
    cert = mapping(doc.get("certification"))
    versions = mappings(doc.get("versions"))
    check_unique([str(v.get("code", "")) for v in versions], "versions", errors)
    blocks_by_version: dict[str, set[str]] = {}
    competencies_by_block: dict[tuple[str, str], set[str]] = {}
    for i, version in enumerate(versions):
        vpath = f"versions[{i}]"
        rule = mapping(version.get("rule"))
        _check_threshold(mapping(rule.get("deliberation_policy")), f"{vpath}.rule", errors)
        blocks = _unique(version, "blocks", vpath, errors)
        blocks_by_version[str(version.get("code", ""))] = {str(b.get("code")) for b in blocks}
        for b in blocks:
            competencies_by_block[(str(version.get("code", "")), str(b.get("code")))] = {
                str(c.get("code")) for c in mappings(b.get("competencies"))
            }
        for j, block in enumerate(blocks):
            bpath = f"{vpath}.blocks[{j}]"
            activity_codes = {a.get("code") for a in _unique(block, "activities", bpath, errors)}
            _unique(block, "modalities", bpath, errors)
            for k, competency in enumerate(_unique(block, "competencies", bpath, errors)):
                cpath = f"{bpath}.competencies[{k}]"
                activity = competency.get("activity")
                if activity and activity not in activity_codes:
                    errors.append(
                        _("%(path)s: activity %(code)r is not an activity of this block")
                        % {"path": f"{cpath}.activity", "code": activity}
                    )
                _unique(competency, "criteria", cpath, errors)
    crosswalks = mappings(doc.get("crosswalks"))
    for i, crosswalk in enumerate(crosswalks):
        xpath = f"crosswalks[{i}]"
        ends = {}
        for end in ("from_version", "to_version"):
            code = crosswalk.get(end)
            if code is not None and code not in blocks_by_version:
                errors.append(
                    _("%(path)s: version %(code)r is not in this file")
                    % {"path": f"{xpath}.{end}", "code": code}
                )
            ends[end] = blocks_by_version.get(str(code), set())
        if crosswalk.get("from_version") == crosswalk.get("to_version"):
            errors.append(_("%(path)s: a crosswalk links two different versions") % {"path": xpath})
        for j, entry in enumerate(mappings(crosswalk.get("entries"))):
            known = competencies_by_block.get(
                (str(crosswalk.get("to_version")), str(entry.get("to_block"))), set()
            )
            for code in entry.get("covered") or []:
                if str(code) not in known:
                    errors.append(
                        _("%(path)s: competency %(code)r is not a competency of block %(block)r")
                        % {
                            "path": f"{xpath}.entries[{j}].covered",
                            "code": code,
                            "block": entry.get("to_block"),
                        }
                    )
            for key, version_end in (("from_block", "from_version"), ("to_block", "to_version")):
                code = entry.get(key)
                if code is not None and code not in ends[version_end]:
                    errors.append(
                        _("%(path)s: block %(code)r is not in version %(version)r")
                        % {
                            "path": f"{xpath}.entries[{j}].{key}",
                            "code": code,
                            "version": crosswalk.get(version_end),
                        }
                    )
    if errors:
        raise DataFileError(path, errors)
    return ReferentialDocument(
        path=str(path), certification=cert, versions=versions, crosswalks=crosswalks
    )


def _apply(documents: Sequence[ReferentialDocument]) -> LoadCounts:
    from capitalis.referential.services import referential_data_load

    return referential_data_load(documents=documents)


data_loaders = [
    DataLoader(name="referential", directory="referential", parse=parse_document, apply=_apply)
]
