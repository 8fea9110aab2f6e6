"""``manage.py apply_retention [--dry-run] [--today DATE]``: anonymise what the retention rules
(data/reporting/retention.yaml) say no longer needs to be kept; certification records are kept.
Idempotent; ``--dry-run`` only counts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from capitalis.core.data import DataFileError
from capitalis.reporting.privacy import services


class Command(BaseCommand):
    help = "Apply the personal data retention rules (anonymise what is past its period)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count only, change nothing")
        parser.add_argument("--today", type=date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = services.retention_apply(today=options["today"], dry_run=options["dry_run"])
        except DataFileError as error:
            raise CommandError(error.message) from error
        mode = "dry run, nothing changed" if report.dry_run else "applied"
        self.stdout.write(f"retention as of {report.today.isoformat()} ({mode}):")
        for code, n in report.counts.items():
            self.stdout.write(f"  {code}: {n}")
        self.stdout.write(f"  files to delete: {len(report.files)}")
