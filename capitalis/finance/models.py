"""Fee schedules (SPEC §8). Money is Decimal euros with two decimals, never float."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from simple_history.models import HistoricalRecords

from capitalis.core.models import TimeStampedModel
from capitalis.programmes.models import Programme, Track


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
