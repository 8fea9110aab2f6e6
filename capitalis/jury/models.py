"""Jury sessions, their decisions per learner and block, the capitalised block validations,
appeals and VAE (SPEC §6).

Decisions keep the computed status beside any override (with its justification, who, when); a
``version`` column makes concurrent overrides safe (one wins, the other is told). Once a session
is closed its minutes (procès-verbal) are frozen by a SHA-256 of the PDF bytes; a correction is a
new decision in a later session that ``cites`` the old one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from capitalis.core.models import TimeStampedModel
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.jury import rules
from capitalis.programmes.models import Campus, Edition
from capitalis.referential.models import Block, CertificationVersion


class SessionStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


# The statuses are the rules' vocabulary (jury/rules/vocabulary.py); the models add their labels.
class BlockStatus(models.TextChoices):
    VALIDATED = rules.BlockStatus.VALIDATED.value, _("validated")
    NOT_VALIDATED = rules.BlockStatus.NOT_VALIDATED.value, _("not validated")
    INCOMPLETE = rules.BlockStatus.INCOMPLETE.value, _("incomplete")


class CertificationStatus(models.TextChoices):
    CERTIFIED = rules.CertificationStatus.CERTIFIED.value, _("certified")
    PARTIALLY_CERTIFIED = (
        rules.CertificationStatus.PARTIALLY_CERTIFIED.value,
        _("partially certified"),
    )
    NOT_CERTIFIED = rules.CertificationStatus.NOT_CERTIFIED.value, _("not certified")


class Route(models.TextChoices):
    TRAINING = rules.Route.TRAINING.value, _("training")
    VAE = rules.Route.VAE.value, _("VAE")
    EQUIVALENCE = rules.Route.EQUIVALENCE.value, _("equivalence")


class JurySession(TimeStampedModel):
    """A certification jury for one référentiel version, a date and a set of learners.

    PII note: the president and members are people (users)."""

    version = models.ForeignKey(
        CertificationVersion,
        verbose_name=_("certification version"),
        on_delete=models.PROTECT,
        related_name="jury_sessions",
    )
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    president = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("president"),
        on_delete=models.PROTECT,
        related_name="jury_sessions_presided",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        related_name="jury_sessions_member",
        blank=True,
    )
    learners = models.ManyToManyField(
        Enrolment,
        verbose_name=_("learners"),
        through="JurySessionLearner",
        related_name="jury_sessions",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN
    )
    appeal_days = models.PositiveSmallIntegerField(_("appeal period (days)"), default=30)
    edition = models.ForeignKey(
        Edition,
        verbose_name=_("edition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The cohort whose learners the session deliberates (empty: any)."),
    )
    campus = models.ForeignKey(
        Campus,
        verbose_name=_("campus"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The campus whose learners the session deliberates (empty: any)."),
    )
    scope = models.JSONField(_("learner filters"), default=dict, blank=True)
    pending_at_close = models.JSONField(
        _("cases left undecided at closing"), default=list, blank=True
    )
    deliberated_at = models.DateTimeField(_("deliberated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    minutes_pdf = models.FileField(_("minutes (PDF)"), upload_to="jury/minutes/", blank=True)
    minutes_sha256 = models.CharField(_("minutes SHA-256"), max_length=64, blank=True)
    version_counter = models.PositiveIntegerField(_("row version"), default=1)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("jury session")
        verbose_name_plural = _("jury sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | models.Q(status="closed", closed_at__isnull=False),
                name="jury_session_closed_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%Y-%m-%d})"

    @property
    def is_closed(self) -> bool:
        return self.status == SessionStatus.CLOSED


class JurySessionLearner(models.Model):
    """A learner (enrolment) in the scope of a session."""

    session = models.ForeignKey(JurySession, on_delete=models.CASCADE, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("learner in a jury session")
        verbose_name_plural = _("learners in a jury session")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="jury_learner_unique")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.enrolment_id}"


class DecisionBase(TimeStampedModel):
    """What block and certification decisions share: reasons, override, version, citation."""

    session = models.ForeignKey(
        JurySession, verbose_name=_("jury session"), on_delete=models.PROTECT, related_name="+"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("overridden by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    overridden_at = models.DateTimeField(_("overridden at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("row version"), default=1)

    class Meta:
        abstract = True


class BlockDecision(DecisionBase):
    """One learner's status for one block in one session: computed, and overridden if the jury
    so decided (with a justification, kept beside the computed value)."""

    block = models.ForeignKey(
        Block, verbose_name=_("block"), on_delete=models.PROTECT, related_name="+"
    )
    computed_status = models.CharField(
        _("computed status"), max_length=20, choices=BlockStatus.choices
    )
    override_status = models.CharField(
        _("override"), max_length=20, choices=BlockStatus.choices, null=True, blank=True
    )
    cites = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "enrolment", "block__position"]
        verbose_name = _("block decision")
        verbose_name_plural = _("block decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment", "block"], name="block_decision_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(override_status__isnull=True) | ~models.Q(justification=""),
                name="block_decision_override_justified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.block_id} {self.status}"

    @property
    def status(self) -> str:
        return self.override_status or self.computed_status


class CertificationDecision(DecisionBase):
    """One learner's certification decision in one session (certified, partially certified with
    its blocks, not certified), computed and possibly overridden."""

    computed_status = models.CharField(
        _("computed status"), max_length=20, choices=CertificationStatus.choices
    )
    override_status = models.CharField(
        _("override"), max_length=20, choices=CertificationStatus.choices, null=True, blank=True
    )
    validated_blocks = models.JSONField(_("validated blocks"), default=list, blank=True)
    cites = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "enrolment"]
        verbose_name = _("certification decision")
        verbose_name_plural = _("certification decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="certification_decision_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(override_status__isnull=True) | ~models.Q(justification=""),
                name="certification_decision_override_justified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.status}"

    @property
    def status(self) -> str:
        return self.override_status or self.computed_status


class BlockValidation(TimeStampedModel):
    """The capitalised record: this learner holds this block since this date, by this session,
    through training, VAE or an equivalence, under the block's référentiel version (SPEC §6).
    Never deleted.

    A validation obtained before Capitalis (no session here) cites its source: a reference to
    the minutes or decision it comes from, and possibly the scanned document (stored outside
    public URLs, served through a permission-checked download)."""

    learner = models.ForeignKey(
        Learner, verbose_name=_("learner"), on_delete=models.PROTECT, related_name="+"
    )
    block = models.ForeignKey(
        Block, verbose_name=_("block"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        CertificationVersion,
        verbose_name=_("certification version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    validated_on = models.DateField(_("validated on"))
    session = models.ForeignKey(
        JurySession,
        verbose_name=_("jury session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.ForeignKey(
        BlockDecision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    source_reference = models.CharField(_("source reference"), max_length=300, blank=True)
    source_document = models.FileField(_("source document"), upload_to="jury/prior/", blank=True)
    source_content_type = models.CharField(_("source document type"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["learner", "block__position"]
        verbose_name = _("block validation")
        verbose_name_plural = _("block validations")
        constraints = [
            models.UniqueConstraint(fields=["learner", "block"], name="block_validation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.block_id} {self.validated_on}"


class AppealStatus(models.TextChoices):
    LODGED = "lodged", _("lodged")
    UPHELD = "upheld", _("upheld")
    REJECTED = "rejected", _("rejected")


class Appeal(TimeStampedModel):
    """A learner's appeal against a certification decision, lodged within the session's appeal
    period and decided by a later session.

    PII note: the reason is the learner's own text."""

    decision = models.ForeignKey(
        CertificationDecision,
        verbose_name=_("decision"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    lodged_on = models.DateField(_("lodged on"))
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.LODGED
    )
    decided_in = models.ForeignKey(
        JurySession,
        verbose_name=_("decided in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals_decided",
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    scheduled_in = models.ForeignKey(
        JurySession,
        verbose_name=_("scheduled in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeals_scheduled",
        help_text=_("The later session that is to decide the appeal."),
    )

    class Meta:
        ordering = ["-lodged_on", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.decision_id} {self.status}"


class Admissibility(models.TextChoices):
    PENDING = "pending", _("pending")
    ADMISSIBLE = "admissible", _("admissible")
    INADMISSIBLE = "inadmissible", _("not admissible")


class VaeCandidate(TimeStampedModel):
    """A candidate to the certification through VAE (validation of prior experience).

    PII note: the experience summary describes the person's career."""

    learner = models.ForeignKey(
        Learner, verbose_name=_("learner"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        CertificationVersion,
        verbose_name=_("certification version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    experience_summary = models.TextField(_("experience summary"), blank=True)
    experience_years = models.PositiveSmallIntegerField(_("years of experience"), default=0)
    admissibility = models.CharField(
        _("admissibility"),
        max_length=15,
        choices=Admissibility.choices,
        default=Admissibility.PENDING,
    )
    admissibility_on = models.DateField(_("admissibility decided on"), null=True, blank=True)
    admissibility_note = models.TextField(_("admissibility note"), blank=True)

    class Meta:
        verbose_name = _("VAE candidate")
        verbose_name_plural = _("VAE candidates")
        constraints = [
            models.UniqueConstraint(fields=["learner", "version"], name="vae_candidate_unique")
        ]

    def __str__(self) -> str:
        return f"VAE {self.learner_id}"


class VaeDossier(TimeStampedModel):
    """The experience dossier (livret 2) of an admissible candidate, its interview and outcome."""

    candidate = models.OneToOneField(
        VaeCandidate, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="dossier"
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    session = models.ForeignKey(
        JurySession,
        verbose_name=_("jury session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vae_dossiers",
    )
    interview_on = models.DateField(_("interview on"), null=True, blank=True)
    interview_note = models.TextField(_("interview note"), blank=True)

    class Meta:
        verbose_name = _("VAE dossier")
        verbose_name_plural = _("VAE dossiers")

    def __str__(self) -> str:
        return f"VAE dossier {self.candidate_id}"


class VaeDocument(TimeStampedModel):
    """One document of the dossier, mapped to the blocks it evidences."""

    dossier = models.ForeignKey(VaeDossier, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="jury/vae/", blank=True)
    blocks = models.ManyToManyField(Block, verbose_name=_("blocks"), related_name="+")

    class Meta:
        verbose_name = _("VAE document")
        verbose_name_plural = _("VAE documents")

    def __str__(self) -> str:
        return self.title


class VaeBlockOutcome(TimeStampedModel):
    """The jury's outcome for one block of a VAE dossier after the interview."""

    dossier = models.ForeignKey(VaeDossier, on_delete=models.CASCADE, related_name="outcomes")
    block = models.ForeignKey(Block, on_delete=models.PROTECT, related_name="+")
    validated = models.BooleanField(_("validated"))
    justification = models.TextField(_("justification"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("VAE block outcome")
        verbose_name_plural = _("VAE block outcomes")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "block"], name="vae_outcome_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.block_id} {self.validated}"
