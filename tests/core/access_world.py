"""One small world for the role × route access matrix (tests/core/test_access_matrix.py): two
of everything where ownership matters, and one user per role, each scoped to the "A" side
(campus A, course A, learner A, jury session A). The URL parameters always name the "B" side:
something that belongs to someone else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.core.models import Job
from capitalis.enrolment import services as enrolment_services
from capitalis.finance import services as finance_services
from capitalis.jury import services as jury_services
from capitalis.programmes.models import Track
from tests.enrolment import builders as eb
from tests.factories.assessment import AssessmentFactory
from tests.factories.programmes import CourseFactory


@dataclass
class AccessWorld:
    users: dict[str, User]  # role value → the user holding exactly that role
    ids: dict[str, Any] = field(default_factory=dict)  # the "B" objects' keys


def build() -> AccessWorld:
    w = eb.world()
    cat = w.programme
    other = w.other_campus
    # two courses (A for the lecturer, B someone else's) on the first edition
    course_a, course_b = (
        CourseFactory(
            edition=w.first,
            year=w.msc1,
            code=f"MATRIX-{n}",
            title_fr=f"Cours {n}",
            title_en=f"Course {n}",
            ects=3,
        )
        for n in ("A", "B")
    )
    # learners A (campus A, work-study, tutored by the employer tutor) and B (campus B)
    tutor = eb.user("tutor-a@example.org", (Role.EMPLOYER_TUTOR, ScopeKind.GLOBAL, None))
    app_la = eb.admitted(w, "learner-a@example.org", track=Track.WORK_STUDY)
    enr_a = enrolment_services.enrolment_create_from_application(
        application=app_la,
        actor=w.director,
        contract=eb.contract_for(w.first.start_date, 2, tutor=tutor),
    )
    app_lb = eb.admitted(w, "learner-b@example.org", campus=other)
    enr_b = enrolment_services.enrolment_create_from_application(
        application=app_lb, actor=w.director
    )
    # candidates A (campus A) and B (campus B), each with an application
    app_ca = eb.admitted(w, "cand-a@example.org")
    app_cb = eb.admitted(w, "cand-b@example.org", campus=other)
    invoices_b = finance_services.invoice_create_for_enrolment(enrolment=enr_b, actor=w.director)
    invoices_a = finance_services.invoice_create_for_enrolment(enrolment=enr_a, actor=w.director)
    exam_a, exam_b = (
        AssessmentFactory(
            edition=w.first,
            course=course,
            code=f"EX-{n}",
            title_fr=f"Examen {n}",
            title_en=f"Exam {n}",
            modality="written_exam",
            date=dt.date(2025, 6, 1),
        )
        for n, course in (("A", course_a), ("B", course_b))
    )
    # jury sessions: A (our president and member; learner A) and B (others; learner B)
    president = eb.user("jury-president@example.org")
    member = eb.user("jury-member@example.org")
    session_a = jury_services.session_create(
        version=cat.certification_version,
        date=dt.date(2025, 7, 1),
        title="Jury A",
        president=president,
        members=[member],
        enrolments=[enr_a],
        actor=w.director,
    )
    other_president = eb.user("jury-president-b@example.org")
    session_b = jury_services.session_create(
        version=cat.certification_version,
        date=dt.date(2025, 7, 2),
        title="Jury B",
        president=other_president,
        members=[],
        enrolments=[enr_b],
        actor=w.director,
    )
    # someone else's names, looked for in every page a user other than the director opens
    User.objects.filter(pk=enr_b.learner.user_id).update(full_name="Learner Bravo")
    User.objects.filter(pk=app_cb.candidate_id).update(full_name="Candidate Bravo")
    campus = w.campus
    users = {
        Role.PROGRAMME_DIRECTOR.value: w.director,
        Role.CAMPUS_COORDINATOR.value: w.coordinator,
        Role.ADMISSIONS_OFFICER.value: eb.user(
            "admissions@example.org", (Role.ADMISSIONS_OFFICER, ScopeKind.CAMPUS, campus.pk)
        ),
        Role.LECTURER.value: eb.user(
            "lecturer@example.org", (Role.LECTURER, ScopeKind.COURSE, course_a.pk)
        ),
        Role.JURY_PRESIDENT.value: president,
        Role.JURY_MEMBER.value: member,
        Role.DISABILITY_REFERENT.value: eb.user(
            "referent@example.org", (Role.DISABILITY_REFERENT, ScopeKind.CAMPUS, campus.pk)
        ),
        Role.FINANCE.value: eb.user(
            "finance@example.org", (Role.FINANCE, ScopeKind.CAMPUS, campus.pk)
        ),
        Role.LEARNER.value: enr_a.learner.user,
        Role.EMPLOYER_TUTOR.value: tutor,
        Role.VAE_CANDIDATE.value: eb.user(
            "vae@example.org", (Role.VAE_CANDIDATE, ScopeKind.GLOBAL, None)
        ),
        Role.CANDIDATE.value: app_ca.candidate,
    }
    # a background job the president started: only she opens it
    job = Job.objects.create(
        kind="access.test", title="President's task", user=president, status="done"
    )
    job.file.save("president-export.csv", ContentFile(b"a;b\n1;2\n"), save=True)
    ids = {
        "job": job.pk,
        "learner": enr_b.learner.pk,
        "user": enr_b.learner.user_id,
        "enrolment": enr_b.pk,
        "application": app_cb.pk,
        "invoice": invoices_b[0].pk,
        "assessment": exam_b.pk,
        "course": course_b.pk,
        "session": session_b.pk,
        # the "A" side, for the checks that each user opens what is hers
        "own:learner": enr_a.learner.pk,
        "own:enrolment": enr_a.pk,
        "own:application": app_ca.pk,
        "own:invoice": invoices_a[0].pk,
        "own:assessment": exam_a.pk,
        "own:session": session_a.pk,
        "edition": w.first.pk,
        "edition_code": w.first.code,
        "campus_code": other.code,
        "programme_code": cat.code,
        "certification": cat.certification_version.certification.code,
        "version": cat.certification_version.code,
    }
    return AccessWorld(users=users, ids=ids)
