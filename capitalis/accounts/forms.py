from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from capitalis.accounts.models import User


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
