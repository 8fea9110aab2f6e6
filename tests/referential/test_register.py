"""``import_register`` / ``export_register`` on the real register samples (SPEC §1, issue 2
point 7): what is created, the round trip, unchanged and updated fiches, crosswalks, dry run,
and malformed files refused with the element and line, leaving the database unchanged."""

from __future__ import annotations

import io
import multiprocessing
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from capitalis.core.models import AuditEvent
from capitalis.referential.models import (
    Block,
    Certification,
    Crosswalk,
    CrosswalkEntry,
    CrosswalkStatus,
)
from capitalis.referential.register import canonical_fiches

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "register"
RNCP = FIXTURES / "export_fiches_RNCP_fixture.xml"
RS = FIXTURES / "export_fiches_RS_fixture.xml"


def run_import(path: Path, *args: str, language: str = "en") -> str:
    out = io.StringIO()
    with translation.override(language):
        call_command("import_register", str(path), *args, stdout=out)
    return out.getvalue()


def history_count() -> int:
    return sum(
        model.history.count()  # type: ignore[attr-defined]
        for model in (Certification, Block)
    )


def test_import_real_samples() -> None:
    summary = run_import(RNCP)
    run_import(RS)
    assert "12" in summary
    assert Certification.objects.count() == 20
    assert Certification.objects.filter(register="RS").count() == 8
    fiche = Certification.objects.get(code="RNCP39568")
    assert fiche.register_id == 26509
    assert fiche.eqf_level == 7
    assert fiche.registration_end == date(2029, 8, 31)
    assert fiche.award_deadline == date(2034, 8, 31)
    assert [item["code"] for item in fiche.nsf_codes] == ["310", "312", "313"]
    assert [item["code"] for item in fiche.rome_codes][:2] == ["M1202", "M1205"]
    assert fiche.access_routes["VAE"]["active"] in (True, False)
    certifier = fiche.certifier_links.get(certifier__siret="81738914100018")
    assert certifier.state_date == date(2024, 9, 19)
    version = fiche.versions.get(code="register")
    assert version.register_code == "RNCP39568"
    assert [b.code for b in version.blocks.order_by("position")] == [
        f"RNCP39568BC0{i}" for i in range(1, 7)
    ]
    first = version.blocks.get(code="RNCP39568BC01")
    assert first.competencies.count() == 2
    assert first.competencies.get(code="C01").statement_fr.startswith("Evaluer les contextes")
    assert first.modalities.count() == 2
    assert version.rule.optional_blocks_required == 0
    assert list(fiche.register_links.values_list("kind", "other_code")) == [
        ("replaces", "RNCP34762")
    ]
    optional = Block.objects.get(code="RNCP35959BC04")
    assert optional.kind == "optional"
    assert optional.version.rule.optional_blocks_required == 1
    assert AuditEvent.objects.filter(action="referential.register_import").count() == 2


def test_register_crosswalk_between_loaded_fiches() -> None:
    run_import(RNCP)
    crosswalk = Crosswalk.objects.get()
    assert crosswalk.status == CrosswalkStatus.REGISTER
    # RNCP36490 publishes the correspondence; no succession link between the two fiches.
    assert crosswalk.from_version.certification.code == "RNCP36490"
    assert crosswalk.to_version.certification.code == "RNCP35419"
    entries = set(
        CrosswalkEntry.objects.values_list("from_block__code", "to_block__code", "coverage")
    )
    assert ("RNCP36490BC03", "RNCP35419BC03", "whole") in entries
    assert ("RNCP36490BC02", "RNCP35419BC04", "partial") in entries


def test_export_gives_back_the_imported_file(tmp_path: Path) -> None:
    run_import(RNCP)
    run_import(RS)
    out = tmp_path / "export.xml"
    call_command("export_register", "--all", "-o", str(out), stderr=io.StringIO())
    exported = canonical_fiches(out)
    expected = {**canonical_fiches(RNCP), **canonical_fiches(RS)}
    assert exported.keys() == expected.keys()
    for code, tree in expected.items():
        assert exported[code] == tree, code


def test_export_then_reimport_changes_nothing(tmp_path: Path) -> None:
    run_import(RNCP)
    out = tmp_path / "export.xml"
    call_command("export_register", "RNCP39568", "RNCP35959", "-o", str(out), stderr=io.StringIO())
    stamps = dict(Certification.objects.values_list("code", "updated_at"))
    histories = history_count()
    events = AuditEvent.objects.count()
    summary = run_import(out)
    assert "0 created, 0 updated, 2 unchanged" in summary
    assert dict(Certification.objects.values_list("code", "updated_at")) == stamps
    assert history_count() == histories
    assert AuditEvent.objects.count() == events + 1


def test_changed_title_updates_the_fiche_in_place(tmp_path: Path) -> None:
    run_import(RNCP)
    block_ids = dict(
        Block.objects.filter(version__register_code="RNCP39568").values_list("code", "pk")
    )
    text = RNCP.read_text(encoding="utf-8")
    old = "<INTITULE>Diplôme d’études supérieures en management"
    assert old in text
    changed = tmp_path / "changed.xml"
    changed.write_text(text.replace(old, "<INTITULE>Nouveau titre —", 1), encoding="utf-8")
    summary = run_import(changed)
    assert "0 created, 1 updated, 11 unchanged" in summary
    fiche = Certification.objects.get(code="RNCP39568")
    assert fiche.title_fr.startswith("Nouveau titre —")
    assert fiche.history.count() == 1  # type: ignore[attr-defined]
    assert (
        dict(Block.objects.filter(version__register_code="RNCP39568").values_list("code", "pk"))
        == block_ids
    )


def test_dry_run_reports_and_writes_nothing() -> None:
    summary = run_import(RNCP, "--dry-run")
    assert "12 created" in summary
    assert Certification.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _malformed_cases() -> list[tuple[str, str, str, int]]:
    """(id, file text, element expected in the message, line expected)."""
    rncp = RNCP.read_text(encoding="utf-8")
    rs = RS.read_text(encoding="utf-8")
    cases = []
    cases.append(("not-xml", "this is not XML at all\n", "XML", 1))
    wrong_root = rs.replace("<FICHES>", "<CERTIFICATIONS>").replace(
        "</FICHES>", "</CERTIFICATIONS>"
    )
    cases.append(("wrong-root", wrong_root, "CERTIFICATIONS", 2))
    second = rs.index("<NUMERO_FICHE>RS5719</NUMERO_FICHE>")
    no_number = rs[:second] + rs[second:].replace("<NUMERO_FICHE>RS5719</NUMERO_FICHE>", "", 1)
    cases.append(("no-numero-fiche", no_number, "FICHE", _line_of(rs, "<ID_FICHE>") + 88))
    duplicate = rncp.replace("<CODE>RNCP39568BC02</CODE>", "<CODE>RNCP39568BC01</CODE>")
    cases.append(
        (
            "duplicate-block",
            duplicate,
            "BLOC_COMPETENCES",
            _line_of(rncp, "<CODE>RNCP39568BC02</CODE>") - 1,
        )
    )
    bad_date = rncp.replace(
        "<DATE_FIN_ENREGISTREMENT>31/08/2029", "<DATE_FIN_ENREGISTREMENT>2029-08-31"
    )
    cases.append(
        ("invalid-date", bad_date, "DATE_FIN_ENREGISTREMENT", _line_of(rncp, "31/08/2029"))
    )
    truncated = rncp[: len(rncp) - 40]
    cases.append(("truncated", truncated, "", truncated.count("\n") + 1))
    return cases


@pytest.mark.parametrize("case", _malformed_cases(), ids=lambda case: case[0])
def test_malformed_file_refused_database_unchanged(
    tmp_path: Path, case: tuple[str, str, str, int]
) -> None:
    _name, text, element, line = case
    path = tmp_path / "bad.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        # Small batches: a late error must also undo the batches already written.
        run_import(path, "--batch-size", "2")
    message = str(error.value)
    assert str(line) in message
    assert element in message
    assert Certification.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_error_message_in_french_by_default(tmp_path: Path) -> None:
    text = RS.read_text(encoding="utf-8")
    path = tmp_path / "bad.xml"
    path.write_text(text.replace("<ACTIF>Oui</ACTIF>", "<ACTIF>Peut-être</ACTIF>", 1))
    with pytest.raises(CommandError) as error:
        run_import(path, language="fr")
    assert str(error.value).startswith(f"Ligne {_line_of(text, '<ACTIF>Oui')}, élément ACTIF")


def test_export_unknown_code_refused() -> None:
    run_import(RS)
    with translation.override("en"), pytest.raises(CommandError, match="RNCP00000"):
        call_command("export_register", "RS5000", "RNCP00000", stdout=io.StringIO())


def test_export_to_stdout_reimports_as_unchanged(tmp_path: Path, capfdbinary) -> None:
    run_import(RS)
    call_command("export_register", "RS5000")
    out = tmp_path / "rs5000.xml"
    out.write_bytes(capfdbinary.readouterr().out)
    assert "0 created, 0 updated, 1 unchanged" in run_import(out)


def test_import_without_fork_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where fork is unavailable the file is read in the importing process: same rows."""
    run_import(RNCP)
    forked = {
        c.code: (c.register_hash, c.register_extra, c.title_fr) for c in Certification.objects.all()
    }
    blocks = Block.objects.count()
    Certification.objects.all().delete()
    monkeypatch.setattr("multiprocessing.get_all_start_methods", lambda: ["spawn"])
    summary = run_import(RNCP)
    assert "12 created" in summary
    assert {
        c.code: (c.register_hash, c.register_extra, c.title_fr) for c in Certification.objects.all()
    } == forked
    assert Block.objects.count() == blocks


def test_missing_file_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"missing\.xml"):
        run_import(tmp_path / "missing.xml")
    assert Certification.objects.count() == 0


def test_unmodelled_elements_kept_as_xml_text_and_timings_reported() -> None:
    output = run_import(RNCP, "--verbosity", "2")
    assert "timings: " in output and "reader_cpu" in output
    extra = Certification.objects.get(code="RNCP39568").register_extra
    partners = next(item for item in extra if item["tag"] == "PARTENAIRES")
    assert partners["xml"].startswith("<PARTENAIRES>")


def test_fiche_twice_refused_and_reader_stopped(tmp_path: Path) -> None:
    """An error raised by the writer (not the reader) also stops the reader process and
    leaves the database unchanged."""
    text = RS.read_text(encoding="utf-8")
    first = text.index("<FICHE>")
    end = text.index("</FICHE>") + len("</FICHE>")
    doubled = text[:end] + "\n" + text[first:end] + text[end:]
    path = tmp_path / "twice.xml"
    path.write_text(doubled, encoding="utf-8")
    with pytest.raises(CommandError, match="appears twice"):
        run_import(path, "--batch-size", "1")
    assert Certification.objects.count() == 0
    assert multiprocessing.active_children() == []


def _spools() -> set[str]:
    import glob
    import tempfile

    return {
        *glob.glob("/dev/shm/capitalis-register-*"),
        *glob.glob(f"{tempfile.gettempdir()}/capitalis-register-*"),
    }


def test_reader_spool_removed_after_success_and_after_an_error(tmp_path: Path) -> None:
    """The batches the reader hands over (in /dev/shm where there is one) leave nothing
    behind, whether the import succeeds or stops on a malformed fiche."""
    before = _spools()
    run_import(RS, "--batch-size", "1")
    assert _spools() == before
    text = RS.read_text(encoding="utf-8")
    broken = tmp_path / "broken.xml"
    broken.write_text(text[: len(text) - 40], encoding="utf-8")
    with pytest.raises(CommandError):
        run_import(broken, "--batch-size", "1")
    assert _spools() == before
    assert multiprocessing.active_children() == []
