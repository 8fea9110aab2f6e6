"""The French catalogue is complete: no empty, no fuzzy entry; both catalogues are compiled
(the .mo files are committed next to the .po files)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "capitalis" / "locale"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int | None, str] = field(default_factory=dict)
    fuzzy: bool = False
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """A tiny .po reader: msgid, msgid_plural, msgstr / msgstr[n], the fuzzy flag; entries
    are separated by blank lines, obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] = ("", None)

    def close() -> None:
        nonlocal current
        if current is not None and (current.msgid or current.msgstr):
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            close()
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith("#,"):
            current.fuzzy = current.fuzzy or "fuzzy" in line[2:].replace(" ", "").split(",")
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            current.msgctxt = ast.literal_eval(line[8:])
            target = ("msgctxt", None)
        elif line.startswith("msgid_plural "):
            current.msgid_plural = ast.literal_eval(line[13:])
            target = ("msgid_plural", None)
        elif line.startswith("msgid "):
            current.msgid = ast.literal_eval(line[6:])
            target = ("msgid", None)
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            current.msgstr[index] = ast.literal_eval(line[line.index("]") + 2 :])
            target = ("msgstr", index)
        elif line.startswith("msgstr "):
            current.msgstr[None] = ast.literal_eval(line[7:])
            target = ("msgstr", None)
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            kind, index = target
            if kind == "msgid":
                current.msgid += text
            elif kind == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + text
            elif kind == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + text
            elif kind == "msgstr":
                current.msgstr[index] += text
    close()
    return entries


def test_parser_sees_empty_and_fuzzy_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Home"\nmsgstr "Accueil"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "Fuzzy %(x)s"\nmsgstr "Flou %(x)s"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "un"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    entries = {e.msgid: e for e in parse_po(po)}
    assert entries["Home"].msgstr == {None: "Accueil"} and not entries["Home"].fuzzy
    assert entries["Empty"].msgstr == {None: ""}
    assert entries["Fuzzy %(x)s"].fuzzy
    assert entries["one"].msgid_plural == "many" and entries["one"].msgstr[1] == ""


def test_french_catalogue_is_complete():
    po = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
    entries = [e for e in parse_po(po) if e.msgid]
    assert len(entries) > 100
    untranslated = [e.msgid for e in entries if not all(e.msgstr.values())]
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    assert untranslated == [], f"untranslated in fr: {untranslated}"
    assert fuzzy == [], f"fuzzy in fr: {fuzzy}"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_compiled_catalogue_is_there_and_current(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"run `make messages`: {mo} is missing"
    header = parse_po(po)[0]
    assert not header.fuzzy, f"the header of {po} is marked fuzzy"


def test_compiled_french_catalogue_holds_every_translation():
    """The committed .mo says what the .po says: a .po entry added without recompiling would
    be shown in English on a French page."""
    import gettext

    po = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    missing = [
        entry.msgid
        for entry in parse_po(po)
        if entry.msgid and entry.msgid_plural is None and entry.msgstr.get(None)
        if (
            compiled.pgettext(entry.msgctxt, entry.msgid)
            if entry.msgctxt is not None
            else compiled.gettext(entry.msgid)
        )
        != entry.msgstr[None]
    ]
    assert missing == [], f"run compilemessages: {len(missing)} entries not compiled, {missing[:3]}"
