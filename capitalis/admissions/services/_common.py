"""What the admissions services share (private to the package): the application window and
the candidate's own draft."""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.admissions import rules
from capitalis.admissions.models import Application
from capitalis.core import clock
from capitalis.core.exceptions import DomainError
from capitalis.programmes.models import Edition


def check_window(edition: Edition, today: dt.date | None) -> None:
    """Candidates apply only while the edition's application window is open (SPEC §3;
    ``rules.application_window``)."""
    day = today or clock.today()
    if not rules.applications_open(
        start_date=edition.start_date,
        opens_on=edition.applications_open_on,
        closes_on=edition.applications_close_on,
        today=day,
    ):
        first, last = rules.application_window(
            start_date=edition.start_date,
            opens_on=edition.applications_open_on,
            closes_on=edition.applications_close_on,
        )
        raise DomainError(
            _("Applications to the %(edition)s edition are open from %(first)s to %(last)s only.")
            % {
                "edition": edition.label,
                "first": formats.date_format(first, "SHORT_DATE_FORMAT"),
                "last": formats.date_format(last, "SHORT_DATE_FORMAT"),
            },
            code="applications_closed",
        )


def require_candidate_draft(application: Application, actor_user: User) -> None:
    if application.candidate_id != actor_user.pk:
        raise DomainError(_("Only the candidate can change her application."), code="forbidden")
    if application.status != rules.Status.DRAFT:
        raise DomainError(
            _("This application has been submitted and can no longer be changed."),
            code="not_draft",
        )
