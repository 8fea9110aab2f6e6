"""Shipped eligibility rules (``data/admissions/*.yaml``, SPEC §3): parse and validate a file (no
database), then upsert the rules per (edition, year, code). Idempotent: a second load writes
nothing; rules of a listed edition and year that the file no longer has are deleted.

File format: see data/admissions/msc-erci-eligibility.yaml (header comment)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from capitalis.core.data import (
    CREATED,
    DELETED,
    UNCHANGED,
    UPDATED,
    DataFileError,
    DataLoader,
    LoadCounts,
    app_schema,
    check_document,
    check_unique,
    mapping,
    mappings,
)

# The fields of study a field rule may name (the schema's enum, kept equal by a test).
FIELDS = (
    "international_relations",
    "political_science",
    "public_administration",
    "public_affairs",
    "law",
    "international_law",
    "public_law",
    "economics",
    "international_economics",
    "geopolitics",
    "humanities",
    "social_sciences",
    "other",
)
LABEL = "admissions.eligibilityrule"
SCHEMA = app_schema(__file__, "eligibility")


@dataclass(frozen=True)
class RuleSet:
    editions: list[str]
    year: str
    rules: list[dict[str, Any]]


@dataclass(frozen=True)
class EligibilityDocument:
    path: Path
    programme: str
    rule_sets: list[RuleSet]


def parse_document(path: Path) -> EligibilityDocument:
    """Read and validate an eligibility file (no database): ``schemas/eligibility.schema.json``
    (with each kind's params), then the rule codes are unique within a rule set."""
    raw, errors = check_document(path, SCHEMA)
    top = mapping(raw)
    rule_sets: list[RuleSet] = []
    for i, rs in enumerate(mappings(top.get("rule_sets"))):
        rules = mappings(rs.get("rules"))
        check_unique([r.get("code", "") for r in rules], f"rule_sets[{i}].rules", errors)
        rule_sets.append(
            RuleSet(
                editions=[str(e) for e in rs.get("editions", [])],
                year=rs.get("year", ""),
                rules=rules,
            )
        )
    if errors:
        raise DataFileError(path, errors)
    return EligibilityDocument(path=path, programme=top["programme"], rule_sets=rule_sets)


def _apply(documents: Sequence[EligibilityDocument]) -> LoadCounts:
    from capitalis.admissions.models import EligibilityRule
    from capitalis.programmes.models import Edition, ProgrammeYear

    counts = LoadCounts()
    for document in documents:
        for rule_set in document.rule_sets:
            year = ProgrammeYear.objects.filter(
                programme__code=document.programme, code=rule_set.year
            ).first()
            if year is None:
                raise DataFileError(
                    document.path,
                    [_("unknown programme year %(code)s") % {"code": rule_set.year}],
                )
            for edition_code in rule_set.editions:
                edition = Edition.objects.filter(
                    programme__code=document.programme, code=edition_code
                ).first()
                if edition is None:
                    raise DataFileError(
                        document.path,
                        [_("unknown edition %(code)s") % {"code": edition_code}],
                    )
                existing = {
                    r.code: r for r in EligibilityRule.objects.filter(edition=edition, year=year)
                }
                for position, rule in enumerate(rule_set.rules):
                    values = {
                        "kind": rule["kind"],
                        "params": rule["params"],
                        "label_fr": rule["label_fr"],
                        "label_en": rule.get("label_en", ""),
                        "provenance": rule.get("provenance", ""),
                        "position": position,
                    }
                    row = existing.pop(rule["code"], None)
                    if row is None:
                        EligibilityRule.objects.create(
                            edition=edition, year=year, code=rule["code"], **values
                        )
                        counts.add(LABEL, CREATED)
                    elif any(getattr(row, k) != v for k, v in values.items()):
                        for k, v in values.items():
                            setattr(row, k, v)
                        row.save()
                        counts.add(LABEL, UPDATED)
                    else:
                        counts.add(LABEL, UNCHANGED)
                for stale in existing.values():
                    stale.delete()
                    counts.add(LABEL, DELETED)
    return counts


data_loaders = [
    DataLoader(name="admissions", directory="admissions", parse=parse_document, apply=_apply)
]

# The interview scoring grids (jury/data.py), in data/admissions/interviews/.
from capitalis.admissions.jury.data import data_loaders as _interview_loaders  # noqa: E402

data_loaders += _interview_loaders
