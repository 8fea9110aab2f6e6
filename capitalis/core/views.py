"""Pages of the background jobs (issue 13 point 10): one job's progress and outcome, and the
list of the jobs the person asked for, and the file an export job made. Another person's job
(or file) is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from capitalis.core import queries
from capitalis.core.downloads import job_file_response
from capitalis.core.models import Job
from capitalis.core.params import parse_id

#: seconds between two refreshes of an unfinished job's page (script or meta refresh)
REFRESH_SECONDS = 2


def _job(request: HttpRequest, pk: int) -> Job:
    job = queries.job_for(user=request.user, pk=parse_id(pk) or 0)
    if job is None:
        raise Http404(_("Page not found."))
    return job


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One job: its status and progress (refreshing itself until it finishes), then its
    outcome and a link to the result."""
    job = _job(request, pk)
    return render(request, "core/job.html", {"job": job, "refresh_seconds": REFRESH_SECONDS})


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """The person's own jobs, newest first (the latest hundred)."""
    jobs = list(queries.job_list_for(user=request.user)[:100])
    return render(request, "core/jobs.html", {"jobs": jobs})


@login_required
@require_GET
def job_file(request: HttpRequest, pk: int) -> FileResponse:
    """The file a finished job made (an export), for the person who asked for it only;
    anyone else, or a job without a file, gets 404."""
    job = queries.job_file_for(user=request.user, pk=parse_id(pk) or 0)
    if job is None:
        raise Http404(_("No file here."))
    return job_file_response(job)
