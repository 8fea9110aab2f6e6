"""Celery tasks of the assessment app (issue 13 point 10): importing a results file runs as a
background job. The job wraps the one-transaction ``imports.results_import``: either the
results are written, or the job fails with the reason and nothing changed. With
``CELERY_BROKER_URL`` unset the task runs in-process (eagerly)."""

from __future__ import annotations

from celery import shared_task
from django.urls import reverse
from django.utils.translation import gettext as _

from capitalis.assessment.imports import results_import
from capitalis.assessment.models import Assessment
from capitalis.core.exceptions import DomainError
from capitalis.core.imports import upload_forget, upload_read
from capitalis.core.models import Job
from capitalis.core.services import JobOutcome, job_progress, job_run

#: refused rows kept in a job's result (the page and the API show the first ones)
MAX_ERRORS_KEPT = 200


@shared_task(acks_late=True)
def results_import_job(
    job_id: int, assessment_id: int, token: str, filename: str, valid_only: bool = False
) -> None:
    """Import the kept upload ``token`` into the assessment's results as the job's requester
    (see ``imports.results_import``); the kept file is deleted once imported or unreadable,
    kept when rows were refused (the valid rows only may still be asked for)."""

    def work(job: Job) -> JobOutcome:
        assessment = Assessment.objects.filter(pk=assessment_id).first()
        if assessment is None or job.user is None:
            raise DomainError(_("No such assessment."), code="not_found")
        content = upload_read(token)
        if content is None:
            raise DomainError(_("The uploaded file has expired: upload it again."), code="expired")
        job_progress(job_id=job.pk, done=0, total=1)
        try:
            report = results_import(
                assessment=assessment,
                content=content,
                filename=filename,
                actor=job.user,
                valid_only=valid_only,
            )
        except DomainError:
            upload_forget(token)
            raise
        if report.errors and not valid_only:
            raise DomainError(
                _(
                    "Some rows were refused: nothing was saved. Correct the file, or import "
                    "the valid rows only."
                ),
                code="rows_refused",
            )
        upload_forget(token)
        summary = report.as_dict()
        summary["refused"] = len(report.errors)
        summary["errors"] = summary["errors"][:MAX_ERRORS_KEPT]
        summary["assessment"] = assessment.pk
        return JobOutcome(
            message=_(
                "Import done: %(created)d result(s) created, %(updated)d changed, "
                "%(unchanged)d unchanged, %(refused)d row(s) refused."
            )
            % {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "refused": len(report.errors),
            },
            result=summary,
            url=reverse("assessment:results", args=[assessment.pk]),
        )

    job_run(job_id, work)
