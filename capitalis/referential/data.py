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
    Field,
    LoadCounts,
    check_list,
    check_mapping,
    check_unique,
    read_data_file,
)
from capitalis.referential.models import (
    BlockKind,
    Coverage,
    CrosswalkStatus,
    Register,
    VersionStatus,
)

FORMAT_VERSION = 1

CERTIFICATION = {
    "code": Field("text"),
    "register": Field("str", required=False, choices=tuple(Register.values)),
    "title_fr": Field("text"),
    "title_en": Field("str", required=False),
    "abbreviation_code": Field("str", required=False),
    "abbreviation_label": Field("str", required=False),
    "state": Field("str", required=False),
    "eqf_level": Field("int", required=False, nullable=True),
    "eqf_label": Field("str", required=False),
    "nsf_codes": Field("list", required=False),
    "rome_codes": Field("list", required=False),
    "formacodes": Field("list", required=False),
    "registration_date": Field("date", required=False, nullable=True),
    "registration_end": Field("date", required=False, nullable=True),
    "registration_years": Field("int", required=False, nullable=True),
    "registration_type": Field("str", required=False),
    "award_deadline": Field("date", required=False, nullable=True),
    "active": Field("bool", required=False),
    "blocks_separately": Field("bool", required=False, nullable=True),
    "access_routes": Field("dict", required=False),
    "activities_text": Field("str", required=False),
    "capacities_text": Field("str", required=False),
    "sectors_text": Field("str", required=False),
    "target_jobs_text": Field("str", required=False),
    "objectives_text": Field("str", required=False),
    "entry_prerequisites_text": Field("str", required=False),
    "provenance": Field("text"),
    "certifiers": Field("list", required=False),
}
CODED_LABEL = {"code": Field("text"), "label": Field("str")}
CERTIFIER = {
    "name": Field("text"),
    "siret": Field("str", required=False),
    "commercial_name": Field("str", required=False),
    "website": Field("str", required=False),
    "state": Field("str", required=False),
    "state_date": Field("date", required=False, nullable=True),
}
VERSION = {
    "code": Field("text"),
    "label_fr": Field("text"),
    "label_en": Field("str", required=False),
    "status": Field("text", choices=tuple(VersionStatus.values)),
    "register_code": Field("str", required=False),
    "valid_from": Field("date", required=False, nullable=True),
    "valid_until": Field("date", required=False, nullable=True),
    "provenance": Field("text"),
    "rule": Field("dict"),
    "blocks": Field("list"),
}
RULE = {
    "all_common_required": Field("bool"),
    "optional_blocks_required": Field("int"),
    "description_fr": Field("str", required=False),
    "description_en": Field("str", required=False),
    "provenance": Field("text"),
    "deliberation_policy": Field("dict", required=False),
}
BLOCK = {
    "code": Field("text"),
    "kind": Field("text", choices=tuple(BlockKind.values)),
    "title_fr": Field("text"),
    "title_en": Field("str", required=False),
    "competencies_text": Field("str", required=False),
    "assessment_text": Field("str", required=False),
    "entry_prerequisites_text": Field("str", required=False),
    "validation_prerequisites_text": Field("str", required=False),
    "provenance": Field("text"),
    "activities": Field("list", required=False),
    "competencies": Field("list"),
    "modalities": Field("list", required=False),
}
ACTIVITY = {
    "code": Field("text"),
    "title_fr": Field("text"),
    "title_en": Field("str", required=False),
    "provenance": Field("text"),
}
COMPETENCY = {
    "code": Field("text"),
    "activity": Field("str", required=False, nullable=True),
    "statement_fr": Field("text"),
    "statement_en": Field("str", required=False),
    "provenance": Field("text"),
    "criteria": Field("list", required=False),
}
CRITERION = {
    "code": Field("text"),
    "text_fr": Field("text"),
    "text_en": Field("str", required=False),
    "provenance": Field("text"),
}
MODALITY = {
    "code": Field("text"),
    "label_fr": Field("text"),
    "label_en": Field("str", required=False),
    "provenance": Field("text"),
}
CROSSWALK = {
    "from_version": Field("text"),
    "to_version": Field("text"),
    "status": Field("text", choices=tuple(CrosswalkStatus.values)),
    "note_fr": Field("str", required=False),
    "note_en": Field("str", required=False),
    "provenance": Field("text"),
    "entries": Field("list"),
}
ENTRY = {
    "from_block": Field("text"),
    "to_block": Field("text"),
    "coverage": Field("text", choices=tuple(Coverage.values)),
    "covered": Field("list", required=False),
    "note_fr": Field("str", required=False),
    "note_en": Field("str", required=False),
}
DOCUMENT = {
    "format": Field("int"),
    "certification": Field("dict"),
    "versions": Field("list"),
    "crosswalks": Field("list", required=False),
}


@dataclass(frozen=True)
class ReferentialDocument:
    """One validated file: plain dicts and lists, strings stripped, positions = list order."""

    path: str
    certification: dict[str, Any]
    versions: list[dict[str, Any]]
    crosswalks: list[dict[str, Any]]


# The keys of a version's deliberation policy (capitalis.jury.rules.Policy, which checks the
# values again when the jury uses them).
POLICY_KEYS = {
    "grade_threshold",
    "level_threshold",
    "grade_combination",
    "resit",
    "unjustified_absence_is_zero",
    "block_rule",
}


def _check_policy(policy: Any, path: str, errors: list[str]) -> None:
    if policy is None:
        return
    for key in sorted(set(policy) - POLICY_KEYS):
        errors.append(
            _("%(path)s: unknown deliberation policy key %(key)r")
            % {"path": f"{path}.deliberation_policy", "key": key}
        )
    threshold = policy.get("grade_threshold")
    if threshold is not None:
        try:
            ok = 0 <= float(threshold) <= 20
        except (TypeError, ValueError):
            ok = False
        if not ok:
            errors.append(
                _("%(path)s: the grade threshold must be a number from 0 to 20")
                % {"path": f"{path}.deliberation_policy.grade_threshold"}
            )


def _children(
    parent: dict[str, Any], key: str, spec: dict[str, Field], path: str, errors: list[str]
) -> list[dict[str, Any]]:
    items = [
        check_mapping(item, spec, f"{path}.{key}[{i}]", errors)
        for i, item in enumerate(check_list(parent.get(key), f"{path}.{key}", errors))
    ]
    check_unique([str(item.get("code", "")) for item in items], f"{path}.{key}", errors)
    parent[key] = items
    return items


def parse_document(path: Path) -> ReferentialDocument:
    """Read and validate one référentiel file; raise DataFileError listing every problem
    with the path to the bad key (e.g. ``versions[1].blocks[0].title_fr``)."""
    errors: list[str] = []
    raw = read_data_file(path)
    doc = check_mapping(raw, DOCUMENT, "", errors)
    if doc.get("format", FORMAT_VERSION) != FORMAT_VERSION:
        errors.append(_("format: version %(v)s is not supported") % {"v": doc.get("format")})
    cert = check_mapping(doc.get("certification", {}), CERTIFICATION, "certification", errors)
    for key in ("nsf_codes", "rome_codes", "formacodes"):
        if key in cert:
            cert[key] = [
                check_mapping(item, CODED_LABEL, f"certification.{key}[{i}]", errors)
                for i, item in enumerate(cert[key])
            ]
    if "certifiers" in cert:
        cert["certifiers"] = [
            check_mapping(item, CERTIFIER, f"certification.certifiers[{i}]", errors)
            for i, item in enumerate(cert["certifiers"])
        ]
    versions = [
        check_mapping(item, VERSION, f"versions[{i}]", errors)
        for i, item in enumerate(check_list(doc.get("versions"), "versions", errors))
    ]
    check_unique([str(v.get("code", "")) for v in versions], "versions", errors)
    blocks_by_version: dict[str, set[str]] = {}
    competencies_by_block: dict[tuple[str, str], set[str]] = {}
    for i, version in enumerate(versions):
        vpath = f"versions[{i}]"
        if "rule" in version:
            version["rule"] = check_mapping(version["rule"], RULE, f"{vpath}.rule", errors)
            _check_policy(version["rule"].get("deliberation_policy"), f"{vpath}.rule", errors)
        blocks = _children(version, "blocks", BLOCK, vpath, errors)
        blocks_by_version[str(version.get("code", ""))] = {str(b.get("code")) for b in blocks}
        for b in blocks:
            competencies_by_block[(str(version.get("code", "")), str(b.get("code")))] = {
                str(c.get("code")) for c in b.get("competencies") or [] if isinstance(c, dict)
            }
        for j, block in enumerate(blocks):
            bpath = f"{vpath}.blocks[{j}]"
            activities = _children(block, "activities", ACTIVITY, bpath, errors)
            activity_codes = {a.get("code") for a in activities}
            _children(block, "modalities", MODALITY, bpath, errors)
            for k, competency in enumerate(
                _children(block, "competencies", COMPETENCY, bpath, errors)
            ):
                cpath = f"{bpath}.competencies[{k}]"
                activity = competency.get("activity")
                if activity and activity not in activity_codes:
                    errors.append(
                        _("%(path)s: activity %(code)r is not an activity of this block")
                        % {"path": f"{cpath}.activity", "code": activity}
                    )
                _children(competency, "criteria", CRITERION, cpath, errors)
    crosswalks = [
        check_mapping(item, CROSSWALK, f"crosswalks[{i}]", errors)
        for i, item in enumerate(check_list(doc.get("crosswalks"), "crosswalks", errors))
    ]
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
        entries = [
            check_mapping(item, ENTRY, f"{xpath}.entries[{j}]", errors)
            for j, item in enumerate(
                check_list(crosswalk.get("entries"), f"{xpath}.entries", errors)
            )
        ]
        crosswalk["entries"] = entries
        for j, entry in enumerate(entries):
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
