"""Account pages. Logging in is allauth's flow (second factor, rate limits) on our page; logging
out and changing one's password are Django's views with our templates. Login throttling is
django-axes' (settings: AXES_FAILURE_LIMIT, lockout template accounts/locked_out.html). Password
reset, e-mail confirmation and two-factor pages are allauth's under /accounts/ (templates in
capitalis/accounts/templates/account/ and mfa/ wear the site's layout)."""

from __future__ import annotations

from typing import Any

from allauth.account.views import LoginView as AllauthLoginView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capitalis.accounts import permissions, queries, services
from capitalis.accounts.forms import ApiTokenForm, RoleGrantForm, StaffAccountForm
from capitalis.accounts.models import ROLE_LABELS, SCOPE_LABELS, User
from capitalis.accounts.queries import request_user
from capitalis.accounts.rules import Grant, Role, ScopeKind, TokenScope
from capitalis.core.handlers import domain_errors
from capitalis.core.params import parse_id


class LoginView(AllauthLoginView):
    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        return context


class LogoutView(auth_views.LogoutView):
    """Log out (POST only, as Django requires) and go back to the home page."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@require_POST
@login_required
def email_verification_resend(request: HttpRequest) -> HttpResponse:
    """Send the confirmation e-mail again (a form button on pages that need a verified
    address), then go back where the person was."""
    user = request.user
    if queries.email_is_verified(user=user):
        messages.info(request, _("Your e-mail address is already confirmed."))
    elif not services.email_verification_send(request=request, user=user):  # type: ignore[arg-type]
        messages.warning(
            request, _("A confirmation e-mail was sent a moment ago; please check your inbox.")
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("web:home")
    return HttpResponseRedirect(target)


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in person's API tokens: list, create (the token is shown on the answer to the
    creation only), revoke (a button per token)."""
    user = request_user(request)
    created_text = ""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form) as refused:
            _token, created_text = services.api_token_create(
                user=user,
                name=form.cleaned_data["name"],
                scope=TokenScope(form.cleaned_data["scope"]),
                expires_at=form.expires_at(),
                actor=user,
            )
        if not refused:
            form = ApiTokenForm()
    response = render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": queries.api_tokens_for(user=user), "created": created_text},
        status=400 if form.errors else 200,
    )
    add_never_cache_headers(response)  # the one answer that carries a new token's text
    return response


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    token = queries.api_token_get_for(user=user, pk=pk)
    if token is None:
        raise Http404(_("Page not found."))
    services.api_token_revoke(token=token, actor=user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:api-tokens")


# --- the school's people and their roles (permissions TABLE "account") ---------------------

PEOPLE_PER_PAGE = 50


def _may(request: HttpRequest, action: str) -> User:
    user = request_user(request)
    if not permissions.can(user, action, "account"):
        raise PermissionDenied(_("You may not manage accounts."))
    return user


@login_required
def people(request: HttpRequest) -> HttpResponse:
    """The school's accounts (staff by default, everyone on demand, searchable) and the form
    that creates a staff account and sends its invitation."""
    actor = _may(request, "read")
    form = StaffAccountForm(request.POST or None)
    if request.method == "POST":
        _may(request, "manage")
        if form.is_valid():
            with domain_errors(request, form, fields={"exists": "email"}) as refused:
                person = services.staff_account_create(
                    email=form.cleaned_data["email"],
                    full_name=form.cleaned_data["full_name"],
                    preferred_language=form.cleaned_data["preferred_language"],
                    actor=actor,
                )
            if not refused:
                messages.success(
                    request,
                    _(
                        "The account of %(name)s is created; an invitation to choose a password "
                        "was sent to %(email)s. Grant a role now."
                    )
                    % {"name": person.get_full_name(), "email": person.email},
                )
                return redirect("accounts:person", user_id=person.pk)
    search = request.GET.get("q", "")[: queries.SEARCH_MAX]
    everyone = request.GET.get("who") == "all"
    page = Paginator(
        queries.account_list(search=search, staff_only=not everyone), PEOPLE_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/people.html",
        {
            "form": form,
            "page": page,
            "search": search,
            "everyone": everyone,
            "role_labels": ROLE_LABELS,
        },
        status=400 if form.errors else 200,
    )


def _person(request: HttpRequest, user_id: int) -> User:
    person = queries.account_list().filter(pk=user_id).first()
    if person is None:
        raise Http404(_("No account has this identifier."))
    return person


def _grant_rows(person: User) -> list[dict[str, Any]]:
    grants = [
        Grant(Role(a.role), ScopeKind(a.scope), a.scope_id) for a in person.role_assignments.all()
    ]
    labels = queries.scope_target_labels(grants)
    return [
        {
            "role": g.role.value,
            "role_label": ROLE_LABELS[g.role],
            "scope": g.scope.value,
            "scope_id": g.scope_id,
            "scope_label": SCOPE_LABELS[g.scope],
            "target": labels.get((g.scope, g.scope_id or 0), "") if g.scope_id is not None else "",
        }
        for g in grants
    ]


@login_required
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    """One account: its roles with what each applies to, withdrawing one, granting one, and
    sending the invitation again."""
    actor = _may(request, "read")
    person = _person(request, user_id)
    form = RoleGrantForm(request.POST or None, scopes=queries.scope_choices())
    if request.method == "POST":
        _may(request, "manage")
        if form.is_valid():
            role, scope, scope_id = form.grant()
            with domain_errors(request, form) as refused:
                services.staff_role_grant(
                    user=person, role=role, scope=scope, scope_id=scope_id, actor=actor
                )
            if not refused:
                messages.success(request, _("The role is granted."))
                return redirect("accounts:person", user_id=person.pk)
    return render(
        request,
        "accounts/person.html",
        {
            "person": person,
            "grants": _grant_rows(person),
            "form": form,
            "has_password": person.has_usable_password(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def person_revoke(request: HttpRequest, user_id: int) -> HttpResponse:
    """Withdraw one of the person's roles (the row's button)."""
    actor = _may(request, "manage")
    person = _person(request, user_id)
    try:
        role = Role(request.POST.get("role", ""))
        scope = ScopeKind(request.POST.get("scope", ""))
    except ValueError:
        messages.error(request, _("This person does not hold this role."))
        return redirect("accounts:person", user_id=person.pk)
    raw_id = request.POST.get("scope_id", "")
    scope_id = parse_id(raw_id) if raw_id else None
    with domain_errors(request) as refused:
        services.staff_role_revoke(
            user=person, role=role, scope=scope, scope_id=scope_id, actor=actor
        )
    if not refused:
        messages.success(request, _("The role is withdrawn."))
    return redirect("accounts:person", user_id=person.pk)


@login_required
@require_POST
def person_invite(request: HttpRequest, user_id: int) -> HttpResponse:
    """Send the invitation e-mail again (a new link to choose a password)."""
    actor = _may(request, "manage")
    person = _person(request, user_id)
    with domain_errors(request) as refused:
        services.account_invite(user=person, actor=actor)
    if not refused:
        messages.success(
            request, _("The invitation was sent again to %(email)s.") % {"email": person.email}
        )
    return redirect("accounts:person", user_id=person.pk)
