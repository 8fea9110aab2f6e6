"""Demo step (``manage.py seed_demo``): two past cohorts (editions 2022/23 and 2023/24) so every
indicator chart has data — final-year learners on the three campuses (some apprentices with
their contract), and for each cohort a certification jury that deliberated and CLOSED (minutes
signed): most learners certified, some partially certified, a few not certified.

The past editions go through ``programmes.services.edition_set``, the people through
``accounts.services.user_create``, contracts through ``enrolment.services.contract_create`` and
the whole jury through the jury services (create, deliberate, override with a justification,
close). There is no service that enrols someone without an application, so the past
enrolments (a record of before) are written as rows here. Generated people only. Idempotent: a
cohort whose demo jury session exists is left as it is."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils.translation import gettext as _

from capitalis.accounts.demo import DEMO_DOMAIN, DemoContext, demo_name, demo_step
from capitalis.accounts.models import User
from capitalis.accounts.rules import Role
from capitalis.accounts.services import user_create
from capitalis.enrolment import services as enrolment_services
from capitalis.enrolment.demo import demo_siret
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.enrolment.rules import ContractKind
from capitalis.jury import services as jury_services
from capitalis.jury.models import BlockDecision, BlockStatus, JurySession
from capitalis.programmes.models import Campus, Programme, Track
from capitalis.programmes.services import edition_set

PROGRAMME = "MSC-ERCI"
# (edition code, label, start year, learners per campus code)
COHORTS = (
    ("2022-23", "2022/23", 2022, {"PAR": 8, "LYO": 3, "BDX": 2}),
    ("2023-24", "2023/24", 2023, {"PAR": 9, "LYO": 3, "BDX": 3}),
)
JUSTIFICATION = "Décision reportée du procès-verbal du jury de l'époque (démo)."
EMPLOYER = "Institut fictif des relations internationales"


def session_title(label: str) -> str:
    return f"Jury de certification {label} (démo)"


def _outcome(index: int) -> str:
    """Mostly certified; every fifth partially certified; every eleventh not certified."""
    if index % 11 == 10:
        return "none"
    if index % 5 == 4:
        return "partial"
    return "all"


@demo_step(order=900, name="indicators")
def indicators_step(ctx: DemoContext) -> None:
    programme = Programme.objects.filter(code=PROGRAMME).first()
    president = ctx.users.get(Role.JURY_PRESIDENT)
    director = ctx.users.get(Role.PROGRAMME_DIRECTOR)
    if programme is None or president is None or director is None:
        return
    final = programme.years.order_by("-position").first()
    campuses = {c.code: c for c in Campus.objects.all()}
    spec = programme.specialisations.order_by("position").first()
    if final is None:
        return
    for code, label, year, sizes in COHORTS:
        if JurySession.objects.filter(title=session_title(label)).exists():
            continue
        with transaction.atomic():
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
                    enrolment = Enrolment.objects.create(
                        learner=learner,
                        edition=edition,
                        year=final,
                        campus=campus,
                        track=track,
                        specialisation=spec,
                    )
                    if track == Track.WORK_STUDY:
                        enrolment_services.contract_create(
                            enrolment=enrolment,
                            contract=enrolment_services.ContractInput(
                                kind=ContractKind.APPRENTICESHIP.value,
                                employer_name=EMPLOYER,
                                employer_siret=demo_siret(500),
                                start_date=edition.start_date,
                                end_date=edition.start_date
                                + relativedelta(years=1)
                                - timedelta(days=1),
                            ),
                            actor=director,
                        )
                    enrolments.append(enrolment)
                    ctx.created += 1
            session = jury_services.session_create(
                version=programme.certification_version,
                date=date(year + 1, 7, 3),
                title=session_title(label),
                president=president,
                enrolments=enrolments,
                actor=director,
            )
            jury_services.deliberate(session=session, actor=president)
            decisions = list(
                BlockDecision.objects.filter(session=session).order_by(
                    "enrolment_id", "block__position"
                )
            )
            order = {e.pk: i for i, e in enumerate(enrolments)}
            seen: dict[int, int] = {}
            for decision in decisions:
                outcome = _outcome(order[decision.enrolment_id])
                rank = seen[decision.enrolment_id] = seen.get(decision.enrolment_id, -1) + 1
                validated = outcome == "all" or (outcome == "partial" and rank < 2)
                status = BlockStatus.VALIDATED if validated else BlockStatus.NOT_VALIDATED
                if decision.computed_status == status:
                    continue
                jury_services.decision_override(
                    decision=decision,
                    status=status,
                    justification=JUSTIFICATION,
                    expected_version=decision.version,
                    actor=president,
                )
            jury_services.session_close(session=session, actor=president)
        ctx.note(
            _("Indicators: past cohort %(edition)s, %(count)s learners, jury closed.")
            % {"edition": label, "count": len(enrolments)}
        )
