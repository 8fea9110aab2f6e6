"""Data for the PDF tests (helper A3's): the jury test world (tests.jury.builders) with three
invented learners whose names carry accents — a certified, b partially certified (first block),
c not certified — MSc 1 courses (30 + 20 + 10 ECTS) with graded course assessments for the
transcript, deliberated, and the session closed with frozen minutes unless ``close=False``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from capitalis.accounts.models import User
from capitalis.assessment.models import Assessment
from capitalis.jury import services as jury_services
from capitalis.jury.models import CertificationDecision, JurySession
from capitalis.programmes.models import Course
from tests.factories.assessment import AssessmentFactory, ResultFactory
from tests.factories.programmes import CourseFactory
from tests.jury.builders import World, grade, session, world

NAMES = ("Éloïse Dupré-Cœurdevey", "Gaëtan Lefèvre-Saint-Aubœuf", "Zoé Ñúñez Ærøskøbing")
BASE_URL = "https://certif.example.test"


@dataclass
class Docs:
    w: World
    session: JurySession
    courses: list[Course]

    def decision(self, index: int) -> CertificationDecision:
        return CertificationDecision.objects.get(
            session=self.session, enrolment=self.w.enrolments[index]
        )


def _course(w: World, code: str, ects: str, position: int) -> Course:
    enrolment = w.enrolments[0]
    return CourseFactory(
        edition=w.edition,
        year=enrolment.year,
        code=code,
        title_fr=f"Géopolitique appliquée {position} — études de cas",
        title_en=f"Applied geopolitics {position} — case studies",
        ects=Decimal(ects),
        position=position,
    )


def _course_exam(w: World, course: Course, code: str, weight: str, session: str) -> Assessment:
    return AssessmentFactory(
        edition=w.edition,
        course=course,
        code=code,
        title_fr=f"Évaluation {code}",
        title_en=f"Assessment {code}",
        modality="written_exam",
        date=dt.date(2025, 5, 15),
        weight=Decimal(weight),
        session=session,
    )


def documents_world(*, close: bool = True, learners: int = 3) -> Docs:
    w = world(learners=learners)
    for n, enrolment in enumerate(w.enrolments):
        User.objects.filter(pk=enrolment.learner.user_id).update(full_name=NAMES[n % len(NAMES)])
    b1, b2, b3, _b4 = w.blocks
    for n, enrolment in enumerate(w.enrolments):
        if n % 3 == 0:
            for blk in (b1, b2, b3):
                grade(w, enrolment, blk, 14)
        elif n % 3 == 1:
            grade(w, enrolment, b1, 12)
            grade(w, enrolment, b2, 8)
    courses = [
        _course(w, "GEO1", "30", 1),
        _course(w, "GEO2", "20", 2),
        _course(w, "GEO3", "10", 3),
    ]
    exams = {
        c.code: (
            _course_exam(w, c, f"{c.code}-A", "1", "first"),
            _course_exam(w, c, f"{c.code}-B", "3", "first"),
        )
        for c in courses
    }
    resit = _course_exam(w, courses[1], "GEO2-R", "1", "resit")
    for n, enrolment in enumerate(w.enrolments):
        for c in courses:
            a, b = exams[c.code]
            # learner a: 12 and 16 → 15.00; learner b fails GEO2 (6, 8 → 7.50), resit 11.50.
            low = n % 3 == 1 and c.code == "GEO2"
            ResultFactory(assessment=a, enrolment=enrolment, grade=Decimal(6 if low else 12))
            if n % 3 == 2 and c.code == "GEO3":  # learner c: unjustified absence → 3.00, failed
                ResultFactory(assessment=b, enrolment=enrolment, grade=None, absence="unjustified")
            else:
                ResultFactory(assessment=b, enrolment=enrolment, grade=Decimal(8 if low else 16))
        if n % 3 == 1:
            ResultFactory(assessment=resit, enrolment=enrolment, grade=Decimal("11.5"))
    s = session(w)
    jury_services.deliberate(session=s, actor=w.member)
    if close:
        s = jury_services.session_close(session=s, actor=w.president)
    return Docs(w, s, courses)
