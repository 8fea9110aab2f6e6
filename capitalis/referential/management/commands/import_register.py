"""``manage.py import_register FILE [--dry-run]``: load a national register export (flux V4.1)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from capitalis.core.exceptions import DomainError
from capitalis.referential.services import REGISTER_BATCH_SIZE, register_import


class Command(BaseCommand):
    help = "Import the national register's open-data XML export (flux V4.1)."
    # A data command: the system checks (URLs, admin, API schema: a third of a second) are
    # run by ``manage.py check`` and the test suite, not before every import.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="export_fiches_RNCP_V4_1_AAAA-MM-JJ.xml or RS")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="read and check everything, report the counts, write nothing",
        )
        parser.add_argument("--batch-size", type=int, default=REGISTER_BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = register_import(
                path=options["file"],
                dry_run=options["dry_run"],
                batch_size=options["batch_size"],
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s")
                % {"file": options["file"], "reason": error.strerror or error}
            ) from error
        summary = _(
            "%(fiches)s fiches read: %(created)s created, %(updated)s updated, "
            "%(unchanged)s unchanged; %(blocks)s blocks; %(crosswalks)s crosswalks."
        ) % {
            "fiches": report.fiches,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "blocks": report.blocks,
            "crosswalks": report.crosswalks,
        }
        if report.dry_run:
            summary += " " + _("Dry run: nothing was written.")
        if options["verbosity"] >= 2 and report.timings:
            self.stdout.write(
                "timings: "
                + ", ".join(f"{name} {value:.2f}" for name, value in report.timings.items())
            )
        self.stdout.write(summary)
