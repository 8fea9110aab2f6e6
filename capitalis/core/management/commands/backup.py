"""``manage.py backup ARCHIVE [--passphrase-file F]``: the database, the media and (with a
passphrase) the secret key files in one archive (see capitalis.core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from capitalis.core.backup import backup_create
from capitalis.core.handlers import command_errors


def read_passphrase(path: str | None) -> str | None:
    if not path:
        return None
    try:
        text = Path(path).read_text().strip()
    except OSError as exc:
        raise CommandError(f"The passphrase file cannot be read: {exc.strerror}") from exc
    if len(text) < 12:
        raise CommandError("The passphrase must be at least 12 characters long.")
    return text


class Command(BaseCommand):
    help = "Back up the database, the media and (with --passphrase-file) the signing key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The .tar.gz file to write.")
        parser.add_argument(
            "--passphrase-file",
            help="A file holding the passphrase that encrypts the key files in the archive.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        passphrase = read_passphrase(options["passphrase_file"])
        with command_errors():
            report = backup_create(destination=options["archive"], passphrase=passphrase)
        self.stdout.write(
            f"Backup written: {report.path} ({report.engine} database, "
            f"{report.media_files} media files)."
        )
        if report.secrets_included:
            self.stdout.write("Encrypted in it: " + ", ".join(report.secrets_included) + ".")
        for name in report.secrets_left_out:
            self.stdout.write(
                self.style.WARNING(
                    f"NOT in the backup: {name}. Keep a copy of it somewhere safe, or run again "
                    "with --passphrase-file: without the signing key, every credential issued "
                    "so far stops verifying as ours after a restore."
                )
            )
        self.stdout.write(
            "Keys given through the environment (CREDENTIALS_SIGNING_KEY, SECRET_KEY) are "
            "never written to a backup: keep them with the deployment's configuration."
        )
