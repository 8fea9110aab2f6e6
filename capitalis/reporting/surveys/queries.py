"""Reads on surveys (SPEC §9): who may see and manage them, who receives a survey, response
rates (one aggregate query for any number of surveys), an invitation by its personal token.

Scoping: a programme director (or a superuser) sees and manages every survey; a campus
coordinator sees the surveys and the response rates of the learners of her campus only. Anyone
else sees none (the views answer 404)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Max, Q, QuerySet

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.enrolment.rules import EnrolmentStatus
from capitalis.jury.models import CertificationDecision, SessionStatus
from capitalis.programmes.models import Edition, Track
from capitalis.reporting.models import Survey, SurveyInvitation, SurveyKind
from capitalis.reporting.surveys import rules

SATISFACTION_KINDS = (SurveyKind.SATISFACTION_TEACHING, SurveyKind.SATISFACTION_WORK_STUDY)
EMPLOYMENT_KINDS = (SurveyKind.EMPLOYMENT_6M, SurveyKind.EMPLOYMENT_2Y)
# Enrolments that count as "enrolled learners of the edition" for satisfaction surveys.
ENROLLED = (EnrolmentStatus.ENROLLED.value, EnrolmentStatus.COMPLETED.value)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of a personal link's token: only this is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- permissions -----------------------------------------------------------------------------


def campus_scope(user: User) -> list[int] | None:
    """The campuses whose rates ``user`` may read: None for all, [] for none."""
    ids = permissions.scope_ids(user, "survey", "read", permissions.Reach.CAMPUS)
    return None if ids is None else sorted(ids)


def survey_list_for(*, user: User) -> QuerySet[Survey]:
    """The surveys ``user`` may see (see the module docstring)."""
    qs = Survey.objects.select_related("programme", "edition").order_by("-opens_on", "kind")
    return permissions.restrict(qs, user, "survey")


def survey_for(*, user: User, pk: int) -> Survey | None:
    return survey_list_for(user=user).filter(pk=pk).first()


def editions_for_surveys() -> QuerySet[Edition]:
    """Editions a survey can be created for."""
    return Edition.objects.select_related("programme").order_by("-start_date", "code")


# --- recipients ------------------------------------------------------------------------------


def recipients(*, survey: Survey) -> QuerySet[Learner]:
    """Who gets the survey (SPEC §9): satisfaction with teaching → the learners enrolled in the
    edition (enrolled or completed); satisfaction with work-study → those of them on the
    work-study track; employment at 6 months / 2 years → the alumni: learners of the edition with
    a certification decision of a closed jury session (whatever its outcome)."""
    learners = Learner.objects.select_related("user")
    if survey.kind in EMPLOYMENT_KINDS:
        decided = CertificationDecision.objects.filter(
            enrolment__edition_id=survey.edition_id, session__status=SessionStatus.CLOSED
        ).values("enrolment__learner_id")
        return learners.filter(pk__in=decided).order_by("pk")
    enrolments = Enrolment.objects.filter(edition_id=survey.edition_id, status__in=ENROLLED)
    if survey.kind == SurveyKind.SATISFACTION_WORK_STUDY:
        enrolments = enrolments.filter(track=Track.WORK_STUDY)
    return learners.filter(pk__in=enrolments.values("learner_id")).order_by("pk")


def recipients_not_invited(*, survey: Survey) -> QuerySet[Learner]:
    """The survey's recipients who have no invitation yet."""
    already = SurveyInvitation.objects.filter(survey=survey).values("learner_id")
    return recipients(survey=survey).exclude(pk__in=already)


def invitations_unsent(*, survey: Survey) -> QuerySet[SurveyInvitation]:
    """Invitations of the survey whose e-mail has not gone out yet (and can go: an address, no
    answer)."""
    return SurveyInvitation.objects.filter(
        survey=survey, sent_at__isnull=True, answered_at__isnull=True
    ).exclude(email="")


# --- schedule --------------------------------------------------------------------------------


def schedule_facts(
    *, today: date, window_days: int, satisfaction_days: int
) -> list[rules.EditionFacts]:
    """What the survey schedule needs about the editions a survey could be due for on
    ``today`` (three queries): those ending within ``satisfaction_days`` days, and those whose
    most recent closed jury session could make an employment survey due."""
    decided = dict(
        CertificationDecision.objects.filter(session__status=SessionStatus.CLOSED)
        .values("enrolment__edition_id")
        .annotate(decided_on=Max("session__date"))
        .values_list("enrolment__edition_id", "decided_on")
    )
    # an employment survey is due at most 2 years (+ the window) after the decisions
    oldest = today - timedelta(days=window_days + 2 * 366 + 1)
    recent = [pk for pk, day in decided.items() if day is not None and day >= oldest]
    editions = list(
        Edition.objects.filter(
            Q(end_date__gte=today, end_date__lt=today + timedelta(days=satisfaction_days))
            | Q(pk__in=recent)
        ).values_list("pk", "end_date")
    )
    work_study = set(
        Enrolment.objects.filter(
            edition_id__in=[pk for pk, _end in editions],
            status__in=ENROLLED,
            track=Track.WORK_STUDY,
        ).values_list("edition_id", flat=True)
    )
    return [
        rules.EditionFacts(
            edition_id=pk,
            end_date=end,
            decided_on=decided.get(pk),
            has_work_study=pk in work_study,
        )
        for pk, end in sorted(editions)
    ]


# --- response rates --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rates:
    """Response figures of one survey: invited, sent (an e-mail went out), answered."""

    invited: int
    sent: int
    answered: int
    reminded: int

    @property
    def rate(self) -> float | None:
        """Answered / invited, or None before anyone is invited."""
        return self.answered / self.invited if self.invited else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)


EMPTY = Rates(0, 0, 0, 0)


def response_rates(
    *, survey_ids: Iterable[int], campuses: list[int] | None = None
) -> dict[int, Rates]:
    """Rates per survey in one aggregate query; ``campuses`` limits them to the learners enrolled
    in the survey's edition on those campuses (None: everyone)."""
    ids = list(survey_ids)
    qs = SurveyInvitation.objects.filter(survey_id__in=ids)
    if campuses is not None:
        qs = qs.filter(
            learner__enrolments__campus_id__in=campuses,
            learner__enrolments__edition_id=F("survey__edition_id"),
        )
    rows = qs.values("survey_id").annotate(
        invited=Count("pk", distinct=True),
        sent=Count("pk", filter=Q(sent_at__isnull=False), distinct=True),
        answered=Count("pk", filter=Q(answered_at__isnull=False), distinct=True),
        reminded=Count("pk", filter=Q(reminders__gt=0), distinct=True),
    )
    found = {
        r["survey_id"]: Rates(r["invited"], r["sent"], r["answered"], r["reminded"]) for r in rows
    }
    return {pk: found.get(pk, EMPTY) for pk in ids}


# --- invitations -----------------------------------------------------------------------------


def invitation_by_token(*, token: str) -> SurveyInvitation | None:
    """The invitation a personal link opens, or None for an unknown or forged token."""
    if not token or len(token) > 200:
        return None
    return (
        SurveyInvitation.objects.select_related("survey", "learner__user")
        .filter(token_hash=token_hash(token))
        .first()
    )


def survey_state(*, survey: Survey, today: date) -> str:
    """ "open", "not_open" (before opens_on) or "closed" (after closes_on)."""
    if today < survey.opens_on:
        return "not_open"
    if today > survey.closes_on:
        return "closed"
    return "open"


def invitations_open_for(*, user: User, today: date) -> QuerySet[SurveyInvitation]:
    """The signed-in learner's own invitations to surveys open on ``today`` that she has not
    answered yet (her home lists them; she answers without looking for the e-mail)."""
    if not user.is_authenticated:
        return SurveyInvitation.objects.none()
    return (
        SurveyInvitation.objects.filter(
            learner__user_id=user.pk,
            answered_at__isnull=True,
            survey__opens_on__lte=today,
            survey__closes_on__gte=today,
        )
        .select_related("survey", "survey__edition")
        .order_by("survey__closes_on", "pk")
    )
