"""Reads on enrolment, scoped by role (SPEC §10): a learner sees her own record, a tutor his
apprentices (and only the contracts and internships he tutors), campus staff their campus, the
programme director and school-wide staff everything. A forbidden object is simply absent (the
views answer 404). The learners dashboard counts set-wise, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.admissions import rules as admission_rules
from capitalis.admissions.models import Application
from capitalis.core.models import pick_language
from capitalis.enrolment import rules
from capitalis.enrolment.models import (
    ENROLMENT_STATUS_LABELS,
    Contract,
    CvecProof,
    Enrolment,
    EnrolmentTransition,
    Internship,
    Learner,
)
from capitalis.programmes.models import (
    Calendar,
    Campus,
    CampusRhythm,
    Edition,
    Offering,
    ProgrammeYear,
    Track,
)

# Who reads and manages what is declared once, in accounts.permissions.TABLE ("enrolment",
# "learner", "contract", "internship"); these functions only build on it.


def _enrolment_visibility(user: User) -> Q | None:
    """The enrolments ``user`` may read, as a filter (None: all of them)."""
    q = permissions.visible(user, "enrolment")
    return None if q == permissions.EVERYTHING else q


def enrolment_list_for(*, user: User) -> QuerySet[Enrolment]:
    """The enrolments ``user`` may read, with what a list shows."""
    qs = Enrolment.objects.select_related(
        "learner__user", "edition", "year", "campus", "specialisation"
    ).order_by("-edition__start_date", "campus__position", "year__position", "learner_id")
    return permissions.restrict(qs, user, "enrolment")


def enrolment_get_for(*, user: User, pk: int) -> Enrolment | None:
    return enrolment_list_for(user=user).filter(pk=pk).first()


def learner_list_for(*, user: User) -> QuerySet[Learner]:
    """The learners ``user`` may read: herself, or those with an enrolment he may read."""
    qs = Learner.objects.select_related("user").order_by("user__full_name", "user__email")
    return permissions.restrict(qs, user, "learner")


def learner_get_for(*, user: User, pk: int) -> Learner | None:
    return learner_list_for(user=user).filter(pk=pk).first()


def contract_list_for(*, user: User) -> QuerySet[Contract]:
    qs = Contract.objects.select_related(
        "enrolment__learner__user", "enrolment__edition", "enrolment__year", "tutor"
    ).order_by("-start_date", "pk")
    return permissions.restrict(qs, user, "contract")


def contract_get_for(*, user: User, pk: int) -> Contract | None:
    return contract_list_for(user=user).filter(pk=pk).first()


def internship_list_for(*, user: User) -> QuerySet[Internship]:
    qs = Internship.objects.select_related(
        "enrolment__learner__user", "enrolment__edition", "enrolment__year", "tutor"
    ).order_by("-start_date", "pk")
    return permissions.restrict(qs, user, "internship")


# --- staff: who may manage what -----------------------------------------------------------


def managed_campus_ids(*, user: User) -> list[int] | None:
    """The campuses where ``user`` may enrol and record contracts (None: every campus)."""
    ids = permissions.scope_ids(user, "enrolment", "manage", permissions.Reach.CAMPUS)
    return None if ids is None else sorted(ids)


def admitted_applications_for(*, user: User) -> QuerySet[Application]:
    """Admitted applications waiting to be enrolled, on the campuses ``user`` manages."""
    qs = Application.objects.filter(status=admission_rules.Status.ADMITTED.value).select_related(
        "candidate", "edition", "year", "campus", "specialisation"
    )
    ids = managed_campus_ids(user=user)
    if ids is not None:
        qs = qs.filter(campus_id__in=ids)
    return qs.order_by("edition__start_date", "campus__position", "candidate__full_name")


# --- the learner's record -----------------------------------------------------------------


@dataclass
class EnrolmentCard:
    enrolment: Enrolment
    calendar: Calendar | None
    contracts: list[Contract] = field(default_factory=list)
    internships: list[Internship] = field(default_factory=list)
    next_statuses: tuple[rules.EnrolmentStatus, ...] = ()
    can_reenrol: bool = False

    @property
    def moves(self) -> list[tuple[str, str]]:
        """The statuses this enrolment may move to, with their labels (for the buttons)."""
        return [(s.value, str(ENROLMENT_STATUS_LABELS[s])) for s in self.next_statuses]


@dataclass
class LearnerRecord:
    learner: Learner
    cards: list[EnrolmentCard]
    cvec: list[CvecProof]
    can_manage: bool


def learner_record_for(*, user: User, pk: int) -> LearnerRecord | None:
    """A learner's record as ``user`` may read it: her enrolments (newest first) with their
    contracts, internships, transitions and calendar, and her CVEC proofs. Fixed query count."""
    learner = learner_get_for(user=user, pk=pk)
    if learner is None:
        return None
    visible = _enrolment_visibility(user)
    contracts = contract_list_for(user=user)
    internships = internship_list_for(user=user)
    enrolments_qs = (
        Enrolment.objects.filter(learner=learner)
        .select_related("edition", "year", "campus", "specialisation", "previous")
        .prefetch_related(
            Prefetch("contracts", queryset=contracts),
            Prefetch("internships", queryset=internships),
            Prefetch("transitions", queryset=EnrolmentTransition.objects.select_related("by")),
        )
        .order_by("-edition__start_date")
    )
    if visible is not None:
        enrolments_qs = enrolments_qs.filter(visible)
    enrolments = list(enrolments_qs)
    keys = Q(pk__in=[])
    for e in enrolments:
        keys |= Q(edition_id=e.edition_id, campus_id=e.campus_id, track=e.track)
    same = {
        "edition_id": OuterRef("edition_id"),
        "campus_id": OuterRef("campus_id"),
        "track": OuterRef("track"),
    }
    calendars = {
        (c.edition_id, c.campus_id, c.track): c
        # only a calendar the calendar page can show (its offering runs and its rhythm is
        # set; the assessments create calendars before the rhythm): no link to a 404
        for c in Calendar.objects.filter(keys)
        .filter(
            Exists(Offering.objects.filter(**same)), Exists(CampusRhythm.objects.filter(**same))
        )
        .select_related("edition", "campus")
    }
    managed = managed_campus_ids(user=user)
    has_next = set(
        Enrolment.objects.filter(previous__in=enrolments).values_list("previous_id", flat=True)
    )
    cards = []
    for e in enrolments:
        manages = managed is None or e.campus_id in managed
        status = rules.EnrolmentStatus(e.status)
        cards.append(
            EnrolmentCard(
                enrolment=e,
                calendar=calendars.get((e.edition_id, e.campus_id, e.track)),
                contracts=list(e.contracts.all()),
                internships=list(e.internships.all()),
                next_statuses=rules.next_enrolment_statuses(status) if manages else (),
                can_reenrol=manages
                and e.year.position == 1
                and e.pk not in has_next
                and status in (rules.EnrolmentStatus.ENROLLED, rules.EnrolmentStatus.COMPLETED),
            )
        )
    can_manage_any = any(managed is None or c.enrolment.campus_id in managed for c in cards)
    cvec = list(CvecProof.objects.filter(learner=learner).order_by("-academic_year"))
    return LearnerRecord(learner=learner, cards=cards, cvec=cvec, can_manage=can_manage_any)


def next_editions(*, enrolment: Enrolment) -> QuerySet[Edition]:
    """The editions an MSc 1 enrolment can continue into: later editions of its programme."""
    return Edition.objects.filter(
        programme_id=enrolment.edition.programme_id,
        start_date__gt=enrolment.edition.start_date,
    ).order_by("start_date")


# --- the learners dashboard ---------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    edition: int | None = None
    campus: int | None = None
    year: int | None = None
    track: str | None = None
    status: str | None = None


@dataclass
class DashboardRow:
    campus: str
    year: str
    track: str
    track_label: str
    counts: dict[str, int]
    total: int


@dataclass
class Dashboard:
    rows: list[DashboardRow]
    totals: dict[str, int]
    total: int
    statuses: list[tuple[str, str]]
    editions: list[Edition]
    campuses: list[Campus]
    years: list[ProgrammeYear]
    tracks: list[tuple[str, str]]
    filters: DashboardFilters


def _filtered(user: User, filters: DashboardFilters) -> QuerySet[Enrolment]:
    qs = Enrolment.objects.all()
    visible = _enrolment_visibility(user)
    if visible is not None:
        qs = qs.filter(visible)
    if filters.edition:
        qs = qs.filter(edition_id=filters.edition)
    if filters.campus:
        qs = qs.filter(campus_id=filters.campus)
    if filters.year:
        qs = qs.filter(year_id=filters.year)
    if filters.track:
        qs = qs.filter(track=filters.track)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


DASHBOARD_LIST_LIMIT = 200


def dashboard_enrolments(
    *, user: User, filters: DashboardFilters, limit: int = DASHBOARD_LIST_LIMIT
) -> list[Enrolment]:
    """The enrolments behind the dashboard's counts (the first ``limit``), to open a record."""
    return list(
        _filtered(user, filters)
        .select_related("learner__user", "edition", "year", "campus")
        .order_by("campus__position", "year__position", "track", "learner__user__full_name")[:limit]
    )


def learners_dashboard(*, user: User, filters: DashboardFilters) -> Dashboard:
    """Learners per campus, programme year and track, counted per status, over the enrolments
    ``user`` may read, with filters (edition, campus, year, track, status). One aggregate
    query whatever the number of learners, plus the filter choices."""
    qs = _filtered(user, filters)
    statuses = [s.value for s in rules.EnrolmentStatus]
    aggregates = {f"n_{s}": Count("id", filter=Q(status=s)) for s in statuses}
    grouped = (
        qs.values(
            "campus__name",
            "campus__position",
            "year__code",
            "year__title_fr",
            "year__title_en",
            "year__position",
            "track",
        )
        .annotate(total=Count("id"), **aggregates)
        .order_by("campus__position", "campus__name", "year__position", "track")
    )
    track_labels = dict(Track.choices)
    rows = [
        DashboardRow(
            campus=r["campus__name"],
            year=pick_language(r["year__title_fr"], r["year__title_en"]) or r["year__code"],
            track=r["track"],
            track_label=str(track_labels.get(r["track"], r["track"])),
            counts={s: cast(dict[str, int], r)[f"n_{s}"] for s in statuses},
            total=r["total"],
        )
        for r in grouped
    ]
    totals = {s: sum(row.counts[s] for row in rows) for s in statuses}
    return Dashboard(
        rows=rows,
        totals=totals,
        total=sum(row.total for row in rows),
        statuses=[(s, str(ENROLMENT_STATUS_LABELS[rules.EnrolmentStatus(s)])) for s in statuses],
        editions=list(Edition.objects.order_by("-start_date")),
        campuses=list(Campus.objects.order_by("position", "code")),
        years=list(ProgrammeYear.objects.order_by("programme_id", "position")),
        tracks=[(str(v), str(label)) for v, label in Track.choices],
        filters=filters,
    )
