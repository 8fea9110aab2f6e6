"""Forms of the candidate's pages: sign-up and the application (one long accessible form:
target, prior degrees as a list the candidate adds to and removes from, English level,
documents, accommodation). A draft saves half-filled; what submission needs is required only
when the candidate submits. They only read and shape input; every check that matters is
repeated by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from capitalis.accounts.models import User
from capitalis.admissions.models import PriorDegree
from capitalis.admissions.queries import editions_open_for_applications, offering_choices
from capitalis.admissions.rules import CEFR
from capitalis.core import clock
from capitalis.core.uploads import ALLOWED
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


REQUIRED_TO_SUBMIT = _("Required to submit your application.")


class ApplicationForm(forms.Form):
    """The application's own fields. Saving a draft needs only a target the edition offers
    (edition, year, campus, track: the draft's row needs them); everything else may still be
    empty. ``submitting``: the candidate pressed "Submit", so what submission needs is required
    too, with the error at the field."""

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
        required=False,
        empty_value=False,  # type: ignore[arg-type]
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

    TARGET = ("edition", "year", "campus", "track", "specialisation")
    REQUIRED_TARGET = ("edition", "year", "campus", "track")

    def __init__(
        self,
        *args: Any,
        submitting: bool = False,
        documents: frozenset[str] = frozenset(),
        current_edition: Edition | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        self.documents = documents
        today = clock.today()
        open_ids = set(editions_open_for_applications(today=today).values_list("pk", flat=True))
        if current_edition is not None:
            # a draft keeps showing its own edition; the service refuses it if it has closed
            open_ids.add(current_edition.pk)
        choices = [c for c in offering_choices() if c.edition_id in open_ids]
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

    def target_is_valid(self) -> bool:
        """Can the draft be saved (a target the edition offers, whatever else is in error; a
        specialisation wish in error is left out)?"""
        return all(name not in self.errors for name in self.REQUIRED_TARGET) and not any(
            e.code == "not_offered" for e in self.non_field_errors().as_data()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        edition, year, campus = data.get("edition"), data.get("year"), data.get("campus")
        track, spec = data.get("track"), data.get("specialisation")
        if edition and year and campus and track:
            key = (edition.pk, year.pk, campus.pk, track)
            if (
                key in self.offered
                and spec is not None
                and (*key, spec.pk) not in self.offered_specs
            ):
                # the rest of the target is offered: the draft saves without this wish
                self.add_error(
                    "specialisation",
                    forms.ValidationError(
                        _("This specialisation is not offered there; choose another one."),
                        code="not_offered",
                    ),
                )
            elif key not in self.offered:
                raise forms.ValidationError(
                    _(
                        "This edition does not offer this year, campus, track and "
                        "specialisation together."
                    ),
                    code="not_offered",
                )
        if self.submitting:
            if not data.get("english_level") and "english_level" not in self.errors:
                self.add_error("english_level", REQUIRED_TO_SUBMIT)
            if data.get("accommodation_requested") and not data.get("accommodation_details"):
                self.add_error("accommodation_details", _("Say which accommodation you need."))
            for name in ("cv", "transcript", "motivation"):
                if not data.get(name) and name not in self.documents and name not in self.errors:
                    self.add_error(name, REQUIRED_TO_SUBMIT)
        return data


class DegreeForm(forms.Form):
    """One prior degree. In a draft every part may be empty; a value given must be valid.
    ``submitting``: every part is required (the formset tells it)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Degree"), max_length=300, required=False)
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[
            ("", _("Choose a level")),
            ("bachelor", _("Bachelor (licence)")),
            ("master1", _("First year of a master")),
            ("master", _("Master")),
            ("other", _("Other")),
        ],
        required=False,
    )
    ects = forms.IntegerField(
        label=_("ECTS"),
        min_value=0,
        max_value=600,
        required=False,
        error_messages={"invalid": _("The ECTS must be a whole number.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    field = forms.ChoiceField(
        label=_("Field"),
        choices=[("", _("Choose a field")), *PriorDegree.Field.choices],
        required=False,
    )
    country = forms.CharField(
        label=_("Country (two-letter code)"),
        min_length=2,
        max_length=2,
        required=False,
        help_text=_("FR, DE, SN…"),
    )
    in_progress = forms.BooleanField(label=_("I am still completing this degree"), required=False)

    PARTS = ("title", "level", "ects", "field", "country")

    def __init__(self, *args: Any, submitting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.submitting = submitting

    def is_blank(self) -> bool:
        """A new line the candidate left empty (never saved)."""
        data = getattr(self, "cleaned_data", {})
        return not data.get("id") and not any(
            data.get(name) not in (None, "", False) for name in (*self.PARTS, "in_progress")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("country"):
            data["country"] = str(data["country"]).strip().upper()
            if not data["country"].isalpha():
                self.add_error("country", _("Give the country as a two-letter code (FR, DE…)."))
        if self.submitting and not self.is_blank():
            for name in self.PARTS:
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, REQUIRED_TO_SUBMIT)
        return data


class BaseDegreeFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """The candidate's degrees: one form per degree (its ``id`` hidden), plus the new lines
    she asked for. Submitting needs at least one degree."""

    def __init__(self, *args: Any, submitting: bool = False, **kwargs: Any) -> None:
        self.submitting = submitting
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "submitting": self.submitting}

    def clean(self) -> None:
        if self.submitting and all(f.is_blank() for f in self.forms if hasattr(f, "cleaned_data")):
            raise forms.ValidationError(
                _("Add at least one degree to submit your application."), code="no_degree"
            )


DegreeFormSet = forms.formset_factory(
    DegreeForm, formset=BaseDegreeFormSet, extra=0, max_num=10, validate_max=True
)
