"""The import's fast reader is a twin of the readable one (SPEC §1): on any ``FICHE`` element,
real or generated, ``reader_fast`` gives the rows ``reader`` gives (``prepare`` of
``fiche_from_element``), or the same format error, naming the same element and line. The
generated fiches mix pieces of the real samples with every modelled element in well-formed and
malformed shapes (bad dates, flags and numbers, over-long values, missing codes, duplicate
blocks, odd list shapes, unknown elements). No database."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from capitalis.referential.register import (
    RegisterFormatError,
    fiche_elements,
    fiche_from_element,
)
from capitalis.referential.register.format import ROUTE_ELEMENTS
from capitalis.referential.register.reader import prepare
from capitalis.referential.register.reader_fast import finish, prepare_element

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "register"
SAMPLES = [FIXTURES / "export_fiches_RNCP_fixture.xml", FIXTURES / "export_fiches_RS_fixture.xml"]

# An element as (tag, text or None, children).
Spec = tuple[str, str | None, tuple[Any, ...]]


def _outcome(make: Any) -> tuple[str, Any]:
    try:
        return ("rows", make())
    except RegisterFormatError as error:
        return ("error", (str(error), error.element, error.line))


def assert_twins(xml: bytes) -> None:
    """Both readers agree on every fiche of ``xml``."""
    for elem in fiche_elements(io.BytesIO(xml)):
        expected = _outcome(lambda e=elem: prepare(fiche_from_element(e, digest=False)))
        actual = _outcome(lambda e=elem: finish(e.sourceline, "", prepare_element(e)))
        assert actual == expected


def _real_children() -> list[bytes]:
    """Every child of every sample fiche, as XML (the partners left out: long, unmodelled)."""
    children = []
    for path in SAMPLES:
        for fiche in etree.parse(str(path)).getroot().iterfind("FICHE"):
            for child in fiche:
                if child.tag != "PARTENAIRES":
                    children.append(etree.tostring(child, encoding="utf-8", with_tail=False))
    return children


REAL_CHILDREN = _real_children()


# Text XML 1.0 can hold (no control characters but tab and new line, no non-characters),
# with the register's separators and edge cases for the UTF-8 fast path.
def _pick(valid: Any, invalid: Any, clean: bool) -> Any:
    """``valid`` values, and in a malformed fiche ``invalid`` ones too."""
    return valid if clean else st.one_of(valid, invalid)


def children(clean: bool) -> Any:
    """A strategy for the children of a FICHE: in a clean fiche every value is well formed
    (the rows are compared), otherwise any may be malformed (the errors are compared)."""
    text = _pick(
        st.one_of(
            st.text(
                alphabet=st.one_of(
                    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn")),
                    st.sampled_from(" \t\n-*•o\u00a0\u2003\u2019\"'\\<&é"),
                ),
                max_size=24,
            ),
            st.sampled_from(["", "  A  - b  * C", "Bloc optionnel", "Option 2", "a, b:  c"]),
        ),
        st.sampled_from(["x" * 101, "é" * 801]),
        clean,
    )
    day = _pick(
        st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(
            lambda day: f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
        ),
        st.sampled_from(["31/02/2020", "2020-01-01", "", "1/1/2020"]),
        clean,
    )
    flag = _pick(st.sampled_from(["Oui", "Non"]), st.sampled_from(["oui", "", "Peut-être"]), clean)
    integer = _pick(st.integers(0, 10**6).map(str), st.sampled_from(["cinq", "-1", ""]), clean)
    code = _pick(
        st.from_regex(r"(RNCP|RS)[0-9]{1,6}", fullmatch=True),
        st.sampled_from(["XYZ", "RNCP1234567", "", "RS" + "9" * 19]),
        clean,
    )
    succession_code = _pick(code, st.just("RS" + "9" * 21), clean)
    block_code = st.sampled_from(["B1", "B2", "RNCP1BC01", "RS5BC2"])
    bad_block_code = _pick(block_code, st.sampled_from(["", "C" * 31]), clean)

    def leaf(tag: str | st.SearchStrategy[str], value: st.SearchStrategy[str] = text) -> Any:
        tags = tag if isinstance(tag, st.SearchStrategy) else st.just(tag)
        return st.tuples(tags, value, st.just(()))

    def node(tag: str, kids: st.SearchStrategy[Any]) -> Any:
        return st.tuples(st.just(tag), st.none(), kids.map(tuple))

    def some(*options: Any, size: int = 4) -> Any:
        return st.lists(st.one_of(*options), max_size=size)

    def code_list(tag: str, item: str) -> Any:
        return node(
            tag,
            some(
                node(item, st.tuples(leaf("CODE"), leaf("LIBELLE"))),
                node(item, st.tuples(leaf("CODE"))),
                node(item, st.tuples(leaf("AUTRE"))),  # kept as XML
                leaf("AUTRE"),
            ),
        )

    def succession(tag: str, item: str, inner: str) -> Any:
        return node(
            tag, some(node(item, some(leaf(inner, succession_code), leaf("AUTRE"), size=2)))
        )

    route_children = st.permutations(
        [
            ("ACTIF", "Oui", ()),
            ("COMPOSITION", "jury", ()),
            ("DATE_DERNIERE_MODIFICATION", "02/03/2024", ()),
        ]
    ).flatmap(lambda kids: st.integers(0, 3).map(lambda n: kids[:n]))
    route = st.sampled_from(ROUTE_ELEMENTS).flatmap(
        lambda tag: node(
            tag,
            route_children
            | some(
                leaf("ACTIF", flag), leaf("COMPOSITION"), leaf("DATE_DERNIERE_MODIFICATION", day)
            ),
        )
    )
    certifier_values = some(
        leaf("SIRET_CERTIFICATEUR", st.from_regex(r"[0-9]{0,14}", fullmatch=True)),
        leaf("NOM_COMMERCIAL"),
        leaf("SITE_INTERNET"),
        leaf("ETAT_CERTIFICATEUR"),
        leaf("DATE_DERNIERE_MODIFICATION_ETAT", day),
        size=5,
    )
    certifier_name = leaf("NOM_CERTIFICATEUR", text.filter(bool) if clean else text)
    certifiers = node(
        "CERTIFICATEURS",
        st.lists(
            node(
                "CERTIFICATEUR",
                st.tuples(certifier_name, certifier_values).map(lambda p: (p[0], *p[1]))
                if clean
                else some(
                    certifier_name, certifier_values.map(lambda v: v[0] if v else ("X", "", ()))
                ),
            ),
            max_size=3,
        ),
    )
    block_values = some(
        leaf("LIBELLE"),
        leaf("LISTE_COMPETENCES"),
        leaf("MODALITES_EVALUATION"),
        leaf("PREREQUIS_ENTREE_FORMATION_BLOC"),
        leaf("PREREQUIS_VALIDATION_BLOC"),
        size=5,
    )
    blocks = node(
        "BLOCS_COMPETENCES",
        st.lists(
            st.tuples(bad_block_code, block_values),
            max_size=3,
            unique_by=(lambda pair: pair[0]) if clean else None,
        ).map(
            lambda pairs: [
                ("BLOC_COMPETENCES", None, (("CODE", block, ()), *values))
                for block, values in pairs
            ]
        ),
    )
    block_refs = some(node("BLOC_COMPETENCES", some(leaf("CODE", block_code), size=1)), size=2)
    destination = st.tuples(leaf("NUMERO_FICHE", code), block_refs).map(lambda p: (p[0], *p[1]))
    correspondences = node(
        "CORRESPONDANCES",
        some(
            node(
                "CORRESPONDANCE",
                st.tuples(
                    some(node("SOURCE", block_refs), size=1),
                    node("DESTINATION", destination if clean else destination | block_refs),
                ).map(lambda p: (*p[0], p[1])),
            ),
            size=3,
        ),
    )
    generated = st.one_of(
        leaf("ID_FICHE", integer),
        succession(
            "NOUVELLES_CERTIFICATIONS", "NOUVELLE_CERTIFICATION", "ID_FICHE_NOUVELLE_CERTIFICATION"
        ),
        succession(
            "ANCIENNES_CERTIFICATIONS", "ANCIENNE_CERTIFICATION", "ID_FICHE_ANCIENNE_CERTIFICATION"
        ),
        leaf(
            st.sampled_from(
                [
                    "INTITULE",
                    "ETAT_FICHE",
                    "ACTIVITES_VISEES",
                    "CAPACITES_ATTESTEES",
                    "SECTEURS_ACTIVITE",
                    "TYPE_EMPLOI_ACCESSIBLES",
                    "TYPE_ENREGISTREMENT",
                    "OBJECTIFS_CONTEXTE",
                    "PREREQUIS_ENTREE_FORMATION",
                ]
            )
        ),
        node("INTITULE", some(leaf("P"), size=1)),  # kept as XML
        node("ABREGE", some(leaf("CODE"), leaf("LIBELLE"), size=2)),
        node(
            "NOMENCLATURE_EUROPE",
            st.tuples(
                leaf("NIVEAU", st.sampled_from(["NIV3", "NIV7", "NIVX", ""])), leaf("LIBELLE")
            ),
        ),
        code_list("FORMACODES", "FORMACODE"),
        code_list("CODES_NSF", "NSF"),
        code_list("CODES_ROME", "ROME"),
        leaf(st.sampled_from(["EXISTENCE_PARTENAIRES", "VALIDATION_PARTIELLE", "ACTIF"]), flag),
        leaf(
            st.sampled_from(
                [
                    "DATE_DERNIER_JO",
                    "DATE_DECISION",
                    "DATE_FIN_ENREGISTREMENT",
                    "DATE_EFFET",
                    "DATE_DE_PUBLICATION",
                    "DATE_LIMITE_DELIVRANCE",
                ]
            ),
            day,
        ),
        leaf("DUREE_ENREGISTREMENT", integer),
        route,
        certifiers,
        blocks,
        correspondences,
        leaf(st.sampled_from(["INCONNU", "CODES_IDCC", "LIEN_URL_DESCRIPTION"])),  # kept
    )
    numero = leaf("NUMERO_FICHE", code)
    # a child: generated (the lists more often), or taken whole from a real fiche
    structured = st.one_of(route, certifiers, blocks, correspondences)
    child = st.one_of(generated, structured, st.sampled_from(REAL_CHILDREN))
    return st.tuples(
        numero.map(lambda n: [n]) if clean else st.lists(numero, max_size=1),
        st.lists(child, max_size=10),
        st.just([]) if clean else st.lists(numero, max_size=1),
    ).map(lambda parts: parts[0] + parts[1] + parts[2])


def _build(parent: Any, spec: Spec | bytes) -> None:
    if isinstance(spec, bytes):
        parent.append(etree.fromstring(spec))
        return
    tag, text, children = spec
    elem = etree.SubElement(parent, tag)
    if text is not None:
        elem.text = text
    for child in children:
        _build(elem, child)


def fiche_xml(children: list[Spec | bytes]) -> bytes:
    root = etree.Element("FICHES")
    fiche = etree.SubElement(root, "FICHE")
    for child in children:
        _build(fiche, child)
    etree.indent(root)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kids=children(clean=True))
def test_the_fast_reader_gives_the_reference_rows_of_generated_fiches(
    kids: list[Spec | bytes],
) -> None:
    assert_twins(fiche_xml(kids))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kids=children(clean=False))
def test_the_fast_reader_gives_the_reference_error_on_malformed_fiches(
    kids: list[Spec | bytes],
) -> None:
    assert_twins(fiche_xml(kids))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_fast_reader_agrees_on_real_fiches_reordered_and_cut(data: st.DataObject) -> None:
    """A real fiche with its children shuffled and some left out."""
    path = data.draw(st.sampled_from(SAMPLES))
    fiches = etree.parse(str(path)).getroot().findall("FICHE")
    fiche = data.draw(st.sampled_from(fiches))
    children = [etree.tostring(child, encoding="utf-8", with_tail=False) for child in fiche]
    kept = data.draw(st.lists(st.sampled_from(children), max_size=len(children)))
    assert_twins(fiche_xml(list(kept)))


def test_the_fast_reader_agrees_on_every_real_sample() -> None:
    for path in SAMPLES:
        assert_twins(path.read_bytes())
