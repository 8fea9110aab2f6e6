"""Staff page of the holders' declaration to the national register (SPEC §9), under
/reporting/declarations/: the awards with their due dates (late ones flagged) and status, the
files generated (download), export a period, import a processing report, send a rejected award
again. Only a programme director (or a superuser) sees it; anyone else gets 404. Thin: reads
through ``queries``, writes through ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.core import clock
from capitalis.core.handlers import domain_errors
from capitalis.referential.models import Certification
from capitalis.reporting.declarations import queries, services
from capitalis.reporting.models import DeclarationFlux


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ExportForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("Decided from"), widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("to"), widget=DateInput())


class ReportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Processing report (XML)"),
        help_text=gettext_lazy("The register's processing report of one of the files below."),
    )


def _declarant(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not permissions.can(user, "manage", "award_declaration").ok:
        raise Http404(_("Page not found."))
    return user


def _certification(request: HttpRequest) -> Certification | None:
    available = list(queries.certifications().order_by("code"))
    code = request.GET.get("certification") or request.POST.get("certification") or ""
    for cert in available:
        if cert.code == code:
            return cert
    return available[0] if available else None


def _back(certification: Certification | None) -> str:
    url = reverse("reporting:declarations")
    return f"{url}?certification={certification.code}" if certification else url


@login_required
def declarations(request: HttpRequest) -> HttpResponse:
    """The awards to declare and declared, the files, the export and report forms."""
    _declarant(request)
    certification = _certification(request)
    today = clock.today()
    rows = queries.award_rows(certification=certification, today=today) if certification else []
    files = list(queries.flux_list(certification=certification)) if certification else []
    return render(
        request,
        "reporting/declarations/index.html",
        {
            "certification": certification,
            "certifications": queries.certifications().order_by("code"),
            "rows": rows,
            "files": files,
            # Late and still waiting for an action (rows also flag those sent late).
            "late": sum(1 for r in rows if r.late and r.status in ("to_declare", "rejected")),
            "to_declare": sum(1 for r in rows if r.status == "to_declare"),
            "export_form": ExportForm(
                initial={"date_from": today.replace(month=1, day=1), "date_to": today}
            ),
            "report_form": ReportForm(),
        },
    )


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    user = _declarant(request)
    certification = _certification(request)
    if certification is None:
        raise Http404(_("Page not found."))
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type both dates of the period."))
        return redirect(_back(certification))
    with domain_errors(request) as refused:
        result = services.declaration_export(
            certification=certification,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            actor=user,
        )
    if not refused:
        messages.success(
            request,
            _(
                "%(file)s generated and checked against the register's schema: %(count)s "
                "holder(s). Download it and deposit it on the register's portal."
            )
            % {"file": result.flux.filename, "count": result.declared},
        )
    return redirect(_back(certification))


@login_required
@require_POST
def report_import(request: HttpRequest) -> HttpResponse:
    user = _declarant(request)
    certification = _certification(request)
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the processing report file."))
        return redirect(_back(certification))
    upload = form.cleaned_data["file"]
    if upload.size is not None and upload.size > services.MAX_REPORT_BYTES:
        messages.error(request, _("The file is larger than 20 MB."))
        return redirect(_back(certification))
    with domain_errors(request) as refused:
        result = services.declaration_report_import(
            content=upload.read(), filename=upload.name or "report.xml", actor=user
        )
    if not refused:
        messages.success(
            request,
            _("Report of %(file)s imported: %(ok)s accepted, %(ko)s rejected.")
            % {"file": result.flux.filename, "ok": result.accepted, "ko": result.rejected},
        )
        certification = result.flux.certification
    return redirect(_back(certification))


@login_required
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    user = _declarant(request)
    award = queries.award_get(pk=pk)
    if award is None:
        raise Http404(_("Page not found."))
    with domain_errors(request) as refused:
        services.award_declaration_resend(award=award, actor=user)
    if not refused:
        messages.success(
            request,
            _("%(learner)s will be declared again in the next file of this period.")
            % {"learner": award.decision.enrolment.learner},
        )
    return redirect(_back(_certification(request)))


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    _declarant(request)
    flux = DeclarationFlux.objects.filter(pk=pk).first()
    if flux is None or not flux.file:
        raise Http404(_("Page not found."))
    with flux.file.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{flux.filename}"'
    return response
