"""The issuer's Ed25519 key and its identifiers (did:key or did:web), read from settings.

- ``CREDENTIALS_SIGNING_KEY`` (environment) or ``CREDENTIALS_SIGNING_KEY_FILE`` (a path) holds the
  private key: multibase ``z…`` of ``0x8026`` + the 32-byte seed (the W3C vc-di-eddsa format) or
  64 hex digits of the seed. When neither is set, a key is generated once into
  ``VAR_DIR/credentials_signing_key`` (mode 0600) and reused, like ``SECRET_KEY``.
- ``CREDENTIALS_DID_WEB_DOMAIN`` set: the issuer is ``did:web:<domain>`` and the verification method
  ``did:web:<domain>#key-<CREDENTIALS_KEY_ID>``; the DID document (``did_document()``) is served
  at ``/.well-known/did.json``. Unset: the issuer is the key's ``did:key``.
- ``CREDENTIALS_RETIRED_KEYS``: ``keyid=z6Mk…`` public keys kept in the DID document so credentials
  signed before a key rotation still verify.

The private key never goes to the database. ``resolve_public_key`` never fetches anything.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

ED25519_PUB_PREFIX = b"\xed\x01"  # multicodec ed25519-pub (varint 0xed)
ED25519_PRIV_PREFIX = b"\x80\x26"  # multicodec ed25519-priv (varint 0x1300)
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
KEY_FILE_NAME = "credentials_signing_key"
_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SETTINGS = {
    "CREDENTIALS_SIGNING_KEY",
    "CREDENTIALS_SIGNING_KEY_FILE",
    "CREDENTIALS_DID_WEB_DOMAIN",
    "CREDENTIALS_KEY_ID",
    "CREDENTIALS_RETIRED_KEYS",
    "VAR_DIR",
}


@dataclass(frozen=True)
class IssuerKey:
    private_key: Ed25519PrivateKey
    did: str  # "did:key:z6Mk…" or "did:web:<domain>"
    verification_method: str  # did + "#" + multibase (did:key) or "#key-<id>" (did:web)
    public_key_multibase: str  # "z6Mk…"


# --- encodings ----------------------------------------------------------------------------------


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """``z`` + base58btc(0xed01 + raw 32-byte public key), as in did:key and Multikey."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_PUB_PREFIX + raw).decode("ascii")


def public_key_from_multibase(value: str) -> Ed25519PublicKey | None:
    """The Ed25519 public key of a ``z6Mk…`` multibase string, or None if it is not one."""
    if not isinstance(value, str) or not value.startswith("z"):
        return None
    try:
        raw = base58.b58decode(value[1:])
    except ValueError:
        return None
    if len(raw) != 34 or raw[:2] != ED25519_PUB_PREFIX:
        return None
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def private_key_multibase(private_key: Ed25519PrivateKey) -> str:
    """``z`` + base58btc(0x8026 + 32-byte seed), the form ``CREDENTIALS_SIGNING_KEY`` accepts."""
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return "z" + base58.b58encode(ED25519_PRIV_PREFIX + seed).decode("ascii")


def parse_private_key(text: str) -> Ed25519PrivateKey:
    """Parse a configured private key: multibase ``z…`` (0x8026 + seed) or 64 hex digits."""
    value = text.strip()
    if re.fullmatch(r"[0-9a-fA-F]{64}", value):
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(value))
    if value.startswith("z"):
        try:
            raw = base58.b58decode(value[1:])
        except ValueError:
            raw = b""
        if len(raw) == 34 and raw[:2] == ED25519_PRIV_PREFIX:
            return Ed25519PrivateKey.from_private_bytes(raw[2:])
    raise ImproperlyConfigured(
        "CREDENTIALS_SIGNING_KEY must be a multibase Ed25519 private key (z…, 0x8026 + seed) "
        "or 64 hex digits of the seed."
    )


def did_key(public_key: Ed25519PublicKey) -> str:
    return "did:key:" + public_key_multibase(public_key)


def did_web(domain: str) -> str:
    """``did:web`` of a domain (a port's colon is percent-encoded, a path becomes ``:``)."""
    host = domain.strip().removeprefix("https://").strip("/")
    return "did:web:" + host.replace(":", "%3A").replace("/", ":")


# --- configuration ------------------------------------------------------------------------------


def _generated_key_text(path: Path) -> str:
    """Create the key file once (0600, atomically: concurrent first uses agree), then read it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".credkey-", dir=path.parent)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, (secrets.token_bytes(32).hex() + "\n").encode("ascii"))
            os.close(fd)
            with contextlib.suppress(FileExistsError):  # another process created it first
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return path.read_text()


def _configured_private_key() -> Ed25519PrivateKey:
    text = getattr(settings, "CREDENTIALS_SIGNING_KEY", "") or ""
    if not text:
        key_file = getattr(settings, "CREDENTIALS_SIGNING_KEY_FILE", "") or ""
        if key_file:
            try:
                text = Path(key_file).read_text()
            except OSError as exc:
                raise ImproperlyConfigured(
                    f"CREDENTIALS_SIGNING_KEY_FILE cannot be read: {exc.strerror}"
                ) from exc
        else:
            text = _generated_key_text(Path(settings.VAR_DIR) / KEY_FILE_NAME)
    return parse_private_key(text)


def _key_id(value: str, name: str) -> str:
    if not _KEY_ID.match(value):
        raise ImproperlyConfigured(f"{name}: key id {value!r} must match [A-Za-z0-9._-]{{1,64}}.")
    return value


def retired_keys() -> list[tuple[str, str]]:
    """``(key id, public key multibase)`` of the retired keys listed in settings."""
    entries: Any = getattr(settings, "CREDENTIALS_RETIRED_KEYS", []) or []
    if isinstance(entries, str):
        entries = [item for item in entries.split(",") if item.strip()]
    result = []
    for entry in entries:
        key_id, sep, multibase = str(entry).strip().partition("=")
        key_id, multibase = key_id.strip(), multibase.strip()
        if not sep or public_key_from_multibase(multibase) is None:
            raise ImproperlyConfigured(
                "CREDENTIALS_RETIRED_KEYS entries must look like keyid=z6Mk… (Ed25519 Multikey)."
            )
        result.append((_key_id(key_id, "CREDENTIALS_RETIRED_KEYS"), multibase))
    return result


@functools.cache
def issuer_key() -> IssuerKey:
    """The issuer key and identifiers from settings (cached; cleared when a setting changes)."""
    private_key = _configured_private_key()
    multibase = public_key_multibase(private_key.public_key())
    domain = getattr(settings, "CREDENTIALS_DID_WEB_DOMAIN", "") or ""
    if domain:
        did = did_web(domain)
        key_id = _key_id(str(getattr(settings, "CREDENTIALS_KEY_ID", "1") or "1"), "KEY_ID")
        vm = f"{did}#key-{key_id}"
    else:
        did = "did:key:" + multibase
        vm = f"{did}#{multibase}"
    return IssuerKey(
        private_key=private_key, did=did, verification_method=vm, public_key_multibase=multibase
    )


@receiver(setting_changed)
def _clear_cache(*, setting: str, **kwargs: Any) -> None:
    if setting in _SETTINGS:
        issuer_key.cache_clear()


def did_document() -> dict[str, Any] | None:
    """The did:web DID document (Multikey verification methods: current first, then retired;
    all listed under ``assertionMethod``), or None when the issuer is a did:key."""
    key = issuer_key()
    if not key.did.startswith("did:web:"):
        return None
    methods = [(key.verification_method, key.public_key_multibase)]
    current_id = key.verification_method.partition("#")[2]
    for key_id, multibase in retired_keys():
        vm = f"{key.did}#key-{key_id}"
        if f"key-{key_id}" != current_id:
            methods.append((vm, multibase))
    return {
        "@context": list(DID_CONTEXTS),
        "id": key.did,
        "verificationMethod": [
            {"id": vm, "type": "Multikey", "controller": key.did, "publicKeyMultibase": mb}
            for vm, mb in methods
        ],
        "assertionMethod": [vm for vm, _mb in methods],
    }


def resolve_public_key(verification_method: str) -> Ed25519PublicKey | None:
    """The public key of a verification method, without any network access.

    ``did:key:z6Mk…#z6Mk…`` is decoded locally (the fragment must repeat the key, as the W3C
    did:key method and the Digital Bazaar verifier require); our own did:web methods (current and
    retired) come from settings; anything else is unknown (None)."""
    if not isinstance(verification_method, str):
        return None
    did, _sep, fragment = verification_method.partition("#")
    if did.startswith("did:key:"):
        multibase = did.removeprefix("did:key:")
        if fragment != multibase:
            return None
        return public_key_from_multibase(multibase)
    if did.startswith("did:web:"):
        domain = getattr(settings, "CREDENTIALS_DID_WEB_DOMAIN", "") or ""
        if not domain or did != did_web(domain):
            return None  # not ours: checked before touching the key
        document = did_document()
        if document is None or document["id"] != did:
            return None
        for method in document["verificationMethod"]:
            if method["id"] == verification_method:
                return public_key_from_multibase(method["publicKeyMultibase"])
    return None


def is_our_signer(verification_method: str) -> bool:
    """Was a credential signed with one of our keys (the current one or a retired one)? A
    did:key decodes to any key, so it must be one we hold; our did:web lists them all."""
    if not isinstance(verification_method, str):
        return False
    did = verification_method.partition("#")[0]
    if did.startswith("did:key:"):
        ours = {issuer_key().public_key_multibase} | {mb for _kid, mb in retired_keys()}
        return (
            did.removeprefix("did:key:") in ours
            and resolve_public_key(verification_method) is not None
        )
    return resolve_public_key(verification_method) is not None
