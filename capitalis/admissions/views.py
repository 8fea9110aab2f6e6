"""Candidate and admissions pages (SPEC §3): sign up, my applications, the application form
(one long accessible form that works on a phone), the application page with its eligibility
outcome and, for admissions staff, the status moves and the fee. Thin: reads go through
``queries``, writes through ``services``; a file the user may not read answers 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capitalis.accounts.models import User
from capitalis.admissions import queries, services
from capitalis.admissions.forms import ApplicationForm, DegreeFormSet, SignupForm
from capitalis.admissions.models import STATUS_LABELS, Application
from capitalis.admissions.rules import Actor, Status, decision_deadline
from capitalis.core.exceptions import DomainError

DOCUMENT_FIELDS = ("cv", "transcript", "motivation")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _get(request: HttpRequest, pk: int) -> Application:
    try:
        return queries.application_get_for(user=_user(request), pk=pk)
    except Application.DoesNotExist:
        raise Http404(_("No application found.")) from None


def signup(request: HttpRequest) -> HttpResponse:
    """Create a candidate account. The outcome does not tell whether the address already had
    an account (same redirect, same message; nobody is logged in): the person logs in next."""
    if request.user.is_authenticated:
        return redirect("admissions:application-list")
    form = SignupForm(
        request.POST or None, initial={"preferred_language": translation.get_language()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_signup_request(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
        except DomainError as exc:
            form.add_error("password" if exc.code == "password" else None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Thank you. Check your mailbox: we have sent you a message about your "
                    "account. You can now log in with your e-mail address and password."
                ),
            )
            login_url = reverse("accounts:login")
            return redirect(f"{login_url}?next={reverse('admissions:application-list')}")
    return render(request, "admissions/signup.html", {"form": form})


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    """My applications (a candidate) or the applications I may handle (staff)."""
    applications = queries.application_list_for(user=_user(request))
    return render(
        request,
        "admissions/application_list.html",
        {"applications": applications, "labels": STATUS_LABELS},
    )


def _initial(application: Application | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if application is None:
        return {}, []
    initial = {
        "edition": application.edition_id,
        "year": application.year_id,
        "campus": application.campus_id,
        "track": application.track,
        "specialisation": application.specialisation_id,
        "english_level": application.english_level,
        "accommodation_requested": "yes" if application.accommodation_requested else "no",
        "accommodation_details": application.accommodation_details,
    }
    degrees = [
        {
            "title": d.title,
            "level": d.level,
            "ects": d.ects,
            "field": d.field,
            "country": d.country,
        }
        for d in application.prior_degrees.all()
    ]
    return initial, degrees


@login_required
def application_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Start or continue a draft; "Save" keeps the draft, "Submit" sends it for evaluation."""
    user = _user(request)
    application = _get(request, pk) if pk is not None else None
    if application is not None and (
        application.candidate_id != user.pk or application.status != Status.DRAFT
    ):
        return redirect("admissions:application-detail", pk=application.pk)
    initial, degrees = _initial(application)
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=initial)
    formset = DegreeFormSet(request.POST or None, initial=degrees, prefix="degrees")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        saved = _save_draft(request, form, formset, application)
        if saved is not None:
            if "submit" not in request.POST:
                messages.success(request, _("Your draft is saved."))
                return redirect("admissions:application-edit", pk=saved.pk)
            try:
                saved = services.application_submit(
                    application=saved, actor_user=user, expected_version=saved.version
                )
            except DomainError as exc:
                messages.error(
                    request, _("Your draft is saved, but: %(error)s") % {"error": exc.message}
                )
                return redirect("admissions:application-edit", pk=saved.pk)
            messages.success(request, _("Your application is submitted."))
            return redirect("admissions:application-detail", pk=saved.pk)
    documents = list(application.documents.all()) if application is not None else []
    return render(
        request,
        "admissions/application_form.html",
        {
            "form": form,
            "formset": formset,
            "application": application,
            "documents": {d.kind: d for d in documents},
            "document_fields": [form[name] for name in DOCUMENT_FIELDS],
        },
    )


def _save_draft(
    request: HttpRequest,
    form: ApplicationForm,
    formset: Any,
    application: Application | None,
) -> Application | None:
    """Write the draft, its degrees and the uploaded documents at once (all or nothing); a
    refused document becomes an error on its field."""
    user = _user(request)
    data = form.cleaned_data
    target = {
        "edition": data["edition"],
        "year": data["year"],
        "campus": data["campus"],
        "track": data["track"],
        "specialisation": data["specialisation"],
        "english_level": data["english_level"],
        "accommodation_requested": data["accommodation_requested"],
        "accommodation_details": data["accommodation_details"],
    }
    degrees = [
        services.DegreeInput(
            **{k: f.cleaned_data[k] for k in ("title", "level", "ects", "field", "country")}
        )
        for f in formset.forms
        if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]
    field_in_error = None
    try:
        with transaction.atomic():
            if application is None:
                application = services.application_create(candidate=user, **target)
            else:
                application = services.application_update_draft(
                    application=application, actor_user=user, **target
                )
            services.application_degrees_set(
                application=application, actor_user=user, degrees=degrees
            )
            for name in DOCUMENT_FIELDS:
                upload = request.FILES.get(name)
                if upload is None:
                    continue
                field_in_error = name
                services.document_add(
                    application=application,
                    actor_user=user,
                    kind=name,
                    upload=upload,
                    name=upload.name or name,
                )
                field_in_error = None
    except DomainError as exc:
        form.add_error(field_in_error, exc.message)
        return None
    return application


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An application: where it stands, each eligibility rule's outcome and reason, degrees,
    documents, history; for staff the moves they may make."""
    user = _user(request)
    application = _get(request, pk)
    actors = queries.actors_for(user=user, application=application)
    moves = [
        (status.value, STATUS_LABELS[status])
        for status in queries.next_statuses_for(user=user, application=application)
    ]
    return render(
        request,
        "admissions/application_detail.html",
        {
            "application": application,
            "outcomes": queries.eligibility_display(application),
            "moves": moves,
            "is_candidate": Actor.CANDIDATE in actors,
            "is_staff": Actor.ADMISSIONS in actors,
            "can_read_documents": queries.may_read_documents(user=user, application=application),
            "deadline": decision_deadline(application.presented_on)
            if application.presented_on
            else None,
            "history": [
                (t, STATUS_LABELS.get(Status(t.to_status), t.to_status))
                for t in application.transitions.all()
            ],
        },
    )


@login_required
@require_POST
def application_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an application (the buttons of the detail page)."""
    application = _get(request, pk)
    try:
        expected = int(request.POST.get("expected_version", ""))
        target = request.POST.get("target", "")
        note = request.POST.get("note", "").strip()
        if target == Status.MANUAL_REVIEW:
            services.application_send_to_manual_review(
                application=application,
                actor_user=_user(request),
                expected_version=expected,
                note=note,
            )
        else:
            services.application_transition(
                application=application,
                target=target,
                actor_user=_user(request),
                expected_version=expected,
                note=note,
            )
    except ValueError:
        messages.error(request, _("Reload the page and try again."))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The application's status is changed."))
    return redirect("admissions:application-detail", pk=application.pk)


@login_required
@require_POST
def application_fee(request: HttpRequest, pk: int) -> HttpResponse:
    """Admissions staff record the 80 € fee as paid or not paid."""
    application = _get(request, pk)
    try:
        services.application_fee_record(
            application=application,
            actor_user=_user(request),
            paid=request.POST.get("paid") == "yes",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The application fee is recorded."))
    return redirect("admissions:application-detail", pk=application.pk)
