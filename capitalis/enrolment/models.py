"""Learners, their enrolments per academic year, work-study contracts, internships and CVEC
proofs (SPEC §4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from capitalis.admissions.models import Application
from capitalis.core.models import TimeStampedModel
from capitalis.enrolment.rules import ContractKind, EnrolmentStatus
from capitalis.programmes.models import (
    Campus,
    Edition,
    ProgrammeYear,
    Specialisation,
    Track,
)

ENROLMENT_STATUS_LABELS = {
    EnrolmentStatus.ENROLLED: _("enrolled"),
    EnrolmentStatus.SUSPENDED: _("suspended"),
    EnrolmentStatus.WITHDRAWN: _("withdrawn"),
    EnrolmentStatus.COMPLETED: _("completed"),
}

CONTRACT_KIND_LABELS = {
    ContractKind.APPRENTICESHIP: _("apprenticeship contract"),
    ContractKind.PROFESSIONALISATION: _("professionalisation contract"),
}


class Sex(models.TextChoices):
    """Sex as the national register records it (holders' declaration, SPEC §9)."""

    FEMALE = "F", _("female")
    MALE = "M", _("male")


class Learner(TimeStampedModel):
    """A person enrolled in the programme.

    PII note: identity and contacts come from the linked user (name, e-mail); the learner adds
    the national student number (INE), the date of birth and the civil-status identity the
    holders' declaration to the national register needs (birth and usage names, first names,
    sex, place of birth); kept as long as the certification records are."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="learner"
    )
    national_student_number = models.CharField(
        _("national student number (INE)"), max_length=11, blank=True
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # Civil-status identity, as the register (CDC accrochage XSD 1.1.2, ``titulaire``) wants it.
    birth_name = models.CharField(_("birth name"), max_length=60, blank=True)
    usage_name = models.CharField(
        _("usage name"),
        max_length=60,
        blank=True,
        help_text=_("Only when it differs from the birth name."),
    )
    first_names = models.CharField(
        _("first names"),
        max_length=190,
        blank=True,
        help_text=_("In civil-status order, separated by commas (the first three are declared)."),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_place_code = models.CharField(
        _("INSEE code of the place of birth"),
        max_length=5,
        blank=True,
        help_text=_(
            "5 characters: the commune's INSEE code (e.g. 69123); for a birth abroad, the "
            "INSEE code of the country (e.g. 99109)."
        ),
    )
    birth_place_name = models.CharField(_("place of birth"), max_length=60, blank=True)
    birth_country = models.CharField(_("country of birth"), max_length=60, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["user__full_name", "user__email"]
        verbose_name = _("learner")
        verbose_name_plural = _("learners")

    def __str__(self) -> str:
        return self.user.full_name or self.user.email


class Enrolment(TimeStampedModel):
    """A learner's enrolment in a year of an edition, on a campus and a track.

    PII note: links a person to her studies and status. ``previous`` points to the MSc 1
    enrolment an MSc 2 re-enrolment continues."""

    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="enrolments")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="enrolments")
    year = models.ForeignKey(ProgrammeYear, on_delete=models.PROTECT, related_name="+")
    campus = models.ForeignKey(Campus, on_delete=models.PROTECT, related_name="enrolments")
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    specialisation = models.ForeignKey(
        Specialisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=[(s.value, ENROLMENT_STATUS_LABELS[s]) for s in EnrolmentStatus],
        default=EnrolmentStatus.ENROLLED.value,
        db_index=True,
    )
    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolment",
    )
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["edition", "campus__position", "year__position", "learner"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["learner", "edition"], name="enrolment_unique")
        ]
        indexes = [models.Index(fields=["edition", "campus", "year", "track", "status"])]

    def __str__(self) -> str:
        return f"{self.learner} {self.edition.code} {self.year.code} {self.campus.code}"


class EnrolmentTransition(models.Model):
    """A change of an enrolment's status: from, to, who, when, why."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["enrolment", "at", "id"]
        verbose_name = _("enrolment transition")
        verbose_name_plural = _("enrolment transitions")

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.from_status} → {self.to_status}"


class Contract(TimeStampedModel):
    """A work-study contract (apprenticeship or professionalisation) of an enrolment: employer,
    tutor, OPCO, dates, early termination (SPEC §4).

    PII note: names the learner's employer and tutor; the termination reason may be personal.
    A 2-year contract signed on entering MSc 1 hangs on the MSc 1 enrolment and carries over to
    the MSc 2 re-enrolment."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="contracts")
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=[(k.value, CONTRACT_KIND_LABELS[k]) for k in ContractKind],
    )
    employer_name = models.CharField(_("employer"), max_length=200)
    employer_siret = models.CharField(_("employer SIRET"), max_length=14)
    # Required (SPEC §4: an apprentice has an employer tutor, the maître d'apprentissage). The
    # column stays nullable only for the contracts recorded before that rule, which carry
    # ``recorded_without_tutor`` (set by the migration, never by the services); the check
    # constraint refuses any other contract without a tutor.
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tutor"),
        on_delete=models.PROTECT,
        null=True,
        related_name="tutored_contracts",
    )
    recorded_without_tutor = models.BooleanField(
        _("recorded without a tutor"),
        default=False,
        editable=False,
        help_text=_("Recorded before the employer tutor was required: name the tutor."),
    )
    opco_name = models.CharField(_("OPCO"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(_("termination reason"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["enrolment", "start_date"]
        verbose_name = _("work-study contract")
        verbose_name_plural = _("work-study contracts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(tutor__isnull=False) | models.Q(recorded_without_tutor=True),
                name="contract_has_tutor",
                violation_error_message=_("A work-study contract names its employer tutor."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.employer_name} {self.start_date}–{self.end_date}"


class PlacementMode(models.TextChoices):
    """How an initial-track placement runs, after the campus rhythm (SPEC §2)."""

    CONTINUOUS = "continuous", _("continuous internship")
    ALTERNATING = "alternating", _("alternating with school all year")


class Internship(TimeStampedModel):
    """An internship of an initial-track enrolment: host organisation, tutor, dates, agreement
    signed (SPEC §4). Continuous (4–6 months, from March in Paris) or alternating with school
    over the dates following the campus calendar (Lyon, Bordeaux); at least 110 placement days
    either way (SPEC §2).

    PII note: names the host tutor and his e-mail address."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="internships")
    host_name = models.CharField(_("host organisation"), max_length=200)
    host_siret = models.CharField(_("host SIRET"), max_length=14, blank=True)
    tutor_name = models.CharField(_("tutor's name"), max_length=200, blank=True)
    tutor_email = models.EmailField(_("tutor's e-mail address"), blank=True)
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tutor (user)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tutored_internships",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    mode = models.CharField(
        _("placement mode"),
        max_length=20,
        choices=PlacementMode.choices,
        default=PlacementMode.CONTINUOUS,
    )
    placement_days = models.PositiveSmallIntegerField(
        _("placement days"),
        null=True,
        blank=True,
        help_text=_(
            "Days in the host organisation between the dates, counted on the campus calendar "
            "when the internship was recorded (empty: no campus rhythm to count them on)."
        ),
    )
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["enrolment", "start_date"]
        verbose_name = _("internship")
        verbose_name_plural = _("internships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="internship_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.host_name} {self.start_date}–{self.end_date}"


class CvecProof(TimeStampedModel):
    """Proof that the learner paid the student-life contribution (CVEC, 103 €) for an academic
    year: only recorded (SPEC §4, §8). PII note: the certificate number identifies the person."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="cvec_proofs")
    academic_year = models.CharField(_("academic year"), max_length=20)
    certificate_number = models.CharField(_("CVEC certificate number"), max_length=40)
    recorded_on = models.DateField(_("recorded on"))

    class Meta:
        ordering = ["learner", "academic_year"]
        verbose_name = _("CVEC proof")
        verbose_name_plural = _("CVEC proofs")
        constraints = [
            models.UniqueConstraint(fields=["learner", "academic_year"], name="cvec_unique")
        ]

    def __str__(self) -> str:
        return f"{self.learner} CVEC {self.academic_year}"
