"""eddsa-rdfc-2022 signing: exact test vectors, sign/verify, tampering and refusals (offline)."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from capitalis.credentials import keys, signing
from capitalis.credentials.keys import IssuerKey, parse_private_key, public_key_from_multibase
from capitalis.credentials.signing import Reason, UnknownContext, UnsafeDocument

FIXTURES = Path(__file__).parent / "fixtures"
CREATED = "2026-07-01T09:00:00Z"


def load(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def text(relative: str) -> str:
    return (FIXTURES / relative).read_text(encoding="utf-8")


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def key_from_seed(seed_hex: str, did: str | None = None, vm: str | None = None) -> IssuerKey:
    private_key = parse_private_key(seed_hex)
    multibase = keys.public_key_multibase(private_key.public_key())
    did = did or f"did:key:{multibase}"
    return IssuerKey(
        private_key=private_key,
        did=did,
        verification_method=vm or f"{did}#{multibase}",
        public_key_multibase=multibase,
    )


def sample_unsigned(name: str = "rncp-block-credential.didkey.json") -> dict[str, Any]:
    document = load(f"capitalis-sample/{name}")
    del document["proof"]
    return document


@pytest.fixture
def demo_key() -> IssuerKey:
    seeds = load("capitalis-sample/test-keys.json")
    return key_from_seed(seeds["did:key sample"]["ed25519SeedHex"])


def controller_resolver(*documents: dict[str, Any]):
    methods = {
        vm["id"]: public_key_from_multibase(vm["publicKeyMultibase"])
        for doc in documents
        for vm in doc["verificationMethod"]
    }
    return lambda vm: methods.get(vm)


# --- shipped contexts (R3) ----------------------------------------------------------------------


def test_shipped_jsonld_files_match_their_recorded_sha256() -> None:
    readme = (signing.JSONLD_DIR / "README.md").read_text(encoding="utf-8")
    recorded = {
        name: digest
        for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", readme, flags=re.MULTILINE)
    }
    shipped = {p.name for p in signing.JSONLD_DIR.iterdir() if p.suffix in {".json", ".jsonld"}}
    assert shipped == set(recorded), "every shipped file is listed with its hash, and only those"
    for name, digest in recorded.items():
        actual = hashlib.sha256((signing.JSONLD_DIR / name).read_bytes()).hexdigest()
        assert actual == digest, f"{name} changed: contexts must never be edited"
    assert set(signing.CONTEXT_FILES.values()) <= shipped


def test_document_loader_refuses_any_other_url() -> None:
    with pytest.raises(UnknownContext):
        signing.document_loader("https://example.org/evil-context.jsonld")
    doc = sample_unsigned()
    doc["@context"] = [*doc["@context"], "https://example.org/evil-context.jsonld"]
    with pytest.raises(UnknownContext) as excinfo:
        signing.canonicalize(doc)
    assert excinfo.value.url == "https://example.org/evil-context.jsonld"


# --- exact vectors ------------------------------------------------------------------------------


def test_1edtech_ob3_vector_byte_for_byte() -> None:
    signed = load("1edtech-ob3-spec-vector/ob3-signed-eddsa-rdfc-2022.json")
    vector = load("1edtech-ob3-spec-vector/test-key.json")
    proof = signed.pop("proof")
    proof = proof[0] if isinstance(proof, list) else proof

    document_canon = signing.canonicalize(signed)
    assert document_canon == text("1edtech-ob3-spec-vector/document-canon.txt")
    assert sha256_hex(document_canon) == vector["documentHashHex"]
    config = {"@context": signed["@context"], **proof}
    del config["proofValue"]
    proof_canon = signing.canonicalize(config)
    assert proof_canon == text("1edtech-ob3-spec-vector/proof-canon.txt")
    assert sha256_hex(proof_canon) == vector["proofHashHex"]

    key = key_from_seed(
        vector["privateKeySeedHex_first32bytes"],
        did=signed["issuer"]["id"],
        vm=proof["verificationMethod"],
    )
    assert key.public_key_multibase == vector["publicKeyMultibase"]
    ours = signing.sign(signed, key, proof["created"])
    assert isinstance(ours["proof"], list) and len(ours["proof"]) == 1
    our_proof = ours["proof"][0]
    assert base58.b58decode(our_proof["proofValue"][1:]).hex() == vector["signatureHex"]
    assert our_proof["proofValue"] == vector["proofValue"] == proof["proofValue"]
    assert {k: v for k, v in our_proof.items()} == proof


def test_w3c_eddsa_rdfc_2022_vector_byte_for_byte() -> None:
    d = "w3c-vc-di-eddsa/"
    key_pair = load(d + "keyPair.json")
    unsigned = load(d + "unsigned.json")
    proof_config = load(d + "proofConfigDataInt.json")

    private_key = parse_private_key(key_pair["privateKeyMultibase"])
    assert keys.public_key_multibase(private_key.public_key()) == key_pair["publicKeyMultibase"]
    assert keys.private_key_multibase(private_key) == key_pair["privateKeyMultibase"]

    assert signing.canonicalize(unsigned) == text(d + "canonDocDataInt.txt")
    assert signing.canonicalize(proof_config) == text(d + "proofCanonDataInt.txt")
    assert sha256_hex(text(d + "canonDocDataInt.txt")) == text(d + "docHashDataInt.txt").strip()
    assert sha256_hex(text(d + "proofCanonDataInt.txt")) == text(d + "proofHashDataInt.txt").strip()
    options = {k: v for k, v in proof_config.items() if k != "@context"}
    data = signing.hash_data(unsigned, options)
    assert data.hex() == text(d + "combinedHashDataInt.txt").strip()

    key = IssuerKey(
        private_key=private_key,
        did=options["verificationMethod"].partition("#")[0],
        verification_method=options["verificationMethod"],
        public_key_multibase=key_pair["publicKeyMultibase"],
    )
    signed = signing.sign(unsigned, key, options["created"])
    proof = signed["proof"][0]
    assert base58.b58decode(proof["proofValue"][1:]).hex() == text(d + "sigHexDataInt.txt").strip()
    assert proof["proofValue"] == text(d + "sigBTC58DataInt.txt").strip()
    expected = load(d + "signedDataInt.json")["proof"]
    expected = expected[0] if isinstance(expected, list) else expected
    assert proof["proofValue"] == expected["proofValue"]


def test_w3c_vector_fails_the_controller_check_like_the_reference_verifier() -> None:
    # A crypto-only vector: issuer https://vc.example/… is not the controller of its did:key.
    reasons = signing.verify(load("w3c-vc-di-eddsa/signedDataInt.json"))
    assert [r.code for r in reasons] == ["issuer_mismatch"]


# --- sign / verify ------------------------------------------------------------------------------


def test_sign_then_verify(demo_key: IssuerKey) -> None:
    unsigned = sample_unsigned()
    signed = signing.sign(unsigned, demo_key, CREATED)
    assert "proof" not in unsigned, "the input is not modified"
    assert signed["proof"] == [
        {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": CREATED,
            "verificationMethod": demo_key.verification_method,
            "proofPurpose": "assertionMethod",
            "proofValue": signed["proof"][0]["proofValue"],
        }
    ]
    assert signing.verify(signed) == []
    # Ed25519 is deterministic: the research sample was signed by the same key and date.
    assert signed == load("capitalis-sample/rncp-block-credential.didkey.json")
    # The JSON text round trip (what is stored and served) verifies too.
    assert signing.verify(json.dumps(signed, ensure_ascii=False)) == []
    assert signing.verify(json.dumps(signed).encode()) == []


def test_created_as_datetime_is_utc_seconds(demo_key: IssuerKey) -> None:
    from datetime import datetime, timedelta, timezone

    paris = timezone(timedelta(hours=2))
    created = datetime(2026, 7, 1, 11, 0, 0, 123456, tzinfo=paris)
    signed = signing.sign(sample_unsigned(), demo_key, created)
    assert signed["proof"][0]["created"] == CREATED
    assert signing.verify(signed) == []
    with pytest.raises(ValueError):
        signing.sign(sample_unsigned(), demo_key, datetime(2026, 7, 1))


def test_sign_refuses_a_document_that_already_has_a_proof(demo_key: IssuerKey) -> None:
    with pytest.raises(ValueError):
        signing.sign(load("capitalis-sample/rncp-block-credential.didkey.json"), demo_key, CREATED)


@pytest.mark.parametrize(
    "path, value",
    [
        (("credentialSubject", "achievement", "name"), "Autre bloc"),
        (("validFrom",), "2026-07-02T00:00:00Z"),
        (("credentialStatus", "statusListIndex"), "94568"),
        (("issuer", "name"), "Certificateur exemple."),
    ],
)
def test_tampered_field_is_a_bad_signature(demo_key: IssuerKey, path: tuple, value: str) -> None:
    signed = signing.sign(sample_unsigned(), demo_key, CREATED)
    node = signed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    assert [r.code for r in signing.verify(signed)] == ["bad_signature"]


def test_tampered_proof_fields(demo_key: IssuerKey) -> None:
    signed = signing.sign(sample_unsigned(), demo_key, CREATED)
    later = copy.deepcopy(signed)
    later["proof"][0]["created"] = "2026-07-01T09:00:01Z"
    assert [r.code for r in signing.verify(later)] == ["bad_signature"]
    flipped = copy.deepcopy(signed)
    value = flipped["proof"][0]["proofValue"]
    flipped["proof"][0]["proofValue"] = value[:-1] + ("2" if value[-1] != "2" else "3")
    assert [r.code for r in signing.verify(flipped)] in (["bad_signature"], ["malformed"])


def test_key_order_and_whitespace_do_not_matter(demo_key: IssuerKey) -> None:
    signed = signing.sign(sample_unsigned(), demo_key, CREATED)
    reordered = json.loads(json.dumps(signed, sort_keys=True, indent=4))
    assert signing.verify(reordered) == []


@pytest.mark.parametrize(
    "value, detail",
    [
        ('{"@context": ["https://www.w3.org/ns/credentials/v2"], "proof": [', "not JSON"),
        (b"\xff\xfe", "not JSON"),
        ("[]", "not a JSON object"),
        (42, "not a JSON object"),
        (None, "not a JSON object"),
        ({"@context": []}, "no proof"),
        ({"proof": []}, "no proof"),
        ({"proof": ["x"]}, "proof is not a JSON object"),
    ],
)
def test_malformed(value: Any, detail: str) -> None:
    reasons = signing.verify(value)
    assert [r.code for r in reasons] == ["malformed"]
    assert detail in reasons[0].detail


def test_truncated_credential_text_is_malformed(demo_key: IssuerKey) -> None:
    signed_text = json.dumps(signing.sign(sample_unsigned(), demo_key, CREATED))
    reasons = signing.verify(signed_text[: len(signed_text) // 2])
    assert [r.code for r in reasons] == ["malformed"]


def test_proof_without_signature_or_with_a_short_one_is_malformed(demo_key: IssuerKey) -> None:
    signed = signing.sign(sample_unsigned(), demo_key, CREATED)
    no_value = copy.deepcopy(signed)
    del no_value["proof"][0]["proofValue"]
    assert [r.code for r in signing.verify(no_value)] == ["malformed"]
    short = copy.deepcopy(signed)
    short["proof"][0]["proofValue"] = short["proof"][0]["proofValue"][:40]
    assert [r.code for r in signing.verify(short)] == ["malformed"]
    not_base58 = copy.deepcopy(signed)
    not_base58["proof"][0]["proofValue"] = "z0OIl"
    assert [r.code for r in signing.verify(not_base58)] == ["malformed"]


def test_other_proof_types_are_unsupported(demo_key: IssuerKey) -> None:
    signed = signing.sign(sample_unsigned(), demo_key, CREATED)
    signed["proof"][0]["cryptosuite"] = "ecdsa-rdfc-2019"
    assert [r.code for r in signing.verify(signed)] == ["unsupported_proof"]


def test_unknown_did_web_issuer(demo_key: IssuerKey) -> None:
    stranger = key_from_seed("11" * 32, did="did:web:stranger.example", vm="")
    stranger = IssuerKey(
        private_key=stranger.private_key,
        did="did:web:stranger.example",
        verification_method="did:web:stranger.example#key-1",
        public_key_multibase=stranger.public_key_multibase,
    )
    unsigned = sample_unsigned()
    unsigned["issuer"]["id"] = stranger.did
    signed = signing.sign(unsigned, stranger, CREATED)
    reasons = signing.verify(signed)
    assert [r.code for r in reasons] == ["unknown_issuer"]
    # … and with a resolver that knows it, the same credential verifies.
    resolve = {stranger.verification_method: stranger.private_key.public_key()}.get
    assert signing.verify(signed, resolve=resolve) == []


def test_did_key_without_fragment_is_not_resolved() -> None:
    # The reference verifier refuses a bare did:key verification method too.
    signed = load("1edtech-validator/simple-did-key-method.json")
    assert signing.verify(signed) != []


def test_issuer_not_controller_of_the_key(demo_key: IssuerKey) -> None:
    unsigned = sample_unsigned()
    unsigned["issuer"]["id"] = "did:web:certif.example.fr"
    signed = signing.sign(unsigned, demo_key, CREATED)
    assert [r.code for r in signing.verify(signed)] == ["issuer_mismatch"]
    # A forged credential that keeps a genuine proof but names another issuer: refused too.
    genuine = load("capitalis-sample/rncp-block-credential.didkey.json")
    genuine["issuer"] = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert [r.code for r in signing.verify(genuine)] == ["issuer_mismatch"]


def test_one_good_proof_among_several_suffices(demo_key: IssuerKey) -> None:
    signed = signing.sign(sample_unsigned(), demo_key, CREATED)
    bad = copy.deepcopy(signed["proof"][0])
    bad["created"] = "2020-01-01T00:00:00Z"
    signed["proof"] = [bad, signed["proof"][0]]
    assert signing.verify(signed) == []
    signed["proof"] = [bad]
    assert [r.code for r in signing.verify(signed)] == ["bad_signature"]


# --- refusals: control characters (R2) and safe mode (R1) --------------------------------------


def test_check_strings_reports_paths() -> None:
    doc = {
        "name": "ok\tok\nok\r ✓ « é »",
        "credentialSubject": {"narrative": "bell\x07", "list": ["fine", "del\x7f"]},
        "bad\x0ckey": "x",
        "n": 3,
        "b": True,
        "z": None,
    }
    assert signing.check_strings(doc) == [
        "credentialSubject.narrative",
        "credentialSubject.list[1]",
        "<key>",
    ]
    assert signing.check_strings("a\x00") == ["$"]
    assert signing.check_strings({"a": "Tab\tNewline\nReturn\r"}) == []


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x7f"])
def test_sign_refuses_control_characters(demo_key: IssuerKey, char: str) -> None:
    unsigned = sample_unsigned()
    unsigned["credentialSubject"]["achievement"]["criteria"]["narrative"] = f"a{char}b"
    with pytest.raises(UnsafeDocument) as excinfo:
        signing.sign(unsigned, demo_key, CREATED)
    assert excinfo.value.reasons == [
        "control character in credentialSubject.achievement.criteria.narrative"
    ]


def test_verify_reports_control_characters_as_unsafe(demo_key: IssuerKey) -> None:
    signed = signing.sign(sample_unsigned(), demo_key, CREATED)
    signed["name"] = "x\x0cy"
    assert [r.code for r in signing.verify(signed)] == ["unsafe"]


def test_tab_newline_and_typography_are_fine(demo_key: IssuerKey) -> None:
    unsigned = sample_unsigned()
    unsigned["credentialSubject"]["achievement"]["criteria"]["narrative"] = (
        "# Critères\n\n- « analyse » ✓\t100 %\r\n- l’été — 2026"
    )
    assert signing.verify(signing.sign(unsigned, demo_key, CREATED)) == []


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d.update(foo="bar"), "undefined term (dropped): 'foo'"),
        (
            lambda d: d["credentialSubject"]["achievement"].update(couleur="bleu"),
            "undefined term (dropped): 'couleur'",
        ),
        (
            lambda d: d.update({"@context": d["@context"][:2]}),
            "relative @type reference: '1EdTechJsonSchemaValidator2019'",
        ),
        (
            lambda d: d["credentialSubject"]["achievement"].update(type=["Achievement", "Bloc"]),
            "relative @type reference: 'Bloc'",
        ),
        (
            lambda d: d["credentialSubject"]["achievement"].update(id="achievements/1"),
            "relative @id reference: 'achievements/1'",
        ),
        (
            lambda d: d["credentialSubject"]["achievement"].update(criteria={}),
            "empty object at credentialSubject.achievement.criteria",
        ),
    ],
)
def test_safe_mode_violations_are_refused(demo_key: IssuerKey, mutate, expected: str) -> None:
    unsigned = sample_unsigned()
    mutate(unsigned)
    with pytest.raises(UnsafeDocument) as excinfo:
        signing.sign(unsigned, demo_key, CREATED)
    assert expected in excinfo.value.reasons
    with pytest.raises(UnsafeDocument):
        signing.canonicalize(unsigned)


def test_verify_reports_safe_mode_violations(demo_key: IssuerKey) -> None:
    signed = signing.sign(sample_unsigned(), demo_key, CREATED)
    signed["extra"] = "added after signing"
    reasons = signing.verify(signed)
    assert reasons == [Reason("unsafe", "undefined term (dropped): 'extra'")]
    signed = signing.sign(sample_unsigned(), demo_key, CREATED)
    signed["@context"] = [*signed["@context"], "https://example.org/other"]
    assert signing.verify(signed) == [Reason("unknown_context", "https://example.org/other")]


def test_invalid_json_ld_is_unsafe_not_a_crash() -> None:
    with pytest.raises(UnsafeDocument):
        signing.canonicalize({"@context": 5, "name": "x"})
    with pytest.raises(UnsafeDocument):
        signing.canonicalize([])  # type: ignore[arg-type]


# --- third-party and sample credentials --------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "rncp-block-credential.didkey.json",
        "rncp-certification-credential.didkey.json",
        "status-list.not-revoked.json",
        "status-list.revoked-94567.json",
    ],
)
def test_capitalis_samples_verify(name: str) -> None:
    assert signing.verify(load(f"capitalis-sample/{name}")) == []


def test_capitalis_did_web_sample_verifies_with_its_did_document() -> None:
    resolve = controller_resolver(load("capitalis-sample/did-web-certif.example.fr.json"))
    assert (
        signing.verify(load("capitalis-sample/rncp-block-credential.didweb.json"), resolve=resolve)
        == []
    )


def test_capitalis_did_web_sample_verifies_when_it_is_our_own_key(settings) -> None:
    seeds = load("capitalis-sample/test-keys.json")
    settings.CREDENTIALS_SIGNING_KEY = seeds["did:web sample"]["ed25519SeedHex"]
    settings.CREDENTIALS_DID_WEB_DOMAIN = "certif.example.fr"
    settings.CREDENTIALS_KEY_ID = "2026"
    assert signing.verify(load("capitalis-sample/rncp-block-credential.didweb.json")) == []
    assert keys.did_document() == load("capitalis-sample/did-web-certif.example.fr.json")


def test_1edtech_vector_verifies_with_its_controller_document() -> None:
    resolve = controller_resolver(
        load("1edtech-ob3-spec-vector/issuer-controller.CONSTRUCTED.json")
    )
    signed = load("1edtech-ob3-spec-vector/ob3-signed-eddsa-rdfc-2022.json")
    assert signing.verify(signed, resolve=resolve) == []
    assert [r.code for r in signing.verify(signed)] == ["unknown_issuer"]


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in (FIXTURES / "dcc-vc-test-fixtures").glob("*.json")),
)
def test_third_party_did_key_credentials_verify(name: str) -> None:
    # Dates are not the signer's business: the not-yet-valid one has a valid proof too.
    assert signing.verify(load(f"dcc-vc-test-fixtures/{name}")) == []


def test_1edtech_validator_fixtures() -> None:
    resolve = controller_resolver(
        load("1edtech-validator/controller-1edtech.edu-issuers-565049.CONSTRUCTED.json"),
        load("1edtech-validator/controller-example.com-issuers-876543.CONSTRUCTED.json"),
    )
    for name in ["simple.json", "simple-multiple-proofs.json", "simple-err-expired.json"]:
        assert signing.verify(load(f"1edtech-validator/{name}"), resolve=resolve) == [], name
    assert signing.verify(load("1edtech-validator/simple-err-proof-value.json"), resolve=resolve)


def test_resolver_type_is_a_public_key(demo_key: IssuerKey) -> None:
    key = keys.resolve_public_key(demo_key.verification_method)
    assert isinstance(key, Ed25519PublicKey)


# --- the fast path equals plain pyld ------------------------------------------------------------


def _all_fixture_documents() -> list[tuple[str, dict[str, Any]]]:
    documents = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix not in {".json", ""} or not path.is_file():
            continue
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if isinstance(document, dict) and "@context" in document:
            document.pop("proof", None)
            documents.append((str(path.relative_to(FIXTURES)), document))
    return documents


def test_fast_canonicalisation_equals_plain_pyld_on_every_fixture() -> None:
    documents = _all_fixture_documents()
    compared = 0
    for _round in range(2):  # the second round runs on warm caches
        for name, document in documents:
            assert signing.canonicalize(document) == signing.canonicalize_plain(document), name
            compared += 1
    assert compared >= 60


def test_fast_canonicalisation_on_mixed_shapes_in_any_order(demo_key: IssuerKey) -> None:
    # Memoised contexts must not leak between node types or documents: alternate shapes.
    base = sample_unsigned()
    certification = sample_unsigned("rncp-certification-credential.didkey.json")
    status = {k: v for k, v in load("capitalis-sample/status-list.revoked-94567.json").items()}
    status.pop("proof")
    did_doc = load("capitalis-sample/did-web-certif.example.fr.json")
    variants = [base, certification, status, did_doc]
    nested = copy.deepcopy(base)
    nested["credentialSubject"]["achievement"]["alignment"] *= 3
    nested["credentialSubject"]["source"] = {
        "id": "https://ecole.example.fr",
        "type": ["Profile"],
        "name": "École",
    }
    variants.append(nested)
    for document in variants * 3 + list(reversed(variants)):
        assert signing.canonicalize(document) == signing.canonicalize_plain(document)


def test_inline_contexts_are_not_memoised_and_shipped_ones_stay_intact() -> None:
    inline = {"@vocab": "https://example.org/a#"}
    document = {"@context": [signing.VC_V2, inline], "id": "urn:uuid:1", "thing": "x"}
    first = signing.canonicalize(document)
    assert "https://example.org/a#thing" in first
    inline["@vocab"] = "https://example.org/b#"  # the same object, changed in place
    second = signing.canonicalize(document)
    assert "https://example.org/b#thing" in second
    assert second == signing.canonicalize_plain(document)
    for url, name in signing.CONTEXT_FILES.items():
        on_disk = json.loads((signing.JSONLD_DIR / name).read_text(encoding="utf-8"))
        assert signing._CONTEXTS[url] == on_disk, f"{url} was modified in memory"


@pytest.mark.parametrize(
    "value, reason",
    [
        (float("nan"), "non-finite number"),
        (float("inf"), "non-finite number"),
        (2**53, "integer beyond 2^53"),
        (-(2**60), "integer beyond 2^53"),
        (1e-7, "number too small to be written without an exponent"),
        (Decimal("6.0"), "not a JSON value (Decimal)"),
        ((1, 2), "not a JSON value (tuple)"),
        ("a\ud800b", "lone surrogate (invalid Unicode)"),
    ],
)
def test_numbers_jsonld_js_would_read_differently_are_refused(
    demo_key: IssuerKey, value: Any, reason: str
) -> None:
    unsigned = sample_unsigned()
    unsigned["credentialSubject"]["achievement"]["creditsAvailable"] = value
    with pytest.raises(UnsafeDocument) as excinfo:
        signing.sign(unsigned, demo_key, CREATED)
    assert excinfo.value.reasons == [f"{reason} at credentialSubject.achievement.creditsAvailable"]


@pytest.mark.parametrize("value", [120.0, 2.5, 30, 0, 0.1, 1e-6, 2**53 - 1])
def test_ordinary_numbers_are_signed(demo_key: IssuerKey, value: float) -> None:
    unsigned = sample_unsigned()
    unsigned["credentialSubject"]["achievement"]["creditsAvailable"] = value
    signed = signing.sign(unsigned, demo_key, CREATED)
    assert signing.verify(json.loads(json.dumps(signed))) == []


def test_verify_reports_a_lone_surrogate_as_unsafe(demo_key: IssuerKey) -> None:
    signed = json.dumps(signing.sign(sample_unsigned(), demo_key, CREATED))
    forged = signed.replace('"name": "Certificateur exemple"', '"name": "Certif\\ud800"')
    assert forged != signed
    assert [r.code for r in signing.verify(forged)] == ["unsafe"]


def test_refusals_survive_pickling() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(UnsafeDocument(["a", "b"])))
    assert isinstance(error, UnsafeDocument) and error.reasons == ["a", "b"]
    assert str(error) == "a; b"
    unknown = pickle.loads(pickle.dumps(UnknownContext("https://example.org/c")))
    assert isinstance(unknown, UnknownContext) and unknown.url == "https://example.org/c"
    assert unknown.reasons == ["unknown context: https://example.org/c"]
