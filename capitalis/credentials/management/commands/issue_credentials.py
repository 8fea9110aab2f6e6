"""``manage.py issue_credentials --session ID``: issue the verifiable credentials of a closed
jury session (the same task the staff page starts; idempotent, so safe to rerun)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from capitalis.credentials.models import Credential
from capitalis.credentials.tasks import issue_session_credentials
from capitalis.jury.models import JurySession


class Command(BaseCommand):
    help = "Issue the verifiable credentials (and PDFs) of a closed jury session."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--session", type=int, required=True, help="jury session id")

    def handle(self, *args: Any, **options: Any) -> None:
        session = JurySession.objects.filter(pk=options["session"]).first()
        if session is None:
            raise CommandError(f"No jury session {options['session']}.")
        if not (session.is_closed and session.minutes_sha256):
            raise CommandError("This jury session is not closed with frozen minutes.")
        before = Credential.objects.filter(session=session).count()
        if not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True):
            issue_session_credentials.delay(session.pk)
            self.stdout.write(f"Session {session.pk}: issuance queued for the workers.")
            return
        learners = issue_session_credentials(session.pk)
        after = Credential.objects.filter(session=session).count()
        self.stdout.write(
            f"Session {session.pk}: {learners} learner(s), {after - before} credential(s) "
            f"issued, {after} in all."
        )
