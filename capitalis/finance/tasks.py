"""Finance's followers of the year's steps (see ``capitalis.core.events``): each task loads its
record by id and calls an idempotent ``*_ensure`` service, so a retry or a replay is harmless.

With ``CELERY_BROKER_URL`` unset the tasks run in-process, right after the publisher's commit
(the invoice exists when the page or API answers); with a broker they run in a worker and are
retried when the database is briefly unreachable. A record finance cannot invoice yet (no fee
schedule for its year, a work-study enrolment without contract) is logged, not retried: once
staff fix it, ``manage.py finance_reconcile`` invoices it."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import OperationalError

from capitalis.accounts import permissions
from capitalis.core.exceptions import DomainError

logger = logging.getLogger(__name__)

_RETRY: dict[str, Any] = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task(name="finance.invoice_submitted_application", **_RETRY)
def invoice_submitted_application(*, application_id: int) -> list[int]:
    """The application-fee invoice of a submitted application (ids of what was created)."""
    from capitalis.admissions.models import Application
    from capitalis.finance import services

    application = (
        Application.objects.select_related("edition__programme", "campus", "candidate")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return []
    try:
        return [i.pk for i in services.invoices_ensure_for_application(application=application)]
    except DomainError as error:
        logger.warning("application %s not invoiced: %s", application_id, error.message)
        return []


@shared_task(name="finance.invoice_enrolment", **_RETRY)
def invoice_enrolment(*, enrolment_id: int) -> list[int]:
    """The invoices of an enrolment, and its credit notes once withdrawn (ids created)."""
    from capitalis.enrolment.models import Enrolment
    from capitalis.finance import services

    enrolment = (
        Enrolment.objects.select_related("edition__programme", "campus", "learner__user")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        return []
    try:
        return [i.pk for i in services.invoices_ensure_for_enrolment(enrolment=enrolment)]
    except DomainError as error:
        logger.warning("enrolment %s not invoiced: %s", enrolment_id, error.message)
        return []


def on_application_submitted(*, application_id: int) -> None:
    invoice_submitted_application.delay(application_id=application_id)


def on_enrolment_changed(*, enrolment_id: int) -> None:
    invoice_enrolment.delay(enrolment_id=enrolment_id)


@shared_task(name="finance.export_job", acks_late=True)
def export_job(job_id: int, date_from: str = "", date_to: str = "") -> None:
    """Write the accounting journal of the period (ISO dates, empty: open) as the job's
    requester sees it, into the job's private file (see ``services.export_start``)."""
    from datetime import date

    from django.utils.translation import gettext as _

    from capitalis.core.models import Job
    from capitalis.core.services import JobOutcome, job_progress, job_run
    from capitalis.core.spreadsheets import csv_bytes
    from capitalis.finance import queries

    def work(job: Job) -> JobOutcome:
        if job.user is None or not permissions.can(job.user, "manage", "invoice").ok:
            raise DomainError(
                _("Only finance staff may export the accounting journal."), code="not_authorised"
            )
        start = date.fromisoformat(date_from) if date_from else None
        end = date.fromisoformat(date_to) if date_to else None
        job_progress(job_id=job.pk, done=0, total=2)
        rows = list(queries.export_rows(user=job.user, date_from=start, date_to=end))
        job_progress(job_id=job.pk, done=1)
        content = csv_bytes(rows, header=queries.EXPORT_COLUMNS, delimiter=";", bom=True)
        name = "capitalis-finance-{}-{}.csv".format(date_from or "start", date_to or "end")
        return JobOutcome(
            message=_("The accounting export is ready: %(rows)d row(s).") % {"rows": len(rows)},
            result={"rows": len(rows), "filename": name},
            file_name=name,
            file_content=content,
        )

    job_run(job_id, work)
