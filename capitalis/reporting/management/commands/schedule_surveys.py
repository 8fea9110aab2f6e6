"""``manage.py schedule_surveys [--today DATE] [--dry-run] [--window-days N]
[--satisfaction-days N]``: create and send the surveys that are due (issue 7 point 2): employment
at 6 months and 2 years after an edition's certification decisions, satisfaction in the edition's
last month. Idempotent: run it daily (cron, or Celery beat with the task
``reporting.survey_schedule``, see the README)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from capitalis.core.handlers import command_errors
from capitalis.reporting.models import SurveyKind
from capitalis.reporting.surveys import services
from capitalis.reporting.surveys.services import Outcome, Scheduled


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}
        ) from error


def describe(item: Scheduled) -> str:
    """One translated line about a due survey and what the run did with it."""
    head = _("%(programme)s %(edition)s, %(kind)s (due since %(due)s):") % {
        "programme": item.edition.programme.code,
        "edition": item.edition.code,
        "kind": SurveyKind(item.kind).label,
        "due": item.due_on.isoformat(),
    }
    counts = {"invited": item.invited, "sent": item.sent, "survey": item.survey_id}
    if item.outcome == Outcome.CREATED:
        tail = _("survey %(survey)s created, %(invited)s invited, %(sent)s e-mailed.") % counts
    elif item.outcome == Outcome.TO_CREATE:
        tail = _("would be created, %(invited)s to invite.") % counts
    elif item.outcome == Outcome.EXISTING:
        tail = (
            _("survey %(survey)s already open, %(invited)s newly invited, %(sent)s e-mailed.")
            % counts
        )
    elif item.outcome == Outcome.NO_RECIPIENTS:
        tail = _("nobody to ask, not created.")
    elif item.outcome == Outcome.NOT_OPEN:
        tail = _("survey %(survey)s opens later, left as it is.") % counts
    else:
        tail = _("survey %(survey)s is closed, left as it is.") % counts
    return f"{head} {tail}"


class Command(BaseCommand):
    help = _(
        "Create and send the surveys that are due: employment at 6 months and 2 years after an "
        "edition's certification decisions, satisfaction in its last month."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=_day, default=None, help=_("the day to run for"))
        parser.add_argument("--dry-run", action="store_true", help=_("only say what would be done"))
        parser.add_argument(
            "--window-days",
            type=int,
            default=None,
            help=_("days an employment survey stays due (SURVEY_SCHEDULE_WINDOW_DAYS)"),
        )
        parser.add_argument(
            "--satisfaction-days",
            type=int,
            default=None,
            help=_("satisfaction surveys are due in an edition's last N days"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with command_errors():
            done = services.survey_schedule(
                today=options["today"],
                dry_run=options["dry_run"],
                window_days=options["window_days"],
                satisfaction_window=options["satisfaction_days"],
            )
        for item in done:
            self.stdout.write(describe(item))
        created = sum(d.outcome == Outcome.CREATED for d in done)
        sent = sum(d.sent for d in done)
        if options["dry_run"]:
            self.stdout.write(
                _("Dry run: %(due)s survey(s) due; nothing was created or sent.")
                % {"due": len(done)}
            )
        else:
            self.stdout.write(
                _("%(due)s survey(s) due, %(created)s created, %(sent)s e-mail(s) sent.")
                % {"due": len(done), "created": created, "sent": sent}
            )
