"""Enrolment services: from an admitted application to an enrolled learner with her contract
or internship; status machine; re-enrolment; contract refusals (nothing saved); CVEC."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from capitalis.accounts.queries import grants_for
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.admissions.models import Application, ApplicationTransition
from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.enrolment import services
from capitalis.enrolment.models import (
    Contract,
    CvecProof,
    Enrolment,
    EnrolmentTransition,
    Internship,
    Learner,
)
from capitalis.enrolment.services import InternshipInput
from capitalis.programmes.models import Track
from tests.enrolment.builders import EMPLOYER_SIRET, admitted, contract_for, siret, user, world

pytestmark = pytest.mark.django_db

BAD_SIRET = EMPLOYER_SIRET[:-1] + str((int(EMPLOYER_SIRET[-1]) + 1) % 10)


@pytest.fixture
def w():
    return world()


def _english():
    return translation.override("en")


def test_admitted_application_becomes_learner_and_enrolment(w) -> None:
    app = admitted(w, "ana@example.org")
    officer = user("officer@example.org", (Role.ADMISSIONS_OFFICER, ScopeKind.CAMPUS, w.campus.pk))
    enrolment = services.enrolment_create_from_application(application=app, actor=officer)
    app.refresh_from_db()
    assert app.status == "enrolled"
    assert enrolment.learner.user_id == app.candidate_id
    assert (enrolment.edition, enrolment.year, enrolment.campus, enrolment.track) == (
        w.first,
        w.msc1,
        w.campus,
        Track.INITIAL,
    )
    assert enrolment.specialisation_id == app.specialisation_id
    assert enrolment.status == "enrolled"
    assert ApplicationTransition.objects.filter(
        application=app, to_status="enrolled", by=officer
    ).exists()
    assert EnrolmentTransition.objects.filter(
        enrolment=enrolment, to_status="enrolled", by=officer
    ).exists()
    assert Role.LEARNER in {g.role for g in grants_for(user=app.candidate)}
    assert AuditEvent.objects.filter(action="enrolment.enrolment_create").count() == 1


def test_learner_reused_for_a_returning_person(w) -> None:
    first = admitted(w, "bea@example.org")
    e1 = services.enrolment_create_from_application(application=first, actor=w.director)
    second = Application.objects.create(
        candidate=first.candidate,
        edition=w.second,
        year=w.msc2,
        campus=w.campus,
        track=Track.INITIAL,
        status="admitted",
    )
    e2 = services.enrolment_create_from_application(application=second, actor=w.director)
    assert e1.learner_id == e2.learner_id
    assert Learner.objects.count() == 1


def test_only_admitted_applications_and_only_once(w) -> None:
    app = admitted(w, "cy@example.org")
    Application.objects.filter(pk=app.pk).update(status="waitlisted")
    app.refresh_from_db()
    with _english(), pytest.raises(DomainError, match="Only an admitted application"):
        services.enrolment_create_from_application(application=app, actor=w.director)
    assert not Enrolment.objects.exists()


def test_stale_application_is_refused_nothing_saved(w) -> None:
    app = admitted(w, "dee@example.org")
    stale = Application.objects.get(pk=app.pk)
    Application.objects.filter(pk=app.pk).update(version=5)  # someone changed it meanwhile
    with pytest.raises(DomainError) as error:
        services.enrolment_create_from_application(application=stale, actor=w.director)
    assert error.value.code == "conflict"
    assert not Learner.objects.exists() and not Enrolment.objects.exists()


def test_staff_of_another_campus_cannot_enrol(w) -> None:
    app = admitted(w, "eve@example.org", campus=w.other_campus)
    with _english(), pytest.raises(DomainError, match="not allowed"):
        services.enrolment_create_from_application(application=app, actor=w.coordinator)
    app.refresh_from_db()
    assert app.status == "admitted"


def test_work_study_needs_its_contract_created_with_it(w) -> None:
    tutor = user("tutor@example.org", name="Tuteur Fictif")
    app = admitted(w, "flo@example.org", track=Track.WORK_STUDY)
    with _english(), pytest.raises(DomainError, match="needs its contract"):
        services.enrolment_create_from_application(application=app, actor=w.director)
    enrolment = services.enrolment_create_from_application(
        application=app,
        actor=w.director,
        contract=contract_for(dt.date(2024, 9, 1), 2, tutor=tutor),
    )
    contract = enrolment.contracts.get()
    assert contract.tutor == tutor and contract.kind == "apprenticeship"
    assert Role.EMPLOYER_TUTOR in {g.role for g in grants_for(user=tutor)}


@pytest.mark.parametrize(
    ("years", "siret_value", "code", "message"),
    [
        (2, "12345678901234", "siret_checksum", "This SIRET is not valid"),
        (2, "123", "siret_format", "A SIRET has 14 digits"),
        (1, None, "contract_too_short", "needs a 2-year contract"),
    ],
)
def test_bad_contract_at_enrolment_saves_nothing(w, years, siret_value, code, message) -> None:
    app = admitted(w, "gus@example.org", track=Track.WORK_STUDY)
    kwargs = {"siret_value": siret_value} if siret_value else {}
    with _english(), pytest.raises(DomainError, match=message) as error:
        services.enrolment_create_from_application(
            application=app,
            actor=w.director,
            contract=contract_for(dt.date(2024, 9, 1), years, **kwargs),
        )
    assert error.value.code == code
    app.refresh_from_db()
    assert app.status == "admitted" and app.version == 0
    assert not Learner.objects.exists() and not Contract.objects.exists()


def test_contract_create_checks_siret_and_length_french_message(w) -> None:
    app = admitted(w, "hal@example.org", track=Track.WORK_STUDY, year=w.msc2)
    enrolment = services.enrolment_create_from_application(
        application=app, actor=w.director, contract=contract_for(dt.date(2024, 9, 1), 1)
    )
    bad_siret = contract_for(dt.date(2025, 9, 1), 1, siret_value=BAD_SIRET)
    with translation.override("fr"), pytest.raises(DomainError) as error:
        services.contract_create(enrolment=enrolment, contract=bad_siret, actor=w.director)
    assert "SIRET" in error.value.message and "n'est pas valide" in error.value.message
    too_long = contract_for(dt.date(2025, 9, 1), 2)
    Contract.objects.all().delete()
    with translation.override("fr"), pytest.raises(DomainError) as error:
        services.contract_create(enrolment=enrolment, contract=too_long, actor=w.director)
    assert error.value.code == "contract_too_long"
    assert "contrat" in error.value.message
    assert not Contract.objects.exists()


def test_contract_overlap_and_termination(w) -> None:
    app = admitted(w, "ida@example.org", track=Track.WORK_STUDY)
    enrolment = services.enrolment_create_from_application(
        application=app, actor=w.director, contract=contract_for(dt.date(2024, 9, 1), 2)
    )
    with _english(), pytest.raises(DomainError, match="already has a contract"):
        services.contract_create(
            enrolment=enrolment, contract=contract_for(dt.date(2024, 10, 1), 2), actor=w.director
        )
    contract = enrolment.contracts.get()
    with _english(), pytest.raises(DomainError, match="reason"):
        services.contract_terminate(
            contract=contract, terminated_on=dt.date(2025, 1, 31), reason=" ", actor=w.director
        )
    with _english(), pytest.raises(DomainError, match="before the contract's planned end"):
        services.contract_terminate(
            contract=contract, terminated_on=dt.date(2030, 1, 1), reason="x", actor=w.director
        )
    services.contract_terminate(
        contract=contract,
        terminated_on=dt.date(2025, 1, 31),
        reason="Rupture d'un commun accord",
        actor=w.director,
    )
    contract.refresh_from_db()
    assert contract.terminated_on == dt.date(2025, 1, 31)
    assert contract.termination_reason == "Rupture d'un commun accord"
    with _english(), pytest.raises(DomainError, match="already been terminated"):
        services.contract_terminate(
            contract=contract, terminated_on=dt.date(2025, 2, 1), reason="x", actor=w.director
        )
    # after termination a new employer's contract can be recorded (same entry-year length rule)
    services.contract_create(
        enrolment=enrolment, contract=contract_for(dt.date(2025, 2, 1), 2), actor=w.director
    )
    assert enrolment.contracts.count() == 2


def test_internship_four_to_six_months_initial_only(w) -> None:
    app = admitted(w, "jo@example.org")
    enrolment = services.enrolment_create_from_application(application=app, actor=w.director)
    data = InternshipInput(
        host_name="Organisation Fictive",
        tutor_name="Tutrice Fictive",
        tutor_email="tutrice@example.org",
        start_date=dt.date(2025, 3, 1),
        end_date=dt.date(2025, 8, 31),
        agreement_signed_on=dt.date(2025, 2, 1),
    )
    with _english(), pytest.raises(DomainError, match="at least 4 months"):
        services.internship_create(
            enrolment=enrolment,
            internship=InternshipInput(
                host_name="X",
                tutor_name="Y",
                start_date=dt.date(2025, 3, 1),
                end_date=dt.date(2025, 5, 31),
            ),
            actor=w.director,
        )
    internship = services.internship_create(enrolment=enrolment, internship=data, actor=w.director)
    assert internship.agreement_signed_on == dt.date(2025, 2, 1)
    assert Internship.objects.count() == 1
    ws = services.enrolment_create_from_application(
        application=admitted(w, "ky@example.org", track=Track.WORK_STUDY),
        actor=w.director,
        contract=contract_for(dt.date(2024, 9, 1), 2),
    )
    with _english(), pytest.raises(DomainError, match="Only an initial-track"):
        services.internship_create(enrolment=ws, internship=data, actor=w.director)


def test_enrolment_status_machine(w) -> None:
    enrolment = services.enrolment_create_from_application(
        application=admitted(w, "lu@example.org"), actor=w.director
    )
    services.enrolment_transition(
        enrolment=enrolment, target="suspended", actor=w.coordinator, note="raison médicale"
    )
    services.enrolment_transition(enrolment=enrolment, target="enrolled", actor=w.coordinator)
    services.enrolment_transition(enrolment=enrolment, target="withdrawn", actor=w.coordinator)
    with _english(), pytest.raises(DomainError, match="cannot go from “withdrawn” to “enrolled”"):
        services.enrolment_transition(enrolment=enrolment, target="enrolled", actor=w.director)
    steps = list(
        EnrolmentTransition.objects.filter(enrolment=enrolment).values_list(
            "from_status", "to_status", "by__email"
        )
    )
    assert steps[1:] == [
        ("enrolled", "suspended", "coordinator@example.org"),
        ("suspended", "enrolled", "coordinator@example.org"),
        ("enrolled", "withdrawn", "coordinator@example.org"),
    ]


def test_reenrol_msc1_into_msc2_contract_carries_over(w) -> None:
    app = admitted(w, "max@example.org", track=Track.WORK_STUDY)
    m1 = services.enrolment_create_from_application(
        application=app, actor=w.director, contract=contract_for(dt.date(2024, 9, 1), 2)
    )
    # the 2024-25 contract (2 years) ends before 2026-27: a new 1-year contract is needed
    with _english(), pytest.raises(DomainError, match="1-year contract"):
        services.enrolment_reenrol(enrolment=m1, edition=w.second, actor=w.director)
    m2 = services.enrolment_reenrol(
        enrolment=m1,
        edition=w.second,
        actor=w.director,
        contract=contract_for(dt.date(2026, 9, 1), 1),
    )
    m1.refresh_from_db()
    assert m1.status == "completed"
    assert (m2.year, m2.edition, m2.previous, m2.status) == (w.msc2, w.second, m1, "enrolled")
    assert m2.contracts.count() == 1
    with _english(), pytest.raises(DomainError, match="from MSc 1 into MSc 2"):
        services.enrolment_reenrol(enrolment=m2, edition=w.second, actor=w.director)


def test_reenrol_with_a_running_contract_and_mixed_path(w) -> None:
    # a contract running into the next edition carries over
    app = admitted(w, "ned@example.org", track=Track.WORK_STUDY)
    m1 = services.enrolment_create_from_application(
        application=app,
        actor=w.director,
        contract=services.ContractInput(
            kind="professionalisation",
            employer_name="Employeur Fictif",
            employer_siret=siret("5550000000002"),
            start_date=dt.date(2025, 9, 1),
            end_date=dt.date(2027, 8, 31),
            tutor_email="ned-tutor@example.org",
        ),
    )
    m2 = services.enrolment_reenrol(enrolment=m1, edition=w.second, actor=w.director)
    assert m2.contracts.count() == 0 and m2.track == Track.WORK_STUDY
    # mixed path: initial MSc 1, then work-study MSc 2 with its 1-year contract
    initial = services.enrolment_create_from_application(
        application=admitted(w, "ola@example.org"), actor=w.director
    )
    mixed = services.enrolment_reenrol(
        enrolment=initial,
        edition=w.second,
        actor=w.director,
        track=Track.WORK_STUDY,
        contract=contract_for(dt.date(2026, 9, 1), 1),
    )
    assert mixed.track == Track.WORK_STUDY and mixed.contracts.count() == 1


def test_learner_ine_and_cvec(w) -> None:
    enrolment = services.enrolment_create_from_application(
        application=admitted(w, "pia@example.org"), actor=w.director
    )
    learner = enrolment.learner
    with _english(), pytest.raises(DomainError, match="11 letters or digits"):
        services.learner_update(
            learner=learner, national_student_number="123", date_of_birth=None, actor=w.director
        )
    services.learner_update(
        learner=learner,
        national_student_number="0123456789a",
        date_of_birth=dt.date(2001, 5, 4),
        actor=w.director,
    )
    learner.refresh_from_db()
    assert learner.national_student_number == "0123456789A"
    proof = services.cvec_record(
        learner=learner,
        academic_year="2024-25",
        certificate_number="ABC1 234567",
        recorded_on=dt.date(2024, 9, 10),
        actor=w.coordinator,
    )
    assert proof.certificate_number == "ABC1 234567"
    services.cvec_record(
        learner=learner,
        academic_year="2024-25",
        certificate_number="ABC1 999999",
        recorded_on=dt.date(2024, 9, 11),
        actor=learner.user,
    )
    assert CvecProof.objects.get().certificate_number == "ABC1 999999"
    stranger = user("x@example.org", (Role.CAMPUS_COORDINATOR, ScopeKind.CAMPUS, w.other_campus.pk))
    with _english(), pytest.raises(DomainError, match="not allowed"):
        services.cvec_record(
            learner=learner,
            academic_year="2024-25",
            certificate_number="Z",
            recorded_on=dt.date(2024, 9, 11),
            actor=stranger,
        )
