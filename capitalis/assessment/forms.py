"""The assessment form (SPEC §5): course and/or block, modality, date, weight, session, the
competencies evaluated with their criteria. Shared by the lecturer's page and the API, so both
check input the same way; the service then applies the domain checks (DomainError → a form
error)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.assessment import services
from capitalis.assessment.models import Assessment, Modality, Session
from capitalis.core.exceptions import DomainError
from capitalis.programmes.models import Course, Edition
from capitalis.referential.models import Block, Competency, EvaluationCriterion


def courses_for(user: User) -> QuerySet[Course]:
    """The courses ``user`` may create assessments for: his courses (a programme director:
    every one)."""
    qs = Course.objects.select_related("edition__programme", "year").order_by(
        "-edition__start_date", "year__position", "position", "code"
    )
    return permissions.restrict(qs, user, "course", "teach")


class AssessmentForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(), required=False, label=gettext_lazy("Course")
    )
    block = forms.ModelChoiceField(
        queryset=Block.objects.none(), required=False, label=gettext_lazy("Block")
    )
    code = forms.CharField(max_length=40, label=gettext_lazy("Code"))
    title_fr = forms.CharField(max_length=300, label=gettext_lazy("Title (French)"))
    title_en = forms.CharField(
        max_length=300, required=False, label=gettext_lazy("Title (English)")
    )
    modality = forms.ChoiceField(choices=Modality.choices, label=gettext_lazy("Modality"))
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    weight = forms.DecimalField(
        min_value=0, max_digits=6, decimal_places=2, initial=1, label=gettext_lazy("Weight")
    )
    session = forms.ChoiceField(
        choices=Session.choices, initial=Session.FIRST, label=gettext_lazy("Session")
    )
    competencies = forms.ModelMultipleChoiceField(
        queryset=Competency.objects.none(),
        required=False,
        label=gettext_lazy("Competencies evaluated"),
        widget=forms.CheckboxSelectMultiple,
    )
    criteria = forms.ModelMultipleChoiceField(
        queryset=EvaluationCriterion.objects.none(),
        required=False,
        label=gettext_lazy("Evaluation criteria"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, user: User, instance: Assessment | None = None, **kwargs: Any
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            links = list(instance.competency_links.prefetch_related("criteria"))
            kwargs["initial"] = {
                "course": instance.course_id,
                "block": instance.block_id,
                "code": instance.code,
                "title_fr": instance.title_fr,
                "title_en": instance.title_en,
                "modality": instance.modality,
                "date": instance.date,
                "weight": instance.weight,
                "session": instance.session,
                "competencies": [link.competency_id for link in links],
                "criteria": [c.pk for link in links for c in link.criteria.all()],
            }
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        courses = courses_for(user)
        if instance is not None:
            # the course and block of an existing assessment are fixed
            courses = courses.filter(pk=instance.course_id or 0)
            version_ids = [instance.edition.programme.certification_version_id]
            self.fields["course"].disabled = True
            self.fields["block"].disabled = True
        else:
            version_ids = list(
                courses.values_list("edition__programme__certification_version_id", flat=True)
                .distinct()
                .order_by()
            )
        self.fields["course"].queryset = courses  # type: ignore[attr-defined]
        blocks = Block.objects.filter(version_id__in=version_ids).order_by("position", "code")
        self.fields["block"].queryset = blocks  # type: ignore[attr-defined]
        competencies = Competency.objects.filter(block__version_id__in=version_ids).order_by(
            "block__position", "position", "code"
        )
        self.fields["competencies"].queryset = competencies  # type: ignore[attr-defined]
        self.fields["criteria"].queryset = EvaluationCriterion.objects.filter(  # type: ignore[attr-defined]
            competency__block__version_id__in=version_ids
        ).order_by("competency__block__position", "competency__position", "position", "code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance is None and not data.get("course") and not data.get("block"):
            raise forms.ValidationError(_("An assessment belongs to a course, a block, or both."))
        chosen = {c.pk for c in data.get("competencies") or []}
        stray = [c.code for c in data.get("criteria") or [] if c.competency_id not in chosen]
        if stray:
            self.add_error(
                "criteria",
                _("Criteria of a competency that is not evaluated: %(codes)s")
                % {"codes": ", ".join(sorted(stray))},
            )
        return data

    def criteria_map(self) -> dict[int, list[EvaluationCriterion]]:
        grouped: dict[int, list[EvaluationCriterion]] = defaultdict(list)
        for criterion in self.cleaned_data.get("criteria") or []:
            grouped[criterion.competency_id].append(criterion)
        return dict(grouped)

    def save(self) -> Assessment:
        """Create or update through the services; a DomainError becomes a form error (and is
        raised again so the caller knows nothing was saved)."""
        data = self.cleaned_data
        competencies: Sequence[Competency] = list(data.get("competencies") or [])
        try:
            if self.instance is None:
                course = data.get("course")
                block = data.get("block")
                edition = course.edition if course else _edition_for_block(block, self.user)
                return services.assessment_create(
                    edition=edition,
                    course=course,
                    block=block,
                    code=data["code"],
                    title_fr=data["title_fr"],
                    title_en=data.get("title_en") or "",
                    modality=data["modality"],
                    date=data["date"],
                    weight=data["weight"],
                    session=data["session"],
                    competencies=competencies,
                    criteria=self.criteria_map(),
                    actor=self.user,
                )
            return services.assessment_update(
                assessment=self.instance,
                actor=self.user,
                competencies=competencies,
                criteria=self.criteria_map(),
                code=data["code"],
                title_fr=data["title_fr"],
                title_en=data.get("title_en") or "",
                modality=data["modality"],
                date=data["date"],
                weight=data["weight"],
                session=data["session"],
            )
        except DomainError as error:
            self.add_error(None, error.message)
            raise


def _edition_for_block(block: Block | None, user: User) -> Edition:
    """A block-only assessment belongs to the latest edition of a programme on the block's
    version that the user may work on."""
    assert block is not None
    edition = (
        Edition.objects.filter(programme__certification_version_id=block.version_id)
        .order_by("-start_date")
        .first()
    )
    if edition is None:
        raise DomainError(_("No edition runs this block's version."), code="edition")
    return edition
