"""Forms of the candidate's pages: sign-up and the application (one long accessible form:
target, prior degrees as a formset, English level, documents, accommodation). They only read
and shape input; every check that matters is repeated by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from capitalis.accounts.models import User
from capitalis.admissions.models import PriorDegree
from capitalis.admissions.queries import offering_choices
from capitalis.admissions.rules import CEFR
from capitalis.admissions.uploads import ALLOWED
from capitalis.programmes.models import Campus, Edition, ProgrammeYear, Specialisation, Track

ACCEPT = ",".join([*ALLOWED, *(ext for exts in ALLOWED.values() for ext in exts)])


class SignupForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not only digits, not a common password."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=[("fr", _("French")), ("en", _("English"))]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"

    def clean(self) -> dict[str, Any]:
        """The password rules, checked against the would-be user (its e-mail and name)."""
        data = super().clean() or {}
        password = data.get("password")
        if password:
            would_be = User(
                email=(data.get("email") or "").strip().lower(),
                full_name=(data.get("full_name") or "").strip(),
            )
            try:
                password_validation.validate_password(password, user=would_be)
            except ValidationError as error:
                self.add_error("password", error)
        return data


class ApplicationForm(forms.Form):
    edition = forms.ModelChoiceField(
        label=_("Edition"), queryset=Edition.objects.none(), empty_label=None
    )
    year = forms.ModelChoiceField(
        label=_("Year"), queryset=ProgrammeYear.objects.none(), empty_label=None
    )
    campus = forms.ModelChoiceField(
        label=_("Campus"), queryset=Campus.objects.none(), empty_label=None
    )
    track = forms.ChoiceField(label=_("Track"), choices=Track.choices)
    specialisation = forms.ModelChoiceField(
        label=_("Specialisation"),
        queryset=Specialisation.objects.none(),
        required=False,
        empty_label=_("No preference"),
    )
    english_level = forms.ChoiceField(
        label=_("English level (CEFR)"),
        choices=[("", _("Choose a level")), *((c, c) for c in CEFR)],
        required=False,
        help_text=_("From A1 (beginner) to C2 (proficient)."),
    )
    accommodation_requested = forms.TypedChoiceField(
        label=_("Do you need an accommodation (disability, health)?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        initial="no",
    )
    accommodation_details = forms.CharField(
        label=_("Accommodation needed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the admission jury and the campus disability referent can read this."),
    )
    cv = forms.FileField(label=_("CV"), required=False)
    transcript = forms.FileField(label=_("Transcripts"), required=False)
    motivation = forms.FileField(label=_("Motivation letter"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = offering_choices()
        self.offered = {(c.edition_id, c.year_id, c.campus_id, c.track) for c in choices}
        self.offered_specs = {
            (c.edition_id, c.year_id, c.campus_id, c.track, c.specialisation_id) for c in choices
        }
        field = self.fields
        field["edition"].queryset = Edition.objects.filter(  # type: ignore[attr-defined]
            pk__in={c.edition_id for c in choices}
        ).order_by("-start_date")
        field["year"].queryset = ProgrammeYear.objects.filter(  # type: ignore[attr-defined]
            pk__in={c.year_id for c in choices}
        ).order_by("position")
        field["campus"].queryset = Campus.objects.filter(  # type: ignore[attr-defined]
            pk__in={c.campus_id for c in choices}
        ).order_by("position")
        field["specialisation"].queryset = Specialisation.objects.filter(  # type: ignore[attr-defined]
            pk__in={c.specialisation_id for c in choices}
        ).order_by("position")
        for name in ("cv", "transcript", "motivation"):
            field[name].widget.attrs["accept"] = ACCEPT
            field[name].help_text = _("PDF, JPEG or PNG, at most 10 MB.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        edition, year, campus = data.get("edition"), data.get("year"), data.get("campus")
        track, spec = data.get("track"), data.get("specialisation")
        if edition and year and campus and track:
            key = (edition.pk, year.pk, campus.pk, track)
            if key not in self.offered or (
                spec is not None and (*key, spec.pk) not in self.offered_specs
            ):
                raise forms.ValidationError(
                    _(
                        "This edition does not offer this year, campus, track and "
                        "specialisation together."
                    ),
                    code="not_offered",
                )
        if data.get("accommodation_requested") and not data.get("accommodation_details"):
            self.add_error("accommodation_details", _("Say which accommodation you need."))
        return data


class DegreeForm(forms.Form):
    title = forms.CharField(label=_("Degree"), max_length=300)
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[
            ("bachelor", _("Bachelor (licence)")),
            ("master1", _("First year of a master")),
            ("master", _("Master")),
            ("other", _("Other")),
        ],
    )
    ects = forms.IntegerField(
        label=_("ECTS"),
        min_value=0,
        max_value=600,
        error_messages={"invalid": _("The ECTS must be a whole number.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    field = forms.ChoiceField(label=_("Field"), choices=PriorDegree.Field.choices)
    country = forms.CharField(
        label=_("Country (two-letter code)"),
        min_length=2,
        max_length=2,
        help_text=_("FR, DE, SN…"),
    )


DegreeFormSet = forms.formset_factory(DegreeForm, extra=1, max_num=6, validate_max=True)
