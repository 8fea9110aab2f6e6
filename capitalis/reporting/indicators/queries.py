"""Indicators computed from records (SPEC §9), set-based: one query per indicator, grouped by
edition and campus; the programme-wide totals are sums of the campus rows (no query per learner,
per campus or per edition). Each figure is a :class:`capitalis.reporting.indicators.rules.Figure`
with its numerator, denominator and date.

Who sees what (SPEC §10): the programme director (and school-wide admissions or finance staff,
and superusers) see every campus; campus staff (campus coordinator, campus admissions officer,
campus finance officer, disability referent) see the campuses they are granted on; anyone else
sees no staff indicator. The public results page uses :func:`public_results`, which carries only
what the school must publish.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.admissions.models import STATUS_LABELS as APPLICATION_STATUS_LABELS
from capitalis.admissions.models import Application
from capitalis.admissions.rules import Status as ApplicationStatus
from capitalis.core import clock
from capitalis.core.models import pick_language
from capitalis.enrolment.models import Contract, Enrolment
from capitalis.enrolment.rules import ContractKind, EnrolmentStatus
from capitalis.jury.models import (
    BlockDecision,
    BlockStatus,
    CertificationDecision,
    CertificationStatus,
    SessionStatus,
)
from capitalis.programmes.models import Campus, Edition, Programme, ProgrammeYear, Track
from capitalis.referential.models import Block
from capitalis.reporting.indicators import rules
from capitalis.reporting.models import DeclaredFigure, SurveyAnswer, SurveyKind

SATISFACTION_KINDS = (SurveyKind.SATISFACTION_TEACHING, SurveyKind.SATISFACTION_WORK_STUDY)
EMPLOYMENT_KINDS = (SurveyKind.EMPLOYMENT_6M, SurveyKind.EMPLOYMENT_2Y)
SATISFIED_FROM = 4  # on the 1–5 scale of the question ``overall`` (b-contract)
DECISION_DUE_DAYS = 28  # an admission decision is due 4 weeks after the file is presented (§3)


def min_base() -> int:
    """The minimum base of a significant rate (setting ``REPORTING_MIN_BASE``, default 10)."""
    return int(getattr(settings, "REPORTING_MIN_BASE", rules.DEFAULT_MIN_BASE))


# --- who sees what ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The campuses a reader may see: ``campus_ids`` None means every campus."""

    campus_ids: frozenset[int] | None

    @property
    def everything(self) -> bool:
        return self.campus_ids is None

    def allows(self, campus_id: int | None) -> bool:
        return self.campus_ids is None or campus_id in self.campus_ids


EVERYTHING = Scope(None)


def scope_for(*, user: User) -> Scope | None:
    """The indicators ``user`` may read, or None if none (the pages answer 404/403)."""
    if not user.is_authenticated:
        return None
    ids = permissions.scope_ids(user, "indicators", "read", permissions.Reach.CAMPUS)
    if ids is None:
        return EVERYTHING
    return Scope(frozenset(ids)) if ids else None


def _in_scope(qs: QuerySet, scope: Scope, campus_field: str) -> QuerySet:  # type: ignore[type-arg]
    if scope.campus_ids is None:
        return qs
    return qs.filter(**{f"{campus_field}__in": sorted(scope.campus_ids)})


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.order_by("code")


def programme_get(code: str) -> Programme | None:
    return Programme.objects.filter(code=code).first()


def campus_list_for(*, scope: Scope) -> list[Campus]:
    return list(_in_scope(Campus.objects.order_by("position", "code"), scope, "pk"))


def edition_list(*, programme: Programme) -> list[Edition]:
    return list(Edition.objects.filter(programme=programme).order_by("start_date"))


def final_year(*, programme: Programme) -> ProgrammeYear | None:
    return programme.years.order_by("-position").first()


# --- rows ---------------------------------------------------------------------------------


@dataclass
class CertificationRow:
    """Certification of one cohort (an edition; one campus, or every campus when None)."""

    edition: Edition
    campus: Campus | None
    cohort: int
    certified: int
    partial: int
    not_certified: int
    as_of: dt.date | None
    rate: rules.Figure = field(init=False)
    partial_rate: rules.Figure = field(init=False)
    base: int = rules.DEFAULT_MIN_BASE

    def __post_init__(self) -> None:
        self.rate = rules.rate(self.certified, self.cohort, as_of=self.as_of, min_base=self.base)
        self.partial_rate = rules.rate(
            self.partial, self.cohort, as_of=self.as_of, min_base=self.base
        )

    @property
    def undecided(self) -> int:
        return self.cohort - self.certified - self.partial - self.not_certified


def _max_date(*dates: dt.date | None) -> dt.date | None:
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def _editions_by_id(programme: Programme) -> dict[int, Edition]:
    return {e.pk: e for e in edition_list(programme=programme)}


def _campuses_by_id() -> dict[int, Campus]:
    return {c.pk: c for c in Campus.objects.all()}


def cohort_queryset(*, programme: Programme, scope: Scope) -> QuerySet[Enrolment]:
    """The certification cohorts: the enrolments in the *final year* of the programme (MSc 2),
    per edition, except those withdrawn before the jury. A learner of the cohort with no
    decision of a closed jury session counts in the cohort and is *undecided* (not certified
    in the rate): a rate is never flattered by leaving people out."""
    year = final_year(programme=programme)
    qs = Enrolment.objects.filter(edition__programme=programme, year=year).exclude(
        status=EnrolmentStatus.WITHDRAWN.value
    )
    return _in_scope(qs, scope, "campus_id")


def certification_rows(
    *, programme: Programme, scope: Scope, base: int | None = None
) -> tuple[list[CertificationRow], list[CertificationRow]]:
    """Certification rate per cohort: certified / cohort, and partially certified / cohort,
    from each learner's *latest* certification decision of a CLOSED jury session (its
    effective status: the jury's override, else the computed one). Open sessions do not count.
    The date of a row is the date of the latest session that decided in it.

    Returns (per edition and campus, per edition for every campus in scope). One query."""
    base = min_base() if base is None else base
    latest = CertificationDecision.objects.filter(
        enrolment=OuterRef("pk"), session__status=SessionStatus.CLOSED
    ).order_by("-session__date", "-session_id", "-pk")
    effective = Coalesce("override_status", "computed_status")
    grouped = (
        cohort_queryset(programme=programme, scope=scope)
        .annotate(
            effective=Subquery(latest.annotate(e=effective).values("e")[:1]),
            decided_on=Subquery(latest.values("session__date")[:1]),
        )
        .values("edition_id", "campus_id")
        .annotate(
            cohort=Count("pk"),
            certified=Count("pk", filter=Q(effective=CertificationStatus.CERTIFIED)),
            partial=Count("pk", filter=Q(effective=CertificationStatus.PARTIALLY_CERTIFIED)),
            not_certified=Count("pk", filter=Q(effective=CertificationStatus.NOT_CERTIFIED)),
            as_of=Max("decided_on"),
        )
        .order_by()
    )
    editions = _editions_by_id(programme)
    campuses = _campuses_by_id()
    per_campus: list[CertificationRow] = []
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    dates: dict[int, dt.date | None] = {}
    for r in grouped:
        per_campus.append(
            CertificationRow(
                edition=editions[r["edition_id"]],
                campus=campuses[r["campus_id"]],
                cohort=r["cohort"],
                certified=r["certified"],
                partial=r["partial"],
                not_certified=r["not_certified"],
                as_of=r["as_of"],
                base=base,
            )
        )
        t = totals[r["edition_id"]]
        t[0] += r["cohort"]
        t[1] += r["certified"]
        t[2] += r["partial"]
        t[3] += r["not_certified"]
        dates[r["edition_id"]] = _max_date(dates.get(r["edition_id"]), r["as_of"])
    per_campus.sort(key=lambda row: (row.edition.start_date, _campus_key(row.campus)))
    overall = [
        CertificationRow(
            edition=editions[eid],
            campus=None,
            cohort=t[0],
            certified=t[1],
            partial=t[2],
            not_certified=t[3],
            as_of=dates[eid],
            base=base,
        )
        for eid, t in totals.items()
    ]
    overall.sort(key=lambda row: row.edition.start_date)
    return per_campus, overall


def _campus_key(campus: Campus | None) -> tuple[int, str]:
    return (-1, "") if campus is None else (campus.position, campus.code)


@dataclass
class BlockRow:
    """Pass rate of one block in one edition: validated / decided (validated or not validated),
    from the latest decision of a closed session per learner and block; *incomplete* (evidence
    missing) is shown beside, outside the rate."""

    edition: Edition
    block: Block
    validated: int
    not_validated: int
    incomplete: int
    as_of: dt.date | None
    base: int = rules.DEFAULT_MIN_BASE
    campus: Campus | None = None
    rate: rules.Figure = field(init=False)

    def __post_init__(self) -> None:
        self.rate = rules.rate(self.validated, self.decided, as_of=self.as_of, min_base=self.base)

    @property
    def decided(self) -> int:
        return self.validated + self.not_validated

    @property
    def block_label(self) -> str:
        return f"{self.block.code} — {pick_language(self.block.title_fr, self.block.title_en)}"


def block_rows(
    *, programme: Programme, scope: Scope, base: int | None = None, by_campus: bool = False
) -> list[BlockRow]:
    """Pass rate per block and edition (or per block, edition and campus). One query, plus
    one for the blocks' names."""
    base = min_base() if base is None else base
    later = BlockDecision.objects.filter(
        enrolment_id=OuterRef("enrolment_id"),
        block_id=OuterRef("block_id"),
        session__status=SessionStatus.CLOSED,
    ).filter(
        Q(session__date__gt=OuterRef("session__date"))
        | Q(session__date=OuterRef("session__date"), pk__gt=OuterRef("pk"))
    )
    qs = BlockDecision.objects.filter(
        session__status=SessionStatus.CLOSED, enrolment__edition__programme=programme
    ).filter(~Exists(later))
    qs = _in_scope(qs, scope, "enrolment__campus_id")
    keys = ["enrolment__edition_id", "block_id"] + (["enrolment__campus_id"] if by_campus else [])
    grouped = (
        qs.annotate(effective=Coalesce("override_status", "computed_status"))
        .values(*keys)
        .annotate(
            validated=Count("pk", filter=Q(effective=BlockStatus.VALIDATED)),
            not_validated=Count("pk", filter=Q(effective=BlockStatus.NOT_VALIDATED)),
            incomplete=Count("pk", filter=Q(effective=BlockStatus.INCOMPLETE)),
            as_of=Max("session__date"),
        )
        .order_by()
    )
    rows = list(grouped)
    blocks = {b.pk: b for b in Block.objects.filter(pk__in={r["block_id"] for r in rows})}
    editions = _editions_by_id(programme)
    campuses = _campuses_by_id() if by_campus else {}
    out = [
        BlockRow(
            edition=editions[r["enrolment__edition_id"]],
            block=blocks[r["block_id"]],
            validated=r["validated"],
            not_validated=r["not_validated"],
            incomplete=r["incomplete"],
            as_of=r["as_of"],
            base=base,
            campus=campuses.get(r.get("enrolment__campus_id", 0)),
        )
        for r in rows
    ]
    out.sort(key=lambda b: (b.edition.start_date, _campus_key(b.campus), b.block.position))
    return out


# --- admissions -----------------------------------------------------------------------------

FUNNEL = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.ELIGIBLE,
    ApplicationStatus.MANUAL_REVIEW,
    ApplicationStatus.INELIGIBLE,
    ApplicationStatus.INTERVIEW_SCHEDULED,
    ApplicationStatus.INTERVIEWED,
    ApplicationStatus.PRESENTED,
    ApplicationStatus.ADMITTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.REFUSED,
    ApplicationStatus.ENROLLED,
    ApplicationStatus.WITHDRAWN,
)


@dataclass
class AdmissionRow:
    """The applications of one edition per status (drafts are not applications yet), and the
    median delay from presentation to the admission jury to the decision."""

    edition: Edition
    by_status: dict[str, int]
    delay: rules.Figure
    late: int  # decisions taken more than DECISION_DUE_DAYS after presentation

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def cells(self) -> list[int]:
        return [self.by_status.get(s.value, 0) for s in FUNNEL]


def funnel_labels() -> list[str]:
    return [str(APPLICATION_STATUS_LABELS[s]) for s in FUNNEL]


def admission_rows(
    *, programme: Programme, scope: Scope, base: int | None = None, today: dt.date | None = None
) -> list[AdmissionRow]:
    """Admissions funnel per edition (applications per current status) and the median decision
    delay in days (``presented_on`` → ``decided_on``, decided applications only). Two queries."""
    base = min_base() if base is None else base
    qs = _in_scope(
        Application.objects.filter(edition__programme=programme).exclude(
            status=ApplicationStatus.DRAFT.value
        ),
        scope,
        "campus_id",
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for r in qs.values("edition_id", "status").annotate(n=Count("pk")).order_by():
        counts[r["edition_id"]][r["status"]] = r["n"]
    delays: dict[int, list[int]] = defaultdict(list)
    decided_dates: dict[int, dt.date | None] = {}
    for edition_id, presented, decided in qs.filter(
        presented_on__isnull=False, decided_on__isnull=False
    ).values_list("edition_id", "presented_on", "decided_on"):
        delays[edition_id].append((decided - presented).days)
        decided_dates[edition_id] = _max_date(decided_dates.get(edition_id), decided)
    editions = _editions_by_id(programme)
    rows = []
    for eid in sorted(set(counts) | set(delays), key=lambda e: editions[e].start_date):
        values = delays.get(eid, [])
        rows.append(
            AdmissionRow(
                edition=editions[eid],
                by_status=counts.get(eid, {}),
                delay=rules.median(values, as_of=decided_dates.get(eid) or today, min_base=base),
                late=sum(1 for d in values if d > DECISION_DUE_DAYS),
            )
        )
    return rows


# --- apprentices ------------------------------------------------------------------------------


@dataclass
class ApprenticeRow:
    """Apprentices of one edition on one campus, per programme year (MSc 1 / MSc 2)."""

    edition: Edition
    campus: Campus
    by_year: dict[int, int]  # year position → count
    as_of: dt.date

    @property
    def total(self) -> int:
        return sum(self.by_year.values())


def apprentice_rows(*, programme: Programme, scope: Scope) -> list[ApprenticeRow]:
    """Apprentices per edition, campus and year: work-study enrolments (not withdrawn) holding
    an *apprenticeship* contract running during the edition — the contract hangs on the
    enrolment, or on the MSc 1 enrolment a 2-year contract started with (``previous``), and was
    not terminated before the edition began. Professionalisation contracts are not
    apprenticeships. One query; the date is the edition's end (or today for a running one)."""
    running = Contract.objects.filter(
        Q(enrolment_id=OuterRef("pk")) | Q(enrolment_id=OuterRef("previous_id")),
        kind=ContractKind.APPRENTICESHIP.value,
        start_date__lte=OuterRef("edition__end_date"),
        end_date__gte=OuterRef("edition__start_date"),
    ).filter(Q(terminated_on__isnull=True) | Q(terminated_on__gte=OuterRef("edition__start_date")))
    qs = (
        Enrolment.objects.filter(edition__programme=programme, track=Track.WORK_STUDY)
        .exclude(status=EnrolmentStatus.WITHDRAWN.value)
        .filter(Exists(running))
    )
    qs = _in_scope(qs, scope, "campus_id")
    grouped = (
        qs.values("edition_id", "campus_id", position=F("year__position"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    editions = _editions_by_id(programme)
    campuses = _campuses_by_id()
    table: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for r in grouped:
        table[(r["edition_id"], r["campus_id"])][r["position"]] = r["n"]
    today = clock.today()
    rows = [
        ApprenticeRow(
            edition=editions[eid],
            campus=campuses[cid],
            by_year=by_year,
            as_of=min(editions[eid].end_date, today),
        )
        for (eid, cid), by_year in table.items()
    ]
    rows.sort(key=lambda r: (r.edition.start_date, _campus_key(r.campus)))
    return rows


def year_list(*, programme: Programme) -> list[ProgrammeYear]:
    return list(programme.years.order_by("position"))


# --- surveys ----------------------------------------------------------------------------------


@dataclass
class SurveyRow:
    """Satisfaction (answers ≥ 4 of 5 to ``overall``) or employment (``employed`` = 1) of one
    edition's survey: positive / answered."""

    kind: str
    edition: Edition
    campus: Campus | None
    answered: int
    positive: int
    as_of: dt.date | None
    base: int = rules.DEFAULT_MIN_BASE
    rate: rules.Figure = field(init=False)

    def __post_init__(self) -> None:
        self.rate = rules.rate(self.positive, self.answered, as_of=self.as_of, min_base=self.base)

    @property
    def kind_label(self) -> str:
        return str(SurveyKind(self.kind).label)


def survey_rows(
    *, programme: Programme, scope: Scope, base: int | None = None
) -> tuple[list[SurveyRow], list[SurveyRow]]:
    """Satisfaction (teaching; work-study) and employment at 6 months / 2 years from the survey
    answers (b-contract): per kind, edition and campus (the campus of the learner's enrolment in
    the survey's edition), and per kind and edition for every campus in scope. One query."""
    base = min_base() if base is None else base
    campus_of = Enrolment.objects.filter(
        learner_id=OuterRef("invitation__learner_id"),
        edition_id=OuterRef("invitation__survey__edition_id"),
    ).values("campus_id")[:1]
    positive = Q(
        invitation__survey__kind__in=SATISFACTION_KINDS,
        question="overall",
        number__gte=SATISFIED_FROM,
    ) | Q(invitation__survey__kind__in=EMPLOYMENT_KINDS, question="employed", number=1)
    asked = Q(invitation__survey__kind__in=SATISFACTION_KINDS, question="overall") | Q(
        invitation__survey__kind__in=EMPLOYMENT_KINDS, question="employed"
    )
    qs = (
        SurveyAnswer.objects.filter(asked, invitation__survey__programme=programme)
        .filter(number__isnull=False)
        .annotate(campus_id=Subquery(campus_of))
    )
    if scope.campus_ids is not None:
        qs = qs.filter(campus_id__in=sorted(scope.campus_ids))
    grouped = (
        qs.values("campus_id", kind=F("invitation__survey__kind"))
        .annotate(
            edition_id=F("invitation__survey__edition_id"),
            answered=Count("pk"),
            positive=Count("pk", filter=positive),
            last=Max("invitation__answered_at"),
        )
        .values("kind", "edition_id", "campus_id", "answered", "positive", "last")
        .order_by()
    )
    editions = _editions_by_id(programme)
    campuses = _campuses_by_id()
    per_campus: list[SurveyRow] = []
    totals: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    dates: dict[tuple[str, int], dt.date | None] = {}
    for r in grouped:
        last = timezone.localdate(r["last"]) if r["last"] is not None else None
        per_campus.append(
            SurveyRow(
                kind=r["kind"],
                edition=editions[r["edition_id"]],
                campus=campuses.get(r["campus_id"]) if r["campus_id"] else None,
                answered=r["answered"],
                positive=r["positive"],
                as_of=last,
                base=base,
            )
        )
        key = (r["kind"], r["edition_id"])
        totals[key][0] += r["answered"]
        totals[key][1] += r["positive"]
        dates[key] = _max_date(dates.get(key), last)
    order = {k.value: i for i, k in enumerate(SurveyKind)}
    per_campus.sort(key=lambda s: (order[s.kind], s.edition.start_date, _campus_key(s.campus)))
    overall = [
        SurveyRow(
            kind=kind,
            edition=editions[eid],
            campus=None,
            answered=t[0],
            positive=t[1],
            as_of=dates[(kind, eid)],
            base=base,
        )
        for (kind, eid), t in totals.items()
    ]
    overall.sort(key=lambda s: (order[s.kind], s.edition.start_date))
    return per_campus, overall


# --- declared history ---------------------------------------------------------------------


@dataclass
class DeclaredRow:
    """A figure from before the system, always shown as declared history with its source."""

    indicator: str
    period: str
    campus: Campus | None
    figure: rules.Figure


def declared_rows(*, programme: Programme, scope: Scope) -> list[DeclaredRow]:
    """The declared history of a programme: school-wide figures, and campus figures within
    the reader's scope. One query."""
    qs = DeclaredFigure.objects.filter(programme=programme).select_related("campus")
    if scope.campus_ids is not None:
        qs = qs.filter(Q(campus__isnull=True) | Q(campus_id__in=sorted(scope.campus_ids)))
    return [
        DeclaredRow(
            indicator=f.indicator,
            period=f.period,
            campus=f.campus,
            figure=rules.declared(
                f.value,
                unit=f.unit,
                as_of=f.as_of,
                source=f.source,
                numerator=f.numerator,
                denominator=f.denominator,
            ),
        )
        for f in qs.order_by("indicator", "period", "campus__position")
    ]


# --- pages ------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    programme: Programme
    scope: Scope
    base: int
    campuses: list[Campus]
    years: list[ProgrammeYear]
    certification_by_campus: list[CertificationRow]
    certification: list[CertificationRow]
    blocks: list[BlockRow]
    admissions: list[AdmissionRow]
    apprentices: list[ApprenticeRow]
    surveys_by_campus: list[SurveyRow]
    surveys: list[SurveyRow]
    declared: list[DeclaredRow]


def dashboard(*, programme: Programme, scope: Scope, today: dt.date | None = None) -> Dashboard:
    """Everything the staff dashboard shows, for the reader's scope (a fixed number of
    queries whatever the number of learners, editions or campuses)."""
    base = min_base()
    cert_campus, cert = certification_rows(programme=programme, scope=scope, base=base)
    surveys_campus, surveys = survey_rows(programme=programme, scope=scope, base=base)
    return Dashboard(
        programme=programme,
        scope=scope,
        base=base,
        campuses=campus_list_for(scope=scope),
        years=year_list(programme=programme),
        certification_by_campus=cert_campus,
        certification=cert,
        blocks=block_rows(programme=programme, scope=scope, base=base),
        admissions=admission_rows(programme=programme, scope=scope, base=base, today=today),
        apprentices=apprentice_rows(programme=programme, scope=scope),
        surveys_by_campus=surveys_campus,
        surveys=surveys,
        declared=declared_rows(programme=programme, scope=scope),
    )


@dataclass
class PublicResults:
    """What the school must publish for a programme (SPEC §9): certification rate per cohort,
    pass rate per block, employment at 6 months / 2 years, satisfaction, declared history —
    programme-wide figures only (no campus split, no admissions or staff-only counts)."""

    programme: Programme
    base: int
    certification: list[CertificationRow]
    blocks: list[BlockRow]
    satisfaction: list[SurveyRow]
    employment: list[SurveyRow]
    declared: list[DeclaredRow]


def public_results(*, programme: Programme) -> PublicResults:
    base = min_base()
    _unused, cert = certification_rows(programme=programme, scope=EVERYTHING, base=base)
    _unused2, surveys = survey_rows(programme=programme, scope=EVERYTHING, base=base)
    return PublicResults(
        programme=programme,
        base=base,
        certification=cert,
        blocks=block_rows(programme=programme, scope=EVERYTHING, base=base),
        satisfaction=[s for s in surveys if s.kind in SATISFACTION_KINDS],
        employment=[s for s in surveys if s.kind in EMPLOYMENT_KINDS],
        declared=declared_rows(programme=programme, scope=EVERYTHING),
    )
