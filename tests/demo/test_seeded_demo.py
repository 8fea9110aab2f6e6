"""``seed_demo`` with the shipped data (``load_data``), seeded ONCE for this module: each test
reads the seeded demo in its own savepoint, rolled back after it (tests.shared_db). A second
run, to check that it creates nothing new, is made ONCE for the module too (``second_run``), in a
savepoint rolled back after it, and what it changed is recorded for the tests to check. Seeding
costs tens of CPU seconds; these tests used to seed twice each, in every app's tests folder.

What each app's demo step gives, one section per app (the tests that seed without the shipped
data, or call one step, stay in their app's folder):
- programmes: campus and course roles get their scoped grant, every offering its calendar;
- enrolment: candidates at every application status (through the admissions services),
  enrolled learners on every campus and track of the latest edition with contracts
  (work-study) and internships (initial); generated people only;
- assessment: every competency of the demo learners' blocks assessed, every demo learner with
  results, varied (most pass, some fail);
- jury: a session ready to deliberate for the demo learners, a VAE candidate interviewed by it,
  a learner holding an earlier-version block; deliberating it works; the printed demo learner
  login sees her blocks and her year;
- credentials (920, 930): for every closed demo jury session — reporting's past cohorts
  included — every credential and PDF it allows, so /verify/ works out of the box and the
  holders' declaration (950) carries each certified holder's proof URL (urlPreuve); the notes
  print a verification URL;
- reporting: two past cohorts whose jury is closed (certified, partially certified and not
  certified learners, some apprentices; statuses computed from the results, one justified
  block override at most); survey data (mixed answers, an open survey whose link is printed);
  the past cohorts' holders declared (a flux valid against the official XSD, one rejected
  passage), the latest session's holders left to declare."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from capitalis.accounts.demo import DEMO_DOMAIN, demo_email
from capitalis.accounts.models import RoleAssignment, User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions.models import Application
from capitalis.admissions.rules import Status
from capitalis.assessment.models import Assessment, Result
from capitalis.assessment.queries import evidence_for
from capitalis.credentials.demo_credentials import TITLE as CREDENTIALS_TITLE
from capitalis.credentials.models import Credential, IssuedDocument
from capitalis.enrolment import queries as enrolment_queries
from capitalis.enrolment.models import Contract, Enrolment, Internship, Learner
from capitalis.jury import services as jury_services
from capitalis.jury.demo import TITLE as JURY_TITLE
from capitalis.jury.models import (
    BlockDecision,
    BlockValidation,
    CertificationDecision,
    JurySession,
    VaeDossier,
)
from capitalis.programmes.models import (
    Calendar,
    Campus,
    Course,
    Edition,
    Offering,
    Programme,
    Track,
)
from capitalis.referential.models import Block, Competency
from capitalis.reporting.declarations import register as declaration
from capitalis.reporting.indicators import queries as reporting_queries
from capitalis.reporting.indicators.demo import COHORTS, session_title
from capitalis.reporting.models import (
    AwardDeclaration,
    AwardStatus,
    DeclarationFlux,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
)
from tests.shared_db import built_once

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Demo:
    """The seeded demo: what the first ``seed_demo`` printed, and its VAR_DIR."""

    output: str
    var_dir: Path


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Demo]:
    """The shipped data loaded and the demo seeded once for the module, in a temporary VAR_DIR
    and MEDIA_ROOT, with a signing key generated there (no configured key)."""
    from capitalis.core.services import data_load

    var_dir = tmp_path_factory.mktemp("demo")
    with override_settings(
        VAR_DIR=var_dir,
        MEDIA_ROOT=var_dir / "media",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        CREDENTIALS_SIGNING_KEY="",
        CREDENTIALS_SIGNING_KEY_FILE="",
    ):

        def build() -> Demo:
            data_load()
            return Demo(output=seed(), var_dir=var_dir)

        with built_once(django_db_blocker, build) as seeded:
            yield seeded


def measures() -> dict[str, Any]:
    """What a second seed must leave as it found: counts, and what the tests read by key."""
    learner = Learner.objects.filter(user__email=demo_email(Role.LEARNER)).first()
    return {
        "role assignments": RoleAssignment.objects.count(),
        "applications": Application.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "contracts": Contract.objects.count(),
        "assessments": Assessment.objects.count(),
        "results": Result.objects.count(),
        "result history": Result.history.count(),  # type: ignore[attr-defined]
        "demo jury sessions": JurySession.objects.filter(title=JURY_TITLE).count(),
        "demo learner": learner.pk if learner else None,
        "credentials": Credential.objects.count(),
        "issued documents": IssuedDocument.objects.count(),
        "certification decisions": CertificationDecision.objects.count(),
        "surveys": Survey.objects.count(),
        "survey invitations": SurveyInvitation.objects.count(),
        "survey answers": SurveyAnswer.objects.count(),
        "declaration fluxes": DeclarationFlux.objects.count(),
        "award declarations": sorted(
            AwardDeclaration.objects.values_list("id_technique", "status")
        ),
    }


@dataclass(frozen=True)
class SecondRun:
    """The measures of the seeded demo before and after seeding it a second time."""

    before: dict[str, Any]
    after: dict[str, Any]

    def assert_unchanged(self, *keys: str) -> None:
        assert {k: self.after[k] for k in keys} == {k: self.before[k] for k in keys}


@pytest.fixture(scope="module")
def second_run(demo: Demo, django_db_blocker: Any) -> SecondRun:
    """``seed_demo`` run a second time on the seeded demo, once for the module, in a savepoint
    rolled back after it: every test still reads the demo as the first run left it."""
    with django_db_blocker.unblock(), transaction.atomic():
        before = measures()
        seed()
        after = measures()
        transaction.set_rollback(True)
    return SecondRun(before=before, after=after)


def client_for(user: Any, lang: str = "fr") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


# --- programmes ----------------------------------------------------------------------------


def test_scoped_roles_are_granted_on_a_campus_and_a_course(
    demo: Demo, second_run: SecondRun
) -> None:
    output = demo.output
    paris = Campus.objects.order_by("position", "code").first()
    assert paris is not None
    for role in (Role.CAMPUS_COORDINATOR, Role.DISABILITY_REFERENT):
        grant = RoleAssignment.objects.get(user__email__startswith=role.value.replace("_", "-"))
        assert (grant.role, grant.scope, grant.scope_id) == (
            role.value,
            ScopeKind.CAMPUS.value,
            paris.pk,
        )
    lecturer = RoleAssignment.objects.get(user__email__startswith="lecturer@")
    assert lecturer.scope == ScopeKind.COURSE.value
    assert Course.objects.filter(pk=lecturer.scope_id).exists()
    assert paris.name in output
    # Every offered campus and track of the catalogue's editions has its calendar (the past
    # cohorts the reporting demo adds have theirs too, counted apart).
    past = [code for code, *_rest in COHORTS]
    assert Calendar.objects.exclude(edition__code__in=past).count() == 10
    assert Calendar.objects.filter(edition__code__in=past).exists()
    # A second run grants nothing more.
    second_run.assert_unchanged("role assignments")


# --- enrolment -----------------------------------------------------------------------------


def test_demo_candidates_and_learners(demo: Demo, second_run: SecondRun) -> None:
    latest = Edition.objects.order_by("-start_date").first()
    assert latest is not None
    statuses = set(Application.objects.filter(edition=latest).values_list("status", flat=True))
    assert statuses == {s.value for s in Status}
    assert not Application.objects.exclude(candidate__email__endswith=f"@{DEMO_DOMAIN}").exists()
    offered = set(Offering.objects.filter(edition=latest).values_list("campus_id", "track"))
    enrolled = set(Enrolment.objects.filter(edition=latest).values_list("campus_id", "track"))
    assert enrolled == offered
    for enrolment in Enrolment.objects.filter(edition=latest).select_related("year"):
        if enrolment.track == Track.WORK_STUDY:
            contract = Contract.objects.get(enrolment=enrolment)
            years = (contract.end_date - contract.start_date).days // 360
            assert years == (2 if enrolment.year.position == 1 else 1)
        else:
            assert Internship.objects.filter(enrolment=enrolment).exists()
    # the demo employer tutor sees his apprentices only
    tutor = User.objects.get(email=f"employer-tutor@{DEMO_DOMAIN}")
    seen = set(enrolment_queries.enrolment_list_for(user=tutor).values_list("track", flat=True))
    assert seen == {Track.WORK_STUDY.value}
    # every demo contract names its employer tutor (the alumni cohorts' ones too)
    assert Contract.objects.exists()
    assert not Contract.objects.filter(tutor__isnull=True).exists()
    _every_demo_record_renders(tutor)
    second_run.assert_unchanged("applications", "enrolments", "contracts")


def _every_demo_record_renders(tutor: Any) -> None:
    """Each demo learner's record answers 200 to the director and to the learner herself
    ("my record"), and the tutor's apprentices' records to the tutor."""
    director = User.objects.get(email=f"programme-director@{DEMO_DOMAIN}")
    staff = Client(headers={"accept-language": "fr"})
    staff.force_login(director)
    failures = []
    for learner in Learner.objects.select_related("user"):
        own = Client(headers={"accept-language": "en"})
        own.force_login(learner.user)
        for who, client, url in (
            ("director", staff, f"/enrolment/learners/{learner.pk}/"),
            ("self", own, "/enrolment/me/"),
        ):
            status = client.get(url, follow=True).status_code
            if status != 200:
                failures.append(f"{learner.user.email} {who} {url} → {status}")
    apprentices = enrolment_queries.learner_list_for(user=tutor)
    assert apprentices.exists()
    mine = Client()
    mine.force_login(tutor)
    for learner in apprentices:
        status = mine.get(f"/enrolment/learners/{learner.pk}/").status_code
        if status != 200:
            failures.append(f"tutor {learner.pk} → {status}")
    assert failures == []


# --- assessment ----------------------------------------------------------------------------


def test_demo_assessments_and_results(demo: Demo, second_run: SecondRun) -> None:
    enrolments = list(Enrolment.objects.select_related("edition__programme", "specialisation"))
    assert enrolments and Assessment.objects.exists()
    for e in enrolments:
        version = e.edition.programme.certification_version
        rows = evidence_for(enrolments=[e], version=version)
        assessed = {r.competency_id for r in rows}
        common = set(
            Competency.objects.filter(block__version=version, block__kind="common").values_list(
                "pk", flat=True
            )
        )
        assert common <= assessed, e
        if e.specialisation is not None:
            assert set(e.specialisation.block.competencies.values_list("pk", flat=True)) <= assessed
    grades = [g for g in Result.objects.values_list("grade", flat=True) if g is not None]
    assert any(g < 10 for g in grades) and sum(g >= 10 for g in grades) > 0.8 * len(grades)
    second_run.assert_unchanged("results", "result history")


# --- jury ----------------------------------------------------------------------------------


def test_demo_jury_session_ready_to_deliberate(demo: Demo, second_run: SecondRun) -> None:
    session = JurySession.objects.get(title=JURY_TITLE)
    assert session.status == "open"
    learners = session.learners.count()
    assert learners > 0
    dossier = VaeDossier.objects.get(session=session)
    assert dossier.documents.get().blocks.count() == 2
    earlier = BlockValidation.objects.exclude(version=session.version).get()
    assert earlier.block.version.code != session.version.code
    jury_services.deliberate(session=session, actor=session.president)
    statuses = set(
        BlockDecision.objects.filter(session=session).values_list("computed_status", flat=True)
    )
    assert "validated" in statuses
    # a second seed adds no session (it finds the demo's by its title, whatever its status)
    assert second_run.after["demo jury sessions"] == 1


def test_demo_learner_login_sees_her_blocks_and_year(demo: Demo, second_run: SecondRun) -> None:
    """The printed demo learner login is an enrolled learner with results: her "My blocks" page
    lists her blocks and her year (courses, grades, ECTS)."""
    login = User.objects.get(email=demo_email(Role.LEARNER))
    learner = Learner.objects.get(user=login)
    enrolment = learner.enrolments.get()
    assert Result.objects.filter(enrolment=enrolment).exists()
    r = client_for(login).get(reverse("jury:my-blocks"))
    assert r.status_code == 200
    body = r.content.decode()
    version = enrolment.edition.programme.certification_version
    codes = list(Block.objects.filter(version=version).values_list("code", flat=True))
    assert codes and all(code in body for code in codes)
    assert "ECTS obtenus" in body and "/20" in body
    record = client_for(login).get(reverse("enrolment:me"), follow=True)  # "My record"
    assert record.status_code == 200
    # the printed note says so; a second seed changes nothing
    assert demo_email(Role.LEARNER) in demo.output
    assert second_run.after["demo learner"] == second_run.before["demo learner"] == learner.pk


# --- credentials ---------------------------------------------------------------------------


def test_demo_issues_for_every_closed_session(
    demo: Demo, second_run: SecondRun, client: Any
) -> None:
    out = demo.output
    sessions = list(JurySession.objects.filter(status="closed").exclude(minutes_sha256=""))
    assert len(sessions) >= 2  # reporting's past cohorts
    assert not JurySession.objects.filter(title=CREDENTIALS_TITLE).exists()  # none of its own
    for session in sessions:
        decisions = list(CertificationDecision.objects.filter(session=session))
        certified = [d for d in decisions if d.status == "certified"]
        partial = [d for d in decisions if d.status == "partially_certified"]
        assert certified, session.title
        credentials = Credential.objects.filter(session=session)
        assert credentials.filter(kind="certification").count() == len(certified)
        assert credentials.filter(kind="block").count() >= len(certified) + len(partial)
        documents = IssuedDocument.objects.filter(session=session)
        assert documents.filter(kind="certificate").count() == len(certified)
        assert documents.filter(kind="attestation").count() == len(partial)
        assert documents.filter(kind="decision_letter").count() == len(decisions)
    sample = Credential.objects.filter(kind="certification").first()
    assert sample is not None
    assert "/verify/" in out
    response = client.get(f"/verify/{sample.public_id}/")
    assert response.status_code == 200
    assert 'data-verdict="authentic"' in response.content.decode()
    # the holders' declaration (order 950) now carries the proof URLs
    flux = DeclarationFlux.objects.get()
    xml = flux.file.read().decode()
    proofs = re.findall(
        r"<(?:\w+:)?urlPreuve>[^<]*/verify/([0-9a-f-]{36})/</(?:\w+:)?urlPreuve>", xml
    )
    assert proofs
    current = Credential.objects.filter(
        kind="certification", revoked_at__isnull=True, replaced_by__isnull=True
    )
    assert set(proofs) <= {str(u) for u in current.values_list("public_id", flat=True)}
    second_run.assert_unchanged("credentials", "issued documents")


# --- reporting -----------------------------------------------------------------------------


def test_demo_past_cohorts_feed_every_chart(demo: Demo, second_run: SecondRun) -> None:
    for _code, label, _year, _sizes in COHORTS:
        assert JurySession.objects.get(title=session_title(label)).status == "closed"
    programme = Programme.objects.get(code="MSC-ERCI")
    _per, overall = reporting_queries.certification_rows(
        programme=programme, scope=reporting_queries.EVERYTHING
    )
    past = [r for r in overall if r.edition.code in {c[0] for c in COHORTS}]
    assert len(past) == 2
    for row in past:
        assert row.cohort >= 10 and row.rate.significant
        assert row.certified > 0 and row.partial > 0 and row.not_certified > 0
        assert row.undecided == 0
    blocks = reporting_queries.block_rows(programme=programme, scope=reporting_queries.EVERYTHING)
    assert any(b.rate.significant for b in blocks)
    apprentices = reporting_queries.apprentice_rows(
        programme=programme, scope=reporting_queries.EVERYTHING
    )
    assert sum(r.total for r in apprentices) > 0
    # computed from evidence: every past learner has results for every common competency,
    # the computed statuses alone give the mix, and at most one block is overridden (justified)
    version = programme.certification_version
    common = set(
        Competency.objects.filter(block__version=version, block__kind="common").values_list(
            "pk", flat=True
        )
    )
    sessions = JurySession.objects.filter(title__in=[session_title(c[1]) for c in COHORTS])
    alumni = Enrolment.objects.filter(edition__code__in=[c[0] for c in COHORTS])
    assert alumni.count() == sum(sum(c[3].values()) for c in COHORTS)
    assessed: dict[int, set[int]] = {}
    for evidence in evidence_for(enrolments=alumni, version=version):
        assessed.setdefault(evidence.enrolment_id, set()).add(evidence.competency_id)
    assert all(common <= assessed.get(e.pk, set()) for e in alumni)
    for session in sessions:
        computed = set(
            CertificationDecision.objects.filter(session=session, override_status=None)
            .exclude(
                enrolment_id__in=BlockDecision.objects.filter(session=session)
                .exclude(override_status=None)
                .values("enrolment_id")
            )
            .values_list("computed_status", flat=True)
        )
        assert computed == {"certified", "partially_certified", "not_certified"}
    overridden = BlockDecision.objects.filter(session__in=sessions).exclude(override_status=None)
    assert overridden.count() <= 1
    assert all(d.justification.strip() for d in overridden)
    assert not CertificationDecision.objects.filter(session__in=sessions).exclude(
        override_status=None
    )
    second_run.assert_unchanged(
        "enrolments", "certification decisions", "assessments", "results", "result history"
    )


def test_demo_surveys_and_answers(demo: Demo, second_run: SecondRun) -> None:
    out = demo.output
    kinds = set(Survey.objects.values_list("kind", flat=True))
    assert {"satisfaction_teaching", "employment_6m", "employment_2y"} <= kinds
    overall = set(SurveyAnswer.objects.filter(question="overall").values_list("number", flat=True))
    assert {n >= 4 for n in overall} == {True, False}  # satisfied and not
    employed = set(
        SurveyAnswer.objects.filter(question="employed").values_list("number", flat=True)
    )
    assert employed == {0, 1}
    unanswered = SurveyInvitation.objects.filter(answered_at__isnull=True).count()
    assert 0 < unanswered < SurveyInvitation.objects.count()
    link = re.search(r"/survey/[A-Za-z0-9_\-]+/", out)
    assert link, out
    page = Client().get(link.group(0))
    assert page.status_code == 200 and 'name="q_overall"' in page.content.decode()
    second_run.assert_unchanged("surveys", "survey invitations", "survey answers")


def test_demo_declares_the_past_cohorts(demo: Demo, second_run: SecondRun) -> None:
    flux = DeclarationFlux.objects.get()
    assert declaration.validate(flux.file.read()) == []
    statuses = list(AwardDeclaration.objects.values_list("status", flat=True))
    assert statuses.count(AwardStatus.REJECTED) == 1
    assert statuses.count(AwardStatus.ACCEPTED) == len(statuses) - 1 > 0
    assert second_run.after["declaration fluxes"] == 1
    assert second_run.after["award declarations"] == sorted(
        AwardDeclaration.objects.values_list("id_technique", "status")
    )
