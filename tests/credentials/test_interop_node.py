"""Independent verification: credentials signed here are checked by the Digital Bazaar npm stack
(tests/interop/verify.mjs, contexts from npm packages only, offline).

Skipped when node or tests/interop/node_modules is missing, unless REQUIRE_NODE=1 (CI), which
makes a missing verifier a failure. One node process verifies many files.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from capitalis.credentials import keys, schema, signing, statuslist
from capitalis.credentials.keys import IssuerKey

INTEROP = Path(__file__).resolve().parent.parent / "interop"
NOW = "2026-11-23T00:00:00Z"
CREATED = "2026-07-01T09:00:00Z"
STATUS_URL = "https://certif.example.fr/credentials/status/3f2a"
SCHEMA_URL = schema.SCHEMA_URL
# Test-only seeds (public): never real keys.
DIDKEY_SEED = "a1" * 32
DIDWEB_SEED = "b2" * 32


def _node() -> str:
    node = shutil.which("node")
    missing = []
    if node is None:
        missing.append("node")
    if not (INTEROP / "node_modules").is_dir():
        missing.append("tests/interop/node_modules (npm ci --prefix tests/interop)")
    if missing:
        message = "independent verifier unavailable: " + ", ".join(missing)
        if os.environ.get("REQUIRE_NODE") == "1":
            pytest.fail(message + " (REQUIRE_NODE=1)")
        pytest.skip(message)
    assert node is not None
    return node


def run_verifier(files: list[Path], docs: list[Path]) -> dict[str, dict[str, Any]]:
    """Verdicts of verify.mjs keyed by file name (one node process for all files)."""
    command = [_node(), str(INTEROP / "verify.mjs"), f"--now={NOW}"]
    command += [f"--doc={doc}" for doc in docs]
    command += [str(f) for f in files]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    verdicts = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    assert len(verdicts) == len(files), completed.stdout + completed.stderr
    return {Path(v["file"]).name: v for v in verdicts}


def issuer_key(seed: str, did_web_domain: str = "", key_id: str = "1") -> IssuerKey:
    with override_settings(
        CREDENTIALS_SIGNING_KEY=seed,
        CREDENTIALS_DID_WEB_DOMAIN=did_web_domain,
        CREDENTIALS_KEY_ID=key_id,
        CREDENTIALS_RETIRED_KEYS=[],
    ):
        return keys.issuer_key()


def did_document(seed: str, domain: str, key_id: str) -> dict[str, Any]:
    with override_settings(
        CREDENTIALS_SIGNING_KEY=seed,
        CREDENTIALS_DID_WEB_DOMAIN=domain,
        CREDENTIALS_KEY_ID=key_id,
        CREDENTIALS_RETIRED_KEYS=[],
    ):
        document = keys.did_document()
    assert document is not None
    return document


def block_credential(issuer: IssuerKey, index: int, status_url: str = STATUS_URL) -> dict:
    """A realistic OB 3.0 block credential, as CREDENTIALS.md §1.11 maps Capitalis data."""
    result_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'RNCP39853BC01-result')}"
    return {
        "@context": list(signing.OB_CONTEXTS),
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Bloc de compétences RNCP39853BC01 — « Diagnostic stratégique »",
        "description": "Attestation de validation d’un bloc de compétences (jury du 30/06/2026).",
        "issuer": {
            "id": issuer.did,
            "type": ["Profile"],
            "name": "Certificateur exemple",
            "url": "https://certif.example.fr",
            "email": "contact@certif.example.fr",
            "otherIdentifier": [
                {
                    "type": "IdentifierEntry",
                    "identifier": "123456789",
                    "identifierType": "ext:SIREN",
                }
            ],
        },
        "validFrom": "2026-07-01T00:00:00Z",
        "awardedDate": "2026-06-30T17:30:00+02:00",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": "s4lT",
                    "identityHash": "sha256$" + "0" * 64,
                },
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": "Camille Exemple",
                },
            ],
            "achievement": {
                "id": "https://certif.example.fr/achievements/RNCP39853BC01",
                "type": ["Achievement"],
                "achievementType": "ext:BlocDeCompetences",
                "name": "Conduire un diagnostic en intelligence stratégique",
                "description": "Bloc de compétences 1 de la certification RNCP39853.",
                "humanCode": "RNCP39853BC01",
                "inLanguage": "fr",
                "criteria": {
                    "id": "https://certif.example.fr/achievements/RNCP39853BC01/criteria",
                    "narrative": "# Modalités\n\n- Étude de cas\t(écrit, 4 h)\n- Soutenance ✓\r\n",
                },
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetType": "ext:RNCPBlock",
                        "targetCode": "RNCP39853BC01",
                        "targetName": "Conduire un diagnostic",
                        "targetFramework": "Répertoire national des certifications",
                        "targetUrl": "https://www.francecompetences.fr/recherche/rncp/39853/",
                    },
                    {
                        "type": ["Alignment"],
                        "targetType": "ext:EQF",
                        "targetCode": "7",
                        "targetName": "EQF level 7",
                        "targetUrl": "https://europa.eu/europass/en/description-eight-eqf-levels",
                    },
                ],
                "resultDescription": [
                    {
                        "id": result_id,
                        "type": ["ResultDescription"],
                        "name": "Note du jury",
                        "resultType": "ext:FrenchGrade20",
                        "valueMin": "0",
                        "valueMax": "20",
                    }
                ],
            },
            "result": [{"type": ["Result"], "resultDescription": result_id, "value": "14.5"}],
            "source": {
                "id": "https://ecole.example.fr",
                "type": ["Profile"],
                "name": "École exemple",
            },
        },
        "evidence": [
            {
                "id": "https://certif.example.fr/verify/6f1c1f2e",
                "type": ["Evidence"],
                "name": "Décision du jury",
                "narrative": "Jury de la session de juin 2026, décision du 30 juin 2026.",
            }
        ],
        "credentialStatus": {
            "id": f"{status_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": status_url,
        },
        "credentialSchema": [{"id": SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def status_list_credential(issuer: IssuerKey, revoked: list[int], url: str = STATUS_URL) -> dict:
    bits = statuslist.new_bits()
    for index in revoked:
        bits = statuslist.set_bit(bits, index)
    unsigned = {
        "@context": [signing.VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": "2026-07-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": statuslist.encode(bits),
        },
    }
    return signing.sign(unsigned, issuer, CREATED)


def write(directory: Path, name: str, document: dict) -> Path:
    path = directory / name
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory) -> dict[str, dict[str, Any]]:
    _node()
    clear_dir = tmp_path_factory.mktemp("interop-clear")
    revoked_dir = tmp_path_factory.mktemp("interop-revoked")
    didkey = issuer_key(DIDKEY_SEED)
    didweb = issuer_key(DIDWEB_SEED, "certif.example.fr", "2026")
    index = statuslist.random_free_index(lambda i: False, statuslist.MIN_BITS)
    other_index = (index + 1) % statuslist.MIN_BITS

    signed = signing.sign(block_credential(didkey, index), didkey, CREATED)
    other = signing.sign(block_credential(didkey, other_index), didkey, CREATED)
    web_url = "https://certif.example.fr/credentials/status/web"
    web = signing.sign(block_credential(didweb, index, web_url), didweb, CREATED)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["result"][0]["value"] = "19.5"
    forged_issuer = copy.deepcopy(signed)
    forged_issuer["issuer"]["name"] = "Autre certificateur"
    known = {didkey.verification_method: didkey, didweb.verification_method: didweb}

    def resolve(vm: str):
        return known[vm].private_key.public_key() if vm in known else None

    for document in (signed, other, web):
        assert signing.verify(document, resolve=resolve) == []
        assert schema.ob_schema_errors(document) == []

    numbers = block_credential(didkey, other_index)
    numbers["credentialSubject"]["achievement"]["creditsAvailable"] = 120.0
    numbers["credentialSubject"]["creditsEarned"] = 7.5
    numbers["credentialSubject"]["achievement"]["resultDescription"][0]["valueMax"] = "20"
    numbers["credentialSubject"]["achievement"]["description"] = (
        'Diplômée 🎓 — « il a dit "oui" » \\ 100\u00a0%\u2028fin\ufeff e\u0301'
    )
    numbers = signing.sign(numbers, didkey, CREATED)

    files = {
        "credential.json": signed,
        "numbers.json": numbers,
        "other.json": other,
        "didweb.json": web,
        "tampered.json": tampered,
        "forged-issuer.json": forged_issuer,
    }
    did_doc = did_document(DIDWEB_SEED, "certif.example.fr", "2026")
    clear_list = status_list_credential(didkey, [])
    revoked_list = status_list_credential(didkey, [index])  # the list re-signed after revocation
    web_list = status_list_credential(didweb, [], web_url)
    files_clear = [write(clear_dir, name, doc) for name, doc in files.items()]
    files_clear.append(write(clear_dir, "status-list.json", clear_list))
    docs = [write(clear_dir, "did.json", did_doc), write(clear_dir, "web-list.json", web_list)]
    result = run_verifier(files_clear, [*docs, clear_dir / "status-list.json"])

    files_revoked = [
        write(revoked_dir, "credential-revoked.json", signed),
        write(revoked_dir, "other-not-revoked.json", other),
    ]
    revoked_doc = write(revoked_dir, "status-list-revoked.json", revoked_list)
    result.update(run_verifier(files_revoked, [revoked_doc]))
    return result


def test_python_signed_credential_is_verified(verdicts) -> None:
    verdict = verdicts["credential.json"]
    assert verdict["verified"] is True, verdict["errors"]
    assert verdict["revoked"] is False


def test_did_web_credential_is_verified_with_the_pinned_did_document(verdicts) -> None:
    verdict = verdicts["didweb.json"]
    assert verdict["verified"] is True, verdict["errors"]
    assert verdict["revoked"] is False


def test_numbers_canonicalise_alike(verdicts) -> None:
    verdict = verdicts["numbers.json"]
    assert verdict["verified"] is True, verdict["errors"]


def test_python_signed_status_list_is_verified(verdicts) -> None:
    assert verdicts["status-list.json"]["verified"] is True, verdicts["status-list.json"]


def test_tampered_credentials_are_not_verified(verdicts) -> None:
    for name in ("tampered.json", "forged-issuer.json"):
        verdict = verdicts[name]
        assert verdict["verified"] is False
        assert any("signature" in e.lower() for e in verdict["errors"]), verdict["errors"]


def test_revoked_credential_is_reported_revoked(verdicts) -> None:
    verdict = verdicts["credential-revoked.json"]
    assert verdict["verified"] is False
    assert verdict["revoked"] is True, verdict["errors"]
    neighbour = verdicts["other-not-revoked.json"]
    assert neighbour["verified"] is True and neighbour["revoked"] is False, neighbour


def test_fixtures_agree_with_the_research_table_and_with_python_verify() -> None:
    """The reference verifier and ``signing.verify`` agree on every proof (dates and status aside,
    which ``signing.verify`` leaves to its callers)."""
    fixtures = Path(__file__).parent / "fixtures"
    sample = fixtures / "capitalis-sample"
    vector = fixtures / "1edtech-ob3-spec-vector"
    validator = fixtures / "1edtech-validator"
    dcc = sorted((fixtures / "dcc-vc-test-fixtures").glob("*.json"))
    controllers = [
        vector / "issuer-controller.CONSTRUCTED.json",
        validator / "controller-1edtech.edu-issuers-565049.CONSTRUCTED.json",
        validator / "controller-example.com-issuers-876543.CONSTRUCTED.json",
        sample / "did-web-certif.example.fr.json",
    ]
    expected = {
        sample / "rncp-certification-credential.didkey.json": True,
        sample / "rncp-block-credential.didweb.json": True,
        vector / "ob3-signed-eddsa-rdfc-2022.json": True,
        validator / "simple.json": True,
        validator / "simple-multiple-proofs.json": True,
        validator / "simple-did-key-method.json": False,  # bare did:key, no #fragment
        fixtures / "w3c-vc-di-eddsa/signedDataInt.json": False,  # issuer is not the controller
        **{path: "notYetValid" not in path.name for path in dcc},  # 2099: before validFrom
    }
    result = run_verifier(list(expected), [sample / "status-list.revoked-94567.json", *controllers])
    methods = {}
    for controller in controllers:
        document = json.loads(controller.read_text(encoding="utf-8"))
        for vm in document["verificationMethod"]:
            methods[vm["id"]] = keys.public_key_from_multibase(vm["publicKeyMultibase"])

    def resolve(vm: str):  # pinned controller documents, then did:key decoded locally
        return methods.get(vm) or keys.resolve_public_key(vm)

    for path, verified in expected.items():
        assert result[path.name]["verified"] is verified, (path.name, result[path.name])
        document = json.loads(path.read_text(encoding="utf-8"))
        python = signing.verify(document, resolve=resolve)
        date_only = "notYetValid" in path.name
        assert (python == []) is (verified or date_only), (path.name, python)
