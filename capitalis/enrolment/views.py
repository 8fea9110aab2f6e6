"""Enrolment pages (SPEC §4): a learner's record (enrolments, contract or internship, calendar,
CVEC), the staff pages that enrol an admitted application, add a contract or an internship,
terminate a contract, move an enrolment, re-enrol into MSc 2, and the learners dashboard.
Thin: reads through ``queries``, writes through ``services``; what the user may not read
answers 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capitalis.accounts import permissions
from capitalis.accounts.queries import request_user
from capitalis.admissions.models import Application
from capitalis.core.handlers import domain_errors
from capitalis.core.params import parse_id
from capitalis.enrolment import queries, services
from capitalis.enrolment.forms import (
    ContractFields,
    ContractForm,
    CvecForm,
    EnrolForm,
    InternshipForm,
    LearnerForm,
    ReenrolForm,
    TerminateForm,
    TutorForm,
)
from capitalis.enrolment.models import Contract, Enrolment, Learner, PlacementMode
from capitalis.enrolment.rules import EnrolmentStatus
from capitalis.programmes.models import Track

FIELD_FOR_CODE = {
    "siret_format": "employer_siret",
    "siret_checksum": "employer_siret",
    "contract_too_short": "contract_end",
    "contract_too_long": "contract_end",
    "contract_dates": "contract_end",
    "internship_too_short": "end_date",
    "internship_too_long": "end_date",
    "internship_dates": "end_date",
    "termination_before_start": "terminated_on",
    "termination_after_end": "terminated_on",
    "ine_format": "national_student_number",
    "contract_tutor_required": "tutor_email",
}


HOST_SIRET = {"siret_format": "host_siret", "siret_checksum": "host_siret"}
PLACEMENT_FIELDS = {
    "placement_mode": "mode",
    "placement_no_rhythm": "mode",
    "placement_outside_year": "start_date",
    "placement_too_early": "start_date",
    "placement_days_short": "end_date",
    "placement_days_long": "end_date",
}


def _enrolment(request: HttpRequest, pk: int) -> Enrolment:
    found = queries.enrolment_get_for(user=request_user(request), pk=pk)
    if found is None:
        raise Http404(_("No enrolment found."))
    return found


def _managed_enrolment(request: HttpRequest, pk: int) -> Enrolment:
    enrolment = _enrolment(request, pk)
    if not services.can_manage(user=request_user(request), campus_id=enrolment.campus_id):
        raise Http404(_("No enrolment found."))
    return enrolment


def _managed_contract(request: HttpRequest, pk: int) -> Contract:
    """The contract ``pk`` if the user may read it and manage its enrolment's campus, else 404."""
    user = request_user(request)
    contract = queries.contract_get_for(user=user, pk=pk)
    if contract is None or not services.can_manage(
        user=user, campus_id=contract.enrolment.campus_id
    ):
        raise Http404(_("No contract found."))
    return contract


def _form_page(
    request: HttpRequest,
    form: BaseForm,
    enrolment: Enrolment,
    *,
    title: str,
    submit: str,
    **extra: Any,
) -> HttpResponse:
    """The one-form page of an enrolment (its title, its submit button, any ``extra`` context:
    the contract, a help text)."""
    return render(
        request,
        "enrolment/form_page.html",
        {"form": form, "enrolment": enrolment, "title": title, "submit": submit, **extra},
    )


def _contract_input(form: ContractFields) -> services.ContractInput | None:
    if not form.has_contract():
        return None
    data = form.cleaned_data
    return services.ContractInput(
        kind=data["kind"],
        employer_name=data["employer_name"],
        employer_siret=data["employer_siret"],
        start_date=data["contract_start"],
        end_date=data["contract_end"],
        opco_name=data.get("opco_name") or "",
        tutor_email=data.get("tutor_email") or "",
        tutor_name=data.get("tutor_name") or "",
    )


# --- the learner's record -----------------------------------------------------------------


@login_required
def my_record(request: HttpRequest) -> HttpResponse:
    """The signed-in learner's own record."""
    learner = Learner.objects.filter(user=request_user(request)).only("pk").first()
    if learner is None:
        raise Http404(_("You are not enrolled."))
    return redirect("enrolment:learner", pk=learner.pk)


@login_required
def learner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A learner's record: enrolments, contract or internship, calendar, CVEC."""
    record = queries.learner_record_for(user=request_user(request), pk=pk)
    if record is None:
        raise Http404(_("No learner found."))
    return render(
        request,
        "enrolment/learner_detail.html",
        {
            "record": record,
            "learner": record.learner,
            "cvec_form": CvecForm(),
            "learner_form": LearnerForm(
                initial={
                    "national_student_number": record.learner.national_student_number,
                    "date_of_birth": record.learner.date_of_birth,
                    **{name: getattr(record.learner, name) for name in services.IDENTITY_FIELDS},
                }
            ),
            "is_self": record.learner.user_id == request.user.pk,
        },
    )


@login_required
@require_POST
def learner_update(request: HttpRequest, pk: int) -> HttpResponse:
    record = queries.learner_record_for(user=request_user(request), pk=pk)
    if record is None or not record.can_manage:
        raise Http404(_("No learner found."))
    form = LearnerForm(request.POST)
    if form.is_valid():
        with domain_errors(request) as refused:
            services.learner_update(
                learner=record.learner,
                national_student_number=form.cleaned_data["national_student_number"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                actor=request_user(request),
                identity=services.LearnerIdentity(
                    **{name: form.cleaned_data[name] for name in services.IDENTITY_FIELDS}
                ),
            )
        if not refused:
            messages.success(request, _("The learner's record was updated."))
    else:
        messages.error(request, _("Check what you typed."))
    return redirect("enrolment:learner", pk=pk)


@login_required
@require_POST
def cvec_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the CVEC certificate (the learner herself or her campus staff)."""
    record = queries.learner_record_for(user=request_user(request), pk=pk)
    if record is None:
        raise Http404(_("No learner found."))
    form = CvecForm(request.POST)
    if form.is_valid():
        with domain_errors(request) as refused:
            services.cvec_record(
                learner=record.learner,
                academic_year=form.cleaned_data["academic_year"],
                certificate_number=form.cleaned_data["certificate_number"],
                recorded_on=form.cleaned_data["recorded_on"],
                actor=request_user(request),
            )
        if not refused:
            messages.success(request, _("The CVEC certificate was recorded."))
    else:
        messages.error(request, _("Fill in the academic year, the number and the date."))
    return redirect("enrolment:learner", pk=pk)


# --- staff: enrol, contracts, internships, status, re-enrolment ---------------------------


@login_required
def admitted_list(request: HttpRequest) -> HttpResponse:
    """Admitted applications waiting to be enrolled, on the campuses the user manages."""
    user = request_user(request)
    if not permissions.can(user, "manage", "enrolment").ok:
        raise Http404(_("No page here."))
    return render(
        request,
        "enrolment/admitted_list.html",
        {"applications": queries.admitted_applications_for(user=user)},
    )


@login_required
def enrol(request: HttpRequest, application_pk: int) -> HttpResponse:
    """Enrol an admitted application; a work-study one with its contract."""
    user = request_user(request)
    application = queries.admitted_applications_for(user=user).filter(pk=application_pk).first()
    if application is None:
        raise Http404(_("No admitted application found."))
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form, fields=FIELD_FOR_CODE) as refused:
            enrolment = services.enrolment_create_from_application(
                application=application,
                actor=user,
                contract=_contract_input(form),
                note=form.cleaned_data.get("note") or "",
            )
        if not refused:
            messages.success(request, _("The candidate is enrolled."))
            return redirect("enrolment:learner", pk=enrolment.learner_id)
    return render(
        request,
        "enrolment/enrol.html",
        {
            "form": form,
            "application": application,
            "work_study": application.track == Track.WORK_STUDY,
        },
    )


@login_required
def contract_add(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _managed_enrolment(request, pk)
    form = ContractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request_user(request)
        with domain_errors(request, form, fields=FIELD_FOR_CODE) as refused:
            data = _contract_input(form)
            assert data is not None
            services.contract_create(enrolment=enrolment, contract=data, actor=user)
        if not refused:
            messages.success(request, _("The contract was recorded."))
            return redirect("enrolment:learner", pk=enrolment.learner_id)
    return _form_page(
        request,
        form,
        enrolment,
        title=_("Add a work-study contract"),
        submit=_("Record the contract"),
    )


@login_required
def contract_tutor(request: HttpRequest, pk: int) -> HttpResponse:
    """Name the employer tutor of a contract (those recorded before he was required)."""
    user = request_user(request)
    contract = _managed_contract(request, pk)
    form = TutorForm(
        request.POST or None,
        initial={"tutor_email": contract.tutor.email if contract.tutor else ""},
    )
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form, fields=FIELD_FOR_CODE) as refused:
            services.contract_tutor_set(
                contract=contract,
                tutor_email=form.cleaned_data["tutor_email"],
                tutor_name=form.cleaned_data.get("tutor_name") or "",
                actor=user,
            )
        if not refused:
            messages.success(request, _("The employer tutor was recorded."))
            return redirect("enrolment:learner", pk=contract.enrolment.learner_id)
    return _form_page(
        request,
        form,
        contract.enrolment,
        title=_("Name the employer tutor"),
        submit=_("Record the tutor"),
        contract=contract,
    )


@login_required
def contract_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    contract = _managed_contract(request, pk)
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors(
            request, form, fields={**FIELD_FOR_CODE, "reason_required": "reason"}
        ) as refused:
            services.contract_terminate(
                contract=contract,
                terminated_on=form.cleaned_data["terminated_on"],
                reason=form.cleaned_data["reason"],
                actor=user,
            )
        if not refused:
            messages.success(request, _("The contract was terminated."))
            return redirect("enrolment:learner", pk=contract.enrolment.learner_id)
    return _form_page(
        request,
        form,
        contract.enrolment,
        title=_("Terminate a contract early"),
        submit=_("Terminate the contract"),
        contract=contract,
    )


@login_required
def internship_add(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _managed_enrolment(request, pk)
    rhythm = services.placement_rhythm(enrolment)
    form = InternshipForm(
        request.POST or None,
        initial={"mode": rhythm.mode.value if rhythm is not None else PlacementMode.CONTINUOUS},
    )
    if request.method == "POST" and form.is_valid():
        user = request_user(request)
        data = form.cleaned_data
        with domain_errors(
            request, form, fields={**FIELD_FOR_CODE, **HOST_SIRET, **PLACEMENT_FIELDS}
        ) as refused:
            services.internship_create(
                enrolment=enrolment,
                internship=services.InternshipInput(
                    host_name=data["host_name"],
                    host_siret=data.get("host_siret") or "",
                    tutor_name=data["tutor_name"],
                    tutor_email=data.get("tutor_email") or "",
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    agreement_signed_on=data.get("agreement_signed_on"),
                    mode=data.get("mode") or None,
                ),
                actor=user,
            )
        if not refused:
            messages.success(request, _("The internship was recorded."))
            return redirect("enrolment:learner", pk=enrolment.learner_id)
    return _form_page(
        request,
        form,
        enrolment,
        title=_("Add an internship"),
        submit=_("Record the internship"),
    )


@login_required
@require_POST
def enrolment_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an enrolment (suspend, resume, withdraw, complete)."""
    enrolment = _managed_enrolment(request, pk)
    with domain_errors(request) as refused:
        services.enrolment_transition(
            enrolment=enrolment,
            target=request.POST.get("target", ""),
            actor=request_user(request),
            note=request.POST.get("note", ""),
        )
    if not refused:
        messages.success(
            request,
            _("The enrolment is now %(status)s.")
            % {"status": services.status_label(enrolment.status)},
        )
    return redirect("enrolment:learner", pk=enrolment.learner_id)


@login_required
def reenrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-enrol an MSc 1 learner into MSc 2 of a later edition."""
    enrolment = _managed_enrolment(request, pk)
    editions = queries.next_editions(enrolment=enrolment)
    form = ReenrolForm(
        request.POST or None,
        editions=editions,
        initial={"track": enrolment.track, "edition": editions.first()},
    )
    if request.method == "POST" and form.is_valid():
        user = request_user(request)
        with domain_errors(request, form, fields=FIELD_FOR_CODE) as refused:
            new = services.enrolment_reenrol(
                enrolment=enrolment,
                edition=form.cleaned_data["edition"],
                track=form.cleaned_data["track"],
                actor=user,
                contract=_contract_input(form),
            )
        if not refused:
            messages.success(request, _("The learner is re-enrolled in MSc 2."))
            return redirect("enrolment:learner", pk=new.learner_id)
    return _form_page(
        request,
        form,
        enrolment,
        title=_("Re-enrol into MSc 2"),
        submit=_("Re-enrol"),
        help=_(
            "A work-study learner whose contract runs into the new edition keeps it; "
            "otherwise fill in the new 1-year contract."
        ),
    )


# --- the learners dashboard ---------------------------------------------------------------


def _int(value: str | None) -> int | None:
    return parse_id(value)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Learners per campus, year and track, with filters; only the enrolments the user may
    read are counted."""
    user = request_user(request)
    if not permissions.can(user, "read", "enrolment").ok:
        raise Http404(_("No page here."))
    params = request.GET
    statuses = {s.value for s in EnrolmentStatus}
    filters = queries.DashboardFilters(
        edition=_int(params.get("edition")),
        campus=_int(params.get("campus")),
        year=_int(params.get("year")),
        track=params.get("track") if params.get("track") in Track.values else None,
        status=params.get("status") if params.get("status") in statuses else None,
    )
    board = queries.learners_dashboard(user=user, filters=filters)
    return render(
        request,
        "enrolment/dashboard.html",
        {
            "board": board,
            "filters": filters,
            "enrolments": queries.dashboard_enrolments(user=user, filters=filters),
            "limit": queries.DASHBOARD_LIST_LIMIT,
            "manages": permissions.can(user, "manage", "enrolment").ok,
        },
    )


@login_required
def application_redirect(request: HttpRequest, application_pk: int) -> HttpResponse:
    """From an enrolled application to its learner's record (for the admissions pages)."""
    learner_id = (
        Application.objects.filter(pk=application_pk)
        .values_list("enrolment__learner_id", flat=True)
        .first()
    )
    if (
        learner_id is None
        or queries.learner_get_for(user=request_user(request), pk=learner_id) is None
    ):
        raise Http404(_("No learner found."))
    return redirect("enrolment:learner", pk=learner_id)
