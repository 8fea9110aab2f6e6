"""The national register's open-data XML export, flux V4.1 (SPEC §1; FORMATS.md §1.2): read
and write fiches as frozen dataclasses. No ORM here: services.py maps fiches to models.

Reading streams the file (lxml ``iterparse`` on ``FICHE``, each element cleared once read), so
memory stays flat whatever the file size. A malformed file raises ``RegisterFormatError``
naming the element and the line. Every child of ``FICHE`` without a column is kept in
``Fiche.extra`` as its XML text (``{"tag", "xml"}``, serialised by lxml: the bulk of a fiche,
partners and statistics, never becomes Python objects) and written back in the register's
element order (``FICHE_ORDER``), so export then import changes nothing. Older stored JSON
element trees (``{"tag", "text", "children"}``) are still written back.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from lxml import etree

from capitalis.core.exceptions import DomainError

FLUX_VERSION = "4.1"

# Children of FICHE in the order the export writes them (FORMATS.md §1.2, rows 1–49, then
# the elements documented only in the XSD-based mapping).
FICHE_ORDER: tuple[str, ...] = (
    "ID_FICHE",
    "NUMERO_FICHE",
    "NOUVELLES_CERTIFICATIONS",
    "ANCIENNES_CERTIFICATIONS",
    "INTITULE",
    "ABREGE",
    "ETAT_FICHE",
    "FORMACODES",
    "NOMENCLATURE_EUROPE",
    "CODES_NSF",
    "CERTIFICATEURS",
    "EXISTENCE_PARTENAIRES",
    "PARTENAIRES",
    "ACTIVITES_VISEES",
    "CAPACITES_ATTESTEES",
    "SECTEURS_ACTIVITE",
    "TYPE_EMPLOI_ACCESSIBLES",
    "CODES_ROME",
    "REGLEMENTATIONS_ACTIVITES",
    "SI_JURY_FI",
    "SI_JURY_CA",
    "SI_JURY_FC",
    "SI_JURY_CQ",
    "SI_JURY_CL",
    "SI_JURY_VAE",
    "ACCESSIBLE_NOUVELLE_CALEDONIE",
    "ACCESSIBLE_POLYNESIE_FRANCAISE",
    "PUBLICATION_DECRET_GENERAL",
    "PUBLICATION_DECRET_CREATION",
    "PUBLICATION_DECRET_AUTRE",
    "DATE_DERNIER_JO",
    "DATE_DECISION",
    "DUREE_ENREGISTREMENT",
    "STATISTIQUES_PROMOTIONS",
    "LIEN_URL_DESCRIPTION",
    "DATE_FIN_ENREGISTREMENT",
    "DATE_EFFET",
    "ANNEES_PROMOTIONS_NIVEAU",
    "TYPE_ENREGISTREMENT",
    "BLOCS_COMPETENCES",
    "OBJECTIFS_CONTEXTE",
    "NIVEAU_MAITRISE_COMPETENCES",
    "VALIDATION_PARTIELLE",
    "VALIDATION_PARTIELLE_PERIMETRE",
    "ACTIF",
    "PREREQUIS_ENTREE_FORMATION",
    "DATE_DE_PUBLICATION",
    "PREREQUIS_VALIDATION_CERTIFICATION",
    "DATE_LIMITE_DELIVRANCE",
    "CORRESPONDANCES",
    "CODES_IDCC",
    "CCN_1",
    "CCN_2",
    "CCN_3",
    "DUREE_VALIDITE",
    "MODALITES_RENOUVELLEMENT",
)
_RANK = {tag: index for index, tag in enumerate(FICHE_ORDER)}

# Access routes (SI_JURY_*), in the register's order.
ACCESS_ROUTES: tuple[str, ...] = ("FI", "CA", "FC", "CQ", "CL", "VAE")

_CODE_RE = re.compile(r"^(RNCP|RS)\d{1,6}$")
_DATE_RE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_LEVEL_RE = re.compile(r"^NIV(\d)$")
_OPTIONAL_RE = re.compile(r"\boption(?:nel|nelle|nels|nelles|al|s)?\b", re.IGNORECASE)
# Item separators in the register's flattened lists: a run of 2+ spaces, or a bullet
# ("- ", "* ", "• ", "o ") at the start or after a run of spaces.
_BULLETS = "-*•o"

JsonElement = dict[str, Any]


class RegisterFormatError(DomainError):
    """The file is not a valid register export; says which element, on which line."""

    def __init__(self, *, element: str, line: int | None, detail: str) -> None:
        if line:
            message = _("Line %(line)s, element %(element)s: %(detail)s") % {
                "line": line,
                "element": element,
                "detail": detail,
            }
        else:
            message = _("Element %(element)s: %(detail)s") % {
                "element": element,
                "detail": detail,
            }
        super().__init__(message, code="register_format")
        self.element = element
        self.line = line
        self.detail = detail


@dataclass(frozen=True)
class CodeLabel:
    code: str
    label: str


@dataclass(frozen=True)
class CertifierData:
    """A CERTIFICATEUR: keyed by SIRET, or by name when it has none."""

    siret: str
    name: str
    commercial_name: str = ""
    website: str = ""
    state: str = ""
    state_date: date | None = None


@dataclass(frozen=True)
class AccessRouteData:
    """One SI_JURY_* element: route key (FI, CA, FC, CQ, CL, VAE)."""

    key: str
    active: bool | None
    composition: str = ""
    changed_on: date | None = None


@dataclass(frozen=True)
class BlockData:
    """A BLOC_COMPETENCES with its raw texts; competencies and modalities split from them."""

    code: str
    title: str
    competencies_text: str = ""
    assessment_text: str = ""
    entry_prerequisites_text: str = ""
    validation_prerequisites_text: str = ""

    @property
    def optional(self) -> bool:
        """Optional blocks are recognisable only from their title (FORMATS.md §1.2)."""
        return bool(_OPTIONAL_RE.search(self.title))

    @property
    def competencies(self) -> list[str]:
        return split_statements(self.competencies_text)

    @property
    def modalities(self) -> list[str]:
        return split_statements(self.assessment_text)


@dataclass(frozen=True)
class CorrespondenceData:
    """A CORRESPONDANCE: these blocks of this fiche ↔ those blocks (or all) of another."""

    source_block_codes: tuple[str, ...]
    destination_code: str
    destination_block_codes: tuple[str, ...]


@dataclass(frozen=True)
class Fiche:
    """One register fiche, as read from or written to the XML export."""

    code: str
    title: str
    line: int | None = None
    register_id: int | None = None
    replaced_by: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    abbreviation_code: str = ""
    abbreviation_label: str = ""
    state: str = ""
    formacodes: tuple[CodeLabel, ...] = ()
    eqf_level: int | None = None
    eqf_label: str = ""
    nsf_codes: tuple[CodeLabel, ...] = ()
    certifiers: tuple[CertifierData, ...] = ()
    has_partners: bool | None = None
    activities_text: str = ""
    capacities_text: str = ""
    sectors_text: str = ""
    target_jobs_text: str = ""
    rome_codes: tuple[CodeLabel, ...] = ()
    access_routes: tuple[AccessRouteData, ...] = ()
    registration_date: date | None = None
    registration_years: int | None = None
    registration_end: date | None = None
    registration_type: str = ""
    blocks: tuple[BlockData, ...] = ()
    objectives_text: str = ""
    blocks_separately: bool | None = None
    active: bool = True
    entry_prerequisites_text: str = ""
    award_deadline: date | None = None
    correspondences: tuple[CorrespondenceData, ...] = ()
    extra: tuple[JsonElement, ...] = ()
    digest: str = ""

    @property
    def register(self) -> str:
        return "RS" if self.code.startswith("RS") else "RNCP"


# --- Small value parsers -------------------------------------------------------------------


def split_statements(text: str) -> list[str]:
    """Split a flattened register list (``LISTE_COMPETENCES``, ``MODALITES_EVALUATION``) into
    items: HTML lists survive only as runs of spaces and "- " / "* " / "o " bullets
    (FORMATS.md §1.2). A piece starting in lower case continues the previous item (a line
    wrap, not a new item). Coded items ("A1C1. …") keep their code."""
    items: list[str] = []
    for raw in text.split("  ") if text else ():
        piece = raw.strip()
        if not piece:
            continue
        if piece[0] in _BULLETS and (len(piece) == 1 or piece[1] in " \t\n"):
            piece = piece[1:].lstrip()
            if not piece:
                continue
        elif items and (piece[0].islower() or items[-1][-1] in ",:;"):
            items[-1] = f"{items[-1]} {piece}"
            continue
        items.append(piece)
    return items


def parse_date(value: str, *, element: str, line: int | None) -> date:
    """A register date, JJ/MM/AAAA."""
    match = _DATE_RE.match(value)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise RegisterFormatError(
        element=element,
        line=line,
        detail=_("invalid date “%(value)s” (expected DD/MM/YYYY)") % {"value": value},
    )


def format_date(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def parse_bool(value: str, *, element: str, line: int | None) -> bool:
    """A register flag, Oui/Non."""
    if value == "Oui":
        return True
    if value == "Non":
        return False
    raise RegisterFormatError(
        element=element,
        line=line,
        detail=_("invalid value “%(value)s” (expected Oui or Non)") % {"value": value},
    )


def format_bool(value: bool) -> str:
    return "Oui" if value else "Non"


def _parse_int(value: str, *, element: str, line: int | None) -> int:
    if value.isdigit():
        return int(value)
    raise RegisterFormatError(
        element=element,
        line=line,
        detail=_("invalid integer “%(value)s”") % {"value": value},
    )


def _check_length(value: str, limit: int, *, element: str, line: int | None) -> str:
    if len(value) > limit:
        raise RegisterFormatError(
            element=element,
            line=line,
            detail=_("value longer than %(limit)s characters") % {"limit": limit},
        )
    return value


# --- Reading --------------------------------------------------------------------------------


def _to_json(elem: Any) -> JsonElement:
    """An element as a JSON tree: tag, stripped text, children (the reader drops comments and
    processing instructions)."""
    text = elem.text
    return {
        "tag": elem.tag,
        "text": text.strip() if text else "",
        "children": [_to_json(child) for child in elem],
    }


def _text(elem: Any) -> str:
    text = elem.text
    return text.strip() if text else ""


def _kids(elem: Any) -> dict[str, Any]:
    """Children by tag (the first of each tag): one pass instead of one ``find`` per tag."""
    kids: dict[str, Any] = {}
    for child in elem:
        kids.setdefault(child.tag, child)
    return kids


def _kid_text(kids: dict[str, Any], tag: str) -> str:
    child = kids.get(tag)
    if child is None:
        return ""
    text = child.text
    return text.strip() if text else ""


def _code_labels(elem: Any, item_tag: str) -> tuple[CodeLabel, ...] | None:
    """A list of {CODE, LIBELLE} items, or None when its shape is not exactly that (it is then
    kept verbatim in ``extra``)."""
    items = []
    for item in elem:
        if item.tag != item_tag:
            return None
        tags = [child.tag for child in item]
        if tags == ["CODE", "LIBELLE"]:
            items.append(CodeLabel(code=_text(item[0]), label=_text(item[1])))
        elif tags == ["CODE"]:
            items.append(CodeLabel(code=_text(item[0]), label=""))
        else:
            return None
    return tuple(items)


Handler = Callable[[Any, dict[str, Any]], bool]


def _simple_text(name: str, limit: int | None) -> Handler:
    def handle(child: Any, values: dict[str, Any]) -> bool:
        if len(child):
            return False
        text = _text(child)
        if limit:
            _check_length(text, limit, element=child.tag, line=child.sourceline)
        values[name] = text
        return True

    return handle


def _date_value(name: str | None) -> Handler:
    def handle(child: Any, values: dict[str, Any]) -> bool:
        if len(child):
            return False
        value = parse_date(_text(child), element=child.tag, line=child.sourceline)
        if name is None:
            return False  # validated, kept verbatim in extra
        values[name] = value
        return True

    return handle


def _flag(name: str) -> Handler:
    def handle(child: Any, values: dict[str, Any]) -> bool:
        values[name] = parse_bool(_text(child), element=child.tag, line=child.sourceline)
        return True

    return handle


def _integer(name: str) -> Handler:
    def handle(child: Any, values: dict[str, Any]) -> bool:
        values[name] = _parse_int(_text(child), element=child.tag, line=child.sourceline)
        return True

    return handle


def _numero(child: Any, values: dict[str, Any]) -> bool:
    text = _text(child)
    if not _CODE_RE.match(text):
        raise RegisterFormatError(
            element=child.tag,
            line=child.sourceline,
            detail=_("invalid fiche number “%(value)s”") % {"value": text},
        )
    values["code"] = text
    return True


def _succession(name: str, inner: str) -> Handler:
    def handle(child: Any, values: dict[str, Any]) -> bool:
        codes = []
        for item in child:
            for leaf in item:
                if leaf.tag == inner:
                    codes.append(
                        _check_length(_text(leaf), 20, element=inner, line=leaf.sourceline)
                    )
        values[name] = tuple(codes)
        return True

    return handle


def _abbreviation(child: Any, values: dict[str, Any]) -> bool:
    if [kid.tag for kid in child] != ["CODE", "LIBELLE"]:
        return False
    line = child.sourceline
    values["abbreviation_code"] = _check_length(_text(child[0]), 50, element="CODE", line=line)
    values["abbreviation_label"] = _check_length(_text(child[1]), 255, element="LIBELLE", line=line)
    return True


def _code_label_handler(name: str, item_tag: str) -> Handler:
    def handle(child: Any, values: dict[str, Any]) -> bool:
        items = _code_labels(child, item_tag)
        if items is None:
            return False
        values[name] = items
        return True

    return handle


def _level(child: Any, values: dict[str, Any]) -> bool:
    if [kid.tag for kid in child] != ["NIVEAU", "LIBELLE"]:
        return False
    match = _LEVEL_RE.match(_text(child[0]))
    if not match:
        return False
    values["eqf_level"] = int(match.group(1))
    values["eqf_label"] = _check_length(
        _text(child[1]), 100, element="LIBELLE", line=child.sourceline
    )
    return True


def _certifiers(child: Any, values: dict[str, Any]) -> bool:
    values["certifiers"] = tuple(_certifier(item) for item in child)
    return True


def _access_route(child: Any, values: dict[str, Any]) -> bool:
    tags = [kid.tag for kid in child]
    allowed = ["ACTIF", "COMPOSITION", "DATE_DERNIERE_MODIFICATION"]
    if not tags or tags[0] != "ACTIF" or [t for t in allowed if t in tags] != tags:
        return False
    kids = _kids(child)
    flag = kids["ACTIF"]
    when = kids.get("DATE_DERNIERE_MODIFICATION")
    values.setdefault("access_routes", []).append(
        AccessRouteData(
            key=child.tag[8:],
            active=parse_bool(_text(flag), element="ACTIF", line=flag.sourceline),
            composition=_kid_text(kids, "COMPOSITION"),
            changed_on=parse_date(_text(when), element=when.tag, line=when.sourceline)
            if when is not None
            else None,
        )
    )
    return True


def _blocks_handler(child: Any, values: dict[str, Any]) -> bool:
    values["blocks"] = _blocks(child)
    return True


def _correspondences(child: Any, values: dict[str, Any]) -> bool:
    values["correspondences"] = tuple(_correspondence(item) for item in child)
    return True


_HANDLERS: dict[str, Handler] = {
    "ID_FICHE": _integer("register_id"),
    "NUMERO_FICHE": _numero,
    "NOUVELLES_CERTIFICATIONS": _succession("replaced_by", "ID_FICHE_NOUVELLE_CERTIFICATION"),
    "ANCIENNES_CERTIFICATIONS": _succession("replaces", "ID_FICHE_ANCIENNE_CERTIFICATION"),
    "INTITULE": _simple_text("title", 800),
    "ABREGE": _abbreviation,
    "ETAT_FICHE": _simple_text("state", 100),
    "FORMACODES": _code_label_handler("formacodes", "FORMACODE"),
    "NOMENCLATURE_EUROPE": _level,
    "CODES_NSF": _code_label_handler("nsf_codes", "NSF"),
    "CERTIFICATEURS": _certifiers,
    "EXISTENCE_PARTENAIRES": _flag("has_partners"),
    "ACTIVITES_VISEES": _simple_text("activities_text", None),
    "CAPACITES_ATTESTEES": _simple_text("capacities_text", None),
    "SECTEURS_ACTIVITE": _simple_text("sectors_text", None),
    "TYPE_EMPLOI_ACCESSIBLES": _simple_text("target_jobs_text", None),
    "CODES_ROME": _code_label_handler("rome_codes", "ROME"),
    **{f"SI_JURY_{key}": _access_route for key in ACCESS_ROUTES},
    "DATE_DERNIER_JO": _date_value(None),
    "DATE_DECISION": _date_value("registration_date"),
    "DUREE_ENREGISTREMENT": _integer("registration_years"),
    "DATE_FIN_ENREGISTREMENT": _date_value("registration_end"),
    "DATE_EFFET": _date_value(None),
    "TYPE_ENREGISTREMENT": _simple_text("registration_type", 100),
    "BLOCS_COMPETENCES": _blocks_handler,
    "OBJECTIFS_CONTEXTE": _simple_text("objectives_text", None),
    "VALIDATION_PARTIELLE": _flag("blocks_separately"),
    "ACTIF": _flag("active"),
    "PREREQUIS_ENTREE_FORMATION": _simple_text("entry_prerequisites_text", None),
    "DATE_DE_PUBLICATION": _date_value(None),
    "DATE_LIMITE_DELIVRANCE": _date_value("award_deadline"),
    "CORRESPONDANCES": _correspondences,
}


def fiche_from_element(elem: Any, *, digest: bool = True) -> Fiche:
    """Map one ``FICHE`` element to a ``Fiche``; raise RegisterFormatError when malformed.

    The digest is taken over the fiche's serialisation without ignorable whitespace (the
    reader drops it), so a re-indented but otherwise identical fiche has the same digest.
    ``digest=False`` leaves it empty (the import takes its own over the rows it writes)."""
    line = elem.sourceline
    tostring = etree.tostring
    values: dict[str, Any] = {
        "line": line,
        "digest": hashlib.sha256(tostring(elem, encoding="utf-8", with_tail=False)).hexdigest()
        if digest
        else "",
    }
    extra: list[JsonElement] = []
    previous_tag = ""
    handlers = _HANDLERS
    for child in elem:
        tag = child.tag
        handler = handlers.get(tag)
        if handler is None or not handler(child, values):
            kept = {"tag": tag, "xml": tostring(child, encoding="unicode", with_tail=False)}
            if tag not in _RANK:
                kept["after"] = previous_tag
            extra.append(kept)
        previous_tag = tag
    if not values.get("code"):
        raise RegisterFormatError(element="FICHE", line=line, detail=_("NUMERO_FICHE missing"))
    values["access_routes"] = tuple(values.get("access_routes", ()))
    values["extra"] = tuple(extra)
    values.setdefault("title", "")
    return Fiche(**values)


def _certifier(item: Any) -> CertifierData:
    line = item.sourceline
    kids = _kids(item)
    when = kids.get("DATE_DERNIERE_MODIFICATION_ETAT")
    name = _kid_text(kids, "NOM_CERTIFICATEUR")
    if not name:
        raise RegisterFormatError(
            element="CERTIFICATEUR", line=line, detail=_("NOM_CERTIFICATEUR missing")
        )
    return CertifierData(
        siret=_check_length(
            _kid_text(kids, "SIRET_CERTIFICATEUR"), 14, element="SIRET_CERTIFICATEUR", line=line
        ),
        name=_check_length(name, 500, element="NOM_CERTIFICATEUR", line=line),
        commercial_name=_kid_text(kids, "NOM_COMMERCIAL")[:500],
        website=_kid_text(kids, "SITE_INTERNET")[:500],
        state=_check_length(
            _kid_text(kids, "ETAT_CERTIFICATEUR"), 50, element="ETAT_CERTIFICATEUR", line=line
        ),
        state_date=parse_date(_text(when), element=when.tag, line=when.sourceline)
        if when is not None
        else None,
    )


def _blocks(elem: Any) -> tuple[BlockData, ...]:
    blocks: list[BlockData] = []
    seen: set[str] = set()
    for item in elem:
        kids = _kids(item)
        code = _kid_text(kids, "CODE")
        line = item.sourceline
        if not code:
            raise RegisterFormatError(
                element="BLOC_COMPETENCES", line=line, detail=_("CODE missing")
            )
        if code in seen:
            raise RegisterFormatError(
                element="BLOC_COMPETENCES",
                line=line,
                detail=_("duplicate block code “%(code)s” in this fiche") % {"code": code},
            )
        seen.add(code)
        blocks.append(
            BlockData(
                code=_check_length(code, 30, element="CODE", line=line),
                title=_check_length(_kid_text(kids, "LIBELLE"), 800, element="LIBELLE", line=line),
                competencies_text=_kid_text(kids, "LISTE_COMPETENCES"),
                assessment_text=_kid_text(kids, "MODALITES_EVALUATION"),
                entry_prerequisites_text=_kid_text(kids, "PREREQUIS_ENTREE_FORMATION_BLOC"),
                validation_prerequisites_text=_kid_text(kids, "PREREQUIS_VALIDATION_BLOC"),
            )
        )
    return tuple(blocks)


def _block_codes(elem: Any | None) -> tuple[str, ...]:
    if elem is None:
        return ()
    return tuple(
        _text(leaf)
        for item in elem
        if item.tag == "BLOC_COMPETENCES"
        for leaf in item
        if leaf.tag == "CODE"
    )


def _correspondence(item: Any) -> CorrespondenceData:
    kids = _kids(item)
    destination = kids.get("DESTINATION")
    target = _kid_text(_kids(destination), "NUMERO_FICHE") if destination is not None else ""
    if destination is None or not target:
        raise RegisterFormatError(
            element="CORRESPONDANCE",
            line=item.sourceline,
            detail=_("DESTINATION/NUMERO_FICHE missing"),
        )
    return CorrespondenceData(
        source_block_codes=_block_codes(kids.get("SOURCE")),
        destination_code=_check_length(
            target, 20, element="NUMERO_FICHE", line=destination.sourceline
        ),
        destination_block_codes=_block_codes(destination),
    )


def read_fiches(source: str | Path | IO[bytes], *, digest: bool = True) -> Iterator[Fiche]:
    """Stream the fiches of a register export, one at a time, in file order.

    Raises RegisterFormatError for a file that is not XML, has another root than FICHES, is
    truncated, or holds a malformed fiche. The error comes when the parser reaches it: a
    caller that must be all-or-nothing keeps its writes in one transaction."""
    for elem in fiche_elements(source):
        yield fiche_from_element(elem, digest=digest)


def fiche_elements(source: str | Path | IO[bytes]) -> Iterator[Any]:
    """Stream the ``FICHE`` elements of a register export, in file order; each is cleared
    when the caller asks for the next one. Raises RegisterFormatError as ``read_fiches``."""
    context = etree.iterparse(
        source if not isinstance(source, Path) else str(source),
        events=("end",),
        tag="FICHE",
        huge_tree=True,
        remove_blank_text=True,
        remove_comments=True,
        remove_pis=True,
    )
    seen_root = False
    try:
        for _event, elem in context:
            parent = elem.getparent()
            if not seen_root:
                root = parent if parent is not None else elem
                if root.tag != "FICHES" or parent is None:
                    raise RegisterFormatError(
                        element=root.tag,
                        line=root.sourceline,
                        detail=_("the root element must be FICHES"),
                    )
                seen_root = True
            if parent is None or parent.getparent() is not None:
                raise RegisterFormatError(
                    element="FICHE",
                    line=elem.sourceline,
                    detail=_("a FICHE must be a direct child of FICHES"),
                )
            yield elem
            elem.clear(keep_tail=True)
            while elem.getprevious() is not None:
                del parent[0]
        root = context.root
    except etree.XMLSyntaxError as error:
        message = str(error.msg or error)
        match = re.search(r"\btag (\w+)", message)
        raise RegisterFormatError(
            element=match.group(1) if match else "XML",
            line=error.lineno or (error.position[0] if error.position else None),
            detail=_("the file is not well-formed XML (%(reason)s)") % {"reason": message},
        ) from error
    if root is None or root.tag != "FICHES":
        raise RegisterFormatError(
            element=root.tag if root is not None else "XML",
            line=root.sourceline if root is not None else None,
            detail=_("the root element must be FICHES"),
        )


# --- Writing --------------------------------------------------------------------------------


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


def _modelled_elements(fiche: Fiche) -> list[tuple[str, Any]]:
    """The modelled children of FICHE as (tag, element); absent values are omitted."""
    out: list[tuple[str, Any]] = []

    def text(tag: str, value: str | None) -> None:
        if value:
            elem = etree.Element(tag)
            elem.text = value
            out.append((tag, elem))

    text("ID_FICHE", str(fiche.register_id) if fiche.register_id is not None else None)
    text("NUMERO_FICHE", fiche.code)
    for tag, inner, codes in (
        ("NOUVELLES_CERTIFICATIONS", "NOUVELLE_CERTIFICATION", fiche.replaced_by),
        ("ANCIENNES_CERTIFICATIONS", "ANCIENNE_CERTIFICATION", fiche.replaces),
    ):
        if codes:
            elem = etree.Element(tag)
            for code in codes:
                _sub(_sub(elem, inner), f"ID_FICHE_{inner}", code)
            out.append((tag, elem))
    text("INTITULE", fiche.title)
    if fiche.abbreviation_code or fiche.abbreviation_label:
        elem = etree.Element("ABREGE")
        _sub(elem, "CODE", fiche.abbreviation_code)
        _sub(elem, "LIBELLE", fiche.abbreviation_label)
        out.append(("ABREGE", elem))
    text("ETAT_FICHE", fiche.state)
    if fiche.formacodes:
        out.append(("FORMACODES", _code_label_list("FORMACODES", "FORMACODE", fiche.formacodes)))
    if fiche.eqf_level is not None:
        elem = etree.Element("NOMENCLATURE_EUROPE")
        _sub(elem, "NIVEAU", f"NIV{fiche.eqf_level}")
        _sub(elem, "LIBELLE", fiche.eqf_label)
        out.append(("NOMENCLATURE_EUROPE", elem))
    if fiche.nsf_codes:
        out.append(("CODES_NSF", _code_label_list("CODES_NSF", "NSF", fiche.nsf_codes)))
    if fiche.certifiers:
        elem = etree.Element("CERTIFICATEURS")
        for certifier in fiche.certifiers:
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
        out.append(("CERTIFICATEURS", elem))
    if fiche.has_partners is not None:
        text("EXISTENCE_PARTENAIRES", format_bool(fiche.has_partners))
    text("ACTIVITES_VISEES", fiche.activities_text)
    text("CAPACITES_ATTESTEES", fiche.capacities_text)
    text("SECTEURS_ACTIVITE", fiche.sectors_text)
    text("TYPE_EMPLOI_ACCESSIBLES", fiche.target_jobs_text)
    if fiche.rome_codes:
        out.append(("CODES_ROME", _code_label_list("CODES_ROME", "ROME", fiche.rome_codes)))
    routes = {route.key: route for route in fiche.access_routes}
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
        out.append((elem.tag, elem))
    if fiche.registration_date:
        text("DATE_DECISION", format_date(fiche.registration_date))
    if fiche.registration_years is not None:
        text("DUREE_ENREGISTREMENT", str(fiche.registration_years))
    if fiche.registration_end:
        text("DATE_FIN_ENREGISTREMENT", format_date(fiche.registration_end))
    text("TYPE_ENREGISTREMENT", fiche.registration_type)
    if fiche.blocks:
        elem = etree.Element("BLOCS_COMPETENCES")
        for block in fiche.blocks:
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
        out.append(("BLOCS_COMPETENCES", elem))
    text("OBJECTIFS_CONTEXTE", fiche.objectives_text)
    if fiche.blocks_separately is not None:
        text("VALIDATION_PARTIELLE", format_bool(fiche.blocks_separately))
    text("ACTIF", format_bool(fiche.active))
    text("PREREQUIS_ENTREE_FORMATION", fiche.entry_prerequisites_text)
    if fiche.award_deadline:
        text("DATE_LIMITE_DELIVRANCE", format_date(fiche.award_deadline))
    if fiche.correspondences:
        elem = etree.Element("CORRESPONDANCES")
        for corr in fiche.correspondences:
            item = _sub(elem, "CORRESPONDANCE")
            if corr.source_block_codes:
                source = _sub(item, "SOURCE")
                for code in corr.source_block_codes:
                    _sub(_sub(source, "BLOC_COMPETENCES"), "CODE", code)
            destination = _sub(item, "DESTINATION")
            _sub(destination, "NUMERO_FICHE", corr.destination_code)
            for code in corr.destination_block_codes:
                _sub(_sub(destination, "BLOC_COMPETENCES"), "CODE", code)
        out.append(("CORRESPONDANCES", elem))
    return out


def fiche_to_element(fiche: Fiche) -> Any:
    """Build the ``FICHE`` element: modelled values and ``extra`` merged in register order
    (an unknown element goes right after the element it followed when read)."""
    ranked: list[tuple[float, int, Any]] = []
    for index, (tag, elem) in enumerate(_modelled_elements(fiche)):
        ranked.append((_RANK[tag], index, elem))
    holder = etree.Element("HOLDER")
    for index, node in enumerate(fiche.extra):
        if "xml" in node:
            elem = etree.fromstring(node["xml"])
        else:  # a JSON element tree, as imports before the XML text kept them
            _from_json(holder, node)
            elem = holder[-1]
        if node["tag"] in _RANK:
            rank: float = _RANK[node["tag"]]
        else:
            rank = _RANK.get(node.get("after") or "", -1) + 0.5
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


def canonical_fiches(source: str | Path | IO[bytes]) -> dict[str, JsonElement]:
    """Each fiche of a file as a canonical JSON tree (tags, order, stripped texts), by code:
    what "the exported XML equals the input" is compared on. For tests and checks."""
    result: dict[str, JsonElement] = {}
    parser = etree.XMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    tree = etree.parse(source if not isinstance(source, Path) else str(source), parser)
    for elem in tree.getroot().iterfind("FICHE"):
        result[_kid_text(_kids(elem), "NUMERO_FICHE")] = _to_json(elem)
    return result
