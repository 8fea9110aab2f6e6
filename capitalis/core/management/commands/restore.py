"""``manage.py restore ARCHIVE --yes [--passphrase-file F]``: replace the database, the media and
(with the passphrase) the secret key files with those of a backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core import checks
from django.core.management.base import BaseCommand, CommandError, CommandParser

from capitalis.core.backup import backup_restore
from capitalis.core.handlers import command_errors
from capitalis.core.management.commands.backup import read_passphrase


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` (replaces the whole database)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The .tar.gz file `backup` wrote.")
        parser.add_argument("--passphrase-file", help="The passphrase the backup was made with.")
        parser.add_argument(
            "--yes", action="store_true", help="Confirm: the current database is replaced."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("Restoring replaces the whole database: add --yes to confirm.")
        passphrase = read_passphrase(options["passphrase_file"])
        with command_errors():
            report = backup_restore(archive=options["archive"], passphrase=passphrase)
        self.stdout.write(
            f"Restored: the {report.engine} database and {report.media_files} media files."
        )
        if report.secrets_restored:
            self.stdout.write("Key files restored: " + ", ".join(report.secrets_restored) + ".")
        for name in report.secrets_missing:
            self.stdout.write(
                self.style.WARNING(f"{name} was not in the backup: put it back before issuing.")
            )
        for message in checks.run_checks():
            if message.id == "credentials.W001":
                self.stdout.write(self.style.WARNING(f"{message.msg} {message.hint}"))
