"""``manage.py open_school EMAIL --name "FULL NAME" [--language fr|en]``: the first account of a
new school, a programme director invited by e-mail to choose a password. Every other account
is then created by the director (accounts page or API), never from a shell."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from capitalis.accounts import services
from capitalis.core.handlers import command_errors


class Command(BaseCommand):
    help = "Create the school's first programme director and e-mail an invitation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="the director's full name")
        parser.add_argument("--language", choices=("fr", "en"), default="fr")

    def handle(self, *args: Any, **options: Any) -> None:
        with command_errors():
            user = services.director_open(
                email=options["email"],
                full_name=options["name"],
                preferred_language=options["language"],
            )
        self.stdout.write(
            f"Programme director {user.email} created; an invitation to choose a password "
            "was e-mailed."
        )
