"""``manage.py verify_minutes SESSION_ID``: recompute the SHA-256 of a closed session's minutes
and compare it with the hash frozen at closing (exit status 1 when they differ)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from capitalis.jury.models import JurySession
from capitalis.jury.services import minutes_verify


class Command(BaseCommand):
    help = "Check that a jury session's frozen minutes are intact (SHA-256)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("session_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        session = JurySession.objects.filter(pk=options["session_id"]).first()
        if session is None:
            raise CommandError(f"no jury session {options['session_id']}")
        check = minutes_verify(session=session)
        self.stdout.write(f"stored:   {check.stored}\ncomputed: {check.computed}\n{check.message}")
        if not check.ok:
            raise SystemExit(1)
