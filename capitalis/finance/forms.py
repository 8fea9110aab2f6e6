"""Forms of the finance pages. Amounts are typed as text and checked by the service (two
decimals at most, above zero, not above the balance unless confirmed): never a float."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from capitalis.core import clock
from capitalis.finance.models import Payment


class PaymentForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount (€)"),
        max_length=20,
        help_text=_("Two decimals at most, with a dot or a comma (80.00 or 80,00)."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    paid_on = forms.DateField(
        label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    method = forms.ChoiceField(label=_("Method"), choices=Payment.Method.choices)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    confirm_overpayment = forms.BooleanField(
        label=_("I confirm this payment is above what is still owed"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = clock.today()

    def clean_amount(self) -> str:
        return str(self.cleaned_data["amount"]).strip().replace(",", ".").replace(" ", "")


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=500)


class ExportForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
