"""Applications: a candidate's draft (create, change) and the application fee."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.admissions import rules
from capitalis.admissions.models import Application
from capitalis.admissions.services._common import check_window, require_candidate_draft
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.programmes.models import Campus, Edition, Offering, ProgrammeYear, Specialisation


def _check_target(
    *,
    edition: Edition,
    year: ProgrammeYear,
    campus: Campus,
    track: str,
    specialisation: Specialisation | None,
) -> None:
    """Only what the edition offers: year, campus, track and specialisation together."""
    offers = Offering.objects.filter(edition=edition, year=year, campus=campus, track=track)
    if specialisation is not None:
        offers = offers.filter(specialisation=specialisation)
    if not offers.exists():
        raise DomainError(
            _(
                "The %(edition)s edition does not offer this year, campus, track and "
                "specialisation together."
            )
            % {"edition": edition.label},
            code="not_offered",
        )


@transaction.atomic
def application_create(
    *,
    candidate: User,
    edition: Edition,
    year: ProgrammeYear,
    campus: Campus,
    track: str,
    specialisation: Specialisation | None = None,
    english_level: str = "",
    accommodation_requested: bool = False,
    accommodation_details: str = "",
    today: dt.date | None = None,
) -> Application:
    """A draft application of ``candidate`` to what the edition offers, while its application
    window is open (``today``: the day the candidate applies, by default today; the demo
    replays applications made during the window)."""
    check_window(edition, today)
    _check_target(
        edition=edition, year=year, campus=campus, track=track, specialisation=specialisation
    )
    _check_english(english_level)
    application = Application.objects.create(
        candidate=candidate,
        edition=edition,
        year=year,
        campus=campus,
        track=track,
        specialisation=specialisation,
        english_level=english_level,
        accommodation_requested=accommodation_requested,
        accommodation_details=accommodation_details.strip() if accommodation_requested else "",
    )
    audit_record(
        action=Action.APPLICATION_CREATE,
        actor=candidate,
        target=application,
        summary=str(application),
    )
    return application


def _check_english(level: str) -> None:
    if level and level not in rules.CEFR:
        raise DomainError(
            _("Choose an English level from A1 to C2."),
            code="english_level",
        )


class _Unset:
    """An argument not given: the draft keeps its value (a partial change, API PATCH)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@transaction.atomic
def application_update_draft(
    *,
    application: Application,
    actor_user: User,
    edition: Edition = UNSET,
    year: ProgrammeYear = UNSET,
    campus: Campus = UNSET,
    track: str = UNSET,
    specialisation: Specialisation | None = UNSET,
    english_level: str = UNSET,
    accommodation_requested: bool = UNSET,
    accommodation_details: str = UNSET,
    today: dt.date | None = None,
) -> Application:
    """Change a draft (the candidate only), while its edition's application window is open.
    Only the arguments given change; the prior degrees and documents are never touched here."""
    require_candidate_draft(application, actor_user)
    given = {
        name: value
        for name, value in {
            "edition": edition,
            "year": year,
            "campus": campus,
            "track": track,
            "specialisation": specialisation,
            "english_level": english_level,
            "accommodation_requested": accommodation_requested,
            "accommodation_details": accommodation_details,
        }.items()
        if value is not UNSET
    }
    for name, value in given.items():
        setattr(application, name, value)
    check_window(application.edition, today)
    _check_target(
        edition=application.edition,
        year=application.year,
        campus=application.campus,
        track=application.track,
        specialisation=application.specialisation,
    )
    _check_english(application.english_level)
    application.accommodation_details = (
        application.accommodation_details.strip() if application.accommodation_requested else ""
    )
    application.save()
    audit_record(
        action=Action.APPLICATION_UPDATE_DRAFT,
        actor=actor_user,
        target=application,
        summary=str(application),
        data={"changed": sorted(given)},
    )
    return application


@transaction.atomic
def application_fee_record(
    *,
    application: Application,
    actor_user: User | None,
    paid: bool,
    paid_on: dt.date | None = None,
    evidence: str = "",
) -> Application:
    """Record the 80 € application fee as paid (or not); no gateway. Admissions staff of the
    application's campus may record it, and so may finance staff (global or of that campus),
    e.g. when they record the payment of the application-fee invoice (``evidence`` names it).
    With no user (the system), only on evidence."""
    if actor_user is None:
        allowed = bool(evidence)
    else:
        allowed = permissions.can(actor_user, "record_fee", "application", application).ok
    if not allowed:
        raise DomainError(
            _("Only admissions or finance staff of this campus can record the application fee."),
            code="forbidden",
        )
    application.application_fee_paid = paid
    application.application_fee_paid_on = (paid_on or clock.today()) if paid else None
    application.save(
        update_fields=["application_fee_paid", "application_fee_paid_on", "updated_at"]
    )
    audit_record(
        action=Action.APPLICATION_FEE_RECORD,
        actor=actor_user,
        target=application,
        summary=("paid" if paid else "not paid") + (f" ({evidence})" if evidence else ""),
        data={"evidence": evidence} if evidence else {},
    )
    return application
