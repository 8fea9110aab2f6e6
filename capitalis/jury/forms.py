"""Forms of the jury pages: scheduling or editing a session (programme director) and closing
one (its president). Parsing only; the rules and writes are the services'."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from capitalis.accounts.models import User
from capitalis.jury import queries
from capitalis.jury.models import JurySession, Route
from capitalis.programmes.models import Campus, Edition
from capitalis.referential.models import Block, CertificationVersion

# which form field shows a DomainError, by its code (others: above the form)
ERROR_FIELDS = {
    "title": "title",
    "appeal_days": "appeal_days",
    "president_is_member": "members",
    "member_repeated": "members",
    "members": "members",
    "version": "version",
    "edition": "edition",
    "campus": "campus",
    "date": "date",
}


class _PersonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.email} ({obj.email})"


class _PeopleChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.email} ({obj.email})"


class _VersionChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.certification.code} — {obj.label}"


class _EditionChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.programme.code} — {obj.label}"


class SessionForm(forms.Form):
    """A jury session as the programme director schedules it: what, when, who sits, and the
    filters choosing its learners (previewed before saving)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    version = _VersionChoice(
        label=_("Certification version"),
        queryset=CertificationVersion.objects.select_related("certification").order_by(
            "certification__code", "position"
        ),
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    appeal_days = forms.IntegerField(
        label=_("Appeal period (days)"), min_value=1, max_value=365, initial=30
    )
    president = _PersonChoice(label=_("President"), queryset=User.objects.none())
    members = _PeopleChoice(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    edition = _EditionChoice(
        label=_("Cohort (edition)"),
        queryset=Edition.objects.select_related("programme").order_by("-start_date", "code"),
        required=False,
        empty_label=_("every edition of the version"),
    )
    campus = forms.ModelChoiceField(
        label=_("Campus"),
        queryset=Campus.objects.order_by("position", "name"),
        required=False,
        empty_label=_("every campus"),
    )
    new_evidence = forms.BooleanField(
        label=_("Only learners with new evidence since their last session"), required=False
    )
    resits = forms.BooleanField(
        label=_("Only resit candidates (not certified by an earlier session)"), required=False
    )
    vae = forms.BooleanField(label=_("VAE candidates ready for a jury"), required=False)
    appeals = forms.BooleanField(label=_("Appeals to decide"), required=False)
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = queries.jury_candidates()
        president = self.fields["president"]
        members = self.fields["members"]
        assert isinstance(president, forms.ModelChoiceField)
        assert isinstance(members, forms.ModelMultipleChoiceField)
        president.queryset = people
        members.queryset = people

    def filters(self) -> queries.ScopeFilters:
        data = self.cleaned_data
        return queries.ScopeFilters(
            edition=data["edition"].pk if data.get("edition") else None,
            campus=data["campus"].pk if data.get("campus") else None,
            new_evidence=bool(data.get("new_evidence")),
            resits=bool(data.get("resits")),
            vae=bool(data.get("vae")),
            appeals=bool(data.get("appeals")),
        )

    def fingerprint(self) -> str:
        """What the preview was computed from (version and filters): saving after the filters
        changed shows the new list first."""
        key = {"version": self.cleaned_data["version"].pk, **self.filters().as_dict()}
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]

    @classmethod
    def initial_for(cls, session: JurySession) -> dict[str, Any]:
        scope = session.scope or {}
        return {
            "title": session.title,
            "version": session.version_id,
            "date": session.date,
            "appeal_days": session.appeal_days,
            "president": session.president_id,
            "members": [m.pk for m in session.members.all()],
            "edition": session.edition_id,
            "campus": session.campus_id,
            "new_evidence": scope.get("new_evidence", False),
            "resits": scope.get("resits", False),
            "vae": scope.get("vae", False),
            "appeals": scope.get("appeals", False),
        }


class _BlockChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        version = obj.version
        return f"{version.certification.code} {version.code} — {obj.code} {queries.title_of(obj)}"


class PriorValidationForm(forms.Form):
    """A block validation obtained before Capitalis (issue 13 point 2): who, which block, when,
    how, and its source (a reference, the document, or both)."""

    learner = forms.CharField(
        label=_("Learner (e-mail address or INE)"), max_length=254, strip=True
    )
    block = _BlockChoice(
        label=_("Block"),
        queryset=Block.objects.select_related("version__certification").order_by(
            "version__certification__code", "version__position", "position"
        ),
    )
    validated_on = forms.DateField(
        label=_("Validated on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    route = forms.ChoiceField(label=_("Route"), choices=Route.choices)
    source_reference = forms.CharField(
        label=_("Source reference"),
        max_length=300,
        required=False,
        help_text=_("The minutes or decision it comes from (required without a document)."),
    )
    document = forms.FileField(
        label=_("Source document (PDF, JPEG or PNG, at most 10 MB)"), required=False
    )
