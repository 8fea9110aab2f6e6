"""The accounting export, as a background job (issue 13 point 10)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.core.exceptions import DomainError
from capitalis.core.models import Job
from capitalis.core.services import job_start


def export_job_key(*, actor: Any, date_from: date | None, date_to: date | None) -> str:
    """The idempotency key of one person's export of one period: asked again while it is being
    prepared, the same job answers."""
    period = (
        f"{date_from.isoformat() if date_from else ''}:{date_to.isoformat() if date_to else ''}"
    )
    return f"finance-export:{actor.pk}:{period}"


def export_start(*, actor: Any, date_from: date | None, date_to: date | None) -> Job:
    """Prepare the accounting journal (every invoice line and payment the finance person may
    read, over the period; the whole school for a school-wide role) as a CSV, in a background
    job: its page offers the file, which only she may download."""
    from capitalis.finance.tasks import export_job

    if not permissions.can(actor, "manage", "invoice").ok:
        raise DomainError(
            _("Only finance staff may export the accounting journal."), code="not_authorised"
        )
    if date_from and date_to and date_from > date_to:
        raise DomainError(_("The start of the period is after its end."), code="period")
    return job_start(
        kind="finance.export",
        key=export_job_key(actor=actor, date_from=date_from, date_to=date_to),
        user=actor,
        task=export_job,
        args=[
            date_from.isoformat() if date_from else "",
            date_to.isoformat() if date_to else "",
        ],
        title=_("Accounting export (%(start)s – %(end)s)")
        % {
            "start": date_from.isoformat() if date_from else _("the start"),
            "end": date_to.isoformat() if date_to else _("today"),
        },
    )
