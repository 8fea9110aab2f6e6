"""``manage.py clean_job_files [--hours 168]``: delete the files that background jobs made
(exports) once their job finished more than a week ago. Run it daily (cron or Celery beat)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from capitalis.core.services import job_files_clean


class Command(BaseCommand):
    help = "Delete the files of background jobs finished more than a week ago."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=float, default=24.0 * 7)

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = job_files_clean(older_than=timedelta(hours=options["hours"]))
        self.stdout.write(f"{deleted} job file(s) deleted")
