"""Writes on fee schedules (SPEC §8). Amounts are validated by ``finance.rules`` (Decimal, not
negative, at most two decimals, deposit within tuition): bad input raises a translated
``DomainError`` and nothing is saved."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.finance import rules
from capitalis.finance.models import FeeSchedule
from capitalis.programmes.models import Programme, Track

_ACADEMIC_YEAR_LEN = 7  # "2025-26"


def _amount_labels() -> dict[str, str]:
    return {
        "tuition": _("tuition"),
        "deposit": _("booking deposit"),
        "application_fee": _("application fee"),
        "cvec": _("CVEC"),
    }


def fee_error_message(error: rules.FeeError, *, field: str) -> str:
    """The translated message of a fee rule's error."""
    label = _amount_labels().get(field, field)
    if error.code == "too_many_decimals":
        return _("The %(field)s has more than two decimals.") % {"field": label}
    if error.code == "negative":
        return _("The %(field)s cannot be negative.") % {"field": label}
    if error.code == "not_a_number":
        return _("The %(field)s is not a number.") % {"field": label}
    if error.code == "deposit_over_tuition":
        return _("The booking deposit exceeds the tuition.")
    return str(error)


def _decimal(value: Any, *, field: str) -> Decimal:
    if isinstance(value, float):
        # never float for money: a float has already lost the amount the user typed
        value = repr(value)
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(
            fee_error_message(rules.FeeError("not_a_number", ""), field=field), code="not_a_number"
        ) from exc


def academic_year_valid(academic_year: str) -> bool:
    """ "2025-26": two consecutive years."""
    if len(academic_year) != _ACADEMIC_YEAR_LEN or academic_year[4] != "-":
        return False
    head, tail = academic_year[:4], academic_year[5:]
    return head.isdigit() and tail.isdigit() and (int(head) + 1) % 100 == int(tail)


@transaction.atomic
def fee_schedule_set(
    *,
    programme: Programme,
    academic_year: str,
    track: str,
    tuition: Any,
    deposit: Any,
    application_fee: Any,
    cvec: Any,
    third_party_pays: bool = False,
    provenance: str = "",
    actor: Any = None,
) -> tuple[FeeSchedule, bool]:
    """Create or update the fee schedule of a programme for an academic year and track;
    writes nothing when it already holds these values."""
    if not academic_year_valid(academic_year):
        raise DomainError(
            _("The academic year must read like 2025-26 (got %(value)s).")
            % {"value": academic_year},
            code="academic_year",
        )
    if track not in Track.values:
        raise DomainError(_("Unknown track %(track)s.") % {"track": track}, code="track")
    amounts: dict[str, Decimal] = {}
    for name, raw in (
        ("tuition", tuition),
        ("deposit", deposit),
        ("application_fee", application_fee),
        ("cvec", cvec),
    ):
        value = _decimal(raw, field=name)
        try:
            amounts[name] = rules.validate_amount(value, name=name)
        except rules.FeeError as exc:
            raise DomainError(fee_error_message(exc, field=name), code=exc.code) from exc
    try:
        rules.validate_schedule(
            rules.FeeScheduleFacts(
                academic_year=academic_year,
                track=rules.FeeTrack(track),
                tuition=amounts["tuition"],
                deposit=amounts["deposit"],
                application_fee=amounts["application_fee"],
                cvec=amounts["cvec"],
            )
        )
    except rules.FeeError as exc:
        raise DomainError(fee_error_message(exc, field=""), code=exc.code) from exc
    values: dict[str, Any] = {
        **amounts,
        "third_party_pays": third_party_pays,
        "provenance": provenance,
    }
    schedule = FeeSchedule.objects.filter(
        programme=programme, academic_year=academic_year, track=track
    ).first()
    if schedule is not None and all(getattr(schedule, k) == v for k, v in values.items()):
        return schedule, False
    if schedule is None:
        schedule = FeeSchedule(programme=programme, academic_year=academic_year, track=track)
    for k, v in values.items():
        setattr(schedule, k, v)
    schedule.full_clean()
    schedule.save()
    audit_record(
        action=Action.FEE_SCHEDULE_SET,
        actor=actor,
        target=schedule,
        summary=str(schedule),
        data={k: str(v) for k, v in values.items()},
    )
    return schedule, True


def schedule_facts(schedule: FeeSchedule) -> rules.FeeScheduleFacts:
    """The pure facts of a stored schedule, for ``rules.compute_fees``."""
    return rules.FeeScheduleFacts(
        academic_year=schedule.academic_year,
        track=rules.FeeTrack(schedule.track),
        tuition=schedule.tuition,
        deposit=schedule.deposit,
        application_fee=schedule.application_fee,
        cvec=schedule.cvec,
    )
