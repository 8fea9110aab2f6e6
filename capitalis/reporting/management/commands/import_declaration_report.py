"""``manage.py import_declaration_report FILE``: read the national register's processing report
of one of our declaration files; accepted passages become accepted, rejected ones rejected with
the register's message. A report that does not match a file we sent changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from capitalis.core.handlers import command_errors
from capitalis.reporting.declarations.services import declaration_report_import


class Command(BaseCommand):
    help = "Import the register's processing report of a holders' declaration file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        with command_errors():
            result = declaration_report_import(
                content=path.read_bytes(), filename=path.name, actor=None
            )
        self.stdout.write(
            f"{result.flux.filename}: {result.accepted} accepted, {result.rejected} rejected"
        )
