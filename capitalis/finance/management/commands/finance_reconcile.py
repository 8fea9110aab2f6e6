"""``manage.py finance_reconcile``: create every missing invoice (application fees of submitted
applications, deposits and tuition of enrolments, credit notes of withdrawals). Idempotent: a
second run creates nothing. Use it after recording a missing fee schedule or contract, or when
a background task failed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from capitalis.finance import services


class Command(BaseCommand):
    help = "Create the invoices missing for existing applications and enrolments."

    def handle(self, *args: Any, **options: Any) -> None:
        report = services.invoices_reconcile(actor=None)
        for reason in report.skipped:
            self.stderr.write(reason)
        self.stdout.write(
            _("%(created)s invoice(s) created; %(skipped)s record(s) could not be invoiced.")
            % {"created": len(report.created), "skipped": len(report.skipped)}
        )
