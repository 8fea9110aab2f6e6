"""``manage.py check_programme EDITION``: is an edition's catalogue complete (SPEC §2)?

Reports the competencies no course assesses, the years (and specialisation paths) whose ECTS
do not sum to the year's total, and the specialisations offered on no campus; exits non-zero
when it finds any."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from capitalis.programmes import queries, rules
from capitalis.programmes.models import Edition, Track


def reason_message(reason: rules.Reason) -> str:
    """The translated message of a programme check's reason."""
    p = reason.params
    if reason.code == "competencies_assessed":
        missing = p.get("missing") or ()
        if not missing:
            return _("Every competency is assessed by at least one course.")
        return _("Competencies assessed by no course: %(list)s.") % {
            "list": ", ".join(str(m) for m in missing)  # type: ignore[attr-defined]
        }
    if reason.code == "year_ects":
        path = str(p["year"]) + (f" + {p['specialisation']}" if p.get("specialisation") else "")
        if p.get("track"):
            path += f" ({Track(str(p['track'])).label})"
        return _("%(path)s: %(total)s ECTS, %(target)s expected.") % {
            "path": path,
            "total": p["total"],
            "target": p["target"],
        }
    if reason.code == "specialisation_offered":
        if reason.passed:
            return _("%(spe)s is offered on at least one campus.") % {"spe": p["specialisation"]}
        return _("%(spe)s is offered on no campus.") % {"spe": p["specialisation"]}
    return reason.message


class Command(BaseCommand):
    help = _(
        "Check an edition's catalogue: every competency assessed, 60 ECTS per year and path, "
        "every specialisation offered somewhere. Exits non-zero on any failure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("edition", help=_("Edition code, e.g. 2026-27."))
        parser.add_argument(
            "--programme", default=None, help=_("Programme code, when several have the edition.")
        )
        parser.add_argument("--verbose-reasons", action="store_true", help=_("Also list passes."))

    def handle(self, *args: Any, **options: Any) -> None:
        editions = Edition.objects.select_related("programme").filter(code=options["edition"])
        if options["programme"]:
            editions = editions.filter(programme__code=options["programme"])
        found = list(editions)
        if not found:
            raise CommandError(_("No edition %(code)s.") % {"code": options["edition"]})
        failures = 0
        for edition in found:
            result = rules.check_programme(queries.edition_facts(edition))
            self.stdout.write(
                _("Edition %(edition)s of %(programme)s:")
                % {"edition": edition.code, "programme": edition.programme.code}
            )
            for reason in result.reasons:
                if reason.passed and not options["verbose_reasons"]:
                    continue
                line = "  " + ("✓ " if reason.passed else "✗ ") + reason_message(reason)
                self.stdout.write(line if reason.passed else self.style.ERROR(line))
            failures += len(result.failures)
            if result.ok:
                self.stdout.write(self.style.SUCCESS("  " + _("The catalogue is complete.")))
        if failures:
            raise CommandError(
                _("%(n)s problem(s) found in the catalogue.") % {"n": failures}, returncode=1
            )
