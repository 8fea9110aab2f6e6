"""Demo step (``manage.py seed_demo``): assessments and results for the demo learners, through
the assessment services.

For every edition with enrolled learners: one assessment per course that assesses competencies
(the lecturer's demo login sees his), and one per block of the edition's certification version
evaluating every competency of the block (so every competency of the learners' blocks is
assessed: common blocks for everyone, an optional block for its specialisation's learners).
Results for every learner concerned, varied and deterministic: most pass; every fifth learner
fails one competency (7/20), every seventh is absent (justified) from one course assessment.
Idempotent: existing assessments are reused; unchanged results are not written again."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from capitalis.accounts.demo import DemoContext, demo_step
from capitalis.accounts.models import User
from capitalis.accounts.rules import Role
from capitalis.assessment import queries, services
from capitalis.assessment.models import Assessment, Modality
from capitalis.enrolment.models import Enrolment
from capitalis.programmes.models import Course, CourseCompetency, Edition
from capitalis.referential.models import Block, Competency

_MODALITIES = [
    Modality.INDIVIDUAL_CASE_STUDY,
    Modality.WRITTEN_REPORT_ORAL,
    Modality.ROLE_PLAY,
    Modality.WRITTEN_EXAM,
    Modality.SERIOUS_GAME,
    Modality.ORAL_EXAM,
]


def _grade(learner_index: int, competency_index: int) -> Decimal:
    return Decimal(11 + (learner_index * 3 + competency_index * 5) % 8) + Decimal("0.5") * (
        competency_index % 2
    )


def _ensure(edition: Edition, code: str, **kw: object) -> Assessment:
    existing = Assessment.objects.filter(edition=edition, code=code).first()
    if existing is not None:
        return existing
    return services.assessment_create(edition=edition, code=code, **kw)  # type: ignore[arg-type]


@demo_step(order=600, name="assessment")
def assessment_step(ctx: DemoContext) -> None:
    actor = ctx.users.get(Role.PROGRAMME_DIRECTOR)
    if actor is None:
        return
    editions = Edition.objects.filter(pk__in=Enrolment.objects.values("edition_id")).select_related(
        "programme"
    )
    for edition in editions:
        enrolments = list(
            Enrolment.objects.filter(edition=edition)
            .exclude(status="withdrawn")
            .select_related("specialisation")
            .order_by("pk")
        )
        assessments = _course_assessments(edition, actor) + _block_assessments(edition, actor)
        for assessment in assessments:
            ctx.created += _enter_results(assessment, enrolments, actor)
    ctx.note(
        _(
            "Assessments: %(count)d, with results for every demo learner (most pass; every "
            "fifth learner fails one competency)."
        )
        % {"count": Assessment.objects.count()}
    )


def _course_assessments(edition: Edition, actor: User) -> list[Assessment]:
    """One assessment per course of the edition that assesses competencies, evaluating them."""
    day = edition.start_date + timedelta(days=75)
    links: dict[int, list[Competency]] = {}
    for link in (
        CourseCompetency.objects.filter(
            course__edition=edition, role=CourseCompetency.Role.ASSESSES
        )
        .select_related("competency__block")
        .order_by("course__code", "competency__code")
    ):
        links.setdefault(link.course_id, []).append(link.competency)
    return [
        _ensure(
            edition,
            f"DEMO-{course.code}",
            course=course,
            title_fr=f"Évaluation de {course.title_fr}",
            title_en=f"Assessment of {course.title_en or course.title_fr}",
            modality=_MODALITIES[n % len(_MODALITIES)],
            date=day + timedelta(days=7 * (n % 30)),
            competencies=links[course.pk],
            actor=actor,
        )
        for n, course in enumerate(Course.objects.filter(pk__in=links).order_by("code"))
    ]


def _block_assessments(edition: Edition, actor: User) -> list[Assessment]:
    """One assessment per block of the edition's certification version (that has
    competencies), evaluating every competency of the block."""
    assessments: list[Assessment] = []
    version_id = edition.programme.certification_version_id
    for n, block in enumerate(
        Block.objects.filter(version_id=version_id).order_by("position", "code")
    ):
        competencies = list(Competency.objects.filter(block=block).order_by("position"))
        if not competencies:
            continue
        assessments.append(
            _ensure(
                edition,
                f"DEMO-{block.code}",
                block=block,
                title_fr=f"Mise en situation — {block.code}",
                title_en=f"Professional case — {block.code}",
                modality=Modality.WRITTEN_REPORT_ORAL if n else Modality.GRAND_ORAL,
                date=edition.end_date - timedelta(days=60 - 3 * n),
                weight=Decimal(2),
                competencies=competencies,
                actor=actor,
            )
        )
    return assessments


def _enter_results(assessment: Assessment, enrolments: list[Enrolment], actor: User) -> int:
    """A result per competency for every learner concerned (``enrolments``: the edition's, in
    a stable order that decides each one's grade); the number of results written."""
    index = {e.pk: i for i, e in enumerate(enrolments)}
    concerned = set(queries.concerned_enrolments(assessment).values_list("pk", flat=True))
    competencies = [
        link.competency
        for link in assessment.competency_links.select_related("competency").order_by(
            "competency__position", "competency__code"
        )
    ]
    written = 0
    for enrolment in (e for e in enrolments if e.pk in concerned):
        i = index[enrolment.pk]
        for c, competency in enumerate(competencies):
            absent = assessment.course_id is not None and i % 7 == 3 and c == 0
            fails = i % 5 == 1 and assessment.block_id is not None and c == 0
            _result, changed = services.result_set(
                assessment=assessment,
                enrolment=enrolment,
                competency=competency,
                grade=None if absent else (Decimal(7) if fails else _grade(i, c)),
                absence="justified" if absent else "none",
                comment="Absence justifiée" if absent else "",
                actor=actor,
            )
            written += changed
    return written
