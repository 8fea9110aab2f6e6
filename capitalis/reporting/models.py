"""Reporting and obligations (SPEC §9–10): declared history figures, surveys, the holders'
declaration to the national register, personal data requests.

Indicators themselves are computed from records on demand (indicators/queries.py); only figures
from before the system are stored, marked as declared history.

PII note: survey invitations and answers are personal data (retention rules apply); award
declarations hold what the register needs and are kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from capitalis.core.models import TimeStampedModel
from capitalis.enrolment.models import Learner
from capitalis.jury.models import CertificationDecision
from capitalis.programmes.models import Campus, Edition, Programme
from capitalis.referential.models import Certification


class DeclaredFigure(TimeStampedModel):
    """A figure from before the system (seeds 000 and 003), entered as declared history."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    campus = models.ForeignKey(
        Campus,
        verbose_name=_("campus"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    indicator = models.CharField(_("indicator"), max_length=40)
    period = models.CharField(_("period"), max_length=20)  # "2021-22", "2020"
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10, default="%")
    numerator = models.PositiveIntegerField(_("numerator"), null=True, blank=True)
    denominator = models.PositiveIntegerField(_("denominator"), null=True, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["indicator", "period"]
        verbose_name = _("declared figure")
        verbose_name_plural = _("declared figures")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "campus", "indicator", "period"],
                name="declared_figure_unique",
            ),
            models.UniqueConstraint(
                fields=["programme", "indicator", "period"],
                condition=models.Q(campus__isnull=True),
                name="declared_figure_unique_all_campuses",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.value}"


class SurveyKind(models.TextChoices):
    SATISFACTION_TEACHING = "satisfaction_teaching", _("satisfaction with teaching")
    SATISFACTION_WORK_STUDY = "satisfaction_work_study", _("satisfaction with work-study")
    EMPLOYMENT_6M = "employment_6m", _("employment at 6 months")
    EMPLOYMENT_2Y = "employment_2y", _("employment at 2 years")


class Survey(TimeStampedModel):
    """A questionnaire sent to a cohort. ``questions`` is a list of
    {code, type: scale|yes_no|choice|text, label_fr, label_en, min, max, choices, required}."""

    kind = models.CharField(_("kind"), max_length=30, choices=SurveyKind.choices)
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="+"
    )
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    questions = models.JSONField(_("questions"), default=list)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))

    class Meta:
        ordering = ["-opens_on"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(fields=["kind", "edition"], name="survey_unique_per_edition")
        ]

    def __str__(self) -> str:
        return self.title_fr


class SurveyInvitation(TimeStampedModel):
    """A personal link to answer a survey without an account. Only the SHA-256 of the token is
    stored; the link carries the token. One answer per invitation."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    learner = models.ForeignKey(
        Learner,
        verbose_name=_("learner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "learner"], name="survey_invitation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.learner_id}"


class SurveyAnswer(models.Model):
    """One answer to one question; numeric answers in ``number`` for set-based indicators."""

    invitation = models.ForeignKey(
        SurveyInvitation, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.CharField(_("question"), max_length=40)
    number = models.IntegerField(_("number"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["invitation", "question"], name="survey_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id} {self.question}"


class FluxStatus(models.TextChoices):
    GENERATED = "generated", _("generated")
    REPORT_IMPORTED = "report_imported", _("processing report imported")


class DeclarationFlux(TimeStampedModel):
    """One holders' declaration file (accrochage XML, one certifier per file), valid against the
    official XSD when written; its SHA-256 and the awards it carries are kept."""

    certification = models.ForeignKey(
        Certification,
        verbose_name=_("certification"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    generated_at = models.DateTimeField(_("generated at"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    flux_id = models.CharField(_("flux identifier"), max_length=50, unique=True, null=True)
    file = models.FileField(_("file"), upload_to="reporting/declarations/")
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(
        _("status"), max_length=20, choices=FluxStatus.choices, default=FluxStatus.GENERATED
    )
    report_imported_at = models.DateTimeField(_("report imported at"), null=True, blank=True)
    report_file = models.FileField(
        _("processing report"), upload_to="reporting/declarations/reports/", blank=True
    )

    class Meta:
        ordering = ["-generated_at"]
        verbose_name = _("declaration file")
        verbose_name_plural = _("declaration files")

    def __str__(self) -> str:
        return self.filename


class AwardStatus(models.TextChoices):
    TO_DECLARE = "to_declare", _("to declare")
    SENT = "sent", _("sent")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class AwardDeclaration(TimeStampedModel):
    """The declaration of one award (a certification decision) to the national register, with a
    stable ``id_technique``; due within three months of the award."""

    decision = models.OneToOneField(
        CertificationDecision,
        verbose_name=_("certification decision"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    id_technique = models.CharField(_("technical identifier"), max_length=255, unique=True)
    awarded_on = models.DateField(_("awarded on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=AwardStatus.choices, default=AwardStatus.TO_DECLARE
    )
    flux = models.ForeignKey(
        DeclarationFlux,
        verbose_name=_("last declaration file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    error_message = models.TextField(_("error message"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("award declaration")
        verbose_name_plural = _("award declarations")
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.id_technique


class DataRequestKind(models.TextChoices):
    EXPORT = "export", _("data export")
    RETENTION = "retention", _("retention run")


class PersonalDataRequest(TimeStampedModel):
    """A person's data export (zip of JSON + documents) or a retention run, kept as a record."""

    kind = models.CharField(_("kind"), max_length=20, choices=DataRequestKind.choices)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="reporting/personal-data/", blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d}"
