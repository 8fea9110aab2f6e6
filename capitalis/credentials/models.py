"""What the certifier issues from a frozen jury decision (SPEC §7).

- ``Credential``: an Open Badges 3.0 verifiable credential (W3C VC 2.0), one per validated block
  and one per certification, signed (eddsa-rdfc-2022) and stored as issued; revocable through a
  Bitstring Status List entry.
- ``IssuedDocument``: a PDF (certificate, attestation of blocks, transcript, decision letter),
  with the SHA-256 of its bytes; its QR code opens ``/verify/<public_id>/``.
- ``StatusList``: a W3C Bitstring Status List (≥ 131,072 bits) per issuer key and purpose;
  indexes are allocated at random, never in issue order.

Both issued kinds share one public identifier space (``public_id``, a UUID) for the verification
page. The private key is never stored here: it is read from configuration (settings).

Idempotency: ``issuance_key`` is unique among current credentials/documents, so a batch rerun after
a killed worker finds what was already issued and issues each one exactly once.

PII note: a credential names its holder as the diploma does; the subject identifier is a salted
hash of the e-mail address.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from capitalis.core.models import TimeStampedModel
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.jury.models import BlockValidation, CertificationDecision, JurySession
from capitalis.referential.models import Block, CertificationVersion

STATUS_LIST_BITS = 131_072


class CredentialKind(models.TextChoices):
    BLOCK = "block", _("block credential")
    CERTIFICATION = "certification", _("certification credential")


class DocumentKind(models.TextChoices):
    CERTIFICATE = "certificate", _("certificate")
    ATTESTATION = "attestation", _("attestation of validated blocks")
    TRANSCRIPT = "transcript", _("transcript")
    DECISION_LETTER = "decision_letter", _("decision letter")


class StatusList(TimeStampedModel):
    """A Bitstring Status List for one issuer and purpose; served at its URL as a signed
    ``BitstringStatusListCredential``. ``bits`` is the raw bitstring (index 0 = left-most bit)."""

    slug = models.SlugField(_("identifier"), max_length=40, unique=True)
    issuer_did = models.CharField(_("issuer DID"), max_length=300)
    purpose = models.CharField(_("purpose"), max_length=20, default="revocation")
    size = models.PositiveIntegerField(_("size (bits)"), default=STATUS_LIST_BITS)
    bits = models.BinaryField(_("bits"))
    used = models.PositiveIntegerField(_("indexes used"), default=0)
    # The signed list credential as last published (re-signed on every revocation).
    signed = models.JSONField(_("signed status list credential"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    row_version = models.PositiveIntegerField(_("row version"), default=1)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")

    def __str__(self) -> str:
        return self.slug


class IssuedBase(TimeStampedModel):
    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True)
    learner = models.ForeignKey(
        Learner, verbose_name=_("learner"), on_delete=models.PROTECT, related_name="+"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.ForeignKey(
        CertificationVersion,
        verbose_name=_("certification version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    session = models.ForeignKey(
        JurySession,
        verbose_name=_("jury session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    certification_decision = models.ForeignKey(
        CertificationDecision,
        verbose_name=_("certification decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    awarded_on = models.DateField(_("awarded on"))
    issued_at = models.DateTimeField(_("issued at"))
    language = models.CharField(_("language"), max_length=5, default="fr")
    # e.g. "block:<block_validation_id>", "cert:<certification_decision_id>",
    # "doc:certificate:<decision_id>:fr"; unique among current (not replaced) rows.
    issuance_key = models.CharField(_("issuance key"), max_length=120)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.TextField(_("revocation reason"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )

    class Meta:
        abstract = True

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Credential(IssuedBase):
    """An issued Open Badges 3.0 credential, stored exactly as signed (``document``)."""

    kind = models.CharField(_("kind"), max_length=20, choices=CredentialKind.choices)
    block = models.ForeignKey(
        Block,
        verbose_name=_("block"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    block_validation = models.ForeignKey(
        BlockValidation,
        verbose_name=_("block validation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuer_did = models.CharField(_("issuer DID"), max_length=300)
    document = models.JSONField(_("signed credential"))
    status_list = models.ForeignKey(
        StatusList, verbose_name=_("status list"), on_delete=models.PROTECT, related_name="+"
    )
    status_index = models.PositiveIntegerField(_("status list index"))

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        constraints = [
            models.UniqueConstraint(
                fields=["issuance_key"],
                condition=models.Q(replaced_by__isnull=True),
                name="credential_issuance_unique",
            ),
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="credential_status_index_unique"
            ),
        ]
        indexes = [models.Index(fields=["learner", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"


class IssuedDocument(IssuedBase):
    """A PDF issued to a learner; ``sha256`` is the hash of the stored bytes."""

    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    pdf = models.FileField(_("PDF"), upload_to="credentials/documents/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # What the document certifies, as shown on the verification page (no more than the PDF shows).
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    credential = models.ForeignKey(
        Credential,
        verbose_name=_("credential"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        constraints = [
            models.UniqueConstraint(
                fields=["issuance_key"],
                condition=models.Q(replaced_by__isnull=True),
                name="document_issuance_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"
