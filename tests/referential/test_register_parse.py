"""The register's XML (flux V4.1) read and written without the database: round trip, values,
splitting of flattened lists, malformed files."""

from __future__ import annotations

import dataclasses
import io
from datetime import date
from pathlib import Path

import pytest

from capitalis.referential.register import (
    RegisterFormatError,
    canonical_fiches,
    read_fiches,
    split_statements,
    write_fiches,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "register"
RNCP = FIXTURES / "export_fiches_RNCP_fixture.xml"
RS = FIXTURES / "export_fiches_RS_fixture.xml"


@pytest.mark.parametrize("path", [RNCP, RS], ids=["RNCP", "RS"])
def test_read_then_write_gives_back_every_fiche(path: Path) -> None:
    fiches = list(read_fiches(path))
    out = io.BytesIO()
    assert write_fiches(fiches, out) == len(fiches)
    out.seek(0)
    assert canonical_fiches(out) == canonical_fiches(path)


def test_values_of_a_real_fiche() -> None:
    fiches = {fiche.code: fiche for fiche in read_fiches(RNCP)}
    assert len(fiches) == 12
    fiche = fiches["RNCP39568"]
    assert fiche.register_id == 26509
    assert fiche.replaces == ("RNCP34762",)
    assert fiche.eqf_level == 7
    assert fiche.award_deadline == date(2034, 8, 31)
    assert [b.code for b in fiche.blocks][:2] == ["RNCP39568BC01", "RNCP39568BC02"]
    assert {c.siret for c in fiche.certifiers} >= {"81738914100018", "11004401300040"}
    assert {route.key for route in fiche.access_routes} == {"FI", "CA", "FC", "CQ", "CL", "VAE"}
    tags = [element["tag"] for element in fiche.extra]
    assert "PARTENAIRES" in tags and "STATISTIQUES_PROMOTIONS" in tags
    assert "INTITULE" not in tags


def test_digest_ignores_layout_but_not_content() -> None:
    text = RS.read_text(encoding="utf-8")
    first = next(read_fiches(io.BytesIO(text.encode())))
    squeezed = text.replace("\n    <", "<")
    assert next(read_fiches(io.BytesIO(squeezed.encode()))).digest == first.digest
    changed = text.replace("<ACTIF>Oui</ACTIF>", "<ACTIF>Non</ACTIF>", 1)
    assert next(read_fiches(io.BytesIO(changed.encode()))).digest != first.digest


def test_unknown_element_kept_in_place() -> None:
    text = RS.read_text(encoding="utf-8").replace(
        "<ETAT_FICHE>", "<NOUVEL_ELEMENT><X>1</X></NOUVEL_ELEMENT><ETAT_FICHE>", 1
    )
    fiche = next(read_fiches(io.BytesIO(text.encode())))
    out = io.BytesIO()
    write_fiches([fiche], out)
    tags = [
        c["tag"]
        for c in next(iter(canonical_fiches(io.BytesIO(out.getvalue())).values()))["children"]
    ]
    assert tags[tags.index("NOUVEL_ELEMENT") + 1] == "ETAT_FICHE"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "- Evaluer les contextes économiques  - Identifier les opportunités",
            ["Evaluer les contextes économiques", "Identifier les opportunités"],
        ),
        (
            "* Valider le fonctionnement d’un réseau      * Coder          * Installer",
            ["Valider le fonctionnement d’un réseau", "Coder", "Installer"],
        ),
        (
            "Installer son environnement  Maquetter des interfaces  Réaliser des interfaces",
            ["Installer son environnement", "Maquetter des interfaces", "Réaliser des interfaces"],
        ),
        (
            "A1C1. Evaluer les contextes        A1C2.Apprécier les incidences",
            ["A1C1. Evaluer les contextes", "A1C2.Apprécier les incidences"],
        ),
        (
            "Chaque certificateur met en œuvre les   modalités qu’il juge adaptées",
            ["Chaque certificateur met en œuvre les modalités qu’il juge adaptées"],
        ),
        ("", []),
    ],
)
def test_split_statements(text: str, expected: list[str]) -> None:
    assert split_statements(text) == expected


def _malformed(tmp_path: Path, old: str, new: str, *, source: Path = RS, count: int = 1) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bad.xml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def test_invalid_date_named_with_its_line(tmp_path: Path) -> None:
    path = _malformed(
        tmp_path, "<DATE_FIN_ENREGISTREMENT>25/01/2026", "<DATE_FIN_ENREGISTREMENT>31/02/2026"
    )
    with pytest.raises(RegisterFormatError) as error:
        list(read_fiches(path))
    assert (error.value.element, error.value.line) == ("DATE_FIN_ENREGISTREMENT", 84)
    assert "84" in error.value.message and "DATE_FIN_ENREGISTREMENT" in error.value.message


def test_extra_stored_as_json_tree_is_still_written_back() -> None:
    """Imports before the XML text kept unmodelled elements as JSON trees: still exported."""
    fiche = next(read_fiches(RS))
    legacy = (
        {
            "tag": "STATISTIQUES_PROMOTIONS",
            "text": "",
            "children": [{"tag": "ANNEE", "text": "2022", "children": []}],
        },
    )
    out = io.BytesIO()
    write_fiches([dataclasses.replace(fiche, extra=legacy)], out)
    tree = next(iter(canonical_fiches(io.BytesIO(out.getvalue())).values()))
    statistics = next(c for c in tree["children"] if c["tag"] == "STATISTIQUES_PROMOTIONS")
    assert statistics["children"] == [{"tag": "ANNEE", "text": "2022", "children": []}]
