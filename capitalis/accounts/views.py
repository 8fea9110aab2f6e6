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
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capitalis.accounts import queries, services
from capitalis.accounts.forms import ApiTokenForm
from capitalis.accounts.queries import request_user
from capitalis.accounts.rules import TokenScope
from capitalis.core.handlers import domain_errors


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
