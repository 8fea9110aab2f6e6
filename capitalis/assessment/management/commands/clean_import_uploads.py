"""``manage.py clean_import_uploads [--hours 24]``: delete the results-import uploads kept
between preview and import (``imports/<uuid>`` in the default storage) older than a day. Run it
daily (cron or a Celery beat task)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from capitalis.assessment.services import import_uploads_clean


class Command(BaseCommand):
    help = "Delete results-import uploads older than a day (default storage, imports/<uuid>)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=float, default=24.0)

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = import_uploads_clean(older_than=timedelta(hours=options["hours"]))
        self.stdout.write(f"{len(deleted)} upload(s) deleted")
