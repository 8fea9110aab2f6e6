"""``manage.py export_personal_data --email X --output FILE``: one person's data as a zip
(data.json + her documents), recorded as a personal data request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from capitalis.accounts.models import User
from capitalis.reporting.privacy import services


class Command(BaseCommand):
    help = "Export one person's personal data as a zip (data.json + documents)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        subject = User.objects.filter(email__iexact=options["email"].strip()).first()
        if subject is None:
            raise CommandError(f"nobody has the e-mail address {options['email']}")
        output: Path = options["output"]
        if output.is_dir():
            raise CommandError(f"{output} is a folder: give a file name")
        export = services.personal_data_export(subject=subject, actor=None, check_actor=False)
        output.write_bytes(export.content)
        output.chmod(0o600)
        files = export.counts.get("files", 0)
        self.stdout.write(f"written {output} ({len(export.content)} bytes, {files} file(s))")
