"""Shipped questionnaires (``data/reporting/surveys/<kind>.yaml``, SPEC §9): parse and validate a
file (no database); services copy a questionnaire into ``Survey.questions`` when a survey is
created, so a survey keeps the questions it was answered with.

``manage.py load_data`` checks every file and brings the questions of the surveys that have no
answer yet up to date with the file (idempotent: a second load writes nothing). A survey with
answers is never changed.

Question codes the indicators rely on (see the reporting contract): satisfaction kinds have
``overall`` (scale 1–5), employment kinds have ``employed`` (yes/no stored as 1/0).
Format: see data/reporting/surveys/satisfaction_teaching.yaml (header comment)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from capitalis.core.data import (
    UNCHANGED,
    UPDATED,
    DataFileError,
    DataLoader,
    LoadCounts,
    app_schema,
    check_document,
    check_unique,
    data_files,
    default_data_dir,
    mapping,
    mappings,
)

DIRECTORY = "reporting/surveys"
KINDS = ("satisfaction_teaching", "satisfaction_work_study", "employment_6m", "employment_2y")
TYPES = ("scale", "yes_no", "choice", "text")
# What the indicators read (b-contract): kind → (question code, type).
REQUIRED_QUESTION = {
    "satisfaction_teaching": ("overall", "scale"),
    "satisfaction_work_study": ("overall", "scale"),
    "employment_6m": ("employed", "yes_no"),
    "employment_2y": ("employed", "yes_no"),
}
SCHEMA = app_schema(__file__, "questionnaire")
LABEL = "reporting.survey"


@dataclass(frozen=True)
class Questionnaire:
    """A validated questionnaire: what a new survey of this kind copies."""

    path: str
    kind: str
    title_fr: str
    title_en: str
    questions: list[dict[str, Any]]


def _question(item: dict[str, Any], where: str, errors: list[str]) -> dict[str, Any]:
    """What a survey stores of one question; what depends on its type (min and max for a
    scale, choices for a choice) is checked here."""
    kind = item.get("type")
    clean: dict[str, Any] = {
        "code": item.get("code", ""),
        "type": kind,
        "label_fr": item.get("label_fr", ""),
        "label_en": item.get("label_en", ""),
        "required": bool(item.get("required", True)),
    }
    if kind == "scale":
        low, high = item.get("min"), item.get("max")
        if not isinstance(low, int) or not isinstance(high, int):
            errors.append(_("%(path)s: a scale needs min and max") % {"path": where})
        elif low >= high:
            errors.append(_("%(path)s: min must be below max") % {"path": where})
        else:
            clean["min"], clean["max"] = low, high
    elif "min" in item or "max" in item:
        errors.append(_("%(path)s: min and max are for scales only") % {"path": where})
    if kind == "choice":
        choices = [
            {
                "code": choice.get("code", ""),
                "label_fr": choice.get("label_fr", ""),
                "label_en": choice.get("label_en", ""),
            }
            for choice in mappings(item.get("choices"))
        ]
        if not choices:
            errors.append(_("%(path)s: a choice question needs choices") % {"path": where})
        check_unique([c["code"] for c in choices], f"{where}.choices", errors)
        clean["choices"] = choices
    elif "choices" in item:
        errors.append(_("%(path)s: choices are for choice questions only") % {"path": where})
    return clean


def parse_questionnaire(path: Path) -> Questionnaire:
    """Read and validate one questionnaire file (``schemas/questionnaire.schema.json``, then
    each question's type and the questions the indicators need); every problem is reported
    with its key path."""
    raw, errors = check_document(path, SCHEMA)
    data = mapping(raw)
    questions = [
        _question(item, f"questions[{i}]", errors)
        for i, item in enumerate(mappings(data.get("questions")))
    ]
    check_unique([str(q["code"]) for q in questions], "questions", errors)
    kind = data.get("kind")
    if kind in REQUIRED_QUESTION:
        code, qtype = REQUIRED_QUESTION[kind]
        found = next((q for q in questions if q["code"] == code), None)
        if found is None or found["type"] != qtype or not found["required"]:
            errors.append(
                _("questions: a required %(type)s question %(code)r is needed (the indicators)")
                % {"type": qtype, "code": code}
            )
        elif qtype == "scale" and (found.get("min"), found.get("max")) != (1, 5):
            errors.append(_("questions: %(code)r must be a 1–5 scale") % {"code": code})
    if errors:
        raise DataFileError(path, errors)
    return Questionnaire(
        path=str(path),
        kind=str(kind),
        title_fr=str(data["title_fr"]),
        title_en=str(data.get("title_en", "")),
        questions=questions,
    )


def questionnaires(data_dir: Path | None = None) -> dict[str, Questionnaire]:
    """Every shipped questionnaire, by kind (one file per kind)."""
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    found: dict[str, Questionnaire] = {}
    for path in data_files(root / DIRECTORY):
        parsed = parse_questionnaire(path)
        if parsed.kind in found:
            raise DataFileError(
                path, [_("kind %(kind)s is already defined") % {"kind": parsed.kind}]
            )
        found[parsed.kind] = parsed
    return found


def questionnaire(kind: str, data_dir: Path | None = None) -> Questionnaire | None:
    """The shipped questionnaire of a survey kind, or None if none is shipped."""
    return questionnaires(data_dir).get(kind)


def apply_questionnaires(documents: Sequence[Questionnaire]) -> LoadCounts:
    """Bring unanswered surveys' questions up to date with the files (answered ones stay)."""
    from capitalis.reporting.models import Survey, SurveyAnswer

    counts = LoadCounts()
    seen: set[str] = set()
    for document in documents:
        if document.kind in seen:
            raise DataFileError(
                document.path, [_("kind %(kind)s is already defined") % {"kind": document.kind}]
            )
        seen.add(document.kind)
        surveys = Survey.objects.filter(kind=document.kind).exclude(
            pk__in=SurveyAnswer.objects.values("invitation__survey_id")
        )
        for survey in surveys:
            if survey.questions == document.questions:
                counts.add(LABEL, UNCHANGED)
                continue
            survey.questions = document.questions
            survey.save(update_fields=["questions", "updated_at"])
            counts.add(LABEL, UPDATED)
    return counts


data_loaders = [
    DataLoader(
        name="reporting-surveys",
        directory=DIRECTORY,
        parse=parse_questionnaire,
        apply=apply_questionnaires,
    )
]
