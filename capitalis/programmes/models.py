"""The programme catalogue: programmes, editions (academic years), programme years,
specialisations, campuses, offerings, courses and their links to competencies; campus rhythms,
school closures and calendars (SPEC §2, §4)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from capitalis.core.models import TimeStampedModel, pick_language
from capitalis.referential.models import Block, CertificationVersion, Competency


class Track(models.TextChoices):
    INITIAL = "initial", _("initial (with internship)")
    WORK_STUDY = "work_study", _("work-study")


class Campus(TimeStampedModel):
    """A place where the programme is taught."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("campus")
        verbose_name_plural = _("campuses")

    def __str__(self) -> str:
        return self.name


class Programme(TimeStampedModel):
    """A programme leading to a certification version (the MSc → RNCP39853, current)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    languages = models.CharField(_("teaching languages"), max_length=50, blank=True)
    certification_version = models.ForeignKey(
        CertificationVersion,
        verbose_name=_("certification version"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick_language(self.title_fr, self.title_en)

    @property
    def description(self) -> str:
        return pick_language(self.description_fr, self.description_en)


class ProgrammeYear(TimeStampedModel):
    """A year of a programme (MSc 1, MSc 2) and the ECTS it carries."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="years")
    code = models.CharField(_("code"), max_length=20)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("year number"), default=1)
    ects = models.DecimalField(_("ECTS"), max_digits=5, decimal_places=1, default=Decimal(60))

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "position"]
        verbose_name = _("programme year")
        verbose_name_plural = _("programme years")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"], name="programme_year_code_unique"
            ),
            models.CheckConstraint(condition=models.Q(ects__gt=0), name="programme_year_ects_gt_0"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick_language(self.title_fr, self.title_en)


class Specialisation(TimeStampedModel):
    """A specialisation, leading to one optional block of the certification."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="specialisations"
    )
    code = models.CharField(_("code"), max_length=20)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    block = models.ForeignKey(
        Block, verbose_name=_("optional block"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "position", "code"]
        verbose_name = _("specialisation")
        verbose_name_plural = _("specialisations")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="specialisation_code_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick_language(self.title_fr, self.title_en)


class Edition(TimeStampedModel):
    """A programme's academic year (2024/25, 2026/27): its dates and catalogue.

    Two editions of one programme never overlap (checked by the service). Candidates may apply
    from ``applications_open_on`` to ``applications_close_on`` inclusive; when the data leave
    them empty, ``rules.application_window`` derives them from ``start_date``."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="editions")
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("label"), max_length=50)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    applications_open_on = models.DateField(_("applications open on"), null=True, blank=True)
    applications_close_on = models.DateField(_("applications close on"), null=True, blank=True)
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "start_date"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="edition_code_unique"),
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="edition_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.label}"


class Offering(TimeStampedModel):
    """What runs where in an edition: a year (and specialisation) on a campus, on a track."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="offerings")
    campus = models.ForeignKey(Campus, on_delete=models.PROTECT, related_name="offerings")
    year = models.ForeignKey(ProgrammeYear, on_delete=models.PROTECT, related_name="offerings")
    specialisation = models.ForeignKey(
        Specialisation, on_delete=models.PROTECT, related_name="offerings"
    )
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["edition", "campus__position", "year__position", "specialisation__position"]
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "campus", "year", "specialisation", "track"],
                name="offering_unique",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.edition} {self.campus} {self.year.code} {self.specialisation.code} {self.track}"
        )


class TeachingMethod(models.TextChoices):
    TUTORIALS = "tutorials", _("small-group tutorials")
    GROUP_WORK = "group_work", _("group work")
    E_LEARNING = "e_learning", _("e-learning")
    FACE_TO_FACE = "face_to_face", _("face-to-face")


class Course(TimeStampedModel):
    """A course of an edition's year, common or of one specialisation, followed on every track
    or on one (SPEC §5: the end of MSc 1 differs by track)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="courses")
    year = models.ForeignKey(ProgrammeYear, on_delete=models.PROTECT, related_name="courses")
    specialisation = models.ForeignKey(
        Specialisation,
        verbose_name=_("specialisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
        help_text=_("Empty for a course common to every specialisation."),
    )
    track = models.CharField(
        _("track"),
        max_length=20,
        choices=Track.choices,
        blank=True,
        default="",
        help_text=_("Empty for a course followed on every track."),
    )
    code = models.CharField(_("code"), max_length=30)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    ects = models.DecimalField(
        _("ECTS"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal(0))]
    )
    hours = models.PositiveSmallIntegerField(_("hours"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=[("fr", _("French")), ("en", _("English")), ("fr-en", _("French and English"))],
        default="fr",
    )
    teaching_methods = models.JSONField(_("teaching methods"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)
    competencies = models.ManyToManyField(
        Competency, through="CourseCompetency", related_name="courses", blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["edition", "year__position", "position", "code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="course_code_unique"),
            models.CheckConstraint(
                condition=models.Q(ects__gte=0), name="course_ects_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return pick_language(self.title_fr, self.title_en)

    def for_track(self, track: str) -> bool:
        """Is the course followed on ``track``? (empty ``track``: on every track)"""
        return not self.track or self.track == track


class CourseCompetency(models.Model):
    """A course develops or assesses a competency."""

    class Role(models.TextChoices):
        DEVELOPS = "develops", _("develops")
        ASSESSES = "assesses", _("assesses")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="competency_links")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("course competency")
        verbose_name_plural = _("course competencies")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "competency", "role"], name="course_competency_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.role} {self.competency_id}"


class RhythmKind(models.TextChoices):
    ALTERNATING_WEEKS = "alternating_weeks", _("alternating weeks")
    ALTERNATING_DAYS = "alternating_days", _("alternating days within the week")
    INTERNSHIP = "internship", _("one internship block")


class CampusRhythm(TimeStampedModel):
    """How a campus alternates school and company on a track in an edition (SPEC §2).

    ``params`` by kind: alternating_weeks {company_weeks, school_weeks, first: school|company};
    alternating_days {school_weekdays: [3, 4]} (0 = Monday); internship {start: ISO date,
    months}."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="rhythms")
    campus = models.ForeignKey(Campus, on_delete=models.CASCADE, related_name="rhythms")
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=RhythmKind.choices)
    params = models.JSONField(_("parameters"), default=dict)
    min_company_days = models.PositiveSmallIntegerField(_("minimum company days"), default=110)
    description_fr = models.CharField(_("description (French)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["edition", "campus__position", "track"]
        verbose_name = _("campus rhythm")
        verbose_name_plural = _("campus rhythms")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "campus", "track"], name="campus_rhythm_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.edition} {self.campus} {self.track}: {self.kind}"

    @property
    def description(self) -> str:
        return pick_language(self.description_fr, self.description_en)


class SchoolClosure(TimeStampedModel):
    """A span when the school is closed, for every campus or one."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="closures")
    campus = models.ForeignKey(
        Campus, on_delete=models.CASCADE, null=True, blank=True, related_name="closures"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["edition", "start_date"]
        verbose_name = _("school closure")
        verbose_name_plural = _("school closures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="closure_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.start_date}–{self.end_date}"

    @property
    def label(self) -> str:
        return pick_language(self.label_fr, self.label_en)


class Calendar(TimeStampedModel):
    """The calendar of a campus, track and edition, computed from its rhythm; ``token`` names
    its public iCalendar feed (a learner or an employer subscribes to it)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="calendars")
    campus = models.ForeignKey(Campus, on_delete=models.CASCADE, related_name="calendars")
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    token = models.UUIDField(_("feed token"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["edition", "campus__position", "track"]
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        constraints = [
            models.UniqueConstraint(fields=["edition", "campus", "track"], name="calendar_unique")
        ]

    def __str__(self) -> str:
        return f"{self.edition} {self.campus} {self.get_track_display()}"


class CalendarEvent(TimeStampedModel):
    """A dated event added to a calendar (assessments, filled by the assessment issue)."""

    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", _("assessment")
        OTHER = "other", _("other")

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    uid = models.CharField(_("iCalendar UID"), max_length=200, unique=True)

    class Meta:
        ordering = ["calendar", "start_date"]
        verbose_name = _("calendar event")
        verbose_name_plural = _("calendar events")

    def __str__(self) -> str:
        return f"{self.start_date} {self.title}"

    @property
    def title(self) -> str:
        return pick_language(self.title_fr, self.title_en)
