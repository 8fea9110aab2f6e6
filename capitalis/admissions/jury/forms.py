"""Forms of the interview and admission jury pages (parse input only; services decide)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from capitalis.accounts.models import User
from capitalis.accounts.rules import STAFF_ROLES
from capitalis.admissions.queries import editions_current_or_future
from capitalis.admissions.rules import DECISIONS, Status
from capitalis.core import clock
from capitalis.programmes.models import Campus, Edition

DECISION_LABELS = {
    Status.ADMITTED: _("admitted"),
    Status.WAITLISTED: _("waitlisted"),
    Status.REFUSED: _("refused"),
}


def staff_users() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Interviewers"),
        queryset=User.objects.filter(role_assignments__role__in=[r.value for r in STAFF_ROLES])
        .distinct()
        .order_by("full_name", "email"),
        required=False,
    )


def planned_editions() -> QuerySet[Edition]:
    """Interviews and admission juries are planned for the current and future editions only
    (``rules.is_current_or_future``)."""
    return editions_current_or_future(today=clock.today())


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class DateInput(forms.DateInput):
    input_type = "date"


class SlotForm(forms.Form):
    edition = forms.ModelChoiceField(
        label=_("Edition"), queryset=Edition.objects.select_related("programme")
    )
    campus = forms.ModelChoiceField(label=_("Campus"), queryset=Campus.objects.all())
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput)
    location = forms.CharField(label=_("Place or video link"), max_length=300, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["edition"].queryset = planned_editions()  # type: ignore[attr-defined]
        self.fields["interviewers"] = staff_users()


class JuryForm(forms.Form):
    edition = forms.ModelChoiceField(
        label=_("Edition"), queryset=Edition.objects.select_related("programme")
    )
    campus = forms.ModelChoiceField(label=_("Campus"), queryset=Campus.objects.all())
    sits_on = forms.DateField(label=_("Sits on"), widget=DateInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["edition"].queryset = planned_editions()  # type: ignore[attr-defined]
        people = staff_users()
        self.fields["president"] = forms.ModelChoiceField(
            label=_("President"), queryset=people.queryset
        )
        people.label = _("Members")
        self.fields["members"] = people


def parse_pk_version(value: str) -> tuple[int, int] | None:
    """``"12:3"`` → (12, 3): an application and the version the user saw."""
    try:
        pk, version = value.split(":", 1)
        return int(pk), int(version)
    except ValueError:
        return None


def decision_choices() -> list[tuple[str, str]]:
    return [("", str(_("— no decision —")))] + [
        (s.value, str(DECISION_LABELS[s])) for s in Status if s in DECISIONS
    ]
