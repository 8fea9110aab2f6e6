from django.contrib.auth import forms as auth_forms

from capitalis.accounts.models import User


class UserAdminCreationForm(auth_forms.UserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email",)


class UserAdminChangeForm(auth_forms.UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = "__all__"
