"""The import's reader: the fast twin of ``reader`` (SPEC §1). ``prepare_element`` takes one
``FICHE`` element straight to its rows, without the ``Fiche`` dataclasses; ``finish`` (in the
writer's process) spells their JSON texts, so that ``finish(prepare_element(elem))`` equals
``reader.prepare(reader.fiche_from_element(elem))``, and the same malformed element raises the
same error (the checks are the reference's, in the same order; a property test holds the two
together). The long texts and kept elements go to the database as the UTF-8 bytes lxml
serialises, never decoded into strings and encoded again.

``prepared_batches`` runs the parse in a forked reader process, which hands over batches of
marshalled rows through files in a spool directory, so that parsing (one CPU) and writing
(another) overlap. A fiche's digest is the SHA-256 of its marshalled rows: everything the import
stores of it, so a fiche whose stored digest is the same would be written unchanged."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import marshal
import multiprocessing
import os
import re
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from json.encoder import encode_basestring, encode_basestring_ascii
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
    OPTIONAL_RE,
    ROUTE_ELEMENTS,
    ROUTE_PREFIX,
    ROW_FIELD_OF,
    SIRET_MAX,
    SUCCESSION_CODE_MAX,
    SUCCESSION_ELEMENTS,
    TEXT_ELEMENTS,
    BlockRow,
    CertificationRow,
    CertifierLinkRow,
    CertifierRow,
    CorrespondenceRow,
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
    version_row,
)
from capitalis.referential.register.reader import fiche_elements

SPOOL_DEPTH = 4  # batches the reader may have ready ahead of the writer

_OPTIONAL = BlockKind.OPTIONAL.value
_COMMON = BlockKind.COMMON.value
_REPLACED_BY = str(RegisterLink.Kind.REPLACED_BY)
_REPLACES = str(RegisterLink.Kind.REPLACES)
_CERTIFICATION_FIELDS = CertificationRow._fields
_CONTROL = re.compile(rb"[\x00-\x1f]")
_esc = encode_basestring_ascii


def _field(name: str) -> str:
    """The certification column a ``Fiche`` field is stored in."""
    return ROW_FIELD_OF.get(name, name)


# --- Values ------------------------------------------------------------------------------------


def utf8_text(elem: Any) -> bytes:
    """A childless element's text, stripped, as UTF-8: ``element_text(elem).encode()`` without
    the round trip through a string (the string way where a non-ASCII or control character
    ends it, as ``str.strip`` strips more than ``bytes.strip``)."""
    if len(elem):  # the text before its first child, as ``element_text``
        return element_text(elem).encode()
    text = etree.tostring(elem, method="text", encoding="utf-8", with_tail=False).strip()
    if text and not (32 < text[0] < 127 and 32 < text[-1] < 127):
        return element_text(elem).encode()
    return text


def _child_utf8(kids: dict[str, Any], tag: str) -> bytes:
    """``child_text(kids, tag).encode()``, the ``utf8_text`` way."""
    child = kids.get(tag)
    return b"" if child is None else utf8_text(child)


def json_utf8(text: bytes) -> bytes:
    """A UTF-8 text as the body of a JSON string, as ``json.dumps(..., ensure_ascii=False)``
    spells it (in UTF-8, bytes under 0x20 only ever stand for themselves)."""
    if _CONTROL.search(text.replace(b"\n", b"").replace(b"\r", b"").replace(b"\t", b"")):
        # not in well-formed XML 1.0: the slow, exact way
        return encode_basestring(text.decode())[1:-1].encode()
    text = text.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
    return text.replace(b"\n", b"\\n").replace(b"\r", b"\\r").replace(b"\t", b"\\t")


def _code_pairs(elem: Any, item_tag: str) -> tuple[tuple[str, str], ...] | None:
    """(code, label) pairs, or None when the list's shape is not exactly that (kept as XML)."""
    pairs = []
    for item in elem:
        if item.tag != item_tag:
            return None
        tags = [child.tag for child in item]
        if tags == ["CODE", "LIBELLE"]:
            pairs.append((element_text(item[0]), element_text(item[1])))
        elif tags == ["CODE"]:
            pairs.append((element_text(item[0]), ""))
        else:
            return None
    return tuple(pairs)


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


# --- One element to its rows: a handler per modelled child -----------------------------------
# As ``reader``'s handlers: each takes the child and the fiche's values (certification columns
# by name, and the parts: "replaced_by", "replaces", "routes", "blocks", "certifiers",
# "correspondences"), and returns False for a child whose shape it does not model (kept as XML).

Handler = Callable[[Any, dict[str, Any]], bool]


def _text_value(name: str, limit: int | None) -> Handler:
    def short(child: Any, values: dict[str, Any]) -> bool:
        if len(child):
            return False
        text = child.text
        text = text.strip() if text else ""
        values[name] = check_length(text, limit or 0, element=child.tag, line=child.sourceline)
        return True

    def long(child: Any, values: dict[str, Any]) -> bool:
        if len(child):
            return False
        values[name] = utf8_text(child)
        return True

    return short if limit else long


def _date_value(name: str | None) -> Handler:
    def handle(child: Any, values: dict[str, Any]) -> bool:
        if len(child):
            return False
        day = parse_date(element_text(child), element=child.tag, line=child.sourceline)
        if name is None:
            return False  # checked, kept as XML
        values[name] = day.isoformat()
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


def _code_list(name: str, item_tag: str) -> Handler:
    def handle(child: Any, values: dict[str, Any]) -> bool:
        pairs = _code_pairs(child, item_tag)
        if pairs is None:
            return False
        values[name] = pairs
        return True

    return handle


def _succession(name: str, inner: str) -> Handler:
    def handle(child: Any, values: dict[str, Any]) -> bool:
        values[name] = tuple(
            check_length(
                element_text(leaf), SUCCESSION_CODE_MAX, element=inner, line=leaf.sourceline
            )
            for item in child
            for leaf in item
            if leaf.tag == inner
        )
        return True

    return handle


def _numero(child: Any, values: dict[str, Any]) -> bool:
    code = element_text(child)
    if not CODE_RE.match(code):
        raise RegisterFormatError(
            element=child.tag,
            line=child.sourceline,
            detail=_("invalid fiche number “%(value)s”") % {"value": code},
        )
    values["code"] = code
    return True


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


def _access_route(child: Any, values: dict[str, Any]) -> bool:
    if not route_active([kid.tag for kid in child]):
        return False
    kids = children_by_tag(child)
    flag = kids["ACTIF"]
    when = kids.get("DATE_DERNIERE_MODIFICATION")
    values["routes"][child.tag[len(ROUTE_PREFIX) :]] = (
        parse_bool(element_text(flag), element="ACTIF", line=flag.sourceline),
        child_text(kids, "COMPOSITION"),
        parse_date(element_text(when), element=when.tag, line=when.sourceline).isoformat()
        if when is not None
        else None,
    )
    return True


def _certifier(item: Any) -> tuple[str, str, tuple[Any, ...]]:
    """(SIRET, name, link values) of a CERTIFICATEUR, checked as ``reader._certifier``."""
    line = item.sourceline
    kids = children_by_tag(item)
    when = kids.get("DATE_DERNIERE_MODIFICATION_ETAT")
    name = child_text(kids, "NOM_CERTIFICATEUR")
    if not name:
        raise RegisterFormatError(
            element="CERTIFICATEUR", line=line, detail=_("NOM_CERTIFICATEUR missing")
        )
    siret = check_length(
        child_text(kids, "SIRET_CERTIFICATEUR"), SIRET_MAX, element="SIRET_CERTIFICATEUR", line=line
    )
    check_length(name, CERTIFIER_NAME_MAX, element="NOM_CERTIFICATEUR", line=line)
    link = (
        child_text(kids, "NOM_COMMERCIAL")[:CERTIFIER_NAME_MAX],
        child_text(kids, "SITE_INTERNET")[:CERTIFIER_NAME_MAX],
        check_length(
            child_text(kids, "ETAT_CERTIFICATEUR"),
            CERTIFIER_STATE_MAX,
            element="ETAT_CERTIFICATEUR",
            line=line,
        ),
        parse_date(element_text(when), element=when.tag, line=when.sourceline).isoformat()
        if when is not None
        else None,
    )
    return (siret, name, link)


def _certifiers(child: Any, values: dict[str, Any]) -> bool:
    values["certifiers"] = [_certifier(item) for item in child]
    return True


def _blocks(child: Any, values: dict[str, Any]) -> bool:
    """(code, block row values) of each BLOC_COMPETENCES, checked as ``reader._blocks``."""
    blocks = []
    seen: set[str] = set()
    for position, item in enumerate(child):
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
        check_length(code, BLOCK_CODE_MAX, element="CODE", line=line)
        title = check_length(
            child_text(kids, "LIBELLE"), BLOCK_TITLE_MAX, element="LIBELLE", line=line
        )
        row = (
            title,
            _OPTIONAL if OPTIONAL_RE.search(title) else _COMMON,
            position,
            _child_utf8(kids, "LISTE_COMPETENCES"),
            _child_utf8(kids, "MODALITES_EVALUATION"),
            _child_utf8(kids, "PREREQUIS_ENTREE_FORMATION_BLOC"),
            _child_utf8(kids, "PREREQUIS_VALIDATION_BLOC"),
        )
        blocks.append((code, row))
    values["blocks"] = blocks
    return True


def _correspondences(child: Any, values: dict[str, Any]) -> bool:
    """(position, source block codes, destination, its block codes) of each CORRESPONDANCE,
    checked as ``reader._correspondence``."""
    correspondences = []
    for position, item in enumerate(child):
        kids = children_by_tag(item)
        destination = kids.get("DESTINATION")
        target = (
            child_text(children_by_tag(destination), "NUMERO_FICHE")
            if destination is not None
            else ""
        )
        if destination is None or not target:
            raise RegisterFormatError(
                element="CORRESPONDANCE",
                line=item.sourceline,
                detail=_("DESTINATION/NUMERO_FICHE missing"),
            )
        source = _block_codes(kids.get("SOURCE"))
        check_length(target, FICHE_CODE_MAX, element="NUMERO_FICHE", line=destination.sourceline)
        correspondences.append((position, source, target, _block_codes(destination)))
    values["correspondences"] = correspondences
    return True


_HANDLERS: dict[str, Handler] = {
    **{tag: _text_value(_field(name), limit) for tag, (name, limit) in TEXT_ELEMENTS.items()},
    **{tag: _date_value(_field(name) if name else None) for tag, name in DATE_ELEMENTS.items()},
    **{tag: _flag(_field(name)) for tag, name in FLAG_ELEMENTS.items()},
    **{tag: _integer(_field(name)) for tag, name in INTEGER_ELEMENTS.items()},
    **{tag: _code_list(_field(name), item) for tag, (name, item) in CODE_LIST_ELEMENTS.items()},
    **{tag: _succession(name, inner) for tag, (name, inner) in SUCCESSION_ELEMENTS.items()},
    **dict.fromkeys(ROUTE_ELEMENTS, _access_route),
    "NUMERO_FICHE": _numero,
    "ABREGE": _abbreviation,
    "NOMENCLATURE_EUROPE": _level,
    "CERTIFICATEURS": _certifiers,
    "BLOCS_COMPETENCES": _blocks,
    "CORRESPONDANCES": _correspondences,
}
# A fiche's certification columns before its children are read (the reference's defaults).
_DEFAULTS: dict[str, Any] = {
    **dict.fromkeys(_CERTIFICATION_FIELDS, ""),
    **dict.fromkeys(
        (
            "register_id",
            "eqf_level",
            "has_partners",
            "registration_date",
            "registration_end",
            "registration_years",
            "award_deadline",
            "blocks_separately",
        ),
        None,
    ),
    **dict.fromkeys(("nsf_codes", "rome_codes", "formacodes"), ()),
    **dict.fromkeys(_CERTIFICATION_FIELDS[21:27], b""),
    "active": True,
    "replaced_by": (),
    "replaces": (),
}


def prepare_element(elem: Any) -> tuple[Any, ...]:
    """The rows of one ``FICHE`` element, as plain values (marshalled to the writer):
    (code, certification row, optional blocks required, [(code, block row)], [(SIRET, name,
    link values)], [succession rows], [(position, source codes, destination, destination
    codes)]). ``finish`` spells their JSON texts: code lists stay (code, label) pairs here,
    access routes (key, active, composition, day) tuples, kept elements (tag, XML[, tag
    before]) tuples."""
    values = dict(_DEFAULTS)
    values.update(routes={}, blocks=[], certifiers=[], correspondences=[])
    extra: list[tuple[Any, ...]] = []
    previous_tag = ""
    handlers = _HANDLERS
    tostring = etree.tostring
    for child in elem:
        tag = child.tag
        handler = handlers.get(tag)
        if handler is None or not handler(child, values):
            xml = tostring(child, encoding="utf-8", with_tail=False)
            extra.append((tag, xml) if tag in ELEMENT_RANK else (tag, xml, previous_tag))
        previous_tag = tag
    code = values["code"]
    if not code:
        raise RegisterFormatError(
            element="FICHE", line=elem.sourceline, detail=_("NUMERO_FICHE missing")
        )
    values["register"] = "RS" if code.startswith("RS") else "RNCP"
    values["access_routes"] = tuple((key, *route) for key, route in values["routes"].items())
    values["register_extra"] = tuple(extra)
    blocks = values["blocks"]
    return (
        code,
        tuple([values[name] for name in _CERTIFICATION_FIELDS]),
        1 if any(row[1] == _OPTIONAL for _code, row in blocks) else 0,
        blocks,
        values["certifiers"],
        [
            (kind, other, position)
            for kind, codes in (
                (_REPLACED_BY, values["replaced_by"]),
                (_REPLACES, values["replaces"]),
            )
            for position, other in enumerate(dict.fromkeys(codes))
        ],
        values["correspondences"],
    )


# --- Rows to the writer's values -------------------------------------------------------------


def _json_codes(codes: Iterable[str]) -> str:
    return "[" + ", ".join([_esc(code) for code in codes]) + "]"


def _json_code_labels(pairs: Iterable[tuple[str, str]]) -> str:
    return (
        "["
        + ", ".join(
            ['{"code": ' + _esc(code) + ', "label": ' + _esc(label) + "}" for code, label in pairs]
        )
        + "]"
    )


def _json_routes(routes: Iterable[tuple[str, bool, str, str | None]]) -> str:
    return (
        "{"
        + ", ".join(
            [
                _esc(key)
                + ': {"active": '
                + ("true" if active else "false")
                + ', "composition": '
                + _esc(composition)
                + ', "changed_on": '
                + (_esc(day) if day is not None else "null")
                + "}"
                for key, active, composition, day in routes
            ]
        )
        + "}"
    )


def _json_kept(nodes: Iterable[tuple[Any, ...]]) -> bytes:
    """``json.dumps(nodes, ensure_ascii=False)`` (half the size of \\u escapes), in UTF-8."""
    return (
        b"["
        + b", ".join(
            [
                b'{"tag": '
                + encode_basestring(node[0]).encode()
                + b', "xml": "'
                + json_utf8(node[1])
                + (
                    b'"}'
                    if len(node) == 2
                    else b'", "after": ' + encode_basestring(node[2]).encode() + b"}"
                )
                for node in nodes
            ]
        )
        + b"]"
    )


def finish(line: int | None, digest: str, rows: tuple[Any, ...]) -> Prepared:
    """A fiche's rows from ``prepare_element`` as ``reader.prepare`` gives them: the JSON
    texts spelled as ``json.dumps`` spells them, the digest in, the rows named."""
    code, raw, optional, blocks, certifiers, succession, correspondences = rows
    plain = CertificationRow._make(raw)
    certification = plain._replace(
        nsf_codes=_json_code_labels(plain.nsf_codes),
        rome_codes=_json_code_labels(plain.rome_codes),
        formacodes=_json_code_labels(plain.formacodes),
        access_routes=_json_routes(plain.access_routes),
        register_extra=_json_kept(plain.register_extra),
        register_hash=digest,
    )
    return Prepared(
        code,
        line,
        digest,
        certification,
        version_row(code, plain.registration_date, plain.registration_end),
        optional,
        [PreparedBlock(block_code, BlockRow._make(values)) for block_code, values in blocks],
        [
            CertifierRow(siret, name, CertifierLinkRow._make(link))
            for siret, name, link in certifiers
        ],
        [SuccessionRow._make(row) for row in succession],
        [
            CorrespondenceRow(position, _json_codes(source), target, _json_codes(destination))
            for position, source, target, destination in correspondences
        ],
    )


# --- The reader process ----------------------------------------------------------------------


def _batches(
    path: str | Path | IO[bytes], batch_size: int
) -> Iterator[list[tuple[int | None, bytes]]]:
    """Batches of (line, rows): each fiche's rows (``prepare_element``) marshalled alone, in
    marshal's version 2 (no back-references: equal rows give equal bytes), so that the writer
    takes the fiche's digest from these bytes without marshalling it again."""
    batch: list[tuple[int | None, bytes]] = []
    dumps = marshal.dumps
    for elem in fiche_elements(path):
        batch.append((elem.sourceline, dumps(prepare_element(elem), 2)))
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _from_wire(batch: Sequence[tuple[int | None, bytes | memoryview]]) -> list[Prepared]:
    """The prepared fiches of a batch, each with its digest: the SHA-256 of its marshalled
    rows, everything the import stores of it (the line apart), so a fiche whose stored digest
    is the same would be written unchanged."""
    sha256, loads = hashlib.sha256, marshal.loads
    return [finish(line, sha256(data).hexdigest(), loads(data)) for line, data in batch]


def _spool_batch(batch: list[tuple[int | None, bytes]], name: str) -> None:
    """A batch into a file: the length of its index (8 bytes), the index ((line, length) of
    each fiche, marshalled), then each fiche's marshalled rows, written as they are (a batch
    is several megabytes: not copied into one more string on either side)."""
    index = marshal.dumps([(line, len(rows)) for line, rows in batch], 2)
    with open(name, "wb") as out:
        out.write(len(index).to_bytes(8, "little"))
        out.write(index)
        out.writelines([rows for _line, rows in batch])


def _unspool_batch(name: str) -> list[tuple[int | None, memoryview]]:
    """The batch ``_spool_batch`` wrote: (line, rows) pairs, the rows views into the file's
    bytes, read once."""
    with open(name, "rb") as spooled:
        data = memoryview(spooled.read())
    start = 8 + int.from_bytes(data[:8], "little")
    batch: list[tuple[int | None, memoryview]] = []
    for line, length in marshal.loads(data[8:start]):  # noqa: S302 — our own reader's
        batch.append((line, data[start : start + length]))
        start += length
    return batch


def _register_reader(
    path: str | Path | IO[bytes], batch_size: int, sender: Any, spool: str, slots: Any
) -> None:
    """The reader process: each batch written into a file of ``spool`` (``_spool_batch``; at
    most as many waiting as ``slots`` allows) and announced by a ("batch", file) message;
    then ("done", None) or the error that stopped it. Through files, the reader never waits
    for the writer to take a batch off a pipe."""
    message: tuple[str, Any]
    sending = 0.0
    # What the process inherited (Django, the app registry) is never garbage: out of the
    # collector's sight, it is neither traversed again nor copied page by page from the parent.
    gc.freeze()
    try:
        for number, batch in enumerate(_batches(path, batch_size)):
            started = time.perf_counter()
            slots.acquire()
            sending += time.perf_counter() - started
            name = os.path.join(spool, f"{number}.batch")
            _spool_batch(batch, name)
            sender.send_bytes(marshal.dumps(("batch", name)))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        message = ("done", (usage.ru_utime + usage.ru_stime, sending, usage.ru_maxrss / 1024))
    except RegisterFormatError as error:
        message = ("format", (error.element, error.line, error.detail))
    except OSError as error:
        message = ("os", (error.errno, error.strerror, error.filename))
    except Exception as error:  # reported to the parent, which raises it
        message = ("error", f"{type(error).__name__}: {error}")
    with contextlib.suppress(OSError):  # the parent may have stopped listening
        sender.send_bytes(marshal.dumps(message))
    sender.close()


def prepared_batches(
    path: str | Path | IO[bytes], batch_size: int, timings: dict[str, float]
) -> Iterator[list[Prepared]]:
    """Batches of prepared fiches, parsed in a forked reader process (in this one where fork
    is not available); raises what the reader hit (RegisterFormatError, OSError)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        for batch in _batches(path, batch_size):
            yield _from_wire(batch)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    # In memory (tmpfs) where the system has one: the batches are read back within seconds and
    # never need a disk; at most SPOOL_DEPTH of them are there at a time.
    shm = "/dev/shm"  # noqa: S108 — a private directory is made inside it
    spool = tempfile.mkdtemp(
        prefix="capitalis-register-", dir=shm if os.access(shm, os.W_OK | os.X_OK) else None
    )
    slots = context.Semaphore(SPOOL_DEPTH)
    reader = context.Process(
        target=_register_reader,
        args=(path, batch_size, sender, spool, slots),
        name="register-reader",
    )
    reader.start()
    sender.close()
    try:
        while True:
            try:
                started = time.perf_counter()
                data = receiver.recv_bytes()
                timings["wait"] = timings.get("wait", 0.0) + time.perf_counter() - started
                kind, payload = marshal.loads(data)  # noqa: S302 — our own child's
                del data
            except EOFError:
                raise RuntimeError("the register reader process stopped unexpectedly") from None
            if kind == "batch":
                spooled = _unspool_batch(payload)
                os.unlink(payload)
                slots.release()
                prepared = _from_wire(spooled)
                del spooled
                yield prepared
            elif kind == "done":
                cpu, sending, peak = payload
                timings.update(reader_cpu=cpu, reader_blocked=sending, reader_peak_mb=peak)
                return
            elif kind == "format":
                element, line, detail = payload
                raise RegisterFormatError(element=element, line=line, detail=detail)
            elif kind == "os":
                raise OSError(*payload)
            else:
                raise RuntimeError(payload)
    finally:
        receiver.close()
        if reader.is_alive():
            reader.kill()
        reader.join()
        shutil.rmtree(spool, ignore_errors=True)


# --- Writing: this process ------------------------------------------------------------------
