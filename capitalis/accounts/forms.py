from datetime import datetime, timedelta

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from capitalis.accounts.models import TOKEN_SCOPE_LABELS, User
from capitalis.accounts.rules import TokenScope


class UserAdminCreationForm(auth_forms.UserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email",)


class UserAdminChangeForm(auth_forms.UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = "__all__"


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form with a message that fits an e-mail login (not case-sensitive)."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("Enter a correct e-mail address and password."),
    }


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
        return None if value == "never" else timezone.now() + timedelta(days=int(value))
