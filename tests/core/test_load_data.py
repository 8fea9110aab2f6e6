"""`manage.py load_data`: idempotent, all or nothing, clear errors (issue 2 point 6)."""

import io
import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from capitalis.core.data import discover_loaders
from capitalis.core.models import AuditEvent
from capitalis.referential.models import Block, Certification, Competency, EvaluationCriterion

pytestmark = pytest.mark.django_db

SHIPPED = Path(settings.BASE_DIR) / "data"


def _history_rows() -> int:
    from django.apps import apps

    return sum(
        model.objects.count()
        for model in apps.get_app_config("referential").get_models()
        if model.__name__.startswith("Historical")
    )


def _run(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):  # the assertions read the English summary
        call_command("load_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the shipped data folder."""
    target = tmp_path / "data"
    shutil.copytree(SHIPPED, target)
    return target


def _edit(data_dir: Path, change) -> None:
    path = data_dir / "referential" / "rncp39853.yaml"
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def test_referential_loader_comes_first():
    assert discover_loaders()[0].name == "referential"


def test_first_load_creates_and_prints_a_summary():
    output = _run()
    assert "referential.Competency: 64" in output
    assert Certification.objects.filter(code="RNCP39853").exists()
    assert AuditEvent.objects.filter(action="core.data_load").count() == 1


def test_second_load_writes_nothing():
    _run()
    stamps = dict(Competency.objects.values_list("pk", "updated_at"))
    blocks = dict(Block.objects.values_list("pk", "updated_at"))
    history, audits = _history_rows(), AuditEvent.objects.count()
    output = _run()
    assert "0 created, 0 updated, 0 deleted" in output
    assert dict(Competency.objects.values_list("pk", "updated_at")) == stamps
    assert dict(Block.objects.values_list("pk", "updated_at")) == blocks
    assert _history_rows() == history
    assert AuditEvent.objects.count() == audits


def test_second_load_issues_no_write_query():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _run()
    with CaptureQueriesContext(connection) as queries:
        _run()
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_a_changed_statement_is_updated_with_history_and_a_removed_one_deleted(data_copy):
    _run("--data-dir", str(data_copy))
    c2 = Competency.objects.get(block__code="BLOC1", code="C2")
    before = c2.history.count()

    def change(doc):
        blocks = doc["versions"][1]["blocks"]
        blocks[0]["competencies"][1]["statement_en"] = "A new translation."
        blocks[0]["competencies"] = [c for c in blocks[0]["competencies"] if c["code"] != "C1"]

    _edit(data_copy, change)
    output = _run("--data-dir", str(data_copy))
    c2.refresh_from_db()
    assert c2.statement_en == "A new translation."
    assert c2.history.count() == before + 1
    assert not Competency.objects.filter(block__code="BLOC1", code="C1").exists()
    assert not EvaluationCriterion.objects.filter(competency__code="C1").exists()
    # C2's text, and the positions of C2…C8 which move up; C1 and its 4 criteria deleted
    assert "Total: 0 created, 7 updated, 5 deleted" in output
    assert AuditEvent.objects.filter(action="core.data_load").count() == 2


def test_a_missing_key_names_file_and_path_and_writes_nothing(data_copy):
    _edit(data_copy, lambda doc: doc["versions"][0]["blocks"][2].pop("title_fr"))
    with pytest.raises(CommandError) as error:
        _run("--data-dir", str(data_copy))
    message = str(error.value)
    assert "rncp39853.yaml" in message
    assert "versions[0].blocks[2].title_fr" in message
    assert Certification.objects.count() == 0
    assert Competency.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_bad_file_after_a_load_changes_nothing(data_copy):
    _run("--data-dir", str(data_copy))
    history = _history_rows()

    def change(doc):
        doc["certification"]["title_en"] = "Changed"
        doc["versions"][1]["blocks"][0]["kind"] = "mandatory"
        doc["crosswalks"][0]["entries"][0]["to_block"] = "NOPE"

    _edit(data_copy, change)
    with pytest.raises(CommandError) as error:
        _run("--data-dir", str(data_copy))
    message = str(error.value)
    assert "versions[1].blocks[0].kind" in message
    assert "crosswalks[0].entries[0].to_block" in message
    assert Certification.objects.get().title_en != "Changed"
    assert _history_rows() == history


def test_invalid_yaml_is_refused(data_copy):
    path = data_copy / "referential" / "rncp39853.yaml"
    path.write_text(path.read_text() + "\n  : [unclosed\n")
    with pytest.raises(CommandError, match=r"rncp39853\.yaml"):
        _run("--data-dir", str(data_copy))
    assert Certification.objects.count() == 0


def test_unknown_key_and_unknown_activity_are_reported(data_copy):
    def change(doc):
        doc["certification"]["titel_fr"] = "typo"
        doc["versions"][1]["blocks"][0]["competencies"][0]["activity"] = "A9"

    _edit(data_copy, change)
    with pytest.raises(CommandError) as error:
        _run("--data-dir", str(data_copy))
    assert "certification.titel_fr" in str(error.value)
    assert "versions[1].blocks[0].competencies[0].activity" in str(error.value)


def test_empty_folder_loads_nothing(tmp_path):
    output = _run("--data-dir", str(tmp_path))
    assert "0 file(s)" in output
    assert AuditEvent.objects.count() == 0


def test_bad_policy_and_uncovered_competency_are_reported_and_nothing_written(data_copy):
    def change(doc):
        doc["versions"][0]["rule"]["deliberation_policy"] = {"grade_treshold": "12"}
        doc["crosswalks"][0]["entries"][0]["covered"] = ["BC04.C9"]

    _edit(data_copy, change)
    with pytest.raises(CommandError) as error:
        _run("--data-dir", str(data_copy))
    message = str(error.value)
    assert "versions[0].rule.deliberation_policy" in message and "grade_treshold" in message
    assert "crosswalks[0].entries[0].covered" in message and "BC04.C9" in message
    assert not Certification.objects.exists()


def test_a_threshold_outside_0_20_is_refused(data_copy):
    _edit(
        data_copy,
        lambda doc: doc["versions"][0]["rule"].update(deliberation_policy={"grade_threshold": 25}),
    )
    with pytest.raises(CommandError, match="grade_threshold"):
        _run("--data-dir", str(data_copy))
