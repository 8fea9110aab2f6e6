"""REST API on the background jobs a person started, under /api/jobs/ (issue 13 point 10): list
and read (another person's job answers 404), and ``job_accepted``, the 202 answer of the
operations that start one."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from capitalis.core.api import NotFoundSerializer
from capitalis.core.downloads import job_file_response
from capitalis.core.models import Job
from capitalis.core.params import parse_id
from capitalis.core.queries import job_file_for, job_for, job_list_for


class JobSerializer(serializers.ModelSerializer[Job]):
    """A background job, as its requester sees it: poll ``api_url`` until ``status`` is
    ``done`` (``result``, ``result_url``) or ``failed`` (``message`` says why; ``result_url``,
    if any, is the page to go back to)."""

    status_label = serializers.SerializerMethodField(help_text="The status, in words.")
    percent = serializers.SerializerMethodField(help_text="0–100; null while the total is unknown.")
    progress_text = serializers.SerializerMethodField(help_text="The progress, in words.")
    url = serializers.SerializerMethodField(help_text="The job's page.")
    api_url = serializers.SerializerMethodField(help_text="This job in the API.")

    class Meta:
        model = Job
        fields: tuple[str, ...] = (
            "id",
            "kind",
            "title",
            "status",
            "status_label",
            "done",
            "total",
            "percent",
            "progress_text",
            "message",
            "result",
            "result_url",
            "url",
            "api_url",
            "created_at",
            "started_at",
            "finished_at",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_status_label(self, job: Job) -> str:
        return str(job.get_status_display())

    def get_percent(self, job: Job) -> int | None:
        return job.percent

    def get_progress_text(self, job: Job) -> str:
        if not job.total:
            return "" if job.is_finished else _("Starting…")
        return ngettext(
            "%(done)s of %(total)s step done", "%(done)s of %(total)s steps done", job.total
        ) % {"done": job.done, "total": job.total}

    def get_url(self, job: Job) -> str:
        return reverse("jobs:detail", args=[job.pk])

    def get_api_url(self, job: Job) -> str:
        return reverse("jobs-api:job-detail", args=[job.pk])


def job_accepted(job: Job) -> Response:
    """The answer of an API operation that started (or found) a background job: 202 Accepted,
    the job in the body, its API address in ``Location``."""
    data = JobSerializer(job).data
    return Response(data, status=202, headers={"Location": data["api_url"]})


class JobViewSet(viewsets.ReadOnlyModelViewSet[Job]):
    """The background jobs the person started (a superuser may read any one)."""

    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        return job_list_for(user=self.request.user)

    def get_object(self) -> Job:
        job = job_for(user=self.request.user, pk=parse_id(self.kwargs["pk"]) or 0)
        if job is None:
            raise NotFound()
        return job

    @extend_schema(responses={200: JobSerializer, 404: NotFoundSerializer})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One job: status, progress, and once finished its outcome."""
        return Response(JobSerializer(self.get_object()).data)

    @extend_schema(
        operation_id="jobs_file",
        summary="Download the file a finished job made (an export)",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: NotFoundSerializer,
        },
    )
    @action(detail=True, methods=["get"], url_path="file")
    def file(self, request: Request, pk: str | None = None) -> FileResponse:
        """The job's file, to the person who asked for the job only; 404 for anyone else, or
        while the job has no file (not finished, failed, or a job that makes none)."""
        job = job_file_for(user=request.user, pk=parse_id(pk or "") or 0)
        if job is None:
            raise NotFound()
        return job_file_response(job)
