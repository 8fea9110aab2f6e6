"""``manage.py load_data``: load the shipped data under data/ (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from capitalis.core.data import STATUSES, DataFileError, default_data_dir
from capitalis.core.services import data_load

STATUS_LABELS = {
    "created": gettext_lazy("created"),
    "updated": gettext_lazy("updated"),
    "unchanged": gettext_lazy("unchanged"),
    "deleted": gettext_lazy("deleted"),
}


class Command(BaseCommand):
    help = "Load the shipped data (référentiel first, then later apps) from data/; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Folder to load instead of the project's data/ folder.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = options["data_dir"] or default_data_dir()
        try:
            report = data_load(data_dir=data_dir)
        except DataFileError as exc:
            raise CommandError(
                _("Nothing was loaded; fix the file and run again:\n%(error)s")
                % {"error": exc.message}
            ) from exc
        self.stdout.write(
            _("%(n)s file(s) read from %(dir)s") % {"n": len(report.files), "dir": data_dir}
        )
        for counts in report.counts.values():
            for label, row in counts.as_dict().items():
                figures = ", ".join(f"{row[s]} {STATUS_LABELS[s]}" for s in STATUSES if row[s])
                self.stdout.write(f"  {label}: {figures}")
        totals = report.summary()
        message = (
            _(
                "Total: %(created)s created, %(updated)s updated, %(deleted)s deleted, "
                "%(unchanged)s unchanged."
            )
            % totals
        )
        if report.changed:
            self.stdout.write(self.style.SUCCESS(message))
        else:
            self.stdout.write(message + " " + _("Nothing to change."))
