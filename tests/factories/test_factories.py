"""Each factory makes a valid saved object (full_clean passes), and the ones standing for a
service go through it (roles granted, audit records written)."""

from __future__ import annotations

import pytest

from capitalis.accounts.models import RoleAssignment
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.core.audit import Action
from capitalis.core.models import AuditEvent
from tests.factories.accounts import BareUserFactory, UserFactory
from tests.factories.admissions import ApplicationFactory, CandidateFactory
from tests.factories.assessment import AssessmentFactory, ResultFactory
from tests.factories.enrolment import ContractFactory, EnrolmentFactory, LearnerFactory
from tests.factories.finance import FeeScheduleFactory, InvoiceFactory
from tests.factories.jury import JurySessionFactory
from tests.factories.programmes import (
    CampusFactory,
    CourseFactory,
    EditionFactory,
    OfferingFactory,
    ProgrammeFactory,
    ProgrammeYearFactory,
    SpecialisationFactory,
)
from tests.factories.referential import (
    ActivityFactory,
    BlockFactory,
    CertificationFactory,
    CertificationVersionFactory,
    CompetencyFactory,
)

pytestmark = pytest.mark.django_db

FACTORIES = [
    UserFactory,
    BareUserFactory,
    CertificationFactory,
    CertificationVersionFactory,
    BlockFactory,
    ActivityFactory,
    CompetencyFactory,
    CampusFactory,
    ProgrammeFactory,
    ProgrammeYearFactory,
    SpecialisationFactory,
    EditionFactory,
    OfferingFactory,
    CourseFactory,
    CandidateFactory,
    ApplicationFactory,
    LearnerFactory,
    EnrolmentFactory,
    ContractFactory,
    AssessmentFactory,
    ResultFactory,
    FeeScheduleFactory,
    InvoiceFactory,
    JurySessionFactory,
]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_factory_makes_a_valid_saved_object(factory):
    first = factory()
    second = factory()  # the sequences keep unique fields apart
    for obj in (first, second):
        assert obj.pk is not None
        type(obj).objects.get(pk=obj.pk).full_clean()
    assert first.pk != second.pk


def test_user_factory_goes_through_the_service_and_grants_roles():
    user = UserFactory(roles=[(Role.PROGRAMME_DIRECTOR, ScopeKind.GLOBAL, None)])
    assert user.check_password("pw-Secret-123")
    assert AuditEvent.objects.filter(action=Action.USER_CREATE, target_id=str(user.pk))
    assert RoleAssignment.objects.filter(user=user, role=Role.PROGRAMME_DIRECTOR.value).exists()
    bare = BareUserFactory()
    assert not AuditEvent.objects.filter(action=Action.USER_CREATE, target_id=str(bare.pk))


def test_learner_factory_goes_through_the_enrolment_service():
    learner = LearnerFactory(national_student_number="0000000001A")
    assert RoleAssignment.objects.filter(user=learner.user, role=Role.LEARNER.value).exists()
    assert AuditEvent.objects.filter(
        action=Action.LEARNER_CREATE, target_id=str(learner.pk)
    ).exists()
    learner.refresh_from_db()
    assert learner.national_student_number == "0000000001A"
    assert LearnerFactory(user=learner.user) == learner  # the same person is one learner


def test_candidate_factory_signs_up():
    who = CandidateFactory()
    assert RoleAssignment.objects.filter(user=who, role=Role.CANDIDATE.value).exists()
    assert who.emailaddress_set.get().verified


def test_jury_session_factory_grants_the_jury_roles():
    enrolment = EnrolmentFactory()
    session = JurySessionFactory(
        version=enrolment.edition.programme.certification_version, enrolments=[enrolment]
    )
    assert list(session.learners.all()) == [enrolment]
    assert RoleAssignment.objects.filter(
        user=session.president, role=Role.JURY_PRESIDENT.value, scope_id=session.pk
    ).exists()


def test_invoice_factory_goes_through_the_finance_service():
    invoice = InvoiceFactory()
    assert invoice.customer == invoice.application.candidate
    assert AuditEvent.objects.filter(target_id=str(invoice.pk)).exists()


def test_course_assessment_and_its_whole_grade():
    course = CourseFactory()
    exam = AssessmentFactory(edition=course.edition, course=course)
    assert exam.block is None
    result = ResultFactory(assessment=exam)
    assert result.competency is None
    result.full_clean()
