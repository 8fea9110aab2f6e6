"""``manage.py export_register CODE [CODE…] [--all] [-o FILE]``: write certifications in the
national register's XML format (flux V4.1), as ``import_register`` reads it."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from capitalis.referential.models import Certification
from capitalis.referential.queries import register_fiches
from capitalis.referential.register import write_fiches


class Command(BaseCommand):
    help = "Export certifications in the national register's XML format (flux V4.1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="*", help="fiche codes, e.g. RNCP39853")
        parser.add_argument("--all", action="store_true", help="every certification")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        codes: list[str] = options["codes"]
        if not codes and not options["all"]:
            raise CommandError(_("Give at least one certification code, or --all."))
        if codes:
            known = set(Certification.objects.filter(code__in=codes).values_list("code", flat=True))
            missing = [code for code in codes if code not in known]
            if missing:
                raise CommandError(
                    _("Unknown certification: %(codes)s") % {"codes": ", ".join(missing)}
                )
        fiches = register_fiches(codes=codes or None)
        if options["output"]:
            with open(options["output"], "wb") as out:
                count = write_fiches(fiches, out)
            self.stderr.write(
                _("%(count)s fiches written to %(file)s")
                % {"count": count, "file": options["output"]}
            )
        else:
            write_fiches(fiches, sys.stdout.buffer)
