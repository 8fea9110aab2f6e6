"""``manage.py export_holders --certification RNCP39853 --from 2026-01-01 --to 2026-06-30
[--output FILE]``: generate the holders' declaration file (accrochage XML, checked against the
official XSD) of every certified holder decided in the period who waits to be declared; it is
stored with the other declaration files, and also written to FILE when given."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from capitalis.core.handlers import command_errors
from capitalis.referential.models import Certification
from capitalis.reporting.declarations.services import declaration_export


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = "Generate the holders' declaration file (national register) for a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--certification", required=True, help="e.g. RNCP39853")
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
        parser.add_argument("--output", help="also write the XML to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        certification = Certification.objects.filter(code=options["certification"]).first()
        if certification is None:
            raise CommandError(f"no certification {options['certification']}")
        with command_errors():
            result = declaration_export(
                certification=certification,
                date_from=_date(options["date_from"]),
                date_to=_date(options["date_to"]),
                actor=None,
            )
        if options.get("output"):
            Path(options["output"]).write_bytes(result.content)
        self.stdout.write(
            f"{result.flux.filename}: {result.declared} holder(s), valid against the XSD, "
            f"sha256 {result.flux.sha256}"
            + (f", written to {options['output']}" if options.get("output") else "")
        )
