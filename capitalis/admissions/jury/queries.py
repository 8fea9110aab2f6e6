"""Reads for interviews, the admission jury, decision letters and the admissions dashboard
(SPEC §3), with their role scoping.

Who sees what:
- admissions staff (ADMISSIONS_OFFICER for the campus or the whole school, PROGRAMME_DIRECTOR)
  see the slots, interviews and juries of their campus;
- an interviewer sees the interviews of the slots he sits on;
- the admission jury (JURY_PRESIDENT / JURY_MEMBER scoped to the jury with
  ``ScopeKind.ADMISSION_JURY``; a certification jury session grant, ``JURY_SESSION``, gives
  nothing here) sees its jury and the files presented to it;
- the adapted arrangements of a candidate with an accommodation are visible only to the
  admission jury of the application (president, members, the programme director) and the
  campus disability referent — not to admissions officers, interviewers or lecturers.
A forbidden object answers ``None`` (the interfaces turn it into a 404).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.accounts.queries import grants_for
from capitalis.accounts.rules import Grant
from capitalis.admissions.models import (
    AdmissionJury,
    Application,
    Interview,
    InterviewCriterion,
    InterviewSlot,
)
from capitalis.admissions.rules import DECISION_WEEKS, Status, decision_deadline, is_late
from capitalis.programmes.models import Campus

# --- scoping -------------------------------------------------------------------------------


# Who may do what is the "application", "admission_jury" and "interview_slot" entries of
# accounts.permissions.TABLE; these helpers take the grants already read (one query).


def admissions_campus_ids(grants: frozenset[Grant]) -> set[int] | None:
    """The campuses whose admissions the grants cover: ``None`` for the whole school, an empty
    set for nobody on the admissions staff."""
    who = permissions.Principal.of_grants(grants)
    return permissions.scope_ids(who, "application", "manage", permissions.Reach.CAMPUS)


def is_admissions_staff(grants: frozenset[Grant], campus_id: int | None = None) -> bool:
    """Admissions staff for that campus (any campus when ``campus_id`` is None)."""
    scope = admissions_campus_ids(grants)
    if scope is None:
        return True
    return bool(scope) if campus_id is None else campus_id in scope


def can_see_arrangements(grants: frozenset[Grant], application: Application) -> bool:
    """Adapted arrangements: the admission jury of the application (president, members, the
    programme director) and the campus disability referent only (SPEC §3, issue 4 point 4)."""
    who = permissions.Principal.of_grants(grants)
    return permissions.can(who, "arrangements", "application", application).ok


def _is_jury_of(grants: frozenset[Grant], application: Application) -> bool:
    """The application's admission jury (or the programme director, who is staff anyway)."""
    who = permissions.Principal.of_grants(grants)
    return permissions.can(who, "decide", "application", application).ok


# --- interviews ----------------------------------------------------------------------------


def interview_slot_list_for(*, user: User) -> QuerySet[InterviewSlot]:
    """The slots a user may see: admissions staff their campus, interviewers their slots."""
    qs = InterviewSlot.objects.select_related(
        "campus", "edition__programme", "interview__application__candidate"
    ).prefetch_related("interviewers")
    return permissions.restrict(qs, user, "interview_slot")


def interview_slot_get_for(*, user: User, pk: int) -> InterviewSlot | None:
    return interview_slot_list_for(user=user).filter(pk=pk).first()


@dataclass(frozen=True)
class InterviewView:
    """An interview as a user may see it: ``arrangements`` is None when hidden from him."""

    interview: Interview
    criteria: list[InterviewCriterion]
    arrangements_visible: bool
    can_score: bool

    @property
    def arrangements(self) -> str | None:
        return self.interview.adapted_arrangements if self.arrangements_visible else None


def interview_get_for(*, user: User, pk: int) -> InterviewView | None:
    """An interview for its interviewers, the admissions staff of its campus, the admission
    jury of its application and the campus disability referent; ``None`` for anyone else."""
    grants = grants_for(user=user)
    interview = (
        Interview.objects.select_related(
            "application__candidate",
            "application__campus",
            "application__edition__programme",
            "application__year",
            "slot__campus",
        )
        .filter(pk=pk)
        .first()
    )
    if interview is None:
        return None
    application = interview.application
    interviewer_ids = set(interview.slot.interviewers.values_list("pk", flat=True))
    staff = is_admissions_staff(grants, application.campus_id)
    allowed = staff or user.pk in interviewer_ids or can_see_arrangements(grants, application)
    if not allowed:
        return None
    criteria = list(InterviewCriterion.objects.filter(edition_id=application.edition_id))
    return InterviewView(
        interview=interview,
        criteria=criteria,
        arrangements_visible=can_see_arrangements(grants, application),
        can_score=staff or user.pk in interviewer_ids,
    )


def bookable_applications(*, user: User, slot: InterviewSlot) -> QuerySet[Application]:
    """Eligible applications of the slot's edition and campus that have no interview yet."""
    grants = grants_for(user=user)
    if not is_admissions_staff(grants, slot.campus_id):
        return Application.objects.none()
    return (
        Application.objects.filter(
            edition_id=slot.edition_id,
            campus_id=slot.campus_id,
            status=Status.ELIGIBLE.value,
            interview__isnull=True,
        )
        .select_related("candidate", "year")
        .order_by("submitted_at", "pk")
    )


def bookable_by_slot(*, user: User, slots: list[InterviewSlot]) -> dict[int, list[Application]]:
    """For each free slot, the eligible applications of its edition and campus with no
    interview yet — one query for all the slots."""
    grants = grants_for(user=user)
    free = [
        s for s in slots if not hasattr(s, "interview") and is_admissions_staff(grants, s.campus_id)
    ]
    if not free:
        return {}
    pairs = {(s.edition_id, s.campus_id) for s in free}
    condition = Q()
    for edition_id, campus_id in pairs:
        condition |= Q(edition_id=edition_id, campus_id=campus_id)
    found: dict[tuple[int, int], list[Application]] = defaultdict(list)
    for application in (
        Application.objects.filter(condition, status=Status.ELIGIBLE.value, interview__isnull=True)
        .select_related("candidate", "year")
        .order_by("submitted_at", "pk")
    ):
        found[(application.edition_id, application.campus_id)].append(application)
    return {s.pk: found[(s.edition_id, s.campus_id)] for s in free}


# --- the admission jury --------------------------------------------------------------------


def admission_jury_list_for(*, user: User) -> QuerySet[AdmissionJury]:
    """Juries the user may see: admissions staff of the campus, the jury's own members."""
    qs = AdmissionJury.objects.select_related("edition__programme", "campus", "president")
    return permissions.restrict(qs, user, "admission_jury")


def admission_jury_get_for(*, user: User, pk: int) -> AdmissionJury | None:
    return admission_jury_list_for(user=user).filter(pk=pk).first()


@dataclass(frozen=True)
class PresentedRow:
    """A file presented to the jury, with its decision deadline and late flag."""

    application: Application
    deadline: date
    late: bool
    arrangements: str | None


def jury_applications(*, user: User, jury: AdmissionJury, today: date) -> list[PresentedRow]:
    """Every file of a jury (presented or decided) with its deadline; one query."""
    grants = grants_for(user=user)
    rows = []
    qs = (
        Application.objects.filter(jury=jury)
        .exclude(presented_on__isnull=True)
        .select_related("candidate", "year", "campus", "interview")
        .order_by("presented_on", "candidate__full_name", "pk")
    )
    for application in qs:
        assert application.presented_on is not None
        interview = getattr(application, "interview", None)
        arrangements = (
            interview.adapted_arrangements
            if interview is not None and can_see_arrangements(grants, application)
            else None
        )
        rows.append(
            PresentedRow(
                application=application,
                deadline=decision_deadline(application.presented_on),
                late=is_late(
                    presented_on=application.presented_on,
                    decided_on=application.decided_on,
                    today=today,
                ),
                arrangements=arrangements,
            )
        )
    return rows


def presentable_applications(*, user: User, jury: AdmissionJury) -> QuerySet[Application]:
    """Interviewed applications of the jury's edition (and campus) not yet presented."""
    grants = grants_for(user=user)
    if not is_admissions_staff(grants, jury.campus_id):
        return Application.objects.none()
    qs = Application.objects.filter(edition_id=jury.edition_id, status=Status.INTERVIEWED.value)
    if jury.campus_id is not None:
        qs = qs.filter(campus_id=jury.campus_id)
    scope = admissions_campus_ids(grants)
    if scope is not None:
        qs = qs.filter(campus_id__in=scope)
    return qs.select_related("candidate", "year").order_by("pk")


# --- decision letters ----------------------------------------------------------------------


def letter_application_get_for(*, user: User, pk: int) -> Application | None:
    """A decided application's letter: for its candidate, the admissions staff of its campus
    and its admission jury."""
    application = (
        Application.objects.select_related(
            "candidate", "edition__programme", "year", "campus", "specialisation", "jury"
        )
        .filter(
            pk=pk,
            status__in=[
                s.value
                for s in (Status.ADMITTED, Status.WAITLISTED, Status.REFUSED, Status.ENROLLED)
            ],
        )
        .first()
    )
    if application is None:
        return None
    if application.candidate_id == user.pk:
        return application
    grants = grants_for(user=user)
    if is_admissions_staff(grants, application.campus_id) or _is_jury_of(grants, application):
        return application
    return None


# --- the admissions dashboard --------------------------------------------------------------


@dataclass
class CampusFunnel:
    """One campus's figures: count per status, median decision delay, late files."""

    campus_id: int
    code: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0
    decided: int = 0
    median_delay_days: float | None = None
    late: int = 0


@dataclass
class AdmissionsDashboard:
    today: date
    statuses: list[str]
    campuses: list[CampusFunnel]
    totals: dict[str, int]
    total: int
    median_delay_days: float | None
    late_files: list[Application]
    deadline_weeks: int = DECISION_WEEKS


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def admissions_dashboard(
    *, user: User, today: date, edition_id: int | None = None
) -> AdmissionsDashboard | None:
    """The admissions funnel per campus (count per status), the median decision delay
    (presented → decided, in days) and the late files (presented, no decision 4 weeks later,
    as of ``today``), for the campuses the user's admissions grants cover (SPEC §3).

    Set-based: one aggregate query for the funnel, one for the decision delays, one for the
    late files, one for the campuses — the count does not grow with the applications."""
    grants = grants_for(user=user)
    scope = admissions_campus_ids(grants)
    if scope is not None and not scope:
        return None
    applications = Application.objects.all()
    campuses = Campus.objects.order_by("position", "code")
    if scope is not None:
        applications = applications.filter(campus_id__in=scope)
        campuses = campuses.filter(pk__in=scope)
    if edition_id is not None:
        applications = applications.filter(edition_id=edition_id)

    by_campus = {
        c.pk: CampusFunnel(campus_id=c.pk, code=c.code, name=c.name)
        for c in campuses.only("pk", "code", "name")
    }
    totals: dict[str, int] = defaultdict(int)
    for campus_id, status, n in (
        applications.values("campus_id", "status")
        .annotate(n=Count("pk"))
        .values_list("campus_id", "status", "n")
    ):
        funnel = by_campus.get(campus_id)
        if funnel is None:
            continue
        funnel.counts[status] = n
        funnel.total += n
        totals[status] += n

    delays: dict[int, list[int]] = defaultdict(list)
    for campus_id, presented_on, decided_on in applications.filter(
        presented_on__isnull=False, decided_on__isnull=False
    ).values_list("campus_id", "presented_on", "decided_on"):
        if presented_on is not None and decided_on is not None:
            delays[campus_id].append((decided_on - presented_on).days)
    for campus_id, values in delays.items():
        if campus_id in by_campus:
            by_campus[campus_id].median_delay_days = _median(values)
            by_campus[campus_id].decided = len(values)

    overdue = today - timedelta(weeks=DECISION_WEEKS)
    late_files = list(
        applications.filter(
            status=Status.PRESENTED.value, decided_on__isnull=True, presented_on__lt=overdue
        )
        .select_related("candidate", "campus", "year", "jury")
        .order_by("presented_on", "pk")
    )
    for application in late_files:
        if application.campus_id in by_campus:
            by_campus[application.campus_id].late += 1

    statuses = [s.value for s in Status]
    return AdmissionsDashboard(
        today=today,
        statuses=statuses,
        campuses=list(by_campus.values()),
        totals={s: totals.get(s, 0) for s in statuses},
        total=sum(totals.values()),
        median_delay_days=_median([d for values in delays.values() for d in values]),
        late_files=late_files,
    )
