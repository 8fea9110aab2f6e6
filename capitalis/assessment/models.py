"""Assessments, the competencies they evaluate, groups for group work, and results per learner
(SPEC §5)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from capitalis.core.models import TimeStampedModel, pick_language
from capitalis.enrolment.models import Enrolment
from capitalis.programmes.models import Course, Edition
from capitalis.referential.models import Block, Competency, EvaluationCriterion


class Modality(models.TextChoices):
    """How an assessment is run (SPEC §5)."""

    INDIVIDUAL_CASE_STUDY = "individual_case_study", _("individual case study")
    GROUP_CASE_STUDY = "group_case_study", _("group case study")
    ROLE_PLAY = "role_play", _("role play / simulation")
    WRITTEN_REPORT_ORAL = "written_report_oral", _("written report with oral presentation")
    WRITTEN_EXAM = "written_exam", _("written exam")
    ORAL_EXAM = "oral_exam", _("oral exam")
    RESEARCH_DISSERTATION = "research_dissertation", _("research dissertation")
    EXPERIENCE_REPORT_DEFENCE = (
        "experience_report_defence",
        _("professional experience report with oral defence"),
    )
    SERIOUS_GAME = "serious_game", _("serious game")
    GRAND_ORAL = "grand_oral", _("Grand Oral")


class Session(models.TextChoices):
    FIRST = "first", _("first session")
    RESIT = "resit", _("resit")


class Level(models.TextChoices):
    NOT_ACQUIRED = "not_acquired", _("not acquired")
    IN_PROGRESS = "in_progress", _("in progress")
    ACQUIRED = "acquired", _("acquired")
    MASTERED = "mastered", _("mastered")


class Absence(models.TextChoices):
    NONE = "none", _("present")
    JUSTIFIED = "justified", _("justified absence")
    UNJUSTIFIED = "unjustified", _("unjustified absence")


class Assessment(TimeStampedModel):
    """An assessment of a course and/or a block in an edition: modality, date, weight, session.

    ``code`` is unique within the edition. Its date is mirrored as a CalendarEvent (kind
    assessment) on the calendars of the learners concerned (services.assessment_create)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="assessments")
    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    block = models.ForeignKey(
        Block,
        verbose_name=_("block"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    code = models.CharField(_("code"), max_length=40)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    modality = models.CharField(_("modality"), max_length=40, choices=Modality.choices)
    date = models.DateField(_("date"))
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=Decimal(1))
    session = models.CharField(
        _("session"), max_length=10, choices=Session.choices, default=Session.FIRST
    )
    competencies = models.ManyToManyField(
        Competency, through="AssessmentCompetency", related_name="assessments", blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["edition", "date", "code"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="assessment_code_unique"),
            models.CheckConstraint(
                condition=models.Q(course__isnull=False) | models.Q(block__isnull=False),
                name="assessment_course_or_block",
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="assessment_weight_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return pick_language(self.title_fr, self.title_en)


class AssessmentCompetency(models.Model):
    """A competency an assessment evaluates, with the criteria it judges it by."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="competency_links"
    )
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    criteria = models.ManyToManyField(EvaluationCriterion, blank=True, related_name="+")

    class Meta:
        ordering = ["assessment", "competency__position", "competency__code"]
        verbose_name = _("assessed competency")
        verbose_name_plural = _("assessed competencies")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "competency"], name="assessment_competency_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.competency_id}"


class AssessmentGroup(models.Model):
    """A group of learners assessed together (group work): a group result reaches every member."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(Enrolment, related_name="assessment_groups", blank=True)

    class Meta:
        ordering = ["assessment", "name"]
        verbose_name = _("assessment group")
        verbose_name_plural = _("assessment groups")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "name"], name="assessment_group_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.name}"


class Result(models.Model):
    """A learner's result in an assessment, for one competency (or, ``competency`` empty, for the
    assessment as a whole): grade on 20 and/or level, absence, comment, author.

    PII note: a person's grades and the lecturer's comment. Every change is kept in history (who,
    when, the previous value)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="results")
    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    grade = models.DecimalField(
        _("grade (out of 20)"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    level = models.CharField(
        _("level"), max_length=20, choices=Level.choices, null=True, blank=True
    )
    absence = models.CharField(
        _("absence"), max_length=20, choices=Absence.choices, default=Absence.NONE
    )
    comment = models.TextField(_("comment"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "enrolment", "competency"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "enrolment", "competency"],
                condition=models.Q(competency__isnull=False),
                name="result_unique",
            ),
            models.UniqueConstraint(
                fields=["assessment", "enrolment"],
                condition=models.Q(competency__isnull=True),
                name="result_whole_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(grade__isnull=True)
                | (models.Q(grade__gte=0) & models.Q(grade__lte=20)),
                name="result_grade_0_20",
            ),
        ]
        indexes = [models.Index(fields=["enrolment", "competency"])]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.enrolment_id} {self.competency_id}: {self.grade}"
