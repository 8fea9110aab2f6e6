"""Forms of the enrolment pages: they parse input only; the rules are checked by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from capitalis.core import clock
from capitalis.enrolment.models import CONTRACT_KIND_LABELS, PlacementMode
from capitalis.enrolment.rules import ContractKind
from capitalis.programmes.models import Edition, Track


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


CONTRACT_NEEDS = (
    "kind",
    "employer_name",
    "employer_siret",
    "tutor_email",
    "contract_start",
    "contract_end",
)


class ContractFields(forms.Form):
    """A work-study contract; ``required`` False makes the whole block optional (the enrol
    form shows it for every track and the service says when it is needed)."""

    contract_required = True

    kind = forms.ChoiceField(
        label=_("Contract type"),
        choices=[(k.value, CONTRACT_KIND_LABELS[k]) for k in ContractKind],
        required=False,
    )
    employer_name = forms.CharField(label=_("Employer"), max_length=200, required=False)
    employer_siret = forms.CharField(
        label=_("Employer SIRET"),
        max_length=20,
        required=False,
        help_text=_("14 digits; spaces allowed."),
    )
    opco_name = forms.CharField(label=_("OPCO"), max_length=200, required=False)
    tutor_email = forms.EmailField(
        label=_("Tutor's e-mail address"),
        required=False,
        help_text=_(
            "Required with a contract: the maître d'apprentissage, who sees his apprentice."
        ),
    )
    tutor_name = forms.CharField(label=_("Tutor's name"), max_length=200, required=False)
    contract_start = _date(_("Contract start"), required=False)
    contract_end = _date(_("Contract end"), required=False)

    def has_contract(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("employer_name") or data.get("employer_siret"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.contract_required or data.get("employer_name") or data.get("employer_siret"):
            for name in CONTRACT_NEEDS:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("This field is required."))
        return data


class EnrolForm(ContractFields):
    contract_required = False
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContractForm(ContractFields):
    pass


class TutorForm(forms.Form):
    tutor_email = forms.EmailField(label=_("Tutor's e-mail address"))
    tutor_name = forms.CharField(label=_("Tutor's name"), max_length=200, required=False)


class TerminateForm(forms.Form):
    terminated_on = _date(_("Terminated on"))
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=True
    )


class InternshipForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Placement"),
        choices=PlacementMode.choices,
        required=False,
        help_text=_(
            "As the campus rhythm says: one continuous internship (Paris, from March) or "
            "alternating with school over the dates (Lyon, Bordeaux). Placement days are "
            "counted on the campus calendar: at least 110."
        ),
    )
    host_name = forms.CharField(label=_("Host organisation"), max_length=200)
    host_siret = forms.CharField(label=_("Host SIRET (optional)"), max_length=20, required=False)
    tutor_name = forms.CharField(label=_("Tutor's name"), max_length=200)
    tutor_email = forms.EmailField(label=_("Tutor's e-mail address"), required=False)
    start_date = _date(_("Start date"))
    end_date = _date(_("End date"))
    agreement_signed_on = _date(_("Agreement signed on"), required=False)


class ReenrolForm(ContractFields):
    contract_required = False
    edition = forms.ModelChoiceField(label=_("Edition"), queryset=Edition.objects.none())
    track = forms.ChoiceField(label=_("Track"), choices=Track.choices)

    def __init__(self, *args: Any, editions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editions is not None:
            self.fields["edition"].queryset = editions  # type: ignore[attr-defined]


class TransitionForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput())
    note = forms.CharField(label=_("Note"), required=False)


class CvecForm(forms.Form):
    academic_year = forms.CharField(label=_("Academic year"), max_length=20)
    certificate_number = forms.CharField(label=_("CVEC certificate number"), max_length=40)
    recorded_on = _date(_("Recorded on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recorded_on"].initial = clock.today()


class LearnerForm(forms.Form):
    national_student_number = forms.CharField(
        label=_("National student number (INE)"), max_length=20, required=False
    )
    date_of_birth = _date(_("Date of birth"), required=False)
    # Civil-status identity for the holders' declaration to the national register.
    birth_name = forms.CharField(label=_("Birth name"), max_length=60, required=False)
    usage_name = forms.CharField(
        label=_("Usage name"),
        max_length=60,
        required=False,
        help_text=_("Only when it differs from the birth name."),
    )
    first_names = forms.CharField(
        label=_("First names"),
        max_length=190,
        required=False,
        help_text=_("In civil-status order, separated by commas (the first three are declared)."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[("", "—"), ("F", _("female")), ("M", _("male"))],
        required=False,
    )
    birth_place_code = forms.CharField(
        label=_("INSEE code of the place of birth"),
        max_length=5,
        required=False,
        help_text=_(
            "5 characters: the commune's INSEE code (e.g. 69123); for a birth abroad, the "
            "INSEE code of the country (e.g. 99109)."
        ),
    )
    birth_place_name = forms.CharField(label=_("Place of birth"), max_length=60, required=False)
    birth_country = forms.CharField(label=_("Country of birth"), max_length=60, required=False)
