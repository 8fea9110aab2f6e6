"""Forms of the programme pages: the director sets an edition's application window."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApplicationWindowForm(forms.Form):
    """Both ends are optional: an empty end follows the default rule (applications open one
    year before the edition starts and close on its first day). The service checks the
    order of the two days."""

    open_on = forms.DateField(
        label=_("Applications open on"),
        required=False,
        widget=_DATE,
        error_messages={"invalid": _("Enter a valid date (YYYY-MM-DD).")},
    )
    close_on = forms.DateField(
        label=_("Applications close on"),
        required=False,
        widget=_DATE,
        error_messages={"invalid": _("Enter a valid date (YYYY-MM-DD).")},
    )
