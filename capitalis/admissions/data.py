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

from capitalis.admissions.rules import CEFR, RuleKind
from capitalis.core.data import (
    CREATED,
    DELETED,
    UNCHANGED,
    UPDATED,
    DataFileError,
    DataLoader,
    Field,
    LoadCounts,
    check_list,
    check_mapping,
    check_unique,
    read_data_file,
)

TOP = {"programme": Field("text"), "rule_sets": Field("list")}
RULE_SET = {"editions": Field("list"), "year": Field("text"), "rules": Field("list")}
RULE = {
    "code": Field("text"),
    "kind": Field("text", choices=tuple(k.value for k in RuleKind)),
    "params": Field("dict"),
    "label_fr": Field("text"),
    "label_en": Field("str", required=False),
    "provenance": Field("str", required=False),
}
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


def _check_params(kind: str, params: dict[str, Any], where: str, errors: list[str]) -> None:
    if kind == RuleKind.MIN_ECTS:
        ects = params.get("ects")
        if not isinstance(ects, int) or isinstance(ects, bool) or ects <= 0:
            errors.append(_("%(path)s: a positive whole number is expected") % {"path": where})
        if "fields" in params:
            errors.append(
                _("%(path)s: the ECTS rule does not take fields; add a field rule")
                % {"path": f"{where}.fields"}
            )
    if kind == RuleKind.FIELD:
        fields = params.get("fields", [])
        if not isinstance(fields, list) or any(f not in FIELDS for f in fields):
            errors.append(
                _("%(path)s: fields must be a list of %(choices)s")
                % {"path": f"{where}.fields", "choices": ", ".join(FIELDS)}
            )
        if not fields:
            errors.append(_("%(path)s: at least one field is required") % {"path": where})
    if kind in (RuleKind.MIN_ECTS, RuleKind.FIELD) and not isinstance(
        params.get("in_progress", False), bool
    ):
        errors.append(_("%(path)s: true or false is expected") % {"path": f"{where}.in_progress"})
    if kind == RuleKind.ENGLISH and params.get("level") not in CEFR:
        errors.append(
            _("%(path)s: %(value)r is not one of %(choices)s")
            % {"path": f"{where}.level", "value": params.get("level"), "choices": ", ".join(CEFR)}
        )


def parse_document(path: Path) -> EligibilityDocument:
    """Read and validate an eligibility file (no database)."""
    raw = read_data_file(path)
    errors: list[str] = []
    top = check_mapping(raw, TOP, "", errors)
    rule_sets: list[RuleSet] = []
    for i, item in enumerate(check_list(top.get("rule_sets"), "rule_sets", errors)):
        where = f"rule_sets[{i}]"
        rs = check_mapping(item, RULE_SET, where, errors)
        rules: list[dict[str, Any]] = []
        for j, raw_rule in enumerate(check_list(rs.get("rules"), f"{where}.rules", errors)):
            rule_where = f"{where}.rules[{j}]"
            rule = check_mapping(raw_rule, RULE, rule_where, errors)
            if "kind" in rule and "params" in rule:
                _check_params(rule["kind"], rule["params"], f"{rule_where}.params", errors)
            rules.append(rule)
        check_unique([r.get("code", "") for r in rules], f"{where}.rules", errors)
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

# The interview scoring grids (helper J), in data/admissions/interviews/.
from capitalis.admissions.data_interviews import data_loaders as _interview_loaders  # noqa: E402

data_loaders += _interview_loaders
