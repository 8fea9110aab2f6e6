"""Candidate and admissions pages (SPEC §3): sign up, my applications, the application form
(one long accessible form that works on a phone), the application page with its eligibility
outcome and, for admissions staff, the status moves and the fee. Thin: reads go through
``queries``, writes through ``services``; a file the user may not read answers 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capitalis.accounts import queries as accounts_queries
from capitalis.accounts import services as accounts_services
from capitalis.accounts.queries import request_user
from capitalis.admissions import queries, services
from capitalis.admissions.forms import ApplicationForm, DegreeFormSet, SignupForm
from capitalis.admissions.models import STATUS_LABELS, Application
from capitalis.admissions.rules import Actor, Status, decision_deadline
from capitalis.core.handlers import domain_errors

DOCUMENT_FIELDS = ("cv", "transcript", "motivation")
# a decided application has a decision letter (jury.queries.letter_application_get_for)
LETTER_STATUSES = tuple(
    s.value for s in (Status.ADMITTED, Status.WAITLISTED, Status.REFUSED, Status.ENROLLED)
)


def _get(request: HttpRequest, pk: int) -> Application:
    try:
        return queries.application_get_for(user=request_user(request), pk=pk)
    except Application.DoesNotExist:
        raise Http404(_("No application found.")) from None


def signup(request: HttpRequest) -> HttpResponse:
    """Create a candidate account. The outcome does not tell whether the address already had
    an account (same redirect, same message; nobody is logged in): the person logs in next.
    Sign-ups are limited per client address (ACCOUNT_RATE_LIMITS["signup"]; 429 beyond)."""
    if request.user.is_authenticated:
        return redirect("admissions:application-list")
    form = SignupForm(
        request.POST or None, initial={"preferred_language": translation.get_language()}
    )
    if request.method == "POST" and not accounts_services.signup_allowed(request=request):
        form.is_valid()
        form.add_error(None, _("Too many sign-ups from your network: try again in a minute."))
        return render(request, "admissions/signup.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form, fields={"password": "password"}) as refused:
            new_user = services.candidate_signup_request(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
        if not refused:
            if new_user is not None:  # the link that confirms the address (before submitting)
                accounts_services.email_verification_send(request=request, user=new_user)
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
    applications = queries.application_list_for(user=request_user(request))
    return render(
        request,
        "admissions/application_list.html",
        {"applications": applications, "labels": STATUS_LABELS},
    )


DEGREE_KEYS = ("id", "title", "level", "ects", "field", "country", "in_progress")


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
            "id": d.pk,
            "title": d.title,
            "level": d.level,
            "ects": d.ects,
            "field": d.field,
            "country": d.country,
            "in_progress": d.in_progress,
        }
        for d in application.prior_degrees.order_by("id")
    ]
    return initial, degrees


def _posted_degrees(data: QueryDict) -> list[dict[str, str]]:
    """The degree lines as posted (raw strings), in order."""
    try:
        total = min(int(data.get("degrees-TOTAL_FORMS", "0")), 10)
    except ValueError:
        total = 0
    return [{key: data.get(f"degrees-{i}-{key}", "") for key in DEGREE_KEYS} for i in range(total)]


def _with_degrees(data: QueryDict, rows: list[dict[str, Any]]) -> QueryDict:
    """A copy of ``data`` whose degree lines are ``rows`` (ids of saved degrees filled in, a
    removed one dropped, a new empty one added)."""
    copy = data.copy()
    for key in list(copy.keys()):
        if key.startswith("degrees-"):
            del copy[key]
    copy["degrees-TOTAL_FORMS"] = str(len(rows))
    copy["degrees-INITIAL_FORMS"] = "0"
    copy["degrees-MIN_NUM_FORMS"] = "0"
    copy["degrees-MAX_NUM_FORMS"] = "10"
    for i, row in enumerate(rows):
        for key in DEGREE_KEYS:
            value = row.get(key)
            if key == "in_progress":
                if value and value not in ("False", "false", "off"):
                    copy[f"degrees-{i}-{key}"] = "on"
            elif value not in (None, ""):
                copy[f"degrees-{i}-{key}"] = str(value)
    return copy


def _render_form(
    request: HttpRequest,
    form: ApplicationForm,
    formset: Any,
    application: Application | None,
) -> HttpResponse:
    documents = (
        {d.kind: d for d in application.documents.order_by("kind", "id")} if application else {}
    )
    return render(
        request,
        "admissions/application_form.html",
        {
            "form": form,
            "formset": formset,
            "application": application,
            "documents": documents,
            "document_fields": [(form[name], documents.get(name)) for name in DOCUMENT_FIELDS],
        },
    )


def _document_kinds(application: Application | None) -> frozenset[str]:
    """The kinds of document the draft already has (a form does not require them again)."""
    if application is None:
        return frozenset()
    return frozenset(application.documents.values_list("kind", flat=True))


def _remove_degree(
    request: HttpRequest, application: Application, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The "Remove" button of a degree line: the degree goes, and its line with it."""
    try:
        removed = int(request.POST.get("remove_degree", ""))
    except ValueError:
        messages.error(request, _("This degree is not part of your application."))
        return rows
    with domain_errors(request, message=False) as refused:
        services.application_degree_remove(
            application=application, actor_user=request_user(request), degree_id=removed
        )
    if refused:
        messages.error(request, _("This degree is not part of your application."))
        return rows
    messages.success(request, _("The degree is removed."))
    return [r for r in rows if str(r.get("id") or "") != str(removed)]


def _submit(request: HttpRequest, application: Application) -> HttpResponse:
    """ "Submit" on a saved draft whose form is complete: the services' refusal (the window
    closed, an unconfirmed address…) is told above the draft, which stays saved."""
    with domain_errors(request, message=False) as refused:
        submitted = services.application_submit(
            application=application,
            actor_user=request_user(request),
            expected_version=application.version,
        )
    if refused:
        messages.error(
            request, _("Your draft is saved, but: %(error)s") % {"error": refused.message}
        )
        return redirect("admissions:application-edit", pk=application.pk)
    messages.success(request, _("Your application is submitted."))
    return redirect("admissions:application-detail", pk=submitted.pk)


@login_required
def application_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Start or continue a draft. Every button saves what is valid first ("Save the draft",
    "Add a degree", "Remove" on a degree, "Submit"): a half-filled draft saves; a value in
    error is shown at its field while the rest, uploaded files included, is kept. Submitting
    then requires what submission needs, with the errors at the fields."""
    user = request_user(request)
    application = _get(request, pk) if pk is not None else None
    if application is not None and (
        application.candidate_id != user.pk or application.status != Status.DRAFT
    ):
        return redirect("admissions:application-detail", pk=application.pk)
    current_edition = application.edition if application is not None else None
    kinds = _document_kinds(application)
    if request.method != "POST":
        initial, degrees = _initial(application)
        if request.GET.get("add") == "1" or not degrees:
            degrees.append({})
        form = ApplicationForm(initial=initial, current_edition=current_edition, documents=kinds)
        formset = DegreeFormSet(initial=degrees, prefix="degrees")
        return _render_form(request, form, formset, application)

    submitting = "submit" in request.POST
    draft_form = ApplicationForm(
        request.POST, request.FILES, current_edition=current_edition, documents=kinds
    )
    draft_degrees = DegreeFormSet(request.POST, prefix="degrees")
    draft_ok = draft_form.is_valid() & draft_degrees.is_valid()
    rows: list[dict[str, Any]] = _posted_degrees(request.POST)
    file_errors: dict[str, str] = {}
    saved = application
    if draft_form.target_is_valid() or application is not None:
        saved, rows, file_errors = _save_draft(
            request, draft_form, draft_degrees, rows, application
        )
    remove = request.POST.get("remove_degree", "")
    if saved is not None and remove:
        rows = _remove_degree(request, saved, rows)
    if "add_degree" in request.POST:
        rows.append({})

    data = _with_degrees(request.POST, rows)
    form = ApplicationForm(
        data,
        submitting=submitting,
        current_edition=saved.edition if saved is not None else current_edition,
        documents=_document_kinds(saved) if saved is not None else kinds,
    )
    formset = DegreeFormSet(data, prefix="degrees", submitting=submitting)  # type: ignore[call-arg]
    shown_ok = form.is_valid() & formset.is_valid()
    for name, message in file_errors.items():
        form.add_error(name or None, message)
    if saved is None:
        return _render_form(request, form, formset, None)
    in_error = not draft_ok or bool(file_errors)
    if submitting and shown_ok and not in_error:
        return _submit(request, saved)
    if in_error or not shown_ok:
        messages.warning(
            request,
            _("Your draft is saved, except the values marked in error.")
            if in_error
            else _("Your draft is saved. Complete the fields marked to submit it."),
        )
        return _render_form(request, form, formset, saved)
    if "add_degree" in request.POST:
        return redirect(reverse("admissions:application-edit", args=[saved.pk]) + "?add=1")
    if not remove:
        messages.success(request, _("Your draft is saved."))
    return redirect("admissions:application-edit", pk=saved.pk)


def _save_draft(
    request: HttpRequest,
    form: ApplicationForm,
    formset: Any,
    rows: list[dict[str, Any]],
    application: Application | None,
) -> tuple[Application | None, list[dict[str, Any]], dict[str, str]]:
    """Save every valid part of the draft: its fields, each valid degree (changed by id or
    added), each accepted document. A part in error is left as it was. Returns the draft, the
    degree lines with the new degrees' ids, and the errors the services gave (field → message;
    "" for the whole form)."""
    user = request_user(request)
    data = getattr(form, "cleaned_data", {})
    fields = {
        name: data[name]
        for name in (*ApplicationForm.TARGET, "english_level", "accommodation_requested")
        if name in data and name not in form.errors
    }
    if "accommodation_details" in data and "accommodation_details" not in form.errors:
        fields["accommodation_details"] = data["accommodation_details"]
    if not form.target_is_valid():
        for name in ApplicationForm.TARGET:
            fields.pop(name, None)
    file_errors: dict[str, str] = {}
    with domain_errors(request, message=False) as refused, transaction.atomic():
        if application is None:
            application = services.application_create(candidate=user, **fields)
        elif fields:
            application = services.application_update_draft(
                application=application, actor_user=user, **fields
            )
    if refused:
        file_errors[""] = refused.message
        return application, rows, file_errors
    valid = [
        (i, f)
        for i, f in enumerate(formset.forms)
        if hasattr(f, "cleaned_data") and not f.errors and not f.is_blank()
    ]
    inputs = [
        services.DegreeInput(
            id=f.cleaned_data.get("id"),
            **{k: f.cleaned_data.get(k) for k in ("title", "level", "field", "country")},
            ects=f.cleaned_data.get("ects"),
            in_progress=bool(f.cleaned_data.get("in_progress")),
        )
        for _i, f in valid
    ]
    with domain_errors(request, message=False) as refused:
        degrees = services.application_degrees_save(
            application=application, actor_user=user, degrees=inputs
        )
    if refused:
        file_errors[""] = refused.message
    else:
        rows = [dict(r) for r in rows]
        for (i, _f), degree in zip(valid, degrees, strict=True):
            if i < len(rows):
                rows[i]["id"] = degree.pk
    for name in DOCUMENT_FIELDS:
        upload = request.FILES.get(name)
        if upload is None or name in form.errors:
            if upload is not None:
                file_errors[name] = "; ".join(str(e) for e in form.errors[name])
            continue
        with domain_errors(request, message=False) as refused:
            services.document_add(
                application=application,
                actor_user=user,
                kind=name,
                upload=upload,
                name=upload.name or name,
            )
        if refused:
            file_errors[name] = refused.message
    return application, rows, file_errors


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An application: where it stands, each eligibility rule's outcome and reason, degrees,
    documents, history; for staff the moves they may make."""
    user = request_user(request)
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
            "email_pending": Actor.CANDIDATE in actors
            and accounts_queries.email_awaits_confirmation(user=user),
            "can_read_documents": queries.may_read_documents(user=user, application=application),
            "decided_statuses": LETTER_STATUSES,
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
    except ValueError:
        messages.error(request, _("Reload the page and try again."))
        return redirect("admissions:application-detail", pk=application.pk)
    target = request.POST.get("target", "")
    note = request.POST.get("note", "").strip()
    with domain_errors(request) as refused:
        if target == Status.MANUAL_REVIEW:
            services.application_send_to_manual_review(
                application=application,
                actor_user=request_user(request),
                expected_version=expected,
                note=note,
            )
        else:
            services.application_transition(
                application=application,
                target=target,
                actor_user=request_user(request),
                expected_version=expected,
                note=note,
            )
    if not refused:
        messages.success(request, _("The application's status is changed."))
    return redirect("admissions:application-detail", pk=application.pk)


@login_required
@require_POST
def application_fee(request: HttpRequest, pk: int) -> HttpResponse:
    """Admissions staff record the 80 € fee as paid or not paid."""
    application = _get(request, pk)
    with domain_errors(request) as refused:
        services.application_fee_record(
            application=application,
            actor_user=request_user(request),
            paid=request.POST.get("paid") == "yes",
        )
    if not refused:
        messages.success(request, _("The application fee is recorded."))
    return redirect("admissions:application-detail", pk=application.pk)
