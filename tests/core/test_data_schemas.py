"""The shipped data files are described by JSON Schemas that the loaders check against
(issue 15 point 6): every shipped file validates, a broken copy is refused with the file, the
key path and the reason (every problem, not the first), and the schemas' allowed values are
the code's."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.utils import translation
from jsonschema import Draft202012Validator

from capitalis.admissions import data as admissions_data
from capitalis.admissions.models import PriorDegree
from capitalis.admissions.rules import CEFR, RuleKind
from capitalis.core.data import DataFileError, check_document, data_files, load_document
from capitalis.programmes import data as programmes_data
from capitalis.programmes.models import RhythmKind, TeachingMethod, Track
from capitalis.referential import data as referential_data
from capitalis.referential.models import (
    BlockKind,
    Coverage,
    CrosswalkStatus,
    Register,
    VersionStatus,
)
from capitalis.reporting.indicators import data as reporting_data
from capitalis.reporting.models import SurveyKind
from capitalis.reporting.privacy import services as services_privacy
from capitalis.reporting.surveys import data as data_surveys

SHIPPED = Path(settings.BASE_DIR) / "data"
APPS = Path(settings.BASE_DIR) / "capitalis"

# schema → the shipped files it describes
DESCRIBED = {
    "referential/schemas/referential": ["referential/*.yaml"],
    "programmes/schemas/programme": ["programmes/*.yaml"],
    "admissions/schemas/eligibility": ["admissions/*.yaml"],
    "admissions/schemas/interview_grid": ["admissions/interviews/*.yaml"],
    "finance/schemas/fees": ["finance/*.yaml"],
    "reporting/schemas/declared_history": ["reporting/declared*.yaml"],
    "reporting/schemas/retention": ["reporting/retention.yaml"],
    "reporting/schemas/questionnaire": ["reporting/surveys/*.yaml"],
}


def _schema(name: str) -> Path:
    return APPS / f"{name}.schema.json"


def _files(patterns: list[str]) -> list[Path]:
    return sorted(p for pattern in patterns for p in SHIPPED.glob(pattern))


def test_every_schema_is_a_valid_json_schema_and_every_app_schema_is_used():
    for name in DESCRIBED:
        Draft202012Validator.check_schema(json.loads(_schema(name).read_text(encoding="utf-8")))
    shipped = {p.relative_to(APPS).as_posix() for p in APPS.glob("*/schemas/*.schema.json")}
    assert shipped == {f"{name}.schema.json" for name in DESCRIBED}


@pytest.mark.parametrize("name", sorted(DESCRIBED))
def test_every_shipped_file_validates_against_its_schema(name):
    files = _files(DESCRIBED[name])
    assert files, name
    for path in files:
        load_document(path, _schema(name))


def test_every_shipped_data_file_is_described_by_a_schema():
    described = {p for patterns in DESCRIBED.values() for p in _files(patterns)}
    shipped = {
        p
        for folder in [SHIPPED, *SHIPPED.rglob("*")]
        if folder.is_dir()
        for p in data_files(folder)
    }
    assert shipped == described


# --- broken copies ---------------------------------------------------------------------------


def _broken(tmp_path: Path, source: str, change) -> Path:
    doc = yaml.safe_load((SHIPPED / source).read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / Path(source).name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _problems(parse, path: Path) -> list[str]:
    with translation.override("en"), pytest.raises(DataFileError) as error:
        parse(path)
    assert error.value.path == str(path)
    assert all(line.startswith(f"{path}: ") for line in error.value.message.splitlines())
    return error.value.problems


def test_a_broken_referential_lists_every_problem_with_its_key_path(tmp_path):
    def change(doc):
        del doc["certification"]["title_fr"]  # missing key
        doc["versions"][0]["rule"]["optional_blocks_required"] = "two"  # wrong type
        doc["versions"][1]["blocks"][0]["titel_en"] = "typo"  # unknown key
        doc["versions"][0]["status"] = "bogus"  # not an allowed value
        doc["format"] = 2

    path = _broken(tmp_path, "referential/rncp39853.yaml", change)
    problems = _problems(referential_data.parse_document, path)
    assert problems == [
        "certification.title_fr: required key missing",
        "format: 2 is not supported (1 expected)",
        "versions[0].rule.optional_blocks_required: integer expected, got 'two'",
        "versions[0].status: 'bogus' is not one of " + ", ".join(VersionStatus.values),
        "versions[1].blocks[0].titel_en: unknown key",
    ]


def test_schema_problems_and_cross_reference_problems_are_reported_together(tmp_path):
    def change(doc):
        doc["versions"][0]["blocks"][0]["title_fr"] = "   "  # empty once stripped
        doc["crosswalks"][0]["entries"][0]["to_block"] = "NOPE"  # a reference (not a schema)

    problems = _problems(
        referential_data.parse_document,
        _broken(tmp_path, "referential/rncp39853.yaml", change),
    )
    assert "versions[0].blocks[0].title_fr: must not be empty" in problems
    assert any(p.startswith("crosswalks[0].entries[0].to_block: block 'NOPE'") for p in problems)


def test_a_broken_catalogue_names_the_bad_keys(tmp_path):
    def change(doc):
        edition = doc["editions"][0]
        edition["start_date"] = "2024-09-01"  # a quoted date is text, not a date
        edition["offerings"][0]["tracks"] = ["initial", "evening"]
        del edition["offerings"][0]["campus"]
        doc["campuses"][0]["country"] = "FR"

    problems = _problems(
        programmes_data.parse_document, _broken(tmp_path, "programmes/msc-erci.yaml", change)
    )
    assert "campuses[0].country: unknown key" in problems
    assert "editions[0].offerings[0].campus: required key missing" in problems
    assert any(p.startswith("editions[0].offerings[0].tracks[1]: 'evening'") for p in problems)
    assert "editions[0].start_date: date (YYYY-MM-DD) expected, got '2024-09-01'" in problems


def test_a_broken_questionnaire_and_fee_file_are_refused(tmp_path):
    problems = _problems(
        data_surveys.parse_questionnaire,
        _broken(
            tmp_path,
            "reporting/surveys/satisfaction_teaching.yaml",
            lambda doc: doc["questions"][0].update(required="yes", colour="red"),
        ),
    )
    assert "questions[0].required: true/false expected, got 'yes'" in problems
    assert "questions[0].colour: unknown key" in problems

    def no_tuition(doc):
        del doc["schedules"][0]["tuition"]
        doc["schedules"][0]["deposit"] = 500

    from capitalis.finance.data import parse_document

    problems = _problems(
        parse_document, _broken(tmp_path, "finance/msc-erci-fees.yaml", no_tuition)
    )
    assert problems == [
        "schedules[0].deposit: text expected, got 500",
        "schedules[0].tuition: required key missing",
    ]


def test_strings_are_stripped_notes_dropped_and_dates_read_as_dates(tmp_path):
    path = tmp_path / "retention.yaml"
    path.write_text(
        "notes: free text for readers\n"
        "rules:\n"
        "  - {code: '  a  ', records: survey_answers, after_months: 3, basis: ' b ', notes: n}\n",
        encoding="utf-8",
    )
    data, problems = check_document(path, _schema("reporting/schemas/retention"))
    assert problems == []
    assert data == {
        "rules": [{"code": "a", "records": "survey_answers", "after_months": 3, "basis": "b"}]
    }
    dated = tmp_path / "declared.yaml"
    dated.write_text(
        "programme: P\nfigures:\n"
        "- {indicator: apprentices, period: '2024', value: '3', unit: count, source: s,"
        " as_of: 2024-12-11}\n",
        encoding="utf-8",
    )
    data = load_document(dated, _schema("reporting/schemas/declared_history"))
    assert data["figures"][0]["as_of"] == datetime.date(2024, 12, 11)


# --- the schemas' allowed values are the code's -----------------------------------------------


def _enum(name: str, *pointer: str) -> list[str]:
    node = json.loads(_schema(name).read_text(encoding="utf-8"))
    for part in pointer:
        node = node[part]
    return node["enum"]


def _when(name: str, definition: str, kind: str) -> dict:
    rule = json.loads(_schema(name).read_text(encoding="utf-8"))["$defs"][definition]
    return next(
        branch["then"]["properties"]["params"]["properties"]
        for branch in rule["allOf"]
        if branch["if"]["properties"]["kind"]["const"] == kind
    )


def test_the_schemas_allowed_values_are_the_codes():
    ref = "referential/schemas/referential"
    defs = ("$defs",)
    assert _enum(ref, *defs, "certification", "properties", "register") == Register.values
    assert _enum(ref, *defs, "version", "properties", "status") == VersionStatus.values
    assert _enum(ref, *defs, "block", "properties", "kind") == BlockKind.values
    assert _enum(ref, *defs, "crosswalk", "properties", "status") == CrosswalkStatus.values
    assert _enum(ref, *defs, "entry", "properties", "coverage") == Coverage.values
    prog = "programmes/schemas/programme"
    assert _enum(prog, *defs, "rhythm", "properties", "track") == Track.values
    assert _enum(prog, *defs, "rhythm", "properties", "kind") == RhythmKind.values
    methods = _enum(prog, *defs, "course", "properties", "teaching_methods", "items")
    assert sorted(methods) == sorted(TeachingMethod.values)
    eligibility = "admissions/schemas/eligibility"
    assert _enum(eligibility, *defs, "rule", "properties", "kind") == [k.value for k in RuleKind]
    assert _when(eligibility, "rule", "english")["level"]["enum"] == list(CEFR)
    fields = _when(eligibility, "rule", "field")["fields"]["items"]["enum"]
    assert sorted(fields) == sorted(PriorDegree.Field.values)
    assert fields == list(admissions_data.FIELDS)
    declared = "reporting/schemas/declared_history"
    indicators = _enum(declared, *defs, "figure", "properties", "indicator")
    assert indicators == list(reporting_data.INDICATORS)
    questionnaire = "reporting/schemas/questionnaire"
    assert _enum(questionnaire, "properties", "kind") == list(data_surveys.KINDS)
    assert sorted(data_surveys.KINDS) == sorted(SurveyKind.values)
    assert _enum(questionnaire, *defs, "question", "properties", "type") == list(data_surveys.TYPES)
    retention = "reporting/schemas/retention"
    assert _enum(retention, *defs, "rule", "properties", "records") == list(
        services_privacy.RECORDS
    )


def test_a_yaml_date_is_a_date_only_where_a_date_is_expected(tmp_path):
    path = tmp_path / "declared.yaml"
    path.write_text(
        "programme: P\nfigures:\n"
        "- {indicator: apprentices, period: 2024-09-01, value: '3', unit: count, source: s,"
        " as_of: 2024-12-11 10:30:00}\n",
        encoding="utf-8",
    )
    with translation.override("en"):
        _data, problems = check_document(path, _schema("reporting/schemas/declared_history"))
    assert problems == [
        "figures[0].as_of: date (YYYY-MM-DD) expected, got datetime.datetime(2024, 12, 11, 10, 30)",
        "figures[0].period: text expected, got datetime.date(2024, 9, 1)",
    ]
