from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from capitalis.accounts.models import ROLE_LABELS, SCOPE_LABELS, TOKEN_SCOPE_LABELS, User
from capitalis.accounts.rules import STAFF_ROLES, Role, ScopeKind, TokenScope
from capitalis.core import clock


class UserAdminCreationForm(auth_forms.UserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email",)


class UserAdminChangeForm(auth_forms.UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = "__all__"


class LoginForm(allauth_forms.LoginForm):
    """allauth's login form (second factor, rate limits, password-reset link) with the e-mail
    field posted as ``username``, as before: django-axes counts failures per ``username``."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.pop("login")
        field.label = capfirst(User._meta.get_field("email").verbose_name)
        field.widget.attrs.update({"autocomplete": "email", "autofocus": True})
        field.widget.attrs.pop("placeholder", None)
        self.fields = {"username": field, **self.fields}

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip()

    def clean(self) -> dict[str, Any]:
        if "username" in self.cleaned_data:
            self.cleaned_data["login"] = self.cleaned_data["username"]
        cleaned: dict[str, Any] = super().clean()
        login = getattr(self, "_login", None)
        if login is not None:
            login.email = self.cleaned_data["login"]
        return cleaned

    def user_credentials(self) -> dict[str, Any]:
        """``username`` (the e-mail address) as django-axes counts it; allauth's backend tries it
        as an e-mail address, once."""
        credentials: dict[str, Any] = {"username": self.cleaned_data["login"]}
        if self.cleaned_data.get("password"):
            credentials["password"] = self.cleaned_data["password"]
        return credentials


EXPIRY_CHOICES = [
    ("30", _("in 30 days")),
    ("90", _("in 90 days")),
    ("365", _("in one year")),
    ("never", _("never (until revoked)")),
]


class ApiTokenForm(forms.Form):
    """A new API token: its name, what it may do, when it expires."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the program that uses it."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=[(s.value, TOKEN_SCOPE_LABELS[s]) for s in TokenScope],
        initial=TokenScope.READ.value,
        widget=forms.RadioSelect,
    )
    expires = forms.ChoiceField(label=_("Expires"), choices=EXPIRY_CHOICES, initial="90")

    def expires_at(self) -> datetime | None:
        value = self.cleaned_data["expires"]
        return None if value == "never" else clock.now() + timedelta(days=int(value))


class StaffAccountForm(forms.Form):
    """A new staff account: who, and the language of the invitation and the pages."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=[("fr", _("French")), ("en", _("English"))], initial="fr"
    )


GLOBAL_CHOICE = "global"


class RoleGrantForm(forms.Form):
    """A role and where it applies: the whole school, or one campus, course, certification jury
    session or admission jury (one list, grouped by kind; a value is ``<kind>:<id>``)."""

    role = forms.ChoiceField(label=_("Role"))
    scope = forms.ChoiceField(label=_("Applies to"))

    def __init__(
        self,
        *args: Any,
        scopes: list[tuple[ScopeKind, list[tuple[int, str]]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        scope_field = self.fields["scope"]
        assert isinstance(role_field, forms.ChoiceField)
        assert isinstance(scope_field, forms.ChoiceField)
        role_field.choices = [(r.value, capfirst(ROLE_LABELS[r])) for r in Role if r in STAFF_ROLES]
        grouped: list[Any] = [(GLOBAL_CHOICE, capfirst(SCOPE_LABELS[ScopeKind.GLOBAL]))]
        for kind, rows in scopes:
            if rows:
                grouped.append(
                    (
                        capfirst(SCOPE_LABELS[kind]),
                        [(f"{kind.value}:{pk}", lbl) for pk, lbl in rows],
                    )
                )
        scope_field.choices = grouped

    def grant(self) -> tuple[Role, ScopeKind, int | None]:
        """The role, the scope kind and its id, as chosen."""
        value = self.cleaned_data["scope"]
        role = Role(self.cleaned_data["role"])
        if value == GLOBAL_CHOICE:
            return role, ScopeKind.GLOBAL, None
        kind, _sep, pk = value.partition(":")
        return role, ScopeKind(kind), int(pk)
