"""Data Integrity proofs ``eddsa-rdfc-2022`` (W3C vc-di-eddsa) for Open Badges 3.0 credentials.

- ``canonicalize``: RDFC-1.0 (URDNA2015) N-Quads with pyld, contexts served only from the files
  in ``capitalis/credentials/jsonld/`` (any other URL is refused, nothing is fetched), and an
  emulation of jsonld.js *safe mode* (what the Digital Bazaar verifier enforces): a property
  that expansion would drop, a relative ``@id``/``@type``/property IRI or an empty object raise
  ``UnsafeDocument`` instead of being silently ignored (CREDENTIALS.md §6 R1).
- ``check_strings``: strings holding control characters that pyld and rdf-canonize escape
  differently (R2); ``sign`` refuses them.
- ``sign``: ``proof`` is a one-element array (the strict 1EdTech JSON Schema wants it).
- ``verify``: the proof only (dates and status are the caller's business); returns reasons with
  stable codes (``REASON_CODES``); an empty list means the proof verifies.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import base58
from cachetools import LRUCache
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer

from capitalis.credentials.keys import IssuerKey, resolve_public_key

JSONLD_DIR = Path(__file__).resolve().parent / "jsonld"
# URL → file shipped in jsonld/ (see jsonld/README.md for sources, licences and hashes).
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
}
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
OB_CONTEXTS = [VC_V2, OB_CONTEXT, OB_EXTENSIONS]

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"

# Stable reason codes of ``verify`` (callers translate them).
REASON_CODES = {
    "malformed": "not a JSON object, no proof, or a proof that is not well formed",
    "unsupported_proof": "a proof type/cryptosuite/purpose other than eddsa-rdfc-2022",
    "unknown_context": "an @context that is not shipped with Capitalis",
    "unsafe": "would be rejected by JSON-LD safe mode, or holds control characters",
    "unknown_issuer": "the verification method's key cannot be resolved",
    "issuer_mismatch": "the issuer is not the controller of the verification method",
    "bad_signature": "the signature does not match the document",
}

# jsonld.js `_isAbsoluteIri`.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")
# U+0000–U+001F except \t \n \r, and U+007F (CREDENTIALS.md §6 R2).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Reason(NamedTuple):
    code: str
    detail: str


class UnsafeDocument(ValueError):
    """The document would not canonicalise the same way in jsonld.js safe mode."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons

    def __reduce__(self) -> tuple[Any, ...]:  # pickles with its reasons (Celery, processes)
        return (type(self), (self.reasons,))


class UnknownContext(UnsafeDocument):
    """An ``@context`` URL that is not shipped with the project (never fetched)."""

    def __init__(self, url: str) -> None:
        super().__init__([f"unknown context: {url}"])
        self.url = url

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.url,))


# --- offline document loader --------------------------------------------------------------------


def _load_contexts() -> dict[str, dict[str, Any]]:
    return {
        url: json.loads((JSONLD_DIR / name).read_text(encoding="utf-8"))
        for url, name in CONTEXT_FILES.items()
    }


_CONTEXTS = _load_contexts()


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld document loader: the shipped contexts only. ``tag: static`` lets pyld keep the
    processed context in its shared cache across calls."""
    try:
        document = _CONTEXTS[url]
    except (KeyError, TypeError):
        raise UnknownContext(str(url)) from None
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
        "tag": "static",
    }


# --- checks -------------------------------------------------------------------------------------


def check_strings(doc: Any) -> list[str]:
    """Paths (``a.b[0].c``; a key is reported as ``a.<key>``) of strings that hold U+0000–U+001F
    other than tab, newline and carriage return, or U+007F."""
    found: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, str):
            if _CONTROL.search(value):
                found.append(path or "$")
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and _CONTROL.search(key):
                    found.append(f"{path}.<key>" if path else "<key>")
                walk(item, child)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")

    walk(doc, "")
    return found


_MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER
_SURROGATE = re.compile("[\ud800-\udfff]")


def _unsafe_values(doc: Any, path: str = "") -> list[str]:
    """Values that jsonld.js would not see or canonicalise as pyld does: empty objects (safe
    mode), values that are not JSON (NaN, infinities, lone surrogates, other Python types),
    integers beyond 2^53
    (JavaScript loses them) and non-integral numbers below 1e-6 (JavaScript writes them with an
    exponent and no ".", so jsonld.js takes them for integers)."""
    here = path or "$"
    if isinstance(doc, dict):
        found = [f"empty object at {here}"] if not doc else []
        for key, item in doc.items():
            if not isinstance(key, str):
                found.append(f"non-string key at {here}")
            elif key != "@context":
                found += _unsafe_values(item, f"{path}.{key}" if path else key)
        return found
    if isinstance(doc, list):
        found = []
        for index, item in enumerate(doc):
            found += _unsafe_values(item, f"{path}[{index}]")
        return found
    if isinstance(doc, str):
        return [f"lone surrogate (invalid Unicode) at {here}"] if _SURROGATE.search(doc) else []
    if doc is None or isinstance(doc, bool):
        return []
    if isinstance(doc, int):
        return [] if abs(doc) <= _MAX_SAFE_INTEGER else [f"integer beyond 2^53 at {here}"]
    if isinstance(doc, float):
        if not math.isfinite(doc):
            return [f"non-finite number at {here}"]
        if abs(doc) > _MAX_SAFE_INTEGER and abs(doc) < 1e21 and doc.is_integer():
            return [f"integer beyond 2^53 at {here}"]
        if doc != 0 and abs(doc) < 1e-6:
            return [f"number too small to be written without an exponent at {here}"]
        return []
    return [f"not a JSON value ({type(doc).__name__}) at {here}"]


def _relative_iris(expanded: Any, found: list[str]) -> None:
    """Walk expanded JSON-LD: every ``@id``, ``@type`` and property IRI must be absolute."""
    if isinstance(expanded, list):
        for item in expanded:
            _relative_iris(item, found)
        return
    if not isinstance(expanded, dict):
        return
    for key, value in expanded.items():
        if key == "@id":
            if isinstance(value, str) and not _ABSOLUTE_IRI.match(value):
                found.append(f"relative @id reference: {value!r}")
        elif key == "@type":
            types = value if isinstance(value, list) else [value]
            for item in types:
                if isinstance(item, str) and not _ABSOLUTE_IRI.match(item):
                    found.append(f"relative @type reference: {item!r}")
        elif key == "@value":
            continue
        elif not key.startswith("@") and not _ABSOLUTE_IRI.match(key):
            found.append(f"relative property: {key!r}")
        if key != "@value":
            _relative_iris(value, found)


def _json_ld_failure(exc: BaseException) -> UnsafeDocument:
    """The ``UnknownContext`` behind a pyld error, or an ``UnsafeDocument`` describing it."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, UnknownContext):
            return cause
        cause = cause.__cause__
    detail = getattr(exc, "code", None) or getattr(exc, "type", None) or str(exc)
    return UnsafeDocument([f"invalid JSON-LD: {detail}"])


class _Processor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor with processed contexts memoised across documents.

    pyld 3.3.0 re-processes every type-scoped context (``propagate=False``) for every node,
    because each time it clones the active context under a fresh ``_uuid``, so none of its own
    per-context caches hit afterwards. Active contexts are never mutated once built, so
    ``(active context, local context, flags) → processed context`` is memoised here for the
    shipped contexts (see ``_context_key``); the active context is kept alive with the entry. The
    result is checked equal to plain pyld in ``tests/credentials/test_signing.py``."""

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        key = _context_key(local_ctx) if cycles is None else None
        if key is None:
            return super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected,
                propagate,
                validate_scoped,
                cycles,
            )
        if "_uuid" not in active_ctx:
            active_ctx["_uuid"] = str(uuid.uuid1())
        cache_key = (
            active_ctx["_uuid"],
            key,
            override_protected,
            propagate,
            validate_scoped,
            options.get("base"),
            options.get("processingMode"),
        )
        with _PROCESSED_LOCK:
            hit = _PROCESSED.get(cache_key)
        if hit is not None:
            return hit[1]
        processed = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped
        )
        with _PROCESSED_LOCK:
            _PROCESSED[cache_key] = (active_ctx, processed)
        return processed


_PROCESSED: LRUCache[tuple[Any, ...], tuple[Any, Any]] = LRUCache(maxsize=4096)
_PROCESSED_LOCK = threading.Lock()


def _context_key(local_ctx: Any) -> Any:
    """A hashable key of a local context (None: do not memoise): URLs by value, and by identity
    the context objects of the shipped files, which are loaded once and never modified. An inline
    context of the document being processed is not memoised (the caller may change it)."""
    if isinstance(local_ctx, str):
        return ("s", local_ctx)
    if isinstance(local_ctx, list):
        keys = [_context_key(item) for item in local_ctx]
        return None if None in keys else ("l", *keys)
    if id(local_ctx) in _SHIPPED_OBJECTS:
        return ("o", id(local_ctx))
    return None


def _object_ids(value: Any, found: set[int]) -> set[int]:
    if isinstance(value, dict):
        found.add(id(value))
        for item in value.values():
            _object_ids(item, found)
    elif isinstance(value, list):
        for item in value:
            _object_ids(item, found)
    return found


# The shipped contexts live as long as the process: their objects' ids are stable keys.
_SHIPPED_OBJECTS = _object_ids(_CONTEXTS, set())


def _expand_safely(doc: dict[str, Any]) -> list[Any]:
    """Expand with the offline loader and safe-mode checks; returns the expanded document."""
    reasons: list[str] = []
    dropped: list[str | None] = []
    reasons += _unsafe_values(doc)
    try:
        expanded = _Processor(on_property_dropped=dropped.append).expand(
            doc, {"documentLoader": document_loader, "base": None}
        )
    except jsonld.JsonLdError as exc:
        raise _json_ld_failure(exc) from exc
    reasons += [f"undefined term (dropped): {name!r}" for name in dropped]
    _relative_iris(expanded, reasons)
    if reasons:
        raise UnsafeDocument(reasons)
    return list(expanded)


_RDF_OPTIONS = {
    "produceGeneralizedRdf": False,
    "processingMode": "json-ld-1.1",
    "rdfDirection": None,
}


def canonicalize(doc: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document; raises ``UnsafeDocument`` (safe mode,
    invalid JSON-LD) or its subclass ``UnknownContext`` (an ``@context`` not shipped here).

    Same result as ``jsonld.normalize(doc, {"algorithm": "URDNA2015", …})``, without its second
    expansion: the safe-mode expansion is turned into the RDF dataset directly."""
    if not isinstance(doc, dict):
        raise UnsafeDocument(["not a JSON object"])
    expanded = _expand_safely(doc)
    try:
        processor = _Processor()
        issuer = IdentifierIssuer("_:b")
        node_map: dict[str, Any] = {"@default": {}}
        processor._create_node_map(expanded, node_map, "@default", issuer)
        dataset = {
            name: processor._graph_to_rdf(graph, issuer, dict(_RDF_OPTIONS))
            for name, graph in sorted(node_map.items())
            if name == "@default" or _ABSOLUTE_IRI.match(name)
        }
        result = URDNA2015().main(dataset, {"format": "application/n-quads"})
    except jsonld.JsonLdError as exc:
        raise _json_ld_failure(exc) from exc
    return str(result)


def canonicalize_plain(doc: dict[str, Any]) -> str:
    """Reference path (plain ``jsonld.normalize``) with the same offline loader; for tests."""
    return str(
        jsonld.normalize(
            doc,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader,
                "base": None,
            },
        )
    )


# --- proofs -------------------------------------------------------------------------------------


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def format_created(created: datetime | str) -> str:
    if isinstance(created, str):
        return created
    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    return created.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.lru_cache(maxsize=256)
def _config_hash(config_json: str) -> bytes:
    # A batch signs thousands of documents with the same proof options (same key, same second):
    # the proof configuration is canonicalised once.
    return _sha256(canonicalize(json.loads(config_json)))


def hash_data(unsecured: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    """``SHA-256(canonical proof config) ‖ SHA-256(canonical document)`` (vc-di-eddsa §3.3)."""
    config = {"@context": unsecured.get("@context"), **proof_options}
    config.pop("proofValue", None)
    return _config_hash(json.dumps(config, sort_keys=True)) + _sha256(canonicalize(unsecured))


def sign(unsigned: dict[str, Any], key: IssuerKey, created: datetime | str) -> dict[str, Any]:
    """Sign with an eddsa-rdfc-2022 ``DataIntegrityProof``; ``proof`` is a one-element array.

    Refuses (``UnsafeDocument``) control characters in any string and safe-mode violations."""
    if "proof" in unsigned:
        raise ValueError("the document already has a proof")
    bad_strings = check_strings(unsigned)
    if bad_strings:
        raise UnsafeDocument([f"control character in {path}" for path in bad_strings])
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_created(created),
        "verificationMethod": key.verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = key.private_key.sign(hash_data(unsigned, options))
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}
    return {**unsigned, "proof": [proof]}


def _issuer_id(doc: dict[str, Any]) -> str | None:
    issuer = doc.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _verify_proof(
    unsecured: dict[str, Any],
    proof: Any,
    resolve: Callable[[str], Ed25519PublicKey | None],
) -> list[Reason]:
    if not isinstance(proof, dict):
        return [Reason("malformed", "proof is not a JSON object")]
    if (
        proof.get("type") != PROOF_TYPE
        or proof.get("cryptosuite") != CRYPTOSUITE
        or proof.get("proofPurpose") != PROOF_PURPOSE
    ):
        return [
            Reason(
                "unsupported_proof",
                f"{proof.get('type')}/{proof.get('cryptosuite')}/{proof.get('proofPurpose')}",
            )
        ]
    vm = proof.get("verificationMethod")
    value = proof.get("proofValue")
    if not isinstance(vm, str) or not isinstance(value, str) or not value.startswith("z"):
        return [Reason("malformed", "verificationMethod or proofValue missing")]
    try:
        signature = base58.b58decode(value[1:])
    except ValueError:
        signature = b""
    if len(signature) != 64:
        return [Reason("malformed", "proofValue is not a base58btc Ed25519 signature")]
    if "@context" in proof and proof["@context"] != unsecured.get("@context"):
        return [Reason("malformed", "proof @context differs from the document's")]
    controller = vm.partition("#")[0]
    issuer = _issuer_id(unsecured)
    if issuer != controller:
        return [Reason("issuer_mismatch", f"issuer {issuer!r} does not control {vm!r}")]
    public_key = resolve(vm)
    if public_key is None:
        return [Reason("unknown_issuer", f"cannot resolve {vm!r}")]
    try:
        data = hash_data(unsecured, {k: v for k, v in proof.items() if k != "@context"})
    except UnknownContext as exc:
        return [Reason("unknown_context", exc.url)]
    except UnsafeDocument as exc:
        return [Reason("unsafe", "; ".join(exc.reasons))]
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return [Reason("bad_signature", f"signature by {vm!r} does not match")]
    return []


def verify(
    signed: Any, *, resolve: Callable[[str], Ed25519PublicKey | None] = resolve_public_key
) -> list[Reason]:
    """Check the Data Integrity proof(s) of a credential: ``[]`` when one proof verifies.

    ``signed`` is a parsed JSON object, or ``str``/``bytes`` of JSON (a truncated text is
    ``malformed``). Dates (validFrom/validUntil) and the status list are not checked here."""
    if isinstance(signed, bytes | str):
        try:
            signed = json.loads(signed)
        except (ValueError, UnicodeDecodeError) as exc:
            return [Reason("malformed", f"not JSON: {exc}")]
    if not isinstance(signed, dict):
        return [Reason("malformed", "not a JSON object")]
    proofs = signed.get("proof")
    if proofs is None or proofs == []:
        return [Reason("malformed", "no proof")]
    if not isinstance(proofs, list):
        proofs = [proofs]
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    bad_strings = check_strings(unsecured)
    if bad_strings:
        return [Reason("unsafe", "control character in " + ", ".join(bad_strings))]
    reasons: list[Reason] = []
    for proof in proofs:
        result = _verify_proof(unsecured, proof, resolve)
        if not result:
            return []
        reasons += [r for r in result if r not in reasons]
    return reasons
