"""The référentiel: certifications, their versions, blocks, activities, competencies, criteria,
evaluation modalities, certification rules and crosswalks between versions (SPEC §1).

Texts are bilingual: ``*_fr`` is the official French text, ``*_en`` our translation (may be
empty: the French text is shown then). Every statement carries its ``provenance``: where it
comes from (a seed document, the national register's export, or "school's choice").
Codes are unique within their parent, enforced by the database.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from capitalis.core.models import TimeStampedModel, pick_language


class Register(models.TextChoices):
    RNCP = "RNCP", _("National register of professional certifications (RNCP)")
    RS = "RS", _("Specific register (RS)")


class BlockKind(models.TextChoices):
    COMMON = "common", _("common")
    OPTIONAL = "optional", _("optional")


class VersionStatus(models.TextChoices):
    CURRENT = "current", _("current")
    EARLIER = "earlier", _("earlier")
    DRAFT = "draft", _("draft")


class CrosswalkStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed, to be confirmed by the certifier")
    CONFIRMED = "confirmed", _("confirmed by the certifier")
    REGISTER = "register", _("published in the national register")


class Coverage(models.TextChoices):
    WHOLE = "whole", _("whole")
    PARTIAL = "partial", _("partial")


class Certifier(TimeStampedModel):
    """An organisation that awards certifications (from the register's CERTIFICATEURS)."""

    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    name = models.CharField(_("name"), max_length=500)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("certifier")
        verbose_name_plural = _("certifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["siret"], condition=~models.Q(siret=""), name="certifier_siret_unique"
            ),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(siret=""), name="certifier_name_unique_no_siret"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Certification(TimeStampedModel):
    """A registered professional certification (a register "fiche"), e.g. RNCP39853.

    ``register_extra`` keeps, as a JSON list of ``{"tag", "xml"}`` (the element's XML text),
    every register element that has no column here (partners, publications, statistics…),
    so an export writes back what an import read. ``register_hash`` is the digest of the fiche
    as last imported: an unchanged fiche is recognised and left untouched.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    register = models.CharField(
        _("register"), max_length=4, choices=Register.choices, default=Register.RNCP
    )
    register_id = models.PositiveIntegerField(_("register technical id"), null=True, blank=True)
    title_fr = models.CharField(_("title (French, official)"), max_length=800)
    title_en = models.CharField(_("title (English)"), max_length=800, blank=True)
    abbreviation_code = models.CharField(_("abbreviation code"), max_length=50, blank=True)
    abbreviation_label = models.CharField(_("abbreviation"), max_length=255, blank=True)
    state = models.CharField(_("register state"), max_length=100, blank=True)
    eqf_level = models.PositiveSmallIntegerField(_("EQF level"), null=True, blank=True)
    eqf_label = models.CharField(_("level label"), max_length=100, blank=True)
    nsf_codes = models.JSONField(_("NSF codes"), default=list, blank=True)
    rome_codes = models.JSONField(_("ROME codes"), default=list, blank=True)
    formacodes = models.JSONField(_("Formacodes"), default=list, blank=True)
    certifiers = models.ManyToManyField(
        Certifier, through="CertificationCertifier", verbose_name=_("certifiers"), blank=True
    )
    has_partners = models.BooleanField(_("has partner bodies"), null=True, blank=True)
    registration_date = models.DateField(_("registration decision date"), null=True, blank=True)
    registration_end = models.DateField(_("end of registration"), null=True, blank=True)
    registration_years = models.PositiveSmallIntegerField(
        _("registration length (years)"), null=True, blank=True
    )
    registration_type = models.CharField(_("registration type"), max_length=100, blank=True)
    award_deadline = models.DateField(_("last award date"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    blocks_separately = models.BooleanField(
        _("blocks can be certified separately"), null=True, blank=True
    )
    access_routes = models.JSONField(
        _("access routes"),
        default=dict,
        blank=True,
        help_text=_("Per route (FI, CA, FC, CQ, CL, VAE): active, jury composition, date."),
    )
    activities_text = models.TextField(_("activities"), blank=True)
    capacities_text = models.TextField(_("certified capacities"), blank=True)
    sectors_text = models.TextField(_("sectors of activity"), blank=True)
    target_jobs_text = models.TextField(_("target jobs"), blank=True)
    objectives_text = models.TextField(_("objectives and context"), blank=True)
    entry_prerequisites_text = models.TextField(_("entry prerequisites"), blank=True)
    register_extra = models.JSONField(_("other register elements"), default=list, blank=True)
    register_hash = models.CharField(_("register content digest"), max_length=64, blank=True)
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    @property
    def title(self) -> str:
        return pick_language(self.title_fr, self.title_en)


class CertificationCertifier(models.Model):
    """A certifier of a certification, with its state in the register."""

    certification = models.ForeignKey(  # indexed first by the unique constraint
        Certification, on_delete=models.CASCADE, related_name="certifier_links", db_index=False
    )
    certifier = models.ForeignKey(Certifier, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    commercial_name = models.CharField(_("commercial name"), max_length=500, blank=True)
    website = models.CharField(_("website"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=50, blank=True)
    state_date = models.DateField(_("state changed on"), null=True, blank=True)

    class Meta:
        ordering = ["certification", "position"]
        verbose_name = _("certifier of a certification")
        verbose_name_plural = _("certifiers of certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "certifier"], name="certification_certifier_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certification_id} ← {self.certifier_id}"


class RegisterLink(models.Model):
    """A succession link between register fiches: this fiche replaces, or is replaced by,
    another (``ANCIENNES_CERTIFICATIONS`` / ``NOUVELLES_CERTIFICATIONS``). The other fiche
    may not be loaded, so it is named by its code."""

    class Kind(models.TextChoices):
        REPLACES = "replaces", _("replaces")
        REPLACED_BY = "replaced_by", _("replaced by")

    certification = models.ForeignKey(  # indexed first by the unique constraint
        Certification, on_delete=models.CASCADE, related_name="register_links", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    other_code = models.CharField(_("other fiche"), max_length=20)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["certification", "kind", "position"]
        verbose_name = _("register succession link")
        verbose_name_plural = _("register succession links")
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "kind", "other_code"], name="register_link_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certification_id} {self.kind} {self.other_code}"


class RegisterCorrespondence(models.Model):
    """A block equivalence published in the register (``CORRESPONDANCE``): these blocks of
    this fiche (or the whole fiche) correspond to those blocks (or the whole) of another."""

    certification = models.ForeignKey(  # indexed first by the unique constraint
        Certification,
        on_delete=models.CASCADE,
        related_name="register_correspondences",
        db_index=False,
    )
    position = models.PositiveSmallIntegerField(default=0)
    source_block_codes = models.JSONField(default=list, blank=True)
    destination_code = models.CharField(max_length=20)
    destination_block_codes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["certification", "position"]
        verbose_name = _("register block correspondence")
        verbose_name_plural = _("register block correspondences")
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "position"], name="register_correspondence_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certification_id}: {self.source_block_codes} → {self.destination_code}"


class CertificationVersion(TimeStampedModel):
    """One version of a certification's référentiel (blocks, competencies, rule)."""

    certification = models.ForeignKey(  # indexed first by the unique constraint
        Certification, on_delete=models.CASCADE, related_name="versions", db_index=False
    )
    code = models.CharField(_("code"), max_length=50)
    label_fr = models.CharField(_("label (French)"), max_length=255)
    label_en = models.CharField(_("label (English)"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.CURRENT
    )
    register_code = models.CharField(_("register fiche"), max_length=20, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["certification", "position", "code"]
        verbose_name = _("certification version")
        verbose_name_plural = _("certification versions")
        constraints = [
            models.UniqueConstraint(fields=["certification", "code"], name="version_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.certification.code} {self.code}"

    @property
    def label(self) -> str:
        return pick_language(self.label_fr, self.label_en)


class CertificationRule(TimeStampedModel):
    """How a version is obtained: all common blocks + ``optional_blocks_required`` optional
    blocks (SPEC §1: k = 1 for RNCP39853)."""

    version = models.OneToOneField(
        CertificationVersion, on_delete=models.CASCADE, related_name="rule"
    )
    all_common_required = models.BooleanField(_("all common blocks required"), default=True)
    optional_blocks_required = models.PositiveSmallIntegerField(
        _("optional blocks required (k)"), default=0
    )
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)
    # How the jury deliberates for this version (capitalis.jury.rules.Policy.as_dict keys:
    # grade_threshold, level_threshold, grade_combination, resit, unjustified_absence_is_zero,
    # block_rule); missing keys take the SPEC §6 defaults.
    deliberation_policy = models.JSONField(_("deliberation policy"), default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certification rule")
        verbose_name_plural = _("certification rules")

    def __str__(self) -> str:
        return f"{self.version}: common + {self.optional_blocks_required} optional"

    @property
    def description(self) -> str:
        return pick_language(self.description_fr, self.description_en)


class Block(TimeStampedModel):
    """A competency block (bloc de compétences), e.g. RNCP39853BC01.

    ``competencies_text`` and ``assessment_text`` keep the register's flat texts
    (``LISTE_COMPETENCES``, ``MODALITES_EVALUATION``) as published; the competencies and
    modalities split from them are rows below."""

    version = models.ForeignKey(  # indexed first by the unique constraint
        CertificationVersion, on_delete=models.CASCADE, related_name="blocks", db_index=False
    )
    code = models.CharField(_("code"), max_length=30)
    title_fr = models.CharField(_("title (French, official)"), max_length=800)
    title_en = models.CharField(_("title (English)"), max_length=800, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=BlockKind.choices, default=BlockKind.COMMON
    )
    position = models.PositiveSmallIntegerField(default=0)
    competencies_text = models.TextField(_("competencies (register text)"), blank=True)
    assessment_text = models.TextField(_("evaluation modalities (register text)"), blank=True)
    entry_prerequisites_text = models.TextField(_("entry prerequisites"), blank=True)
    validation_prerequisites_text = models.TextField(_("validation prerequisites"), blank=True)
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "position", "code"]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="block_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    @property
    def title(self) -> str:
        return pick_language(self.title_fr, self.title_en)


class Activity(TimeStampedModel):
    """An activity of a block (A1, A2…)."""

    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="activities")
    code = models.CharField(_("code"), max_length=30)
    title_fr = models.TextField(_("title (French, official)"))
    title_en = models.TextField(_("title (English)"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["block", "position", "code"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["block", "code"], name="activity_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:60]}"

    @property
    def title(self) -> str:
        return pick_language(self.title_fr, self.title_en)


class Competency(TimeStampedModel):
    """A competency of a block (C1…C20, CO1.1…), with its official statement."""

    block = models.ForeignKey(  # indexed first by the unique constraint
        Block, on_delete=models.CASCADE, related_name="competencies", db_index=False
    )
    activity = models.ForeignKey(  # mostly empty: a partial index (Meta.indexes)
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="competencies",
        db_index=False,
    )
    code = models.CharField(_("code"), max_length=30)
    statement_fr = models.TextField(_("statement (French, official)"))
    statement_en = models.TextField(_("statement (English)"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["block", "position", "code"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        constraints = [
            models.UniqueConstraint(fields=["block", "code"], name="competency_code_unique")
        ]
        indexes = [
            models.Index(
                fields=["activity"],
                condition=models.Q(activity__isnull=False),
                name="competency_activity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.statement[:60]}"

    @property
    def statement(self) -> str:
        return pick_language(self.statement_fr, self.statement_en)


class EvaluationCriterion(TimeStampedModel):
    """A criterion by which a competency is judged."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=30)
    text_fr = models.TextField(_("text (French)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["competency", "position", "code"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        constraints = [
            models.UniqueConstraint(fields=["competency", "code"], name="criterion_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"

    @property
    def text(self) -> str:
        return pick_language(self.text_fr, self.text_en)


class EvaluationModality(TimeStampedModel):
    """How a block is assessed (case study, oral, report…)."""

    block = models.ForeignKey(  # indexed first by the unique constraint
        Block, on_delete=models.CASCADE, related_name="modalities", db_index=False
    )
    code = models.CharField(_("code"), max_length=30)
    label_fr = models.TextField(_("label (French)"))
    label_en = models.TextField(_("label (English)"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["block", "position", "code"]
        verbose_name = _("evaluation modality")
        verbose_name_plural = _("evaluation modalities")
        constraints = [
            models.UniqueConstraint(fields=["block", "code"], name="modality_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label[:60]}"

    @property
    def label(self) -> str:
        return pick_language(self.label_fr, self.label_en)


class Crosswalk(TimeStampedModel):
    """Which blocks of one version count as which blocks of another (SPEC §1)."""

    from_version = models.ForeignKey(
        CertificationVersion, on_delete=models.CASCADE, related_name="crosswalks_out"
    )
    to_version = models.ForeignKey(
        CertificationVersion, on_delete=models.CASCADE, related_name="crosswalks_in"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CrosswalkStatus.choices,
        default=CrosswalkStatus.PROPOSED,
    )
    note_fr = models.TextField(_("note (French)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("crosswalk")
        verbose_name_plural = _("crosswalks")
        constraints = [
            models.UniqueConstraint(fields=["from_version", "to_version"], name="crosswalk_unique"),
            models.CheckConstraint(
                condition=~models.Q(from_version=models.F("to_version")),
                name="crosswalk_distinct_versions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_version} → {self.to_version}"

    @property
    def note(self) -> str:
        return pick_language(self.note_fr, self.note_en)


class CrosswalkEntry(TimeStampedModel):
    """One correspondence: ``from_block`` counts as ``to_block``, wholly or partly."""

    crosswalk = models.ForeignKey(Crosswalk, on_delete=models.CASCADE, related_name="entries")
    from_block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="+")
    to_block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="+")
    coverage = models.CharField(
        _("coverage"), max_length=10, choices=Coverage.choices, default=Coverage.WHOLE
    )
    # For a partial entry: the competencies of ``to_block`` that a validation of ``from_block``
    # credits (the others must still be assessed under the new version).
    covered = models.ManyToManyField(
        Competency, verbose_name=_("competencies covered"), blank=True, related_name="+"
    )
    note_fr = models.TextField(_("note (French)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["crosswalk", "from_block__position", "to_block__position"]
        verbose_name = _("crosswalk entry")
        verbose_name_plural = _("crosswalk entries")
        constraints = [
            models.UniqueConstraint(
                fields=["crosswalk", "from_block", "to_block"], name="crosswalk_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_block.code} → {self.to_block.code} ({self.coverage})"

    @property
    def note(self) -> str:
        return pick_language(self.note_fr, self.note_en)
