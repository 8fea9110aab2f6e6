"""Writes on editions (no two overlapping editions of a programme), their application window
and the offerings of an edition (campus and track)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.programmes.models import (
    Campus,
    Edition,
    Offering,
    Programme,
    ProgrammeYear,
    Specialisation,
)
from capitalis.programmes.services.common import _track, _upsert


def _check_edition(
    *, programme: Programme, code: str, start_date: date, end_date: date, exclude: int | None
) -> None:
    if end_date <= start_date:
        raise DomainError(_("An edition must end after it starts."), code="dates")
    others = Edition.objects.filter(
        programme=programme, start_date__lte=end_date, end_date__gte=start_date
    )
    if exclude is not None:
        others = others.exclude(pk=exclude)
    other = others.order_by("start_date").first()
    if other is not None:
        raise DomainError(
            _(
                "Edition %(code)s (%(start)s – %(end)s) overlaps edition %(other)s "
                "(%(other_start)s – %(other_end)s) of the same programme."
            )
            % {
                "code": code,
                "start": start_date.isoformat(),
                "end": end_date.isoformat(),
                "other": other.code,
                "other_start": other.start_date.isoformat(),
                "other_end": other.end_date.isoformat(),
            },
            code="overlap",
        )


@transaction.atomic
def edition_create(
    *,
    programme: Programme,
    code: str,
    label: str,
    start_date: date,
    end_date: date,
    provenance: str = "",
    actor: Any = None,
) -> Edition:
    """Create an edition (academic year); two editions of a programme never overlap."""
    if Edition.objects.filter(programme=programme, code=code).exists():
        raise DomainError(
            _("The programme already has an edition %(code)s.") % {"code": code}, code="exists"
        )
    _check_edition(
        programme=programme, code=code, start_date=start_date, end_date=end_date, exclude=None
    )
    edition = Edition.objects.create(
        programme=programme,
        code=code,
        label=label,
        start_date=start_date,
        end_date=end_date,
        provenance=provenance,
    )
    audit_record(action=Action.EDITION_CREATE, actor=actor, target=edition, summary=code)
    return edition


@transaction.atomic
def edition_set(
    *,
    programme: Programme,
    code: str,
    label: str,
    start_date: date,
    end_date: date,
    provenance: str = "",
    actor: Any = None,
    applications_open_on: date | None = None,
    applications_close_on: date | None = None,
) -> tuple[Edition, bool]:
    """Create or update an edition by code, with the same overlap check. The application
    window (both ends optional, see ``Edition``) must not close before it opens."""
    if (
        applications_open_on
        and applications_close_on
        and applications_close_on < applications_open_on
    ):
        raise DomainError(
            _("Applications cannot close before they open (%(code)s).") % {"code": code},
            code="application_window",
        )
    existing = Edition.objects.filter(programme=programme, code=code).first()
    _check_edition(
        programme=programme,
        code=code,
        start_date=start_date,
        end_date=end_date,
        exclude=existing.pk if existing else None,
    )
    edition, changed = _upsert(
        Edition,
        lookup={"programme": programme, "code": code},
        values={
            "label": label,
            "start_date": start_date,
            "end_date": end_date,
            "applications_open_on": applications_open_on,
            "applications_close_on": applications_close_on,
            "provenance": provenance,
        },
    )
    if changed:
        audit_record(action=Action.EDITION_SET, actor=actor, target=edition, summary=code)
    return edition, changed


@transaction.atomic
def edition_application_window_set(
    *, edition: Edition, open_on: date | None, close_on: date | None, actor: Any = None
) -> tuple[Edition, bool]:
    """Set the days candidates may apply to ``edition`` (both inclusive; an empty end follows
    the default rule of ``admissions.rules.application_window``). The window must not close
    before it opens; nothing is written when it already holds these days."""
    if open_on and close_on and close_on < open_on:
        raise DomainError(
            _("Applications cannot close before they open (%(code)s).") % {"code": edition.code},
            code="application_window",
        )
    if (edition.applications_open_on, edition.applications_close_on) == (open_on, close_on):
        return edition, False
    before = {
        "open_on": edition.applications_open_on.isoformat()
        if edition.applications_open_on
        else None,
        "close_on": edition.applications_close_on.isoformat()
        if edition.applications_close_on
        else None,
    }
    edition.applications_open_on = open_on
    edition.applications_close_on = close_on
    edition.save(update_fields=["applications_open_on", "applications_close_on", "updated_at"])
    audit_record(
        action=Action.EDITION_APPLICATION_WINDOW_SET,
        actor=actor,
        target=edition,
        summary=edition.code,
        data={
            "before": before,
            "after": {
                "open_on": open_on.isoformat() if open_on else None,
                "close_on": close_on.isoformat() if close_on else None,
            },
        },
    )
    return edition, True


@transaction.atomic
def offering_set(
    *,
    edition: Edition,
    campus: Campus,
    year: ProgrammeYear,
    specialisation: Specialisation,
    track: str,
    actor: Any = None,
) -> tuple[Offering, bool]:
    """Say that a year and specialisation run on a campus on a track in an edition."""
    _track(track)
    if year.programme_id != edition.programme_id or (
        specialisation.programme_id != edition.programme_id
    ):
        raise DomainError(
            _("The year and the specialisation must belong to the edition's programme."),
            code="programme",
        )
    offering, changed = _upsert(
        Offering,
        lookup={
            "edition": edition,
            "campus": campus,
            "year": year,
            "specialisation": specialisation,
            "track": track,
        },
        values={},
    )
    if changed:
        audit_record(
            action=Action.OFFERING_SET, actor=actor, target=offering, summary=str(offering)
        )
    return offering, changed
