"""Applications, their documents and eligibility rules, interviews and the admission jury
(SPEC §3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from capitalis.admissions.rules import CEFR, RuleKind, Status
from capitalis.core.models import TimeStampedModel, pick_language
from capitalis.programmes.models import (
    Campus,
    Edition,
    ProgrammeYear,
    Specialisation,
    Track,
)

STATUS_LABELS = {
    Status.DRAFT: _("draft"),
    Status.SUBMITTED: _("submitted"),
    Status.ELIGIBLE: _("eligible"),
    Status.MANUAL_REVIEW: _("manual review"),
    Status.INELIGIBLE: _("ineligible"),
    Status.INTERVIEW_SCHEDULED: _("interview scheduled"),
    Status.INTERVIEWED: _("interviewed"),
    Status.PRESENTED: _("presented to the admission jury"),
    Status.ADMITTED: _("admitted"),
    Status.WAITLISTED: _("waitlisted"),
    Status.REFUSED: _("refused"),
    Status.ENROLLED: _("enrolled"),
    Status.WITHDRAWN: _("withdrawn"),
}


class EligibilityRule(TimeStampedModel):
    """One eligibility rule of an edition for a programme year, as data (SPEC §3)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="eligibility_rules")
    year = models.ForeignKey(ProgrammeYear, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(
        _("kind"), max_length=20, choices=[(k.value, k.value) for k in RuleKind]
    )
    params = models.JSONField(_("parameters"), default=dict)
    label_fr = models.CharField(_("label (French)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["edition", "year", "position", "code"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "year", "code"], name="eligibility_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.edition} {self.year.code} {self.code}"

    @property
    def label(self) -> str:
        return pick_language(self.label_fr, self.label_en)


class Application(TimeStampedModel):
    """A candidate's application to a year of an edition, on a campus and a track.

    PII note: holds the candidate's academic history, English level, accommodation request
    (health-related: visible only to the admission jury and the campus disability referent)
    and documents.

    ``version`` increases with every change of status: a decision made on a stale copy is
    refused (two staff deciding at once: the second is told, nothing is lost).
    """

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="applications")
    year = models.ForeignKey(ProgrammeYear, on_delete=models.PROTECT, related_name="+")
    campus = models.ForeignKey(Campus, on_delete=models.PROTECT, related_name="applications")
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    specialisation = models.ForeignKey(
        Specialisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=[(s.value, STATUS_LABELS[s]) for s in Status],
        default=Status.DRAFT.value,
        db_index=True,
    )
    version = models.PositiveIntegerField(default=0)
    english_level = models.CharField(
        _("English level"), max_length=2, blank=True, choices=[(c, c) for c in CEFR]
    )
    accommodation_requested = models.BooleanField(_("accommodation requested"), default=False)
    accommodation_details = models.TextField(_("accommodation needed"), blank=True)
    application_fee_paid = models.BooleanField(_("application fee paid"), default=False)
    application_fee_paid_on = models.DateField(_("application fee paid on"), null=True, blank=True)
    eligibility = models.JSONField(_("eligibility outcome"), default=list, blank=True)
    manual_review_note = models.TextField(_("manual review note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    presented_on = models.DateField(_("presented to the jury on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    jury = models.ForeignKey(
        "AdmissionJury",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
    )
    decision_note = models.TextField(_("decision note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["edition", "campus", "status"])]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.edition} {self.year.code} {self.campus}"


class PriorDegree(TimeStampedModel):
    """A degree the candidate holds or is completing (``in_progress``). PII note: academic
    history. A draft may hold a half-filled degree (every column may be empty); submission
    requires each degree complete (``services.application_submit``)."""

    class Field(models.TextChoices):
        INTERNATIONAL_RELATIONS = "international_relations", _("international relations")
        POLITICAL_SCIENCE = "political_science", _("political science")
        PUBLIC_ADMINISTRATION = "public_administration", _("public administration")
        PUBLIC_AFFAIRS = "public_affairs", _("public affairs")
        LAW = "law", _("law")
        INTERNATIONAL_LAW = "international_law", _("international or European law")
        PUBLIC_LAW = "public_law", _("public law")
        ECONOMICS = "economics", _("economics")
        INTERNATIONAL_ECONOMICS = "international_economics", _("international economics")
        GEOPOLITICS = "geopolitics", _("geopolitics and history of international relations")
        HUMANITIES = "humanities", _("humanities or letters")
        SOCIAL_SCIENCES = "social_sciences", _("social sciences")
        OTHER = "other", _("other")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="prior_degrees"
    )
    title = models.CharField(_("degree"), max_length=300, blank=True)
    level = models.CharField(_("level"), max_length=50, blank=True)
    ects = models.PositiveIntegerField(_("ECTS"), null=True, blank=True)
    field = models.CharField(_("field"), max_length=40, choices=Field.choices, blank=True)
    country = models.CharField(_("country (ISO code)"), max_length=2, blank=True)
    year_obtained = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    in_progress = models.BooleanField(_("in progress"), default=False)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("prior degree")
        verbose_name_plural = _("prior degrees")

    def __str__(self) -> str:
        return f"{self.title} ({self.ects or 0} ECTS)"


def document_path(instance: ApplicationDocument, filename: str) -> str:
    """Documents are stored under a random name; the original name is kept in the row."""
    return f"applications/{instance.application_id}/{instance.kind}-{instance.sha256[:16]}"


class ApplicationDocument(TimeStampedModel):
    """A document of an application (PDF, JPEG or PNG, at most 10 MB, type checked from the
    content). PII note: CV, transcripts and letters hold personal data."""

    class Kind(models.TextChoices):
        CV = "cv", _("CV")
        TRANSCRIPT = "transcript", _("transcripts")
        MOTIVATION = "motivation", _("motivation letter")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["application", "kind", "created_at"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class ApplicationTransition(models.Model):
    """A change of status: from, to, who, when, why (the audit trail of the file)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=30)
    to_status = models.CharField(max_length=30)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["application", "at", "id"]
        verbose_name = _("application transition")
        verbose_name_plural = _("application transitions")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"


class InterviewCriterion(TimeStampedModel):
    """A line of an edition's interview scoring grid."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="interview_criteria"
    )
    code = models.CharField(_("code"), max_length=30)
    label_fr = models.CharField(_("label (French)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300, blank=True)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=5)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["edition", "position", "code"]
        verbose_name = _("interview criterion")
        verbose_name_plural = _("interview criteria")
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="interview_criterion_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick_language(self.label_fr, self.label_en)


class InterviewSlot(TimeStampedModel):
    """A time when interviewers meet one candidate."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="interview_slots")
    campus = models.ForeignKey(Campus, on_delete=models.CASCADE, related_name="interview_slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("place or video link"), max_length=300, blank=True)
    interviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="interview_slots", blank=True
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("interview slot")
        verbose_name_plural = _("interview slots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campus} {self.starts_at:%Y-%m-%d %H:%M}"


class Interview(TimeStampedModel):
    """The motivation interview of an application in a slot, its scores and, for a candidate
    with an accommodation, the adapted arrangements (visible only to the admission jury and
    the campus disability referent). PII note."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="interview"
    )
    slot = models.OneToOneField(InterviewSlot, on_delete=models.PROTECT, related_name="interview")
    adapted_arrangements = models.TextField(_("adapted arrangements"), blank=True)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    interviewed_at = models.DateTimeField(_("interviewed at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")

    def __str__(self) -> str:
        return f"{self.application} @ {self.slot}"


class AdmissionJury(TimeStampedModel):
    """An admission jury sitting: the files presented to it are decided in batch."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="admission_juries")
    campus = models.ForeignKey(
        Campus, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sits_on = models.DateField(_("sits on"))
    president = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="admission_juries", blank=True
    )

    class Meta:
        ordering = ["-sits_on"]
        verbose_name = _("admission jury")
        verbose_name_plural = _("admission juries")

    def __str__(self) -> str:
        return f"{self.edition} {self.campus or ''} {self.sits_on}"
