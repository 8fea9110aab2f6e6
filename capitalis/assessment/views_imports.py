"""Results import pages (SPEC §5, issue 5 point 3): the CSV and XLSX templates of an assessment,
and the import in two steps — upload → preview (a dry run listing every bad row with its line
and translated reason, and the counts) → confirm ("Import" when every row is valid, or "Import
the valid rows only"). The uploaded file is kept between the two steps through Django's storage
API under ``imports/<uuid>`` (the session remembers which file belongs to which assessment) and
deleted once imported or abandoned. Only who may enter the assessment's results (the course's
lecturer or a programme director) sees these pages; anyone else gets 404. Thin: the checks and
the writes are ``imports.results_import``'s."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from capitalis.assessment import queries, services
from capitalis.assessment.imports import MAX_BYTES, results_import, template_csv, template_xlsx
from capitalis.assessment.models import Assessment
from capitalis.core.exceptions import DomainError

SESSION_KEY = "assessment_imports"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def importable_assessment(request: HttpRequest, pk: int) -> Assessment:
    """The assessment when the user may enter its results (N's check), else 404."""
    try:
        assessment = queries.assessments_for(user=request.user).get(pk=pk)  # type: ignore[arg-type]
    except Assessment.DoesNotExist:
        raise Http404(_("No such assessment.")) from None
    if not services.can_enter_results(request.user, assessment):  # type: ignore[arg-type]
        raise Http404(_("No such assessment."))
    return assessment


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def template_download_csv(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = importable_assessment(request, pk)
    return _attachment(
        template_csv(assessment), "text/csv; charset=utf-8", f"{assessment.code}-results.csv"
    )


@login_required
@require_GET
def template_download_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = importable_assessment(request, pk)
    return _attachment(template_xlsx(assessment), XLSX_TYPE, f"{assessment.code}-results.xlsx")


def _pending(request: HttpRequest) -> dict[str, dict[str, Any]]:
    pending: dict[str, dict[str, Any]] = request.session.get(SESSION_KEY, {})
    return pending


def _forget(request: HttpRequest, token: str) -> None:
    pending = _pending(request)
    if pending.pop(token, None) is not None:
        request.session[SESSION_KEY] = pending
    path = f"imports/{token}"
    if default_storage.exists(path):
        default_storage.delete(path)


def _stored(request: HttpRequest, assessment: Assessment, token: str) -> tuple[bytes, str] | None:
    """The kept upload's content and original name, when this token is this user's upload for
    this assessment and the file is still there."""
    try:
        token = str(uuid.UUID(token))
    except ValueError:
        return None
    entry = _pending(request).get(token)
    path = f"imports/{token}"
    if not entry or entry.get("assessment") != assessment.pk or not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        content: bytes = handle.read()
    return content, str(entry.get("filename", ""))


@login_required
def results_import_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = importable_assessment(request, pk)
    context: dict[str, Any] = {"assessment": assessment, "max_mb": MAX_BYTES // 1_000_000}
    if request.method != "POST":
        return render(request, "assessment/imports/upload.html", context)
    actor: Any = request.user
    token = request.POST.get("token", "")
    action = request.POST.get("action", "")
    if token and action in ("import", "valid_only", "cancel"):
        stored = _stored(request, assessment, token)
        if stored is None:
            messages.error(request, _("The uploaded file has expired: upload it again."))
            return redirect("assessment:import", pk=assessment.pk)
        if action == "cancel":
            _forget(request, token)
            messages.info(request, _("Import cancelled: nothing was saved."))
            return redirect("assessment:results", pk=assessment.pk)
        content, filename = stored
        try:
            report = results_import(
                assessment=assessment,
                content=content,
                filename=filename,
                actor=actor,
                valid_only=action == "valid_only",
            )
        except DomainError as error:
            _forget(request, token)
            context["error"] = error.message
            return render(request, "assessment/imports/upload.html", context, status=400)
        if not report.imported and report.errors:
            # Refused (a row is bad and the valid rows only were not chosen): preview again.
            context.update(report=report, token=token, filename=filename)
            return render(request, "assessment/imports/preview.html", context, status=400)
        _forget(request, token)
        messages.success(
            request,
            _(
                "Import done: %(created)d result(s) created, %(updated)d changed, "
                "%(unchanged)d unchanged, %(refused)d row(s) refused."
            )
            % {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "refused": len(report.errors),
            },
        )
        return redirect("assessment:results", pk=assessment.pk)
    upload = request.FILES.get("file")
    if upload is None:
        context["error"] = _("Choose a CSV or XLSX file.")
        return render(request, "assessment/imports/upload.html", context, status=400)
    if upload.size is not None and upload.size > MAX_BYTES:
        context["error"] = _("The file is larger than 50 MB.")
        return render(request, "assessment/imports/upload.html", context, status=400)
    content = upload.read()
    filename = (upload.name or "results.csv")[:200]
    try:
        report = results_import(
            assessment=assessment, content=content, filename=filename, actor=actor, dry_run=True
        )
    except DomainError as error:
        context["error"] = error.message
        return render(request, "assessment/imports/upload.html", context, status=400)
    token = str(uuid.uuid4())
    default_storage.save(f"imports/{token}", ContentFile(content))
    pending = _pending(request)
    pending[token] = {"assessment": assessment.pk, "filename": filename}
    request.session[SESSION_KEY] = pending
    context.update(report=report, token=token, filename=filename)
    return render(request, "assessment/imports/preview.html", context)
