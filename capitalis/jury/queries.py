"""Reads on jury sessions: scoped lists, the deliberation inputs (loaded set-based for the pure
rules), the deliberation grid, a learner's blocks. Never a query per learner."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, Lower, Upper
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.assessment.models import Result
from capitalis.assessment.queries import EvidenceRow, evidence_for
from capitalis.core.models import pick_language
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.jury import rules
from capitalis.jury.models import (
    Appeal,
    BlockDecision,
    BlockStatus,
    BlockValidation,
    CertificationDecision,
    JurySession,
    JurySessionLearner,
    VaeBlockOutcome,
    VaeCandidate,
    VaeDossier,
)
from capitalis.programmes.models import Course, ProgrammeYear
from capitalis.referential.models import (
    Block,
    Certification,
    CertificationRule,
    CertificationVersion,
    Competency,
    CrosswalkEntry,
)

# --- scoping -------------------------------------------------------------------------------


def is_director(user: User) -> bool:
    """May ``user`` schedule sessions and see every one (accounts.permissions, "jury_session")."""
    return permissions.can(user, "schedule", "jury_session").ok


def session_list_for(*, user: User) -> QuerySet[JurySession]:
    """The sessions ``user`` sits on (president or member); a programme director sees all."""
    qs = JurySession.objects.select_related("version__certification", "president")
    return permissions.restrict(qs, user, "jury_session")


def session_for(*, user: User, pk: int) -> JurySession | None:
    """The session if ``user`` may see it (its jury or a programme director), else None."""
    return session_list_for(user=user).filter(pk=pk).first()


# --- deliberation inputs -------------------------------------------------------------------


@dataclass(frozen=True)
class VersionData:
    """A version's structure for the rules, with the codes to name things in reasons."""

    structure: rules.VersionStructure
    blocks: list[Block]
    competency_codes: dict[int, str]
    block_codes: dict[int, str]
    policy: rules.Policy = rules.DEFAULT_POLICY


def version_data(*, version_id: int) -> VersionData:
    """Blocks (in order), their competencies and the certification rule: three queries."""
    blocks = list(Block.objects.filter(version_id=version_id).order_by("position", "code"))
    comps: dict[int, list[int]] = defaultdict(list)
    codes: dict[int, str] = {}
    for pk, block_id, code in (
        Competency.objects.filter(block__version_id=version_id)
        .order_by("position", "code")
        .values_list("pk", "block_id", "code")
    ):
        comps[block_id].append(pk)
        codes[pk] = code
    rule_row = CertificationRule.objects.filter(version_id=version_id).first()
    rule = (
        rules.CertificationRule(
            optional_required=rule_row.optional_blocks_required,
            all_common_required=rule_row.all_common_required,
        )
        if rule_row
        else rules.CertificationRule()
    )
    specs = tuple(
        rules.BlockSpec(
            key=b.pk,
            code=b.code,
            kind=rules.BlockKind.OPTIONAL if b.kind == "optional" else rules.BlockKind.COMMON,
            competencies=tuple(comps.get(b.pk, ())),
        )
        for b in blocks
    )
    return VersionData(
        rules.VersionStructure(version=version_id, blocks=specs, rule=rule),
        blocks,
        codes,
        {b.pk: b.code for b in blocks},
        # The version's deliberation policy (data); a stored value the rules refuse raises
        # ValueError here rather than deliberating under the wrong policy.
        rules.Policy.from_dict(rule_row.deliberation_policy if rule_row else {}),
    )


def to_evidence(row: EvidenceRow) -> rules.Evidence:
    """An evidence row for the rules. The assessment model does not say which first-session
    assessment a resit retakes, so every row of a competency shares one slot: a resit
    replaces the first-session evidence of that competency (Policy.resit)."""
    return rules.Evidence(
        competency=row.competency_id,
        assessment=row.assessment_id,
        weight=row.weight,
        grade=row.grade,
        level=rules.Level(row.level) if row.level else None,
        session=rules.Session(row.session),
        absence=rules.Absence(row.absence),
        resit_of="competency",
    )


def prior_validations_for(
    *, enrolment_learner: dict[int, int]
) -> dict[int, list[rules.PriorValidation]]:
    """Every capitalised block of these learners (any version), keyed by enrolment id."""
    by_learner: dict[int, list[rules.PriorValidation]] = defaultdict(list)
    for learner_id, block_id, version_id, on, route, session_id in BlockValidation.objects.filter(
        learner_id__in=set(enrolment_learner.values())
    ).values_list("learner_id", "block_id", "version_id", "validated_on", "route", "session_id"):
        by_learner[learner_id].append(
            rules.PriorValidation(
                block=block_id,
                version=version_id,
                validated_on=on,
                route=rules.Route(route),
                session=session_id,
            )
        )
    return {e: by_learner[lid] for e, lid in enrolment_learner.items() if lid in by_learner}


def crosswalk_for(*, version_id: int) -> list[rules.CrosswalkEntry]:
    """Crosswalk entries from any earlier version into ``version_id``, each with the
    competencies of ``to_block`` it covers (a partial entry credits only those): two queries."""
    entries = CrosswalkEntry.objects.filter(crosswalk__to_version_id=version_id)
    covered: dict[int, set[int]] = defaultdict(set)
    for entry_id, competency_id in CrosswalkEntry.covered.through.objects.filter(
        crosswalkentry__in=entries
    ).values_list("crosswalkentry_id", "competency_id"):
        covered[entry_id].add(competency_id)
    return [
        rules.CrosswalkEntry(
            from_block=f, to_block=t, coverage=rules.Coverage(c), covered=frozenset(covered[pk])
        )
        for pk, f, t, c in entries.values_list("pk", "from_block_id", "to_block_id", "coverage")
    ]


@dataclass
class Inputs:
    version: VersionData
    evidence: dict[int, list[rules.Evidence]]
    prior: dict[int, list[rules.PriorValidation]]
    crosswalk: list[rules.CrosswalkEntry]
    enrolment_learner: dict[int, int]


def deliberation_inputs(
    *, session: JurySession, enrolment_ids: Sequence[int] | None = None
) -> Inputs:
    """Everything the rules need for the session's learners (or some of them), in a fixed
    number of queries."""
    enrolments = JurySessionLearner.objects.filter(session=session)
    if enrolment_ids is not None:
        enrolments = enrolments.filter(enrolment_id__in=enrolment_ids)
    enrolment_learner = dict(enrolments.values_list("enrolment_id", "enrolment__learner_id"))
    evidence: dict[int, list[rules.Evidence]] = {e: [] for e in enrolment_learner}
    rows = evidence_for(
        enrolments=Enrolment.objects.filter(pk__in=list(enrolment_learner)),
        version=session.version_id,
    )
    for row in rows:
        evidence[row.enrolment_id].append(to_evidence(row))
    return Inputs(
        version=version_data(version_id=session.version_id),
        evidence=evidence,
        prior=prior_validations_for(enrolment_learner=enrolment_learner),
        crosswalk=crosswalk_for(version_id=session.version_id),
        enrolment_learner=enrolment_learner,
    )


# --- reasons in words ----------------------------------------------------------------------


def _messages() -> dict[str, str]:
    return _messages_in(get_language() or "fr")


@lru_cache(maxsize=8)
def _messages_in(language: str) -> dict[str, str]:
    """The reason templates in ``language`` (built once per language: the grid formats
    thousands of reasons): the rules' texts, translated."""
    return {code: _(text) for code, text in rules.REASON_TEXTS.items()}


def reason_text(reason: dict[str, Any]) -> str:
    """One stored reason in the active language (codes already name blocks/competencies)."""
    template = _messages().get(reason.get("code", ""))
    params = {
        k: ", ".join(str(x) for x in v) if isinstance(v, list) else v
        for k, v in (reason.get("params") or {}).items()
    }
    text = template % params if template else str(reason.get("code", ""))
    competency = reason.get("competency")
    return f"{competency} — {text}" if competency else text


# --- the grid ------------------------------------------------------------------------------


@dataclass
class GridCell:
    decision: BlockDecision | None
    block: Block


@dataclass
class GridRow:
    enrolment: Enrolment
    cells: list[GridCell]
    certification: CertificationDecision | None


@dataclass
class Grid:
    session: JurySession
    blocks: list[Block]
    rows: list[GridRow] = field(default_factory=list)


def grid_for(*, session: JurySession, enrolments: Sequence[Enrolment] | None = None) -> Grid:
    """Learners × blocks with the decisions, in a fixed number of queries: every learner of
    the session, or only ``enrolments`` (one page of the grid)."""
    blocks = list(Block.objects.filter(version_id=session.version_id).order_by("position", "code"))
    block_qs = BlockDecision.objects.filter(session=session)
    cert_qs = CertificationDecision.objects.filter(session=session)
    if enrolments is None:
        enrolments = list(
            Enrolment.objects.filter(jury_sessions=session)
            .select_related("learner__user", "campus")
            .order_by("learner__user__full_name", "learner__user__email", "pk")
        )
    else:
        ids = [e.pk for e in enrolments]
        block_qs = block_qs.filter(enrolment_id__in=ids)
        cert_qs = cert_qs.filter(enrolment_id__in=ids)
    decisions: dict[tuple[int, int], BlockDecision] = {
        (d.enrolment_id, d.block_id): d
        for d in block_qs.select_related("overridden_by", "cites__session")
    }
    certs = {d.enrolment_id: d for d in cert_qs.select_related("overridden_by")}
    grid = Grid(session, blocks)
    for e in enrolments:
        grid.rows.append(
            GridRow(e, [GridCell(decisions.get((e.pk, b.pk)), b) for b in blocks], certs.get(e.pk))
        )
    return grid


GRID_PAGE_SIZE = 50
ATTENTION = "attention"
GRID_STATUS_FILTERS = (ATTENTION, "certified", "partially_certified", "not_certified")


@dataclass
class GridPage:
    """One page of the deliberation grid: the learners matching the search and the status
    filter, ``per_page`` at a time, in name order."""

    grid: Grid
    total: int
    page: int
    pages: int
    per_page: int


def grid_page_for(
    *,
    session: JurySession,
    search: str = "",
    status: str = "",
    page: int = 1,
    per_page: int = GRID_PAGE_SIZE,
) -> GridPage:
    """A page of the grid. ``search`` matches the learner's name or e-mail; ``status`` keeps
    the learners whose final certification decision has that status, or ``attention``: not
    certified, partially certified, or not deliberated yet. Five queries whatever the session's
    size (count, the page's learners, blocks, block and certification decisions, none per
    learner)."""
    qs = Enrolment.objects.filter(jury_sessions=session)
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(learner__user__full_name__icontains=search)
            | Q(learner__user__email__icontains=search)
        )
    if status in GRID_STATUS_FILTERS:
        certs = CertificationDecision.objects.filter(session=session).annotate(
            final=Coalesce("override_status", "computed_status")
        )
        if status == ATTENTION:
            qs = qs.exclude(pk__in=certs.filter(final="certified").values("enrolment_id"))
        else:
            qs = qs.filter(pk__in=certs.filter(final=status).values("enrolment_id"))
    total = qs.count()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    enrolments = list(
        qs.select_related("learner__user", "campus").order_by(
            "learner__user__full_name", "learner__user__email", "pk"
        )[start : start + per_page]
    )
    return GridPage(grid_for(session=session, enrolments=enrolments), total, page, pages, per_page)


def earlier_decisions_for(
    *, session: JurySession, search: str = "", limit: int = 50
) -> list[BlockDecision]:
    """Block decisions of closed sessions of the same version held before ``session`` (what a
    correction may cite), of the learners matching ``search`` (name or e-mail), at most
    ``limit`` rows. One query."""
    qs = (
        BlockDecision.objects.filter(
            session__version_id=session.version_id, session__status="closed"
        )
        .filter(
            Q(session__date__lt=session.date)
            | Q(session__date=session.date, session_id__lt=session.pk)
        )
        .select_related("session", "block", "enrolment__learner__user")
        .order_by(
            "enrolment__learner__user__full_name",
            "enrolment_id",
            "-session__date",
            "block__position",
        )
    )
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(enrolment__learner__user__full_name__icontains=search)
            | Q(enrolment__learner__user__email__icontains=search)
        )
    return list(qs[:limit])


# --- the learner's blocks ------------------------------------------------------------------


@dataclass
class LearnerBlock:
    block: Block
    status: str
    validation: BlockValidation | None
    decision: BlockDecision | None


def learner_blocks(*, learner: Learner) -> list[tuple[Any, list[LearnerBlock]]]:
    """For each version the learner is enrolled for, deliberated on or holds blocks of: every
    block with its latest status — validated (capitalised, when, how: training or VAE), else
    the latest decision and its reasons, else not yet deliberated."""
    validations = {
        v.block_id: v
        for v in BlockValidation.objects.filter(learner=learner).select_related("session")
    }
    latest: dict[int, BlockDecision] = {}
    for d in (
        BlockDecision.objects.filter(enrolment__learner=learner, session__status="closed")
        .select_related("session", "cites__session")
        .order_by("session__date", "session_id")
    ):
        latest[d.block_id] = d
    version_ids = (
        {v.version_id for v in validations.values()}
        | {d.session.version_id for d in latest.values()}
        | set(
            Enrolment.objects.filter(learner=learner).values_list(
                "edition__programme__certification_version_id", flat=True
            )
        )
    )
    blocks = list(
        Block.objects.filter(version_id__in=version_ids)
        .select_related("version__certification")
        .order_by("version__position", "version_id", "position", "code")
    )
    out: dict[int, tuple[Any, list[LearnerBlock]]] = {}
    for b in blocks:
        v = validations.get(b.pk)
        dec = latest.get(b.pk)
        status = BlockStatus.VALIDATED if v else (dec.status if dec else "")
        out.setdefault(b.version_id, (b.version, []))[1].append(LearnerBlock(b, status, v, dec))
    return list(out.values())


def learner_decisions(*, learner: Learner) -> QuerySet[CertificationDecision]:
    """The learner's certification decisions of closed sessions, with their appeals."""
    return (
        CertificationDecision.objects.filter(enrolment__learner=learner, session__status="closed")
        .select_related("session")
        .prefetch_related(Prefetch("appeals", queryset=Appeal.objects.select_related("decided_in")))
        .order_by("-session__date")
    )


def pending_appeals(*, version_id: int) -> QuerySet[Appeal]:
    return Appeal.objects.filter(decision__session__version_id=version_id, status="lodged")


def vae_dossiers_for(*, session: JurySession) -> QuerySet[VaeDossier]:
    return VaeDossier.objects.filter(session=session).select_related("candidate__learner__user")


def title_of(block: Block) -> str:
    return pick_language(block.title_fr, block.title_en)


# --- the year's results (ECTS) ---------------------------------------------------------------


@dataclass(frozen=True)
class CourseLine:
    """One course of the learner's year: its ECTS, her final grade (None: none yet), and
    whether it counted as passed (the ECTS it earned)."""

    course: Course
    ects: Decimal
    grade: Decimal | None
    passed: bool
    resit: bool

    @property
    def ects_earned(self) -> Decimal:
        return self.ects if self.passed else Decimal(0)


@dataclass(frozen=True)
class YearResults:
    """A learner's year for the ECTS (SPEC §6): the courses of her enrolment's year, their
    grades, the ECTS earned, and whether the year is validated — with the reasons."""

    enrolment: Enrolment
    courses: list[CourseLine]
    result: rules.YearResult
    rule: rules.YearRule

    @property
    def status(self) -> str:
        return self.result.status.value

    @property
    def validated(self) -> bool:
        return self.result.status is rules.YearStatus.VALIDATED

    @property
    def ects_earned(self) -> Decimal:
        return self.result.ects_earned

    @property
    def ects_required(self) -> Decimal:
        return self.rule.ects_required

    @property
    def mean(self) -> Decimal | None:
        return self.result.mean

    def reason_texts(self) -> list[str]:
        """The reasons in the active language."""
        return [
            reason_text({"code": r.code, "params": dict(r.params)}) for r in self.result.reasons
        ]


def course_grade(
    rows: Sequence[tuple[int, Decimal, str, Decimal | None, str]],
) -> tuple[Decimal | None, bool]:
    """A course's final grade on 20 from the learner's results ``(assessment, weight, session,
    grade, absence)`` as the database gives them: ``rules.course_grade`` (weighted mean,
    unjustified absence 0, justified left out, a graded resit replaces the first session).
    Returns (grade, whether the resit counted)."""
    result = rules.course_grade(
        [
            rules.CourseEvidence(
                assessment=assessment,
                weight=weight,
                session=rules.Session(session),
                grade=grade,
                absence=rules.Absence(absence),
            )
            for assessment, weight, session, grade, absence in rows
        ]
    )
    return result.grade, result.resit


def year_courses(enrolment: Enrolment) -> QuerySet[Course]:
    """The courses of the enrolment's year: common ones and those of her specialisation, on
    every track or on hers (SPEC §5: the end of MSc 1 differs by track)."""
    qs = Course.objects.filter(edition_id=enrolment.edition_id, year_id=enrolment.year_id)
    return qs.filter(
        Q(specialisation__isnull=True) | Q(specialisation_id=enrolment.specialisation_id),
        Q(track="") | Q(track=enrolment.track),
    ).order_by("position", "code")


def year_results(enrolment: Enrolment) -> YearResults:
    """The learner's year (ECTS): each course of her enrolment's year with its final grade
    (``course_grade``), then ``rules.year_validation`` under the year's rule (the year's ECTS
    required, pass mark 10, no compensation: SPEC §6 default). Three queries."""
    year = ProgrammeYear.objects.only("ects").get(pk=enrolment.year_id)
    courses = list(year_courses(enrolment))
    by_course: dict[int, list[tuple[int, Decimal, str, Decimal | None, str]]] = defaultdict(list)
    for course_id, assessment_id, weight, session, grade, absence in (
        Result.objects.filter(enrolment=enrolment, assessment__course__in=[c.pk for c in courses])
        .order_by()
        .values_list(
            "assessment__course_id",
            "assessment_id",
            "assessment__weight",
            "assessment__session",
            "grade",
            "absence",
        )
    ):
        by_course[course_id].append((assessment_id, weight, session, grade, absence))
    rule = rules.YearRule(ects_required=year.ects)
    lines: list[CourseLine] = []
    inputs: list[rules.CourseResult] = []
    for course in courses:
        grade, resit = course_grade(by_course.get(course.pk, []))
        inputs.append(rules.CourseResult(course=course.code, ects=course.ects, grade=grade))
        passed = grade is not None and grade >= rule.pass_mark
        lines.append(CourseLine(course, course.ects, grade, passed, resit))
    return YearResults(enrolment, lines, rules.year_validation(inputs, rule), rule)


def learner_year_results(*, learner: Learner) -> list[YearResults]:
    """Every enrolment year of the learner, latest first."""
    enrolments = (
        Enrolment.objects.filter(learner=learner)
        .select_related("edition", "year")
        .order_by("-edition__start_date", "-pk")
    )
    return [year_results(e) for e in enrolments]


# --- appeals to decide -----------------------------------------------------------------------


def appeals_to_decide_for(*, user: User) -> list[tuple[JurySession, list[Appeal]]]:
    """For each OPEN session ``user`` sits on (president or member), the pending appeals it may
    decide: lodged against a decision of an earlier session of the same version (SPEC §6: an
    appeal is decided by a later session). Two queries."""
    if not user.is_authenticated:
        return []
    sessions = list(
        JurySession.objects.filter(
            permissions.visible(user, "jury_session", "sit"), status="open"
        ).order_by("date", "pk")
    )
    if not sessions:
        return []
    appeals = list(
        Appeal.objects.filter(
            status="lodged", decision__session__version_id__in={s.version_id for s in sessions}
        )
        .select_related("decision__session", "decision__enrolment__learner__user")
        .order_by("lodged_on", "pk")
    )
    out = []
    for s in sessions:
        mine = [
            a
            for a in appeals
            if a.decision.session.version_id == s.version_id
            and (a.decision.session.date, a.decision.session_id) < (s.date, s.pk)
        ]
        if mine:
            out.append((s, mine))
    return out


# --- VAE ---------------------------------------------------------------------------------------


def vae_candidates() -> QuerySet[VaeCandidate]:
    """Every VAE candidate with her person and version (the views scope who sees which)."""
    return VaeCandidate.objects.select_related("learner__user", "version__certification").order_by(
        "-created_at", "-pk"
    )


def vae_candidate_for(*, user: User, pk: int) -> VaeCandidate | None:
    """The VAE candidate if ``user`` may read her file (accounts.permissions, "vae_candidate":
    the candidate herself, VAE staff, the jury of her dossier's session or, before the
    interview, of an open session of her version), else None (the pages answer 404)."""
    qs = vae_candidates().filter(pk=pk).select_related("dossier__session")
    return permissions.restrict(qs, user, "vae_candidate").first()


def vae_versions() -> list[CertificationVersion]:
    """The versions a VAE candidate may be registered for, by certification."""
    return list(
        CertificationVersion.objects.select_related("certification").order_by(
            "certification__code", "position"
        )
    )


def vae_candidate_mine(*, user: User) -> VaeCandidate | None:
    """The person's own VAE candidacy (the latest, when she has several)."""
    return vae_candidates().filter(learner__user_id=user.pk).order_by("-pk").first()


def vae_blocks(*, version_id: int) -> list[Block]:
    """The blocks of the candidate's version, in order."""
    return list(Block.objects.filter(version_id=version_id).order_by("position"))


def blocks_by_id(ids: Sequence[int]) -> list[Block]:
    """The blocks with these ids (the services check they fit the version)."""
    return list(Block.objects.filter(pk__in=list(ids)))


def vae_interview_sessions(*, user: User, candidate: VaeCandidate) -> list[JurySession]:
    """The open sessions of the candidate's version that ``user`` sits on (one of them may
    hold the interview)."""
    qs = JurySession.objects.filter(version_id=candidate.version_id, status="open")
    return list(permissions.restrict(qs, user, "jury_session", "sit"))


def vae_validations(*, learner_id: int) -> dict[int, BlockValidation]:
    """The learner's capitalised blocks by block id."""
    return {
        v.block_id: v
        for v in BlockValidation.objects.filter(learner_id=learner_id).select_related("session")
    }


def vae_outcomes_for(*, learner: Learner) -> dict[int, VaeBlockOutcome]:
    """The VAE jury's outcome per block for the learner's dossiers (latest decided wins)."""
    return {
        o.block_id: o
        for o in VaeBlockOutcome.objects.filter(dossier__candidate__learner=learner).order_by(
            "updated_at", "pk"
        )
    }


# --- scheduling a session: who is in scope ------------------------------------------------------


@dataclass(frozen=True)
class ScopeFilters:
    """How the programme director chooses a session's learners. ``edition`` and ``campus``
    narrow the version's enrolments (none: all of them); ``new_evidence`` (results entered since
    the learner's last closed session of this version, or any result if she never sat one)
    and ``resits`` (a closed session of this version did not certify her, and none did since)
    keep only those learners (both: either). ``vae`` brings the VAE dossiers ready for a jury
    (admissible, with documents, no outcome yet, not held by another open session);
    ``appeals`` the appeals lodged against an earlier session of the version and not decided
    nor scheduled in another open session."""

    edition: int | None = None
    campus: int | None = None
    new_evidence: bool = False
    resits: bool = False
    vae: bool = False
    appeals: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "edition": self.edition,
            "campus": self.campus,
            "new_evidence": self.new_evidence,
            "resits": self.resits,
            "vae": self.vae,
            "appeals": self.appeals,
        }


@dataclass(frozen=True)
class ScopePreview:
    """The learners, VAE dossiers and appeals a session with these filters would hold."""

    enrolments: list[Enrolment]
    vae_dossiers: list[VaeDossier]
    appeals: list[Appeal]


def _final_status() -> Coalesce:
    return Coalesce("override_status", "computed_status")


def scope_enrolments(
    *, version_id: int, filters: ScopeFilters, session_id: int | None = None
) -> QuerySet[Enrolment]:
    """The enrolments the filters select for a session of ``version_id`` (``session_id``: the
    session being edited, whose own deliberation is not "a last session")."""
    from django.db.models import Exists, OuterRef, Subquery

    qs = Enrolment.objects.filter(edition__programme__certification_version_id=version_id).exclude(
        status="withdrawn"
    )
    if filters.edition is not None:
        qs = qs.filter(edition_id=filters.edition)
    if filters.campus is not None:
        qs = qs.filter(campus_id=filters.campus)
    kinds = Q()
    if filters.new_evidence:
        closed = JurySessionLearner.objects.filter(
            enrolment=OuterRef("pk"), session__version_id=version_id, session__status="closed"
        )
        if session_id is not None:
            closed = closed.exclude(session_id=session_id)
        last = closed.order_by("-session__closed_at").values("session__closed_at")[:1]
        qs = qs.annotate(last_closed=Subquery(last))
        results = Result.objects.filter(enrolment=OuterRef("pk"))
        kinds |= Q(last_closed__isnull=True, has_results=True) | Q(
            last_closed__isnull=False, has_newer=True
        )
        qs = qs.annotate(
            has_results=Exists(results),
            has_newer=Exists(results.filter(entered_at__gt=OuterRef("last_closed"))),
        )
    if filters.resits:
        decisions = CertificationDecision.objects.annotate(final=_final_status()).filter(
            enrolment=OuterRef("pk"), session__version_id=version_id, session__status="closed"
        )
        kinds |= Exists(decisions.exclude(final="certified")) & ~Exists(
            decisions.filter(final="certified")
        )
    if filters.new_evidence or filters.resits:
        qs = qs.filter(kinds)
    return qs


def scope_vae_dossiers(*, version_id: int, session_id: int | None = None) -> QuerySet[VaeDossier]:
    """VAE dossiers ready for a jury of the version: admissible, at least one document, no
    outcome yet, and not held by another open session (one whose session closed without a
    decision is ready again)."""
    qs = VaeDossier.objects.filter(
        candidate__version_id=version_id,
        candidate__admissibility="admissible",
        documents__isnull=False,
        outcomes__isnull=True,
    )
    held = Q(session__status="open")
    if session_id is not None:
        held &= ~Q(session_id=session_id)
    return qs.exclude(held).distinct()


def scope_appeals(*, version_id: int, session_id: int | None = None) -> QuerySet[Appeal]:
    """Lodged appeals against a decision of the version, not scheduled in another open
    session."""
    qs = Appeal.objects.filter(status="lodged", decision__session__version_id=version_id)
    held = Q(scheduled_in__status="open")
    if session_id is not None:
        held &= ~Q(scheduled_in_id=session_id)
    qs = qs.exclude(held)
    if session_id is not None:
        qs = qs.exclude(decision__session_id=session_id)
    return qs


def scope_preview(
    *, version_id: int, filters: ScopeFilters, session_id: int | None = None
) -> ScopePreview:
    """What a session with these filters would hold, shaped for the preview (names and
    cohorts joined): three queries whatever the number of learners."""
    enrolments = list(
        scope_enrolments(version_id=version_id, filters=filters, session_id=session_id)
        .select_related("learner__user", "edition", "campus")
        .order_by("learner__user__full_name", "pk")
    )
    dossiers = (
        list(
            scope_vae_dossiers(version_id=version_id, session_id=session_id)
            .select_related("candidate__learner__user", "session")
            .order_by("candidate__learner__user__full_name", "pk")
        )
        if filters.vae
        else []
    )
    appeals = (
        list(
            scope_appeals(version_id=version_id, session_id=session_id)
            .select_related("decision__session", "decision__enrolment__learner__user")
            .order_by("lodged_on", "pk")
        )
        if filters.appeals
        else []
    )
    return ScopePreview(enrolments, dossiers, appeals)


@dataclass(frozen=True)
class Pending:
    """What a session holds undecided: VAE dossiers without an outcome, lodged appeals."""

    vae_dossiers: list[VaeDossier]
    appeals: list[Appeal]

    def __bool__(self) -> bool:
        return bool(self.vae_dossiers or self.appeals)

    def as_list(self) -> list[dict[str, Any]]:
        """The pending cases as the minutes and the audit record them."""
        return [
            {"kind": "vae", "id": d.pk, "learner": str(d.candidate.learner)}
            for d in self.vae_dossiers
        ] + [
            {"kind": "appeal", "id": a.pk, "learner": str(a.decision.enrolment.learner)}
            for a in self.appeals
        ]


def session_pending(*, session: JurySession) -> Pending:
    """The VAE dossiers and appeals the session holds and has not decided: two queries."""
    return Pending(
        list(
            VaeDossier.objects.filter(session=session, outcomes__isnull=True)
            .distinct()
            .select_related("candidate__learner__user")
            .order_by("pk")
        ),
        list(
            Appeal.objects.filter(scheduled_in=session, status="lodged")
            .select_related("decision__session", "decision__enrolment__learner__user")
            .order_by("pk")
        ),
    )


def later_open_sessions(*, session: JurySession) -> QuerySet[JurySession]:
    """Open sessions of the same version after ``session``: where its pending cases may go."""
    return (
        JurySession.objects.filter(version_id=session.version_id, status="open")
        .exclude(pk=session.pk)
        .filter(Q(date__gt=session.date) | Q(date=session.date, pk__gt=session.pk))
        .order_by("date", "pk")
    )


def jury_candidates() -> QuerySet[User]:
    """Who may sit on a jury: active staff (a staff role, or staff status)."""
    from capitalis.accounts.rules import STAFF_ROLES

    staff = Q(is_staff=True) | Q(role_assignments__role__in=[r.value for r in STAFF_ROLES])
    return User.objects.filter(
        pk__in=User.objects.filter(staff, is_active=True).values("pk")
    ).order_by("full_name", "email")


# --- prior validations (issue 13 point 2) --------------------------------------------------


def can_manage_prior(user: User) -> bool:
    """Who records the block validations obtained before Capitalis: a programme director (the
    one who schedules the juries that will count them)."""
    return permissions.can(user, "manage", "block_validation").ok


def prior_validation_list_for(
    *, user: User, learner: str = "", block: str = ""
) -> QuerySet[BlockValidation]:
    """The validations recorded outside a jury session of Capitalis (before it, or through an
    equivalence), for whoever may manage them (else none); ``learner`` filters on a name,
    e-mail address or INE, ``block`` on a block code (both contain, case-insensitive)."""
    qs = BlockValidation.objects.filter(session__isnull=True).select_related(
        "learner__user", "block", "version__certification", "recorded_by"
    )
    if not can_manage_prior(user):
        return qs.none()
    learner = learner.replace("\x00", "").strip()[:200]
    block = block.replace("\x00", "").strip()[:50]
    if learner:
        qs = qs.filter(
            Q(learner__user__email__icontains=learner)
            | Q(learner__user__full_name__icontains=learner)
            | Q(learner__national_student_number__iexact=learner)
        )
    if block:
        qs = qs.filter(block__code__icontains=block)
    return qs.order_by("-validated_on", "-id")


@dataclass(frozen=True)
class PriorBlock:
    """A block as a prior validation names it, with its version and certification."""

    id: int
    code: str
    version_id: int
    version_code: str
    certification_id: int
    certification_code: str
    valid_from: Any


@dataclass
class PriorLookup:
    """What the checks of a batch of prior validations need, loaded in a few queries: the
    learners by e-mail (lower case) and INE (upper case), the certifications each follows
    (enrolments and VAE candidacies), the blocks by (certification, version, block) codes in
    upper case, and the validations the learners already hold."""

    learners: dict[str, int] = field(default_factory=dict)
    certifications: dict[int, frozenset[int]] = field(default_factory=dict)
    blocks: dict[tuple[str, str, str], PriorBlock] = field(default_factory=dict)
    by_id: dict[int, PriorBlock] = field(default_factory=dict)
    certification_codes: set[str] = field(default_factory=set)
    version_codes: set[tuple[str, str]] = field(default_factory=set)
    held: dict[tuple[int, int], rules.PriorValidation] = field(default_factory=dict)


def prior_lookup(
    *,
    learner_keys: Sequence[str],
    certification_codes: Sequence[str] = (),
    block_ids: Sequence[int] = (),
) -> PriorLookup:
    """Load, set-based, what :func:`rules.prior_validation_check` needs for these learners
    (e-mail addresses or INEs) and blocks (of these certifications, or these ids)."""
    out = PriorLookup()
    keys = {k.strip() for k in learner_keys if k and k.strip()}
    if keys:
        rows = (
            Learner.objects.annotate(email_key=Lower("user__email"))
            .filter(
                Q(email_key__in={k.lower() for k in keys})
                | Q(national_student_number__in={k.upper() for k in keys})
            )
            .values_list("pk", "email_key", "national_student_number")
        )
        for pk, email, ine in rows:
            out.learners.setdefault(email, pk)
            if ine:
                out.learners.setdefault(ine.strip().upper(), pk)
    learner_ids = set(out.learners.values())
    if learner_ids:
        follows: dict[int, set[int]] = defaultdict(set)
        for learner_id, certification_id in Enrolment.objects.filter(
            learner_id__in=learner_ids
        ).values_list("learner_id", "edition__programme__certification_version__certification_id"):
            follows[learner_id].add(certification_id)
        for learner_id, certification_id in VaeCandidate.objects.filter(
            learner_id__in=learner_ids
        ).values_list("learner_id", "version__certification_id"):
            follows[learner_id].add(certification_id)
        out.certifications = {k: frozenset(v) for k, v in follows.items()}
        for (
            learner_id,
            block_id,
            version_id,
            on,
            route,
            session_id,
        ) in BlockValidation.objects.filter(learner_id__in=learner_ids).values_list(
            "learner_id", "block_id", "version_id", "validated_on", "route", "session_id"
        ):
            out.held[(learner_id, block_id)] = rules.PriorValidation(
                block=block_id,
                version=version_id,
                validated_on=on,
                route=rules.Route(route),
                session=session_id,
            )
    codes = {c.strip().upper() for c in certification_codes if c and c.strip()}
    ids = {i for i in block_ids if isinstance(i, int)}
    if codes:
        out.certification_codes = {
            c.upper()
            for c in Certification.objects.annotate(key=Upper("code"))
            .filter(key__in=codes)
            .values_list("code", flat=True)
        }
        out.version_codes = {
            (c.upper(), v.upper())
            for c, v in CertificationVersion.objects.annotate(key=Upper("certification__code"))
            .filter(key__in=codes)
            .values_list("certification__code", "code")
        }
    blocks = Block.objects.annotate(certification_key=Upper("version__certification__code")).filter(
        Q(certification_key__in=codes) | Q(pk__in=ids)
    )
    if not (codes or ids):
        blocks = blocks.none()
    for (
        pk,
        code,
        version_id,
        version_code,
        certification_id,
        certification_code,
        valid_from,
    ) in blocks.values_list(
        "pk",
        "code",
        "version_id",
        "version__code",
        "version__certification_id",
        "version__certification__code",
        "version__valid_from",
    ):
        found = PriorBlock(
            pk, code, version_id, version_code, certification_id, certification_code, valid_from
        )
        out.by_id[pk] = found
        out.blocks[(certification_code.upper(), version_code.upper(), code.upper())] = found
    return out
