from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from capitalis.accounts import services
from capitalis.accounts.forms import UserAdminChangeForm, UserAdminCreationForm
from capitalis.accounts.models import ApiToken, RoleAssignment, User
from capitalis.accounts.services import email_address_ensure


def _administers(request: HttpRequest) -> bool:
    """/admin/ is for those who administer the platform: active superusers, or staff given
    Django permissions on some models (e.g. editing the référentiel). Staff who hold only
    Capitalis roles (rules.STAFF_ROLES) work in the application's pages instead."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return bool(user.is_superuser or user.get_all_permissions())


def _admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """No password form of the admin's own (it would skip the second factor): people log in on
    the site's login page; someone logged in who may not administer gets a 404 (Django's admin
    sends them here)."""
    if request.user.is_authenticated:
        raise Http404
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or resolve_url("admin:index")
    login_url = resolve_url(settings.LOGIN_URL)
    return HttpResponseRedirect(f"{login_url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


admin.site.has_permission = _administers  # type: ignore[method-assign]
admin.site.login = _admin_login  # type: ignore[method-assign,assignment]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active")
    search_fields = ("email", "full_name")
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """An account created (or readdressed) by staff has a verified address: it logs in,
        resets its password and sets up a second factor at once."""
        super().save_model(request, obj, form, change)
        if not change or "email" in form.changed_data:
            email_address_ensure(user=obj, verified=True, actor=request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """People's API tokens, for reading and revoking only (a token is created by its owner, its
    text shown to her once)."""

    list_display = ("name", "user", "prefix", "scope", "created_at", "last_used_at", "expires_at")
    list_filter = ("scope",)
    search_fields = ("user__email", "name", "prefix")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "scope",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    exclude = ("secret_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.api_token_revoke(token=token, actor=request.user)
