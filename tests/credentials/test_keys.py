"""The issuer key from settings: generated file, environment key, key file, did:key/did:web."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from capitalis.credentials import keys, signing

FIXTURES = Path(__file__).parent / "fixtures"
W3C_KEYS = json.loads((FIXTURES / "w3c-vc-di-eddsa/keyPair.json").read_text())
SEEDS = json.loads((FIXTURES / "capitalis-sample/test-keys.json").read_text())
DIDKEY_SEED = SEEDS["did:key sample"]["ed25519SeedHex"]
DIDWEB_SEED = SEEDS["did:web sample"]["ed25519SeedHex"]


@pytest.fixture
def key_settings(settings, tmp_path):
    """No key configured, var/ in a temporary directory, did:key issuer."""
    settings.VAR_DIR = tmp_path
    settings.CREDENTIALS_SIGNING_KEY = ""
    settings.CREDENTIALS_SIGNING_KEY_FILE = ""
    settings.CREDENTIALS_DID_WEB_DOMAIN = ""
    settings.CREDENTIALS_KEY_ID = "1"
    settings.CREDENTIALS_RETIRED_KEYS = []
    yield settings
    keys.issuer_key.cache_clear()


def test_generated_key_is_created_once_with_mode_0600_and_reused(key_settings, tmp_path) -> None:
    path = tmp_path / keys.KEY_FILE_NAME
    assert not path.exists()
    first = keys.issuer_key()
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = path.read_text()
    assert first.did.startswith("did:key:z6Mk")
    assert first.verification_method == f"{first.did}#{first.public_key_multibase}"
    assert keys.issuer_key() is first, "cached"
    keys.issuer_key.cache_clear()
    second = keys.issuer_key()
    assert second is not first and second.did == first.did, "the same file is reused"
    assert path.read_text() == content
    assert [p.name for p in tmp_path.iterdir()] == [keys.KEY_FILE_NAME], "no temporary left"


def test_generated_keys_differ_between_installations(key_settings, tmp_path) -> None:
    first = keys.issuer_key().did
    key_settings.VAR_DIR = tmp_path / "other"
    assert keys.issuer_key().did != first


def test_environment_key_takes_precedence(key_settings, tmp_path) -> None:
    key_file = tmp_path / "file-key"
    key_file.write_text(DIDWEB_SEED)
    key_settings.CREDENTIALS_SIGNING_KEY_FILE = str(key_file)
    key_settings.CREDENTIALS_SIGNING_KEY = W3C_KEYS["privateKeyMultibase"]
    key = keys.issuer_key()
    assert key.public_key_multibase == W3C_KEYS["publicKeyMultibase"]
    assert key.did == "did:key:" + W3C_KEYS["publicKeyMultibase"]
    assert not (tmp_path / keys.KEY_FILE_NAME).exists(), "nothing generated"
    # Hex seed form.
    key_settings.CREDENTIALS_SIGNING_KEY = DIDKEY_SEED.upper()
    assert keys.issuer_key().did == "did:key:z6MktVWDd6eapMsqWC7kwNxipQkYJc14dekb2726XY3zBnk5"


def test_key_file_setting(key_settings, tmp_path) -> None:
    key_file = tmp_path / "signing.key"
    key_file.write_text(DIDKEY_SEED + "\n")
    key_settings.CREDENTIALS_SIGNING_KEY_FILE = str(key_file)
    assert keys.issuer_key().did == "did:key:z6MktVWDd6eapMsqWC7kwNxipQkYJc14dekb2726XY3zBnk5"
    assert not (tmp_path / keys.KEY_FILE_NAME).exists()
    key_settings.CREDENTIALS_SIGNING_KEY_FILE = str(tmp_path / "missing.key")
    with pytest.raises(ImproperlyConfigured):
        keys.issuer_key()


@pytest.mark.parametrize(
    "value",
    [
        "not a key",
        "ab" * 31,
        "ab" * 33,
        W3C_KEYS["publicKeyMultibase"],  # a public key is not a private key
        "z" + "0" * 10,
    ],
)
def test_bad_configured_key_is_refused(key_settings, value: str) -> None:
    key_settings.CREDENTIALS_SIGNING_KEY = value
    with pytest.raises(ImproperlyConfigured):
        keys.issuer_key()


def test_did_key_issuer_has_no_did_document(key_settings) -> None:
    key_settings.CREDENTIALS_SIGNING_KEY = DIDKEY_SEED
    assert keys.did_document() is None
    key = keys.issuer_key()
    assert keys.resolve_public_key(key.verification_method) is not None
    assert keys.resolve_public_key(key.did) is None, "a did:key needs its #fragment"
    other = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert keys.resolve_public_key(f"{key.did}#{other}") is None


def test_did_web_document_lists_current_and_retired_keys(key_settings) -> None:
    key_settings.CREDENTIALS_DID_WEB_DOMAIN = "certif.example.fr"
    key_settings.CREDENTIALS_KEY_ID = "2027"
    retired = "z6Mkg9oYyvnnedtoDUHprK56VRtCbkedA9Yw3xpy3LHyk6GQ"
    key_settings.CREDENTIALS_SIGNING_KEY = DIDKEY_SEED  # the new key
    key_settings.CREDENTIALS_RETIRED_KEYS = [f"2026={retired}"]
    key = keys.issuer_key()
    assert key.did == "did:web:certif.example.fr"
    assert key.verification_method == "did:web:certif.example.fr#key-2027"
    document = keys.did_document()
    assert document == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": "did:web:certif.example.fr",
        "verificationMethod": [
            {
                "id": "did:web:certif.example.fr#key-2027",
                "type": "Multikey",
                "controller": "did:web:certif.example.fr",
                "publicKeyMultibase": key.public_key_multibase,
            },
            {
                "id": "did:web:certif.example.fr#key-2026",
                "type": "Multikey",
                "controller": "did:web:certif.example.fr",
                "publicKeyMultibase": retired,
            },
        ],
        "assertionMethod": [
            "did:web:certif.example.fr#key-2027",
            "did:web:certif.example.fr#key-2026",
        ],
    }
    # The DID document itself canonicalises under the shipped contexts (safe mode).
    assert signing.canonicalize(document)
    # A credential signed before the rotation (key-2026) still verifies; a new one too.
    old = json.loads((FIXTURES / "capitalis-sample/rncp-block-credential.didweb.json").read_text())
    assert signing.verify(old) == []
    unsigned = {k: v for k, v in old.items() if k != "proof"}
    assert signing.verify(signing.sign(unsigned, key, "2027-01-01T00:00:00Z")) == []
    # Unknown key ids and other domains are not resolved.
    assert keys.resolve_public_key("did:web:certif.example.fr#key-2025") is None
    assert keys.resolve_public_key("did:web:other.example#key-2027") is None
    assert keys.resolve_public_key("https://certif.example.fr/issuer#key-2027") is None


def test_without_retired_keys_old_credentials_no_longer_resolve(key_settings) -> None:
    key_settings.CREDENTIALS_SIGNING_KEY = DIDKEY_SEED
    key_settings.CREDENTIALS_DID_WEB_DOMAIN = "certif.example.fr"
    key_settings.CREDENTIALS_KEY_ID = "2027"
    old = json.loads((FIXTURES / "capitalis-sample/rncp-block-credential.didweb.json").read_text())
    assert [r.code for r in signing.verify(old)] == ["unknown_issuer"]


def test_retired_keys_as_a_comma_string_and_bad_entries(key_settings) -> None:
    key_settings.CREDENTIALS_SIGNING_KEY = DIDKEY_SEED
    key_settings.CREDENTIALS_DID_WEB_DOMAIN = "certif.example.fr"
    good = "z6Mkg9oYyvnnedtoDUHprK56VRtCbkedA9Yw3xpy3LHyk6GQ"
    key_settings.CREDENTIALS_RETIRED_KEYS = f"2025={good}, 2026={good}"
    assert [k for k, _ in keys.retired_keys()] == ["2025", "2026"]
    for bad in ["2026", f"2026={good[:-2]}", f"bad id={good}", "=z6Mk"]:
        key_settings.CREDENTIALS_RETIRED_KEYS = [bad]
        with pytest.raises(ImproperlyConfigured):
            keys.did_document()


def test_did_web_with_port_and_path() -> None:
    assert keys.did_web("certif.example.fr") == "did:web:certif.example.fr"
    assert keys.did_web("localhost:8000") == "did:web:localhost%3A8000"
    assert keys.did_web("example.org/certif") == "did:web:example.org:certif"


def test_bad_key_id_is_refused(key_settings) -> None:
    key_settings.CREDENTIALS_SIGNING_KEY = DIDKEY_SEED
    key_settings.CREDENTIALS_DID_WEB_DOMAIN = "certif.example.fr"
    key_settings.CREDENTIALS_KEY_ID = "2027#evil"
    with pytest.raises(ImproperlyConfigured):
        keys.issuer_key()
