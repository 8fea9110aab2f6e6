"""Writing a register export (flux V4.1): a ``Fiche`` back to its ``FICHE`` element, modelled
values and the kept ``extra`` elements merged in the register's element order
(``FICHE_ORDER``), so export then import changes nothing. Older stored JSON element trees
(``{"tag", "text", "children"}``) are still written back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import IO, Any

from lxml import etree

from capitalis.referential.register.format import (
    ACCESS_ROUTES,
    ELEMENT_RANK,
    FLUX_VERSION,
    AccessRouteData,
    BlockData,
    CertifierData,
    CodeLabel,
    CorrespondenceData,
    Fiche,
    JsonElement,
    format_bool,
    format_date,
)


def _sub(parent: Any, tag: str, text: str | None = None) -> Any:
    elem = etree.SubElement(parent, tag)
    if text is not None:
        elem.text = text
    return elem


def _from_json(parent: Any, node: JsonElement) -> None:
    elem = _sub(parent, node["tag"], node.get("text") or None)
    for child in node.get("children") or ():
        _from_json(elem, child)


def _code_label_list(tag: str, item_tag: str, items: Iterable[CodeLabel]) -> Any:
    elem = etree.Element(tag)
    for item in items:
        entry = _sub(elem, item_tag)
        _sub(entry, "CODE", item.code)
        if item.label:
            _sub(entry, "LIBELLE", item.label)
    return elem


def _text(tag: str, value: str | None) -> Any | None:
    """An element holding ``value``; None when there is no value."""
    if not value:
        return None
    elem = etree.Element(tag)
    elem.text = value
    return elem


def _date_text(tag: str, value: date | None) -> Any | None:
    return _text(tag, format_date(value)) if value else None


def _bool_text(tag: str, value: bool | None) -> Any | None:
    return _text(tag, format_bool(value)) if value is not None else None


def _succession_elements(fiche: Fiche) -> list[Any | None]:
    """NOUVELLES_CERTIFICATIONS and ANCIENNES_CERTIFICATIONS (the codes replacing this fiche and
    those it replaces)."""
    elements: list[Any | None] = []
    for tag, inner, codes in (
        ("NOUVELLES_CERTIFICATIONS", "NOUVELLE_CERTIFICATION", fiche.replaced_by),
        ("ANCIENNES_CERTIFICATIONS", "ANCIENNE_CERTIFICATION", fiche.replaces),
    ):
        elem = None
        if codes:
            elem = etree.Element(tag)
            for code in codes:
                _sub(_sub(elem, inner), f"ID_FICHE_{inner}", code)
        elements.append(elem)
    return elements


def _abbreviation_element(fiche: Fiche) -> Any | None:
    if not (fiche.abbreviation_code or fiche.abbreviation_label):
        return None
    elem = etree.Element("ABREGE")
    _sub(elem, "CODE", fiche.abbreviation_code)
    _sub(elem, "LIBELLE", fiche.abbreviation_label)
    return elem


def _eqf_element(fiche: Fiche) -> Any | None:
    if fiche.eqf_level is None:
        return None
    elem = etree.Element("NOMENCLATURE_EUROPE")
    _sub(elem, "NIVEAU", f"NIV{fiche.eqf_level}")
    _sub(elem, "LIBELLE", fiche.eqf_label)
    return elem


def _code_labels(tag: str, item_tag: str, items: Sequence[CodeLabel]) -> Any | None:
    return _code_label_list(tag, item_tag, items) if items else None


def _certifiers_element(certifiers: Sequence[CertifierData]) -> Any | None:
    if not certifiers:
        return None
    elem = etree.Element("CERTIFICATEURS")
    for certifier in certifiers:
        item = _sub(elem, "CERTIFICATEUR")
        for tag, value in (
            ("SIRET_CERTIFICATEUR", certifier.siret),
            ("NOM_CERTIFICATEUR", certifier.name),
            ("NOM_COMMERCIAL", certifier.commercial_name),
            ("ETAT_CERTIFICATEUR", certifier.state),
            (
                "DATE_DERNIERE_MODIFICATION_ETAT",
                format_date(certifier.state_date) if certifier.state_date else "",
            ),
            ("SITE_INTERNET", certifier.website),
        ):
            if value:
                _sub(item, tag, value)
    return elem


def _route_elements(access_routes: Sequence[AccessRouteData]) -> list[Any]:
    """One SI_JURY_<route> element per access route whose flag is known, in register order."""
    routes = {route.key: route for route in access_routes}
    elements = []
    for key in ACCESS_ROUTES:
        route = routes.get(key)
        if route is None or route.active is None:
            continue
        elem = etree.Element(f"SI_JURY_{key}")
        _sub(elem, "ACTIF", format_bool(route.active))
        if route.composition:
            _sub(elem, "COMPOSITION", route.composition)
        if route.changed_on:
            _sub(elem, "DATE_DERNIERE_MODIFICATION", format_date(route.changed_on))
        elements.append(elem)
    return elements


def _blocks_element(blocks: Sequence[BlockData]) -> Any | None:
    if not blocks:
        return None
    elem = etree.Element("BLOCS_COMPETENCES")
    for block in blocks:
        item = _sub(elem, "BLOC_COMPETENCES")
        for tag, value in (
            ("CODE", block.code),
            ("LIBELLE", block.title),
            ("LISTE_COMPETENCES", block.competencies_text),
            ("MODALITES_EVALUATION", block.assessment_text),
            ("PREREQUIS_ENTREE_FORMATION_BLOC", block.entry_prerequisites_text),
            ("PREREQUIS_VALIDATION_BLOC", block.validation_prerequisites_text),
        ):
            if value:
                _sub(item, tag, value)
    return elem


def _correspondences_element(correspondences: Sequence[CorrespondenceData]) -> Any | None:
    if not correspondences:
        return None
    elem = etree.Element("CORRESPONDANCES")
    for corr in correspondences:
        item = _sub(elem, "CORRESPONDANCE")
        if corr.source_block_codes:
            source = _sub(item, "SOURCE")
            for code in corr.source_block_codes:
                _sub(_sub(source, "BLOC_COMPETENCES"), "CODE", code)
        destination = _sub(item, "DESTINATION")
        _sub(destination, "NUMERO_FICHE", corr.destination_code)
        for code in corr.destination_block_codes:
            _sub(_sub(destination, "BLOC_COMPETENCES"), "CODE", code)
    return elem


def _modelled_elements(fiche: Fiche) -> list[tuple[str, Any]]:
    """The modelled children of FICHE as (tag, element), in register order; absent values are
    omitted."""
    register_id = str(fiche.register_id) if fiche.register_id is not None else None
    registration_years = (
        str(fiche.registration_years) if fiche.registration_years is not None else None
    )
    elements = [
        _text("ID_FICHE", register_id),
        _text("NUMERO_FICHE", fiche.code),
        *_succession_elements(fiche),
        _text("INTITULE", fiche.title),
        _abbreviation_element(fiche),
        _text("ETAT_FICHE", fiche.state),
        _code_labels("FORMACODES", "FORMACODE", fiche.formacodes),
        _eqf_element(fiche),
        _code_labels("CODES_NSF", "NSF", fiche.nsf_codes),
        _certifiers_element(fiche.certifiers),
        _bool_text("EXISTENCE_PARTENAIRES", fiche.has_partners),
        _text("ACTIVITES_VISEES", fiche.activities_text),
        _text("CAPACITES_ATTESTEES", fiche.capacities_text),
        _text("SECTEURS_ACTIVITE", fiche.sectors_text),
        _text("TYPE_EMPLOI_ACCESSIBLES", fiche.target_jobs_text),
        _code_labels("CODES_ROME", "ROME", fiche.rome_codes),
        *_route_elements(fiche.access_routes),
        _date_text("DATE_DECISION", fiche.registration_date),
        _text("DUREE_ENREGISTREMENT", registration_years),
        _date_text("DATE_FIN_ENREGISTREMENT", fiche.registration_end),
        _text("TYPE_ENREGISTREMENT", fiche.registration_type),
        _blocks_element(fiche.blocks),
        _text("OBJECTIFS_CONTEXTE", fiche.objectives_text),
        _bool_text("VALIDATION_PARTIELLE", fiche.blocks_separately),
        _text("ACTIF", format_bool(fiche.active)),
        _text("PREREQUIS_ENTREE_FORMATION", fiche.entry_prerequisites_text),
        _date_text("DATE_LIMITE_DELIVRANCE", fiche.award_deadline),
        _correspondences_element(fiche.correspondences),
    ]
    return [(elem.tag, elem) for elem in elements if elem is not None]


def fiche_to_element(fiche: Fiche) -> Any:
    """Build the ``FICHE`` element: modelled values and ``extra`` merged in register order
    (an unknown element goes right after the element it followed when read)."""
    ranked: list[tuple[float, int, Any]] = []
    for index, (tag, elem) in enumerate(_modelled_elements(fiche)):
        ranked.append((ELEMENT_RANK[tag], index, elem))
    holder = etree.Element("HOLDER")
    for index, node in enumerate(fiche.extra):
        if "xml" in node:
            elem = etree.fromstring(node["xml"])
        else:  # a JSON element tree, as imports before the XML text kept them
            _from_json(holder, node)
            elem = holder[-1]
        if node["tag"] in ELEMENT_RANK:
            rank: float = ELEMENT_RANK[node["tag"]]
        else:
            rank = ELEMENT_RANK.get(node.get("after") or "", -1) + 0.5
        ranked.append((rank, 1000 + index, elem))
    fiche_elem = etree.Element("FICHE")
    for _rank, _index, elem in sorted(ranked, key=lambda item: (item[0], item[1])):
        fiche_elem.append(elem)
    return fiche_elem


def write_fiches(fiches: Iterable[Fiche], out: IO[bytes]) -> int:
    """Write a register export (flux V4.1) of the given fiches to a binary stream; returns
    the number of fiches written. Streams: one fiche in memory at a time."""
    out.write(b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<FICHES>\n')
    out.write(f"  <VERSION_FLUX>{FLUX_VERSION}</VERSION_FLUX>\n".encode())
    count = 0
    for fiche in fiches:
        elem = fiche_to_element(fiche)
        etree.indent(elem, space="  ", level=1)
        out.write(b"  " + etree.tostring(elem, encoding="utf-8") + b"\n")
        count += 1
    out.write(b"</FICHES>\n")
    return count
