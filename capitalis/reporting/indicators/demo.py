"""Demo step (``manage.py seed_demo``): two past cohorts (editions 2022/23 and 2023/24) so every
indicator chart has data — final-year learners on the three campuses (some apprentices with
their contract), and for each cohort a certification jury that deliberated on the learners'
results and CLOSED (minutes signed): most learners certified, some partially certified, a few
not certified.

The statuses are COMPUTED from evidence (SPEC §6), not typed in:

- the assessment demo step (``capitalis.assessment.demo``) gives every edition with learners its
  block assessments and their results. It runs before this step, so it is called here once the
  past learners are enrolled: they get on the first run exactly the evidence any later run of
  that step would give them (a later run then changes nothing);
- each block then has a final defence (``SOUT-<block>``, weight 3) whose grades are chosen,
  from the evidence already there, so that the weighted mean of each competency lands where the
  planned outcome wants it: every competency of the learner's blocks acquired (certified: the
  four common blocks and the optional block of the specialisation), the first competency of one
  common block below 10 (partially certified), of every block below 10 (not certified);
- the jury deliberates (the computed statuses give the mix) and keeps ONE override for show: a
  learner whose mean on a competency is just under 10 has the block validated, with the jury's
  written justification; then the president closes the session.

The past editions go through ``programmes.services.edition_set``, the people through
``accounts.services.user_create``, contracts through ``enrolment.services.contract_create``,
assessments and results through the assessment services and the jury through the jury services.
There is no service that enrols someone without an application, so the past enrolments (a record
of before) are written as rows here. Generated people only. Idempotent: a cohort whose demo jury
session exists is left as it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils.translation import gettext as _

from capitalis.accounts.demo import DEMO_DOMAIN, DemoContext, demo_name, demo_step
from capitalis.accounts.models import User
from capitalis.accounts.rules import Role
from capitalis.accounts.services import user_create
from capitalis.assessment import services as assessment_services
from capitalis.assessment.demo import assessment_step
from capitalis.assessment.models import Assessment, Modality
from capitalis.assessment.queries import concerned_enrolments, evidence_for
from capitalis.enrolment import services as enrolment_services
from capitalis.enrolment.demo import demo_siret, demo_tutor
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.enrolment.rules import ContractKind
from capitalis.jury import rules
from capitalis.jury import services as jury_services
from capitalis.jury.models import BlockDecision, BlockStatus, CertificationDecision, JurySession
from capitalis.jury.queries import to_evidence, version_data
from capitalis.programmes.models import Campus, Edition, Programme, Track
from capitalis.programmes.services import edition_set
from capitalis.referential.models import Block, Competency

PROGRAMME = "MSC-ERCI"
# (edition code, label, start year, learners per campus code)
COHORTS = (
    ("2022-23", "2022/23", 2022, {"PAR": 8, "LYO": 3, "BDX": 2}),
    ("2023-24", "2023/24", 2023, {"PAR": 9, "LYO": 3, "BDX": 3}),
)
EMPLOYER = "Institut fictif des relations internationales"
DEFENCE_WEIGHT = Decimal(3)
THRESHOLD = Decimal(10)
HALF = Decimal("0.5")
CERTIFIED, PARTIAL, NONE = "all", "partial", "none"


def session_title(label: str) -> str:
    return f"Jury de certification {label} (démo)"


def defence_code(block: Block) -> str:
    return f"SOUT-{block.code}"


def _outcome(index: int) -> str:
    """Mostly certified; every fifth partially certified; every eleventh not certified."""
    if index % 11 == 10:
        return NONE
    if index % 5 == 4:
        return PARTIAL
    return CERTIFIED


@dataclass
class _Cohort:
    label: str
    year: int
    edition: Edition
    enrolments: list[Enrolment]


def _enrol(
    ctx: DemoContext,
    *,
    programme: Programme,
    code: str,
    label: str,
    year: int,
    sizes: dict[str, int],
    director: User,
) -> _Cohort:
    """The past edition and its final-year learners (some apprentices, with their contract)."""
    final = programme.years.order_by("-position").first()
    assert final is not None
    spec = programme.specialisations.order_by("position").first()
    campuses = {c.code: c for c in Campus.objects.all()}
    edition, _changed = edition_set(
        programme=programme,
        code=code,
        label=label,
        start_date=date(year, 9, 1),
        end_date=date(year + 1, 8, 31),
        provenance=_("Past cohort of the demo (generated)."),
        actor=director,
    )
    enrolments: list[Enrolment] = []
    n = 0
    for campus_code, size in sizes.items():
        campus = campuses.get(campus_code)
        if campus is None:
            continue
        for _i in range(size):
            n += 1
            email = f"alumni-{code}-{n:02d}@{DEMO_DOMAIN}"
            user = User.objects.filter(email=email).first() or user_create(
                email=email,
                full_name=demo_name(60 + year % 10 * 20 + n),
                password=ctx.password,
                actor=director,
            )
            learner, _new = Learner.objects.get_or_create(user=user)
            track = Track.WORK_STUDY if n % 3 == 0 else Track.INITIAL
            enrolment, created = Enrolment.objects.get_or_create(
                learner=learner,
                edition=edition,
                defaults={
                    "year": final,
                    "campus": campus,
                    "track": track,
                    "specialisation": spec,
                },
            )
            if created and track == Track.WORK_STUDY:
                enrolment_services.contract_create(
                    enrolment=enrolment,
                    contract=enrolment_services.ContractInput(
                        kind=ContractKind.APPRENTICESHIP.value,
                        employer_name=EMPLOYER,
                        employer_siret=demo_siret(500),
                        start_date=edition.start_date,
                        end_date=edition.start_date + relativedelta(years=1) - timedelta(days=1),
                        tutor=demo_tutor(ctx, director),
                    ),
                    actor=director,
                )
            enrolments.append(enrolment)
            ctx.created += created
    return _Cohort(label, year, edition, enrolments)


def _half_up(value: Decimal) -> Decimal:
    return (value * 2).to_integral_value(rounding=ROUND_CEILING) / 2


def _half_below(value: Decimal) -> Decimal:
    """The largest half point strictly below ``value``."""
    down = (value * 2).to_integral_value(rounding=ROUND_FLOOR) / 2
    return down - HALF if down == value else down


def defence_grade(
    *, grade_sum: Decimal, grade_weight: Decimal, acquired: bool, usual: Decimal
) -> Decimal:
    """The defence grade (weight ``DEFENCE_WEIGHT``) that puts the competency's weighted mean
    at or above 10 (``acquired``) or below it, given the grades already counted (Σ w·g, Σ w):
    ``usual`` when it does, else the nearest half point that does (0–20)."""
    target = THRESHOLD * (grade_weight + DEFENCE_WEIGHT)
    if (grade_sum + DEFENCE_WEIGHT * usual >= target) is acquired:
        return usual
    needed = (target - grade_sum) / DEFENCE_WEIGHT
    grade = _half_up(needed) if acquired else _half_below(needed)
    return min(max(grade, Decimal(0)), Decimal(20))


def _sums(cohort: _Cohort, version_id: int) -> dict[tuple[int, int], rules.CompetencyResult]:
    """Each (enrolment, competency)'s status on the evidence there is (the jury's rules)."""
    rows: dict[tuple[int, int], list[rules.Evidence]] = {}
    for row in evidence_for(enrolments=cohort.enrolments, version=version_id):
        rows.setdefault((row.enrolment_id, row.competency_id), []).append(to_evidence(row))
    policy = version_data(version_id=version_id).policy
    return {key: rules.competency_status(key[1], found, policy) for key, found in rows.items()}


def _evidence(
    ctx: DemoContext, cohort: _Cohort, *, version_id: int, director: User, show_override: bool
) -> tuple[int, Competency] | None:
    """The final defences and their grades (see the module docstring); returns the enrolment
    and competency left just under 10 for the jury's override, if one is shown."""
    current = _sums(cohort, version_id)
    index = {e.pk: i for i, e in enumerate(cohort.enrolments)}
    blocks = list(Block.objects.filter(version_id=version_id).order_by("position", "code"))
    common = [b.pk for b in blocks if b.kind == "common"]
    override: tuple[int, Competency] | None = None
    for n, block in enumerate(blocks):
        competencies = list(Competency.objects.filter(block=block).order_by("position", "code"))
        if not competencies:
            continue
        assessment = Assessment.objects.filter(
            edition=cohort.edition, code=defence_code(block)
        ).first() or assessment_services.assessment_create(
            edition=cohort.edition,
            code=defence_code(block),
            block=block,
            title_fr=f"Soutenance finale — {block.code}",
            title_en=f"Final defence — {block.code}",
            modality=Modality.EXPERIENCE_REPORT_DEFENCE,
            date=date(cohort.year + 1, 6, 12) + timedelta(days=n),
            weight=DEFENCE_WEIGHT,
            competencies=competencies,
            actor=director,
        )
        concerned = set(concerned_enrolments(assessment).values_list("pk", flat=True))
        for enrolment in (e for e in cohort.enrolments if e.pk in concerned):
            i = index[enrolment.pk]
            outcome = _outcome(i)
            failed_block = outcome == NONE or (
                outcome == PARTIAL and bool(common) and block.pk == common[i // 5 % len(common)]
            )
            for c, competency in enumerate(competencies):
                found = current.get((enrolment.pk, competency.pk))
                acquired = not (failed_block and c == 0)
                just_under = (
                    not acquired and show_override and override is None and outcome == PARTIAL
                )
                usual = (
                    Decimal(11 + (i * 7 + c * 3 + n) % 7)
                    if acquired
                    else Decimal(20)
                    if just_under
                    else Decimal(4 + (i + n) % 4)
                )
                grade = defence_grade(
                    grade_sum=found.grade_sum if found else Decimal(0),
                    grade_weight=found.grade_weight if found else Decimal(0),
                    acquired=acquired,
                    usual=usual,
                )
                if just_under:
                    override = (enrolment.pk, competency)
                _result, changed = assessment_services.result_set(
                    assessment=assessment,
                    enrolment=enrolment,
                    competency=competency,
                    grade=grade,
                    actor=director,
                )
                ctx.created += changed
    return override


def _jury(
    cohort: _Cohort,
    *,
    programme: Programme,
    president: User,
    director: User,
    override: tuple[int, Competency] | None,
) -> dict[str, int]:
    """Create the session, deliberate (the statuses are computed from the evidence), override
    one block for show (justified), close; returns how many learners ended in each status
    (and how many blocks the jury overrode, under "overrides")."""
    version_id = programme.certification_version_id
    session = jury_services.session_create(
        version=programme.certification_version,
        date=date(cohort.year + 1, 7, 3),
        title=session_title(cohort.label),
        president=president,
        enrolments=cohort.enrolments,
        actor=director,
    )
    jury_services.deliberate(session=session, actor=president)
    if override is not None:
        enrolment_id, competency = override
        decision = BlockDecision.objects.get(
            session=session, enrolment_id=enrolment_id, block_id=competency.block_id
        )
        mean = _sums(cohort, version_id)[(enrolment_id, competency.pk)].grade_mean
        if decision.computed_status == BlockStatus.NOT_VALIDATED and mean is not None:
            shown = f"{mean:.2f}".replace(".", ",")  # French decimal comma
            jury_services.decision_override(
                decision=decision,
                status=BlockStatus.VALIDATED,
                justification=(
                    f"Moyenne de {shown} sur {competency.code}, "
                    "juste sous le seuil de 10 : le jury valide le bloc au vu du rapport "
                    "d'expérience professionnelle et de l'avis du tuteur (démo)."
                ),
                expected_version=decision.version,
                actor=president,
            )
    jury_services.session_close(session=session, actor=president)
    counts: dict[str, int] = {
        "overrides": BlockDecision.objects.filter(session=session)
        .exclude(override_status=None)
        .count()
    }
    for final in CertificationDecision.objects.filter(session=session):
        counts[final.status] = counts.get(final.status, 0) + 1
    return counts


@demo_step(order=900, name="indicators")
def indicators_step(ctx: DemoContext) -> None:
    programme = Programme.objects.filter(code=PROGRAMME).first()
    president = ctx.users.get(Role.JURY_PRESIDENT)
    director = ctx.users.get(Role.PROGRAMME_DIRECTOR)
    if (
        programme is None
        or president is None
        or director is None
        or not programme.years.exists()
        or programme.certification_version_id is None
    ):
        return
    todo = [
        c for c in COHORTS if not JurySession.objects.filter(title=session_title(c[1])).exists()
    ]
    if not todo:
        return
    with transaction.atomic():
        cohorts = [
            _enrol(
                ctx,
                programme=programme,
                code=code,
                label=label,
                year=year,
                sizes=sizes,
                director=director,
            )
            for code, label, year, sizes in todo
        ]
        # the assessment step's evidence for the new past editions, as any later run would
        # write it (it runs before this step, when these editions had no learner yet)
        sub = DemoContext(password=ctx.password, users=ctx.users)
        assessment_step(sub)
        ctx.created += sub.created
        for n, cohort in enumerate(cohorts):
            override = _evidence(
                ctx,
                cohort,
                version_id=programme.certification_version_id,
                director=director,
                show_override=n == len(cohorts) - 1,
            )
            counts = _jury(
                cohort,
                programme=programme,
                president=president,
                director=director,
                override=override,
            )
            ctx.note(
                _(
                    "Indicators: past cohort %(edition)s, %(count)s learners, jury closed; "
                    "statuses computed from their results: %(certified)s certified, "
                    "%(partial)s partially certified, %(none)s not certified; justified block "
                    "overrides: %(overrides)s."
                )
                % {
                    "edition": cohort.label,
                    "count": len(cohort.enrolments),
                    "certified": counts.get("certified", 0),
                    "partial": counts.get("partially_certified", 0),
                    "none": counts.get("not_certified", 0),
                    "overrides": counts["overrides"],
                }
            )
