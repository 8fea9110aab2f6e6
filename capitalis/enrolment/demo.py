"""Demo step (``manage.py seed_demo``): the admitted demo candidates of the latest edition (one
per campus, year and track, from the admissions step) become enrolled learners, through the
enrolment services: work-study learners with their contract (2 years entering MSc 1, 1 year
entering MSc 2; the demo employer tutor tutors them), initial-track learners with their
internship (4 to 6 months). Generated people and organisations only. Idempotent: an application
already enrolled is left as it is."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils.translation import gettext as _

from capitalis.accounts.demo import DEMO_DOMAIN, DemoContext, demo_step
from capitalis.accounts.models import User
from capitalis.accounts.rules import Role
from capitalis.admissions.models import Application
from capitalis.admissions.rules import Status
from capitalis.core.audit import Action
from capitalis.core.models import audit_record
from capitalis.enrolment import rules, services
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.programmes.models import Edition, Track

LEARNER_PREFIX = "learner-"
# Invented organisations; the SIRET get a valid check digit from ``demo_siret``.
EMPLOYERS = ("Atelier Valmorin SAS", "Coopérative Ombrevaux", "Agence Sablerive")
HOSTS = ("ONG Horizons Partagés (fictive)", "Chambre de commerce fictive de Tramontel")
OPCOS = ("OPCO Démo Atlas", "OPCO Démo Akto")
# Places of birth for the invented identities: public INSEE codes (communes; 99xxx = abroad).
BIRTH_PLACES = (
    ("69123", "Lyon", "France"),
    ("75056", "Paris", "France"),
    ("33063", "Bordeaux", "France"),
    ("99109", "", "Allemagne"),
    ("13055", "Marseille", "France"),
)


def demo_identity(full_name: str, index: int) -> services.LearnerIdentity:
    """An invented civil-status identity from the invented demo name (last word = birth name)."""
    parts = full_name.split() or [f"Demo{index}"]
    code, place, country = BIRTH_PLACES[index % len(BIRTH_PLACES)]
    return services.LearnerIdentity(
        birth_name=parts[-1],
        first_names=", ".join(parts[:-1]) or "Camille",
        sex="F" if index % 2 == 0 else "M",
        birth_place_code=code,
        birth_place_name=place,
        birth_country=country,
    )


def demo_siret(index: int) -> str:
    """A made-up SIRET with a valid Luhn check digit (prefix 9 avoids real La Poste ranges)."""
    prefix = f"9{index:08d}0001"[:13]
    for digit in "0123456789":
        if rules.luhn_ok(prefix + digit):
            return prefix + digit
    raise AssertionError(prefix)


def demo_tutor(ctx: DemoContext, actor: User | None) -> User:
    """The employer tutor of every demo contract (a contract always names one): the printed
    employer tutor login, or a generated tutor account when that login is missing."""
    tutor = ctx.users.get(Role.EMPLOYER_TUTOR) or services.tutor_ensure(
        email=f"employer-tutor@{DEMO_DOMAIN}", full_name=_("Employer tutor (demo)"), actor=actor
    )
    assert tutor is not None
    return tutor


@demo_step(order=400, name="enrolment")
def enrolment_step(ctx: DemoContext) -> None:
    """Enrol the admitted demo learners of the latest edition, with contracts and internships."""
    edition = Edition.objects.order_by("-start_date").first()
    if edition is None:
        return
    actor = ctx.users.get(Role.PROGRAMME_DIRECTOR)
    tutor = demo_tutor(ctx, actor)
    applications = list(
        Application.objects.filter(
            edition=edition,
            status=Status.ADMITTED.value,
            candidate__email__startswith=LEARNER_PREFIX,
            candidate__email__endswith=f"@{DEMO_DOMAIN}",
        )
        .select_related("year", "campus")
        .order_by("campus__position", "year__position", "track")
    )
    for index, application in enumerate(applications):
        with transaction.atomic():
            _enrol_demo_learner(edition, application, index, actor, tutor)
            ctx.created += 1
    enrolments = Enrolment.objects.filter(edition=edition)
    ctx.note(
        _(
            "Enrolment (%(edition)s): %(learners)s learner(s) on %(campuses)s campus(es), "
            "with contracts and internships; the employer tutor sees his apprentices."
        )
        % {
            "edition": edition.label,
            "learners": enrolments.count(),
            "campuses": enrolments.values("campus").distinct().count(),
        }
    )
    _attach_learner_login(ctx, edition)


def _enrol_demo_learner(
    edition: Edition, application: Application, index: int, actor: User | None, tutor: User
) -> None:
    """Enrol one admitted applicant (a contract on work-study), complete the learner's
    identity, give an initial-track learner an internship and record the CVEC."""
    start = edition.start_date
    contract = (
        _demo_contract(start, application.year.position, index, tutor)
        if application.track == Track.WORK_STUDY
        else None
    )
    enrolment = services.enrolment_create_from_application(
        application=application,
        actor=actor,
        contract=contract,
        note=_("Demo enrolment."),
    )
    learner = enrolment.learner
    services.learner_update(
        learner=learner,
        national_student_number=learner.national_student_number,
        date_of_birth=learner.date_of_birth or date(2000 + index % 4, 1 + index % 12, 10),
        actor=actor,
        identity=demo_identity(learner.user.full_name, index),
    )
    if application.track == Track.INITIAL:
        _demo_internship(edition, enrolment, index, actor)
    services.cvec_record(
        learner=enrolment.learner,
        academic_year=edition.code,
        certificate_number=f"DEMO-{edition.code}-{enrolment.pk:05d}",
        recorded_on=start + timedelta(days=7),
        actor=actor,
    )


def _demo_contract(
    start: date, year_position: int, index: int, tutor: User
) -> services.ContractInput:
    """A work-study contract from the edition's start to the end of the programme's last
    year, apprenticeship and professionalisation in turn."""
    years = rules.PROGRAMME_YEARS - year_position + 1
    return services.ContractInput(
        kind=(
            rules.ContractKind.APPRENTICESHIP
            if index % 2 == 0
            else rules.ContractKind.PROFESSIONALISATION
        ).value,
        employer_name=EMPLOYERS[index % len(EMPLOYERS)],
        employer_siret=demo_siret(index + 1),
        start_date=start,
        end_date=start + relativedelta(years=years) - timedelta(days=1),
        opco_name=OPCOS[index % len(OPCOS)],
        tutor=tutor,
    )


def _demo_internship(
    edition: Edition, enrolment: Enrolment, index: int, actor: User | None
) -> None:
    """The campus rhythm's placement (SPEC §2): in Paris 6 months from March; in Lyon and
    Bordeaux alternating with school from September to May (about 115 to 125 placement days
    on the campus calendar)."""
    rhythm = services.placement_rhythm(enrolment)
    alternating = rhythm is not None and rhythm.mode == "alternating"
    if alternating:
        internship_start = edition.start_date
        internship_end = date(edition.end_date.year, 5, 31)
    else:
        internship_start = date(edition.end_date.year, 3, 1)
        internship_end = internship_start + relativedelta(months=6) - timedelta(days=1)
    services.internship_create(
        enrolment=enrolment,
        internship=services.InternshipInput(
            host_name=HOSTS[index % len(HOSTS)],
            host_siret=demo_siret(100 + index),
            tutor_name=_("Host tutor (demo)"),
            tutor_email=f"host-tutor-{index}@{DEMO_DOMAIN}",
            start_date=internship_start,
            end_date=internship_end,
            agreement_signed_on=edition.start_date + timedelta(days=60),
        ),
        actor=actor,
    )


def _attach_learner_login(ctx: DemoContext, edition: Edition) -> None:
    """The printed learner login (learner@…) becomes one enrolled demo learner (the first on the
    initial track), so "My blocks" and "My record" show her assessments, results and blocks. The
    learner record moves from the generated applicant account to the login (audited);
    idempotent: a login that already is a learner is left as it is."""
    login = ctx.users.get(Role.LEARNER)
    if login is None or Learner.objects.filter(user=login).exists():
        return
    enrolment = (
        Enrolment.objects.filter(
            edition=edition,
            track=Track.INITIAL,
            learner__user__email__startswith=LEARNER_PREFIX,
            learner__user__email__endswith=f"@{DEMO_DOMAIN}",
        )
        .select_related("learner")
        .order_by("year__position", "pk")
        .first()
    )
    if enrolment is None:
        return
    learner = enrolment.learner
    Learner.objects.filter(pk=learner.pk).update(user=login)
    audit_record(
        action=Action.DEMO_LEARNER_LOGIN,
        actor=ctx.users.get(Role.PROGRAMME_DIRECTOR),
        target=learner,
        summary=login.email,
    )
    ctx.set_login_note(login.email, _("enrolled learner with assessments and results"))
