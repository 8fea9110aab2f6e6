"""Fee schedules (SPEC §8). Money is Decimal euros with two decimals, never float."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from simple_history.models import HistoricalRecords

from capitalis.core.models import TimeStampedModel
from capitalis.finance.rules import InvoiceKind, InvoiceSource, InvoiceStatus, LineKind, Payer
from capitalis.programmes.models import Campus, Programme, Track


def _money(verbose: StrOrPromise) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        verbose, max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )


class FeeSchedule(TimeStampedModel):
    """What a year of a programme costs on a track, for an academic year ("2025-26").

    Tied to the academic year rather than to an edition: the school publishes fees for a
    school year (seed 000 gives 2025/26, seed 001 gives 2026/27)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="fees")
    academic_year = models.CharField(_("academic year"), max_length=9)
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    tuition = _money(_("tuition per year (€)"))
    deposit = _money(_("booking deposit (€)"))
    application_fee = _money(_("application fee (€)"))
    cvec = _money(_("CVEC (€, recorded only)"))
    third_party_pays = models.BooleanField(
        _("paid by the employer or its OPCO"),
        default=False,
        help_text=_("Work-study: the employer or its OPCO pays; the learner owes nothing."),
    )
    provenance = models.CharField(_("provenance"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "academic_year", "track"]
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "academic_year", "track"], name="fee_schedule_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(tuition__gte=0)
                & models.Q(deposit__gte=0)
                & models.Q(application_fee__gte=0)
                & models.Q(cvec__gte=0),
                name="fee_schedule_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(deposit__lte=models.F("tuition")),
                name="fee_schedule_deposit_within_tuition",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.academic_year} {self.get_track_display()}"


# --- Invoices, instalments and payments (issue 4 point 8) ---------------------------------------

INVOICE_STATUS_LABELS = {
    InvoiceStatus.DRAFT: _("draft"),
    InvoiceStatus.ISSUED: _("issued"),
    InvoiceStatus.PAID: _("paid"),
    InvoiceStatus.CANCELLED: _("cancelled"),
}
INVOICE_KIND_LABELS = {
    InvoiceKind.APPLICATION_FEE: _("application fee"),
    InvoiceKind.DEPOSIT: _("booking deposit"),
    InvoiceKind.TUITION: _("tuition"),
    InvoiceKind.CREDIT_NOTE: _("credit note"),
}
INVOICE_SOURCE_LABELS = {
    InvoiceSource.APPLICATION: _("application"),
    InvoiceSource.ENROLMENT: _("enrolment"),
    InvoiceSource.INVOICE: _("invoice"),
}
PAYER_KIND_LABELS = {
    Payer.LEARNER: _("learner"),
    Payer.EMPLOYER: _("employer"),
    Payer.OPCO: _("OPCO"),
}


class InvoiceCounter(models.Model):
    """The last invoice number given in a year: numbers follow each other without a gap (the
    counter is incremented inside the invoice's transaction, under a row lock)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Invoice(TimeStampedModel):
    """An invoice: the application fee of a candidate, the booking deposit or the tuition of an
    enrolment. PII note: names the person it concerns (``customer``) and the payer (a learner,
    an employer or its OPCO).

    ``customer`` is the candidate or learner the invoice concerns (she sees it even when her
    employer pays); ``campus`` scopes it for campus finance staff."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=[(k.value, INVOICE_KIND_LABELS[k]) for k in InvoiceKind],
    )
    application = models.ForeignKey(
        "admissions.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices"
    )
    campus = models.ForeignKey(Campus, on_delete=models.PROTECT, related_name="invoices")
    academic_year = models.CharField(_("academic year"), max_length=9)
    payer_kind = models.CharField(
        _("payer"), max_length=10, choices=[(p.value, PAYER_KIND_LABELS[p]) for p in Payer]
    )
    payer_name = models.CharField(_("payer name"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=[(s.value, INVOICE_STATUS_LABELS[s]) for s in InvoiceStatus],
        default=InvoiceStatus.DRAFT.value,
        db_index=True,
    )
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    # The invoice's key: what it is issued for (an application or an enrolment, by id) and its
    # purpose (its kind). One live invoice per key, enforced by the database, so invoicing a
    # submission or an enrolment twice (a retried task, a reconciliation) creates nothing more.
    source_kind = models.CharField(
        _("issued for"),
        max_length=20,
        blank=True,
        default="",
        choices=[(k.value, INVOICE_SOURCE_LABELS[k]) for k in InvoiceSource],
    )
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    credits = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("credits invoice"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on", "-number"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["campus", "issued_on"]),
            models.Index(fields=["source_kind", "source_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "source_id", "kind"],
                condition=models.Q(source_id__isnull=False)
                & ~models.Q(status=InvoiceStatus.CANCELLED.value),
                name="invoice_one_live_per_source_and_purpose",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=InvoiceKind.CREDIT_NOTE.value, credits__isnull=False)
                | (~models.Q(kind=InvoiceKind.CREDIT_NOTE.value) & models.Q(credits__isnull=True)),
                name="invoice_credit_note_credits_an_invoice",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    """A line of an invoice; the deducted deposit is a negative line."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(
        _("kind"), max_length=20, choices=[(k.value, k.value) for k in LineKind]
    )
    label = models.CharField(_("label"), max_length=200)
    amount = models.DecimalField(_("amount (€)"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["invoice", "position"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return f"{self.label}: {self.amount}"


class Instalment(models.Model):
    """When part of an invoice is due."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="instalments")
    position = models.PositiveSmallIntegerField(default=0)
    due_on = models.DateField(_("due on"))
    amount = _money(_("amount (€)"))

    class Meta:
        ordering = ["invoice", "position"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="instalment_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.due_on}: {self.amount}"


class Payment(TimeStampedModel):
    """Money received on an invoice (no payment gateway: recorded by finance staff)."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("bank transfer")
        CARD = "card", _("card")
        CHEQUE = "cheque", _("cheque")
        DIRECT_DEBIT = "direct_debit", _("direct debit")
        CASH = "cash", _("cash")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount (€)"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["invoice", "paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.amount} ({self.paid_on})"
