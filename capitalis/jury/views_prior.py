"""Pages of the block validations obtained before Capitalis (issue 13 point 2): the list
(filtered by learner and block), the form recording one (with its source document), the
import of many from a CSV or XLSX file in two steps — upload → preview (a dry run listing every
refused row with its line and reasons) → confirm; all or nothing — its template, and the
permission-checked download of a source document. Only a programme director (or the
superuser) opens them; anyone else gets 404. Thin: the checks and the writes are the
services'."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from capitalis.accounts.models import User
from capitalis.core.downloads import file_response, id_ok
from capitalis.core.exceptions import DomainError
from capitalis.jury import imports, queries, services
from capitalis.jury.forms import PriorValidationForm

MAX_UPLOAD = 10 * 1024 * 1024
SESSION_KEY = "jury_prior_imports"
UPLOAD_ERRORS = ("too_large", "empty", "bad_type", "extension_mismatch")


def _manager(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not queries.can_manage_prior(user):
        raise Http404(_("Page not found."))
    return user


@login_required
@require_GET
def prior_list(request: HttpRequest) -> HttpResponse:
    """The validations recorded outside a jury of Capitalis, newest first, 50 a page."""
    user = _manager(request)
    learner = request.GET.get("learner", "")[:200]
    block = request.GET.get("block", "")[:50]
    rows = queries.prior_validation_list_for(user=user, learner=learner, block=block)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "jury/prior_list.html",
        {"page": page, "learner": learner, "block": block},
    )


@login_required
@require_http_methods(["GET", "POST"])
def prior_new(request: HttpRequest) -> HttpResponse:
    """Record one prior validation: learner (e-mail or INE), block, date, route, source
    reference and/or document. Refused: every reason at its field, nothing saved."""
    user = _manager(request)
    if request.method != "POST":
        return render(request, "jury/prior_form.html", {"form": PriorValidationForm()})
    form = PriorValidationForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        upload = data["document"]
        try:
            if upload is not None and upload.size is not None and upload.size > MAX_UPLOAD:
                raise DomainError(_("The document is larger than 10 MB."), code="too_large")
            validation = services.prior_validation_record(
                learner=data["learner"],
                block=data["block"],
                validated_on=data["validated_on"],
                route=data["route"],
                source_reference=data["source_reference"],
                document=upload.read() if upload is not None else None,
                document_name=(upload.name or "document")[:200] if upload is not None else "",
                actor=user,
            )
        except imports.PriorRefused as error:
            for field, texts in error.fields.items():
                for text in texts:
                    form.add_error(field if field in form.fields else None, text)
        except DomainError as error:
            form.add_error("document" if error.code in UPLOAD_ERRORS else None, error.message)
        else:
            messages.success(
                request,
                _("The validation of block %(block)s was recorded.")
                % {"block": validation.block.code},
            )
            return redirect("jury:prior-list")
    return render(request, "jury/prior_form.html", {"form": form}, status=400)


@login_required
@require_GET
def prior_template(request: HttpRequest) -> HttpResponse:
    _manager(request)
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="prior-validations.csv"'
    return response


@login_required
@require_GET
def prior_document(request: HttpRequest, pk: int) -> FileResponse:
    """A source document, to whoever may manage prior validations; else 404."""
    user = _manager(request)
    if not id_ok(pk):
        raise Http404(_("No file here."))
    validation = queries.prior_validation_list_for(user=user).filter(pk=pk).first()
    if validation is None:
        raise Http404(_("No file here."))
    return file_response(
        validation.source_document,
        filename=f"source-{validation.pk}",
        content_type=validation.source_content_type or None,
    )


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


def _stored(request: HttpRequest, token: str) -> tuple[bytes, str] | None:
    try:
        token = str(uuid.UUID(token))
    except ValueError:
        return None
    entry = _pending(request).get(token)
    path = f"imports/{token}"
    if not entry or not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        content: bytes = handle.read()
    return content, str(entry.get("filename", ""))


@login_required
@require_http_methods(["GET", "POST"])
def prior_import(request: HttpRequest) -> HttpResponse:
    """Upload a file → its preview (nothing saved) → import (all or nothing) or cancel."""
    user = _manager(request)
    context: dict[str, Any] = {"max_mb": imports.MAX_BYTES // 1_000_000}
    if request.method != "POST":
        return render(request, "jury/prior_import.html", context)
    token = request.POST.get("token", "")
    action = request.POST.get("action", "")
    if token and action in ("import", "cancel"):
        stored = _stored(request, token)
        if stored is None:
            messages.error(request, _("The uploaded file has expired: upload it again."))
            return redirect("jury:prior-import")
        if action == "cancel":
            _forget(request, token)
            messages.info(request, _("Import cancelled: nothing was saved."))
            return redirect("jury:prior-list")
        content, filename = stored
        try:
            report = services.prior_validations_import(
                content=content, filename=filename, actor=user
            )
        except DomainError as error:
            _forget(request, token)
            context["error"] = error.message
            return render(request, "jury/prior_import.html", context, status=400)
        if not report.imported:
            context.update(report=report, token=token, filename=filename)
            return render(request, "jury/prior_preview.html", context, status=400)
        _forget(request, token)
        messages.success(
            request,
            _("Import done: %(created)d validation(s) recorded.") % {"created": report.created},
        )
        return redirect("jury:prior-list")
    upload = request.FILES.get("file")
    if upload is None:
        context["error"] = _("Choose a CSV or XLSX file.")
        return render(request, "jury/prior_import.html", context, status=400)
    if upload.size is not None and upload.size > imports.MAX_BYTES:
        context["error"] = _("The file is larger than %(size)s MB.") % {
            "size": imports.MAX_BYTES // 1_000_000
        }
        return render(request, "jury/prior_import.html", context, status=400)
    content = upload.read()
    filename = (upload.name or "prior.csv")[:200]
    try:
        report = services.prior_validations_import(
            content=content, filename=filename, actor=user, dry_run=True
        )
    except DomainError as error:
        context["error"] = error.message
        return render(request, "jury/prior_import.html", context, status=400)
    token = str(uuid.uuid4())
    default_storage.save(f"imports/{token}", ContentFile(content))
    pending = _pending(request)
    pending[token] = {"filename": filename}
    request.session[SESSION_KEY] = pending
    context.update(report=report, token=token, filename=filename)
    return render(request, "jury/prior_preview.html", context)
