"""``manage.py send_surveys --survey ID [--today DATE]``: invite a survey's recipients not yet
invited and e-mail the invitations not sent yet (personal links)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from capitalis.core.handlers import command_errors
from capitalis.reporting.models import Survey
from capitalis.reporting.surveys import services


class Command(BaseCommand):
    help = "Invite a survey's recipients and e-mail their personal links."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", type=int, required=True, help="survey id")
        parser.add_argument("--today", type=date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(pk=options["survey"]).first()
        if survey is None:
            raise CommandError(f"no survey {options['survey']}")
        with command_errors():
            invited = services.survey_invite(
                survey=survey, actor=None, today=options["today"], check_actor=False
            )
        sent = services.survey_send_pending(survey_id=survey.pk)
        self.stdout.write(f"invited: {invited}, e-mailed: {sent}")
