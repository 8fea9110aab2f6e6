"""Forms of the survey pages: they parse input only; the services check the rules. The answer
page has no Django form: its fields come from the survey's questions and the service validates
them (the same path as the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from capitalis.programmes.models import Edition
from capitalis.reporting.models import SurveyKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class EditionChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.programme.code} — {obj.label}"


class SurveyCreateForm(forms.Form):
    edition = EditionChoice(
        label=_("Programme edition"),
        queryset=Edition.objects.select_related("programme").order_by("-start_date", "code"),
    )
    kind = forms.ChoiceField(label=_("Kind of survey"), choices=SurveyKind.choices)
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput())
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput())
