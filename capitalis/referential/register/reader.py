"""Reading a register export (flux V4.1), the readable reference: stream the ``FICHE``
elements (``fiche_elements``: lxml ``iterparse``, each element cleared once read, so memory
stays flat whatever the file's size), map each to a ``Fiche`` (``fiche_from_element``), and a
``Fiche`` to the rows the import writes (``prepare``). The import takes the fast twin,
``reader_fast.prepare_element``, which gives the same rows and the same errors (a property test
holds them together). A malformed file raises ``RegisterFormatError`` naming the element and
the line. Every child of ``FICHE`` without a column is kept in ``Fiche.extra`` as its XML text
(``{"tag", "xml"}``, plus ``"after"``, the tag it followed, for an element the format does
not list)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from lxml import etree

from capitalis.referential.models import BlockKind, RegisterLink
from capitalis.referential.register.format import (
    ABBREVIATION_CODE_MAX,
    ABBREVIATION_LABEL_MAX,
    BLOCK_CODE_MAX,
    BLOCK_TITLE_MAX,
    CERTIFIER_NAME_MAX,
    CERTIFIER_STATE_MAX,
    CODE_LIST_ELEMENTS,
    CODE_RE,
    DATE_ELEMENTS,
    ELEMENT_RANK,
    EQF_LABEL_MAX,
    FICHE_CODE_MAX,
    FLAG_ELEMENTS,
    INTEGER_ELEMENTS,
    LEVEL_RE,
    ROUTE_ELEMENTS,
    ROUTE_PREFIX,
    SIRET_MAX,
    SUCCESSION_CODE_MAX,
    SUCCESSION_ELEMENTS,
    TEXT_ELEMENTS,
    AccessRouteData,
    BlockData,
    BlockRow,
    CertificationRow,
    CertifierData,
    CertifierLinkRow,
    CertifierRow,
    CodeLabel,
    CorrespondenceData,
    CorrespondenceRow,
    Fiche,
    JsonElement,
    Prepared,
    PreparedBlock,
    RegisterFormatError,
    SuccessionRow,
    check_length,
    child_text,
    children_by_tag,
    element_text,
    parse_bool,
    parse_date,
    parse_int,
    route_active,
    to_json,
    version_row,
)

# --- One fiche: element to Fiche -------------------------------------------------------------


def _code_labels(elem: Any, item_tag: str) -> tuple[CodeLabel, ...] | None:
    """A list of {CODE, LIBELLE} items, or None when its shape is not exactly that (it is then
    kept verbatim in ``extra``)."""
    items = []
    for item in elem:
        if item.tag != item_tag:
            return None
        tags = [child.tag for child in item]
        if tags == ["CODE", "LIBELLE"]:
            items.append(CodeLabel(code=element_text(item[0]), label=element_text(item[1])))
        elif tags == ["CODE"]:
            items.append(CodeLabel(code=element_text(item[0]), label=""))
        else:
            return None
    return tuple(items)


Handler = Callable[[Any, dict[str, Any]], bool]


def _simple_text(name: str, limit: int | None) -> Handler:
    def handle(child: Any, values: dict[str, Any]) -> bool:
        if len(child):
            return False
        text = element_text(child)
        if limit:
            check_length(text, limit, element=child.tag, line=child.sourceline)
        values[name] = text
        return True

    return handle


def _date_value(name: str | None) -> Handler:
    def handle(child: Any, values: dict[str, Any]) -> bool:
        if len(child):
            return False
        value = parse_date(element_text(child), element=child.tag, line=child.sourceline)
        if name is None:
            return False  # validated, kept verbatim in extra
        values[name] = value
        return True

    return handle


def _flag(name: str) -> Handler:
    def handle(child: Any, values: dict[str, Any]) -> bool:
        values[name] = parse_bool(element_text(child), element=child.tag, line=child.sourceline)
        return True

    return handle


def _integer(name: str) -> Handler:
    def handle(child: Any, values: dict[str, Any]) -> bool:
        values[name] = parse_int(element_text(child), element=child.tag, line=child.sourceline)
        return True

    return handle


def _numero(child: Any, values: dict[str, Any]) -> bool:
    text = element_text(child)
    if not CODE_RE.match(text):
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
                        check_length(
                            element_text(leaf),
                            SUCCESSION_CODE_MAX,
                            element=inner,
                            line=leaf.sourceline,
                        )
                    )
        values[name] = tuple(codes)
        return True

    return handle


def _abbreviation(child: Any, values: dict[str, Any]) -> bool:
    if [kid.tag for kid in child] != ["CODE", "LIBELLE"]:
        return False
    line = child.sourceline
    values["abbreviation_code"] = check_length(
        element_text(child[0]), ABBREVIATION_CODE_MAX, element="CODE", line=line
    )
    values["abbreviation_label"] = check_length(
        element_text(child[1]), ABBREVIATION_LABEL_MAX, element="LIBELLE", line=line
    )
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
    match = LEVEL_RE.match(element_text(child[0]))
    if not match:
        return False
    values["eqf_level"] = int(match.group(1))
    values["eqf_label"] = check_length(
        element_text(child[1]), EQF_LABEL_MAX, element="LIBELLE", line=child.sourceline
    )
    return True


def _certifiers(child: Any, values: dict[str, Any]) -> bool:
    values["certifiers"] = tuple(_certifier(item) for item in child)
    return True


def _access_route(child: Any, values: dict[str, Any]) -> bool:
    tags = [kid.tag for kid in child]
    if not route_active(tags):
        return False
    kids = children_by_tag(child)
    flag = kids["ACTIF"]
    when = kids.get("DATE_DERNIERE_MODIFICATION")
    values.setdefault("access_routes", []).append(
        AccessRouteData(
            key=child.tag[len(ROUTE_PREFIX) :],
            active=parse_bool(element_text(flag), element="ACTIF", line=flag.sourceline),
            composition=child_text(kids, "COMPOSITION"),
            changed_on=parse_date(element_text(when), element=when.tag, line=when.sourceline)
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
    **{tag: _simple_text(field, limit) for tag, (field, limit) in TEXT_ELEMENTS.items()},
    **{tag: _date_value(field) for tag, field in DATE_ELEMENTS.items()},
    **{tag: _flag(field) for tag, field in FLAG_ELEMENTS.items()},
    **{tag: _integer(field) for tag, field in INTEGER_ELEMENTS.items()},
    **{tag: _code_label_handler(field, item) for tag, (field, item) in CODE_LIST_ELEMENTS.items()},
    **{tag: _succession(field, inner) for tag, (field, inner) in SUCCESSION_ELEMENTS.items()},
    **dict.fromkeys(ROUTE_ELEMENTS, _access_route),
    "NUMERO_FICHE": _numero,
    "ABREGE": _abbreviation,
    "NOMENCLATURE_EUROPE": _level,
    "CERTIFICATEURS": _certifiers,
    "BLOCS_COMPETENCES": _blocks_handler,
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
            if tag not in ELEMENT_RANK:
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
    kids = children_by_tag(item)
    when = kids.get("DATE_DERNIERE_MODIFICATION_ETAT")
    name = child_text(kids, "NOM_CERTIFICATEUR")
    if not name:
        raise RegisterFormatError(
            element="CERTIFICATEUR", line=line, detail=_("NOM_CERTIFICATEUR missing")
        )
    return CertifierData(
        siret=check_length(
            child_text(kids, "SIRET_CERTIFICATEUR"),
            SIRET_MAX,
            element="SIRET_CERTIFICATEUR",
            line=line,
        ),
        name=check_length(name, CERTIFIER_NAME_MAX, element="NOM_CERTIFICATEUR", line=line),
        commercial_name=child_text(kids, "NOM_COMMERCIAL")[:CERTIFIER_NAME_MAX],
        website=child_text(kids, "SITE_INTERNET")[:CERTIFIER_NAME_MAX],
        state=check_length(
            child_text(kids, "ETAT_CERTIFICATEUR"),
            CERTIFIER_STATE_MAX,
            element="ETAT_CERTIFICATEUR",
            line=line,
        ),
        state_date=parse_date(element_text(when), element=when.tag, line=when.sourceline)
        if when is not None
        else None,
    )


def _blocks(elem: Any) -> tuple[BlockData, ...]:
    blocks: list[BlockData] = []
    seen: set[str] = set()
    for item in elem:
        kids = children_by_tag(item)
        code = child_text(kids, "CODE")
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
                code=check_length(code, BLOCK_CODE_MAX, element="CODE", line=line),
                title=check_length(
                    child_text(kids, "LIBELLE"), BLOCK_TITLE_MAX, element="LIBELLE", line=line
                ),
                competencies_text=child_text(kids, "LISTE_COMPETENCES"),
                assessment_text=child_text(kids, "MODALITES_EVALUATION"),
                entry_prerequisites_text=child_text(kids, "PREREQUIS_ENTREE_FORMATION_BLOC"),
                validation_prerequisites_text=child_text(kids, "PREREQUIS_VALIDATION_BLOC"),
            )
        )
    return tuple(blocks)


def _block_codes(elem: Any | None) -> tuple[str, ...]:
    if elem is None:
        return ()
    return tuple(
        element_text(leaf)
        for item in elem
        if item.tag == "BLOC_COMPETENCES"
        for leaf in item
        if leaf.tag == "CODE"
    )


def _correspondence(item: Any) -> CorrespondenceData:
    kids = children_by_tag(item)
    destination = kids.get("DESTINATION")
    target = (
        child_text(children_by_tag(destination), "NUMERO_FICHE") if destination is not None else ""
    )
    if destination is None or not target:
        raise RegisterFormatError(
            element="CORRESPONDANCE",
            line=item.sourceline,
            detail=_("DESTINATION/NUMERO_FICHE missing"),
        )
    return CorrespondenceData(
        source_block_codes=_block_codes(kids.get("SOURCE")),
        destination_code=check_length(
            target, FICHE_CODE_MAX, element="NUMERO_FICHE", line=destination.sourceline
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


def canonical_fiches(source: str | Path | IO[bytes]) -> dict[str, JsonElement]:
    """Each fiche of a file as a canonical JSON tree (tags, order, stripped texts), by code:
    what "the exported XML equals the input" is compared on. For tests and checks."""
    result: dict[str, JsonElement] = {}
    parser = etree.XMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    tree = etree.parse(source if not isinstance(source, Path) else str(source), parser)
    for elem in tree.getroot().iterfind("FICHE"):
        result[child_text(children_by_tag(elem), "NUMERO_FICHE")] = to_json(elem)
    return result


# --- One fiche: Fiche to rows ----------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _code_labels_json(items: Iterable[CodeLabel]) -> str:
    return json.dumps([{"code": item.code, "label": item.label} for item in items])


def _prepared_blocks(fiche: Fiche) -> list[PreparedBlock]:
    return [
        PreparedBlock(
            block.code,
            BlockRow(
                title_fr=block.title,
                kind=BlockKind.OPTIONAL.value if block.optional else BlockKind.COMMON.value,
                position=position,
                competencies_text=block.competencies_text.encode(),
                assessment_text=block.assessment_text.encode(),
                entry_prerequisites_text=block.entry_prerequisites_text.encode(),
                validation_prerequisites_text=block.validation_prerequisites_text.encode(),
            ),
        )
        for position, block in enumerate(fiche.blocks)
    ]


def _access_routes_json(fiche: Fiche) -> str:
    routes = {
        route.key: {
            "active": route.active,
            "composition": route.composition,
            "changed_on": _day(route.changed_on),
        }
        for route in fiche.access_routes
    }
    return json.dumps(routes)


def _certification_row(fiche: Fiche) -> CertificationRow:
    return CertificationRow(
        code=fiche.code,
        register=fiche.register,
        register_id=fiche.register_id,
        title_fr=fiche.title,
        abbreviation_code=fiche.abbreviation_code,
        abbreviation_label=fiche.abbreviation_label,
        state=fiche.state,
        eqf_level=fiche.eqf_level,
        eqf_label=fiche.eqf_label,
        nsf_codes=_code_labels_json(fiche.nsf_codes),
        rome_codes=_code_labels_json(fiche.rome_codes),
        formacodes=_code_labels_json(fiche.formacodes),
        has_partners=fiche.has_partners,
        registration_date=_day(fiche.registration_date),
        registration_end=_day(fiche.registration_end),
        registration_years=fiche.registration_years,
        registration_type=fiche.registration_type,
        award_deadline=_day(fiche.award_deadline),
        active=fiche.active,
        blocks_separately=fiche.blocks_separately,
        access_routes=_access_routes_json(fiche),
        activities_text=fiche.activities_text.encode(),
        capacities_text=fiche.capacities_text.encode(),
        sectors_text=fiche.sectors_text.encode(),
        target_jobs_text=fiche.target_jobs_text.encode(),
        objectives_text=fiche.objectives_text.encode(),
        entry_prerequisites_text=fiche.entry_prerequisites_text.encode(),
        # half the size of \u escapes
        register_extra=json.dumps(list(fiche.extra), ensure_ascii=False).encode(),
        register_hash=fiche.digest,
    )


def _certifier_rows(fiche: Fiche) -> list[CertifierRow]:
    return [
        CertifierRow(
            c.siret,
            c.name,
            CertifierLinkRow(c.commercial_name, c.website, c.state, _day(c.state_date)),
        )
        for c in fiche.certifiers
    ]


def _succession_rows(fiche: Fiche) -> list[SuccessionRow]:
    return [
        SuccessionRow(str(kind), code, position)
        for kind, codes in (
            (RegisterLink.Kind.REPLACED_BY, fiche.replaced_by),
            (RegisterLink.Kind.REPLACES, fiche.replaces),
        )
        for position, code in enumerate(dict.fromkeys(codes))
    ]


def _correspondence_rows(fiche: Fiche) -> list[CorrespondenceRow]:
    return [
        CorrespondenceRow(
            position,
            json.dumps(corr.source_block_codes),
            corr.destination_code,
            json.dumps(corr.destination_block_codes),
        )
        for position, corr in enumerate(fiche.correspondences)
    ]


def prepare(fiche: Fiche) -> Prepared:
    """A fiche as the rows the import writes (no ORM, no connection). JSON values are JSON
    text and dates ISO text, which SQLite stores as the ORM does and PostgreSQL casts to the
    column's type; the long texts are UTF-8 bytes, as lxml serialises them."""
    blocks = _prepared_blocks(fiche)
    return Prepared(
        code=fiche.code,
        line=fiche.line,
        digest=fiche.digest,
        certification=_certification_row(fiche),
        version=version_row(
            fiche.code, _day(fiche.registration_date), _day(fiche.registration_end)
        ),
        optional_blocks_required=int(
            any(block.values.kind == BlockKind.OPTIONAL for block in blocks)
        ),
        blocks=blocks,
        certifiers=_certifier_rows(fiche),
        succession=_succession_rows(fiche),
        correspondences=_correspondence_rows(fiche),
    )
