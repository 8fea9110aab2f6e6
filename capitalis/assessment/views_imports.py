"""Results import pages (SPEC §5, issue 5 point 3): the CSV and XLSX templates of an assessment,
and the import in two steps — upload → preview (a dry run listing every bad row with its line
and translated reason, and the counts) → confirm ("Import" when every row is valid, or "Import
the valid rows only"), which starts a background job (issue 13 point 10) whose page links back
to the results. The two steps are ``core.imports.ImportWithPreview``'s: the uploaded file is
kept between them under a token and deleted once imported or abandoned. Only who may enter
the assessment's results (the course's lecturer or a programme director) sees these pages;
anyone else gets 404. Thin: the checks and the writes are ``imports.results_import``'s."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from capitalis.assessment import services
from capitalis.assessment.imports import (
    MAX_BYTES,
    ImportReport,
    results_import,
    template_csv,
    template_xlsx,
)
from capitalis.assessment.views import editable_assessment
from capitalis.core.exceptions import DomainError
from capitalis.core.imports import ImportWithPreview, KeptUpload

SESSION_KEY = "assessment_imports"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def template_download_csv(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = editable_assessment(request, pk)
    return _attachment(
        template_csv(assessment), "text/csv; charset=utf-8", f"{assessment.code}-results.csv"
    )


@login_required
@require_GET
def template_download_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = editable_assessment(request, pk)
    return _attachment(template_xlsx(assessment), XLSX_TYPE, f"{assessment.code}-results.xlsx")


IMPORT = ImportWithPreview(
    session_key=SESSION_KEY,
    upload_template="assessment/imports/upload.html",
    preview_template="assessment/imports/preview.html",
    max_bytes=MAX_BYTES,
    default_name="results.csv",
    actions=("import", "valid_only"),
)


@login_required
def results_import_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload → preview (synchronous, nothing written) → confirm: the import runs as a
    background job whose page the person is sent to (the same job on a second post)."""
    assessment = editable_assessment(request, pk)
    actor: Any = request.user

    def preview(content: bytes, filename: str) -> ImportReport:
        return results_import(
            assessment=assessment, content=content, filename=filename, actor=actor, dry_run=True
        )

    def confirm(kept: KeptUpload) -> HttpResponse:
        try:
            job = services.results_import_start(
                assessment=assessment,
                token=kept.token,
                filename=kept.filename,
                valid_only=kept.action == "valid_only",
                actor=actor,
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("assessment:import", pk=assessment.pk)
        return redirect("jobs:detail", pk=job.pk)

    return IMPORT.handle(
        request,
        context={"assessment": assessment},
        scope=f"assessment:{assessment.pk}",
        preview=preview,
        confirm=confirm,
        cancelled=reverse("assessment:results", args=[assessment.pk]),
    )
