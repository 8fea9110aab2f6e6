"""Backup and restore of a whole Capitalis: the database, the uploaded and generated files
(media), and the secret files that live beside them (the credential signing key, the
generated SECRET_KEY).

One archive (``.tar.gz``) holds:
- ``manifest.json``: when, which database engine, the latest migration of each app, the files;
- the database: ``database.sqlite3`` (SQLite's online backup) or ``database.pgdump``
  (``pg_dump --format=custom``, restored with ``pg_restore --clean``);
- ``media/``: every file of the default storage;
- ``secrets.enc``: the secret files of ``VAR_DIR`` named in ``settings.BACKUP_SECRET_FILES``,
  encrypted with a passphrase (scrypt + AES-GCM) — only when a passphrase is given. Without
  one, the secrets are left out and the report says which ones to keep elsewhere: a signing
  key lost is every credential it signed no longer verifiable as ours.

Keys given through the environment (``CREDENTIALS_SIGNING_KEY``, ``SECRET_KEY``) are never
written anywhere: the operator keeps them with the deployment's configuration.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.dispatch import Signal
from django.utils.translation import gettext as _

from capitalis.core import clock
from capitalis.core.exceptions import DomainError

FORMAT = 1
# Sent after a restore: caches of what the database or the key files held must be forgotten.
restored = Signal()
_MAGIC = b"CAPITALIS-SECRETS-1"
_MAX_MEMBER = 8 * 1024**3  # refuse absurd members before reading them


@dataclass
class BackupReport:
    path: Path
    engine: str
    media_files: int = 0
    secrets_included: list[str] = field(default_factory=list)
    secrets_left_out: list[str] = field(default_factory=list)


@dataclass
class RestoreReport:
    engine: str
    media_files: int = 0
    secrets_restored: list[str] = field(default_factory=list)
    secrets_missing: list[str] = field(default_factory=list)


# --- secrets ---------------------------------------------------------------------------------


def _kdf(salt: bytes) -> Scrypt:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1)


def encrypt(data: bytes, passphrase: str) -> bytes:
    """``data`` sealed with a key derived from ``passphrase`` (scrypt, AES-256-GCM)."""
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _kdf(salt).derive(passphrase.encode("utf-8"))
    return _MAGIC + salt + nonce + AESGCM(key).encrypt(nonce, data, _MAGIC)


def decrypt(blob: bytes, passphrase: str) -> bytes:
    if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + 28:
        raise DomainError(_("The archive's secrets are not in a format we know."), code="format")
    rest = blob[len(_MAGIC) :]
    salt, nonce, sealed = rest[:16], rest[16:28], rest[28:]
    key = _kdf(salt).derive(passphrase.encode("utf-8"))
    try:
        return AESGCM(key).decrypt(nonce, sealed, _MAGIC)
    except InvalidTag:
        raise DomainError(
            _("Wrong passphrase: the archive's secrets cannot be opened."), code="passphrase"
        ) from None


def _secret_names() -> list[str]:
    return [str(n) for n in getattr(settings, "BACKUP_SECRET_FILES", [])]


def _var_dir() -> Path:
    return Path(settings.VAR_DIR)


# --- database --------------------------------------------------------------------------------


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise DomainError(
            _("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor},
            code="engine",
        )
    return vendor


def _pg_env() -> tuple[list[str], dict[str, str]]:
    params = connection.settings_dict
    args = ["--no-owner", "--no-privileges"]
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    return args, env


def _dump_database(engine: str, target: Path) -> None:
    if engine == "sqlite":
        connection.ensure_connection()
        raw: Any = connection.connection
        dest = sqlite3.connect(target)
        try:
            raw.backup(dest)
        finally:
            dest.close()
        return
    args, env = _pg_env()
    name = str(connection.settings_dict["NAME"])
    subprocess.run(  # noqa: S603 - fixed executable, arguments from settings
        ["pg_dump", "--format=custom", *args, "--file", str(target), name],  # noqa: S607
        check=True,
        env=env,
        capture_output=True,
    )


def _restore_database(engine: str, source: Path) -> None:
    if engine == "sqlite":
        connection.ensure_connection()
        raw: Any = connection.connection
        src = sqlite3.connect(source)
        try:
            src.backup(raw)
        finally:
            src.close()
        return
    args, env = _pg_env()
    name = str(connection.settings_dict["NAME"])
    connection.close()
    result = subprocess.run(  # noqa: S603 - fixed executable, arguments from settings
        [  # noqa: S607
            "pg_restore",
            "--clean",
            "--if-exists",
            "--single-transaction",
            *args,
            "--dbname",
            name,
            str(source),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise DomainError(
            _("The database could not be restored: %(error)s")
            % {"error": result.stderr.strip()[:500]},
            code="restore_failed",
        )


def _migration_state() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.values_list("app", "name"):
        if name > latest.get(app, ""):
            latest[app] = name
    return latest


# --- media -----------------------------------------------------------------------------------


def _media_files(prefix: str = "") -> list[str]:
    try:
        dirs, files = default_storage.listdir(prefix or ".")
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = [f"{prefix}{name}" for name in files]
    for name in dirs:
        found += _media_files(f"{prefix}{name}/")
    return found


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\x00" not in name


# --- entry points ----------------------------------------------------------------------------


def backup_create(*, destination: Path, passphrase: str | None = None) -> BackupReport:
    """Write the archive at ``destination``. With ``passphrase``, the secret files go in,
    encrypted; without, they are named in the report as to be kept elsewhere."""
    engine = _engine()
    report = BackupReport(path=destination, engine=engine)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="capitalis-backup-") as tmp:
        db_file = Path(tmp) / ("database.sqlite3" if engine == "sqlite" else "database.pgdump")
        _dump_database(engine, db_file)
        media = _media_files()
        secrets: dict[str, str] = {}
        for name in _secret_names():
            path = _var_dir() / name
            if path.is_file():
                if passphrase:
                    secrets[name] = path.read_text()
                    report.secrets_included.append(name)
                else:
                    report.secrets_left_out.append(name)
        manifest = {
            "format": FORMAT,
            "created_at": clock.now().isoformat(),
            "engine": engine,
            "migrations": _migration_state(),
            "media": media,
            "secrets": sorted(secrets),
            "secrets_left_out": report.secrets_left_out,
        }
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            for name in media:
                with default_storage.open(name, "rb") as handle:
                    content = handle.read()
                info = tarfile.TarInfo(f"media/{name}")
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
            if secrets and passphrase:
                blob = encrypt(json.dumps(secrets).encode("utf-8"), passphrase)
                info = tarfile.TarInfo("secrets.enc")
                info.size = len(blob)
                tar.addfile(info, io.BytesIO(blob))
        os.chmod(partial, 0o600)
        partial.replace(destination)
        report.media_files = len(media)
    return report


def backup_restore(*, archive: Path, passphrase: str | None = None) -> RestoreReport:
    """Put the archive's database, media and (with the passphrase) secret files back. The
    database is replaced as a whole; media files are written over; secret files are written
    only where the environment does not give the value itself."""
    engine = _engine()
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as exc:
        raise DomainError(_("This file is not a Capitalis backup."), code="format") from exc
    with tar, tempfile.TemporaryDirectory(prefix="capitalis-restore-") as tmp:
        members = {m.name: m for m in tar.getmembers() if m.isfile() and _safe_member(m.name)}
        if "manifest.json" not in members:
            raise DomainError(_("This file is not a Capitalis backup."), code="format")

        def read(name: str) -> bytes:
            member = members[name]
            if member.size > _MAX_MEMBER:
                raise DomainError(_("This file is not a Capitalis backup."), code="format")
            handle = tar.extractfile(member)
            assert handle is not None
            return handle.read()

        manifest = json.loads(read("manifest.json"))
        if manifest.get("format") != FORMAT or manifest.get("engine") != engine:
            raise DomainError(
                _("This backup was made from a %(theirs)s database; this server runs %(ours)s.")
                % {"theirs": manifest.get("engine"), "ours": engine},
                code="engine",
            )
        report = RestoreReport(engine=engine)
        secrets: dict[str, str] = {}
        if "secrets.enc" in members:
            if not passphrase:
                raise DomainError(
                    _("This backup holds encrypted keys: give its passphrase to restore them."),
                    code="passphrase",
                )
            secrets = json.loads(decrypt(read("secrets.enc"), passphrase))
        db_name = "database.sqlite3" if engine == "sqlite" else "database.pgdump"
        db_file = Path(tmp) / db_name
        with open(db_file, "wb") as out:
            handle = tar.extractfile(members[db_name])
            assert handle is not None
            shutil.copyfileobj(handle, out)
        _restore_database(engine, db_file)
        for name, member in members.items():
            if name.startswith("media/"):
                relative = name.removeprefix("media/")
                if default_storage.exists(relative):
                    default_storage.delete(relative)
                default_storage.save(relative, ContentFile(read(member.name)))
                report.media_files += 1
        for name in _secret_names():
            if name in secrets:
                path = _var_dir() / name
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as out_secret:
                    out_secret.write(secrets[name])
                report.secrets_restored.append(name)
            elif name in manifest.get("secrets_left_out", []):
                report.secrets_missing.append(name)
    restored.send(sender=backup_restore)
    return report
