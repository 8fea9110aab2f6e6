"""The import's reader builds a fiche's rows straight from the XML element (the writer
finishing their JSON texts): the same rows, and the same errors, as mapping the ``Fiche``
read by ``read_fiches``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from lxml import etree

from capitalis.referential.register import (
    RegisterFormatError,
    fiche_elements,
    fiche_from_element,
)
from capitalis.referential.register.reader import prepare
from capitalis.referential.register.reader_fast import (
    finish,
    json_utf8,
    prepare_element,
    utf8_text,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "register"
RNCP = FIXTURES / "export_fiches_RNCP_fixture.xml"
RS = FIXTURES / "export_fiches_RS_fixture.xml"

ODD_FICHE = """<FICHES><FICHE>
<ID_FICHE>7</ID_FICHE><NUMERO_FICHE>RNCP1</NUMERO_FICHE>
<NOUVELLES_CERTIFICATIONS><NOUVELLE_CERTIFICATION><ID_FICHE_NOUVELLE_CERTIFICATION>RNCP2\
</ID_FICHE_NOUVELLE_CERTIFICATION></NOUVELLE_CERTIFICATION><NOUVELLE_CERTIFICATION>\
<ID_FICHE_NOUVELLE_CERTIFICATION>RNCP2</ID_FICHE_NOUVELLE_CERTIFICATION>\
</NOUVELLE_CERTIFICATION></NOUVELLES_CERTIFICATIONS>
<INTITULE>Titre « é » "cité"</INTITULE><ABREGE><CODE>X</CODE></ABREGE>
<FORMACODES><FORMACODE><CODE>1</CODE></FORMACODE><FORMACODE><CODE>2</CODE>
<LIBELLE>l\\é</LIBELLE></FORMACODE></FORMACODES>
<CODES_NSF><AUTRE>x</AUTRE></CODES_NSF>
<NOMENCLATURE_EUROPE><NIVEAU>NIVX</NIVEAU><LIBELLE>?</LIBELLE></NOMENCLATURE_EUROPE>
<SI_JURY_FI><ACTIF>Oui</ACTIF><DATE_DERNIERE_MODIFICATION>02/03/2024\
</DATE_DERNIERE_MODIFICATION></SI_JURY_FI><SI_JURY_VAE><ACTIF>Non</ACTIF>\
<COMPOSITION>c "d"</COMPOSITION></SI_JURY_VAE><SI_JURY_FI><ACTIF>Non</ACTIF></SI_JURY_FI>
<SI_JURY_CA><COMPOSITION>sans ACTIF</COMPOSITION></SI_JURY_CA>
<DATE_EFFET>01/01/2020</DATE_EFFET><DUREE_ENREGISTREMENT>5</DUREE_ENREGISTREMENT>
<BLOCS_COMPETENCES><BLOC_COMPETENCES><CODE>B1</CODE><LIBELLE>Bloc optionnel</LIBELLE>
<LISTE_COMPETENCES>A  B</LISTE_COMPETENCES></BLOC_COMPETENCES></BLOCS_COMPETENCES>
<INCONNU>z</INCONNU><ACTIF>Non</ACTIF>
<CORRESPONDANCES><CORRESPONDANCE><DESTINATION><NUMERO_FICHE>RS9</NUMERO_FICHE>
<BLOC_COMPETENCES><CODE>C1</CODE></BLOC_COMPETENCES></DESTINATION></CORRESPONDANCE>
</CORRESPONDANCES></FICHE></FICHES>"""


def _both(source: Path | io.BytesIO) -> list[tuple[object, object]]:
    return [
        (
            prepare(fiche_from_element(elem, digest=False)),
            finish(elem.sourceline, "", prepare_element(elem)),
        )
        for elem in fiche_elements(source)
    ]


@pytest.mark.parametrize("path", [RNCP, RS], ids=["RNCP", "RS"])
def test_rows_from_the_element_equal_rows_from_the_fiche(path: Path) -> None:
    pairs = _both(path)
    assert pairs
    for from_fiche, from_element in pairs:
        assert from_element == from_fiche


def test_rows_of_an_odd_fiche_equal_rows_from_the_fiche() -> None:
    ((from_fiche, from_element),) = _both(io.BytesIO(ODD_FICHE.encode()))
    assert from_element == from_fiche


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<DUREE_ENREGISTREMENT>5<", "<DUREE_ENREGISTREMENT>cinq<"),
        ("<DATE_EFFET>01/01/2020<", "<DATE_EFFET>31/02/2020<"),
        ("<ACTIF>Non</ACTIF>\n<CORR", "<ACTIF>Peut-être</ACTIF>\n<CORR"),
        ("<CODE>B1</CODE>", ""),
        ("<NUMERO_FICHE>RS9</NUMERO_FICHE>", ""),
        ("<NUMERO_FICHE>RNCP1<", "<NUMERO_FICHE>XYZ<"),
        ("<ID_FICHE_NOUVELLE_CERTIFICATION>RNCP2", "<ID_FICHE_NOUVELLE_CERTIFICATION>" + "9" * 21),
    ],
)
def test_same_error_from_the_element_and_from_the_fiche(old: str, new: str) -> None:
    assert old in ODD_FICHE
    text = ODD_FICHE.replace(old, new, 1).encode()
    with pytest.raises(RegisterFormatError) as expected:
        for elem in fiche_elements(io.BytesIO(text)):
            fiche_from_element(elem)
    with pytest.raises(RegisterFormatError) as error:
        for elem in fiche_elements(io.BytesIO(text)):
            prepare_element(elem)
    assert str(error.value) == str(expected.value)
    assert (error.value.element, error.value.line) == (expected.value.element, expected.value.line)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "plain text",
        "  espaces et accents é  ",
        "\u00a0insécable au bord\u00a0",
        "fin\u2003",
        "\u2019guillemet\u2019",
        "ligne\n\tsuivante\r\n",
    ],
)
def test_a_long_text_as_utf8_is_the_stripped_text_encoded(text: str) -> None:
    elem = etree.Element("ACTIVITES_VISEES")
    elem.text = text
    assert utf8_text(elem) == text.strip().encode()


def test_a_long_text_with_children_as_utf8_is_the_text_before_them() -> None:
    elem = etree.fromstring("<ACTIVITES_VISEES> avant <P>dedans</P> après</ACTIVITES_VISEES>")
    assert utf8_text(elem) == b"avant"


@pytest.mark.parametrize(
    "xml",
    [
        "<A>plain</A>",
        '<A b="c">quotes "and" back\\slash</A>',
        "<A>\n\ttab, new line\r</A>",
        "<A>accents é \u2019 \u00a0 and \U0001f600</A>",
        "control \x01 \x1f (never in XML 1.0)",
    ],
)
def test_a_kept_element_in_json_is_spelled_as_json_dumps_spells_it(xml: str) -> None:
    assert b'"' + json_utf8(xml.encode()) + b'"' == json.dumps(xml, ensure_ascii=False).encode()
