"""``manage.py survey_reminders [--survey ID] [--max N] [--days X] [--today DATE] [--dry-run]``:
remind those who have not answered an open survey, at most N reminders each (default setting
SURVEY_MAX_REMINDERS), not sooner than X days after the previous e-mail (SURVEY_REMINDER_DAYS).
Run it daily (cron or Celery beat: task ``reporting.survey_send_reminders``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from capitalis.core import clock
from capitalis.core.handlers import command_errors
from capitalis.reporting.surveys import services


class Command(BaseCommand):
    help = "Send the survey reminders that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", type=int, default=None, help="only this survey")
        parser.add_argument("--max", type=int, default=None, help="at most N reminders each")
        parser.add_argument("--days", type=int, default=None, help="days since the last e-mail")
        parser.add_argument("--today", type=date.fromisoformat, default=None)
        parser.add_argument("--dry-run", action="store_true", help="only count them")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or clock.today()
        if options["dry_run"]:
            due = services.reminders_due(
                today=today, limit=options["max"], days=options["days"], survey_id=options["survey"]
            )
            self.stdout.write(f"reminders due: {len(due)} (dry run, nothing sent)")
            return
        with command_errors():
            sent = services.survey_remind(
                today=today,
                limit=options["max"],
                days=options["days"],
                survey_id=options["survey"],
            )
        self.stdout.write(f"reminders sent: {sent}")
