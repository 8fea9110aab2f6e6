"""Pages of the block validations obtained before Capitalis (issue 13 point 2): the list
(filtered by learner and block), the form recording one (with its source document), the
import of many from a CSV or XLSX file in two steps — upload → preview (a dry run listing every
refused row with its line and reasons) → confirm; all or nothing — its template, and the
permission-checked download of a source document. Only a programme director (or the
superuser) opens them; anyone else gets 404. Thin: the checks and the writes are the
services'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from capitalis.accounts.models import User
from capitalis.core.downloads import file_response, id_ok
from capitalis.core.exceptions import DomainError
from capitalis.core.imports import ImportWithPreview, KeptUpload
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


IMPORT = ImportWithPreview(
    session_key=SESSION_KEY,
    upload_template="jury/prior_import.html",
    preview_template="jury/prior_preview.html",
    max_bytes=imports.MAX_BYTES,
    default_name="prior.csv",
)


@login_required
@require_http_methods(["GET", "POST"])
def prior_import(request: HttpRequest) -> HttpResponse:
    """Upload a file → its preview (nothing saved) → import (all or nothing, at once: the
    files are small) or cancel. The steps are ``core.imports.ImportWithPreview``'s."""
    user = _manager(request)
    context: dict[str, Any] = {}

    def preview(content: bytes, filename: str) -> imports.ImportReport:
        return services.prior_validations_import(
            content=content, filename=filename, actor=user, dry_run=True
        )

    def confirm(kept: KeptUpload) -> HttpResponse:
        content = kept.content()
        if content is None:
            IMPORT.forget(request, kept.token)
            messages.error(request, _("The uploaded file has expired: upload it again."))
            return redirect("jury:prior-import")
        try:
            report = services.prior_validations_import(
                content=content, filename=kept.filename, actor=user
            )
        except DomainError as error:
            IMPORT.forget(request, kept.token)
            return IMPORT.upload_page(request, context, error.message, 400)
        if not report.imported:
            return IMPORT.preview_page(request, context, report=report, kept=kept, status=400)
        IMPORT.forget(request, kept.token)
        messages.success(
            request,
            _("Import done: %(created)d validation(s) recorded.") % {"created": report.created},
        )
        return redirect("jury:prior-list")

    return IMPORT.handle(
        request,
        context=context,
        scope="prior-validations",
        preview=preview,
        confirm=confirm,
        cancelled=reverse("jury:prior-list"),
    )
