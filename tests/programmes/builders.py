"""A small bilingual catalogue built with the ORM for page, API and browser tests that do not
need the whole shipped data: one programme on a test certification, two years, two
specialisations, ``editions`` editions on ``campuses`` campuses, ``courses`` courses per year,
each assessing a competency, and fee schedules for both tracks."""

from __future__ import annotations

from decimal import Decimal

from capitalis.programmes.models import CourseCompetency, Programme, Track
from capitalis.referential.models import Block, Competency
from tests.factories.finance import FeeScheduleFactory
from tests.factories.programmes import (
    CampusFactory,
    CourseFactory,
    EditionFactory,
    OfferingFactory,
    ProgrammeFactory,
    ProgrammeYearFactory,
    SpecialisationFactory,
)
from tests.web.builders import build_certification

PROGRAMME = "MSC-TEST"


def build_catalogue(
    *,
    editions: int = 1,
    campuses: int = 2,
    courses: int = 2,
    certification: str = "RNCP99999",
    code: str = PROGRAMME,
) -> Programme:
    cert = build_certification(certification)
    version = cert.versions.get(code="V2")
    programme = ProgrammeFactory(
        code=code,
        title_fr="MSc Expert en essais",
        title_en="MSc Expert in testing",
        description_fr="Un programme d'essai.",
        description_en="A test programme.",
        languages="fr, en",
        certification_version=version,
    )
    years = [
        ProgrammeYearFactory(
            programme=programme,
            code=f"MSC{n}",
            title_fr=f"MSc {n}e année",
            title_en=f"MSc year {n}",
            position=n,
        )
        for n in (1, 2)
    ]
    optional = list(Block.objects.filter(version=version, kind="optional").order_by("position"))
    specs = [
        SpecialisationFactory(
            programme=programme,
            code=f"SPE{i + 1}",
            title_fr=f"Spécialité {i + 1}",
            title_en=f"Specialisation {i + 1}",
            block=block,
            position=i,
        )
        for i, block in enumerate(optional)
    ]
    competencies = list(
        Competency.objects.filter(block__version=version).order_by("block__position", "position")
    )
    places = [
        CampusFactory(
            code=f"CAMPUS{i}" if code == PROGRAMME else f"{code}-C{i}",
            name=f"Campus {i}",
            city=f"Ville {i}",
            position=i,
        )
        for i in range(campuses)
    ]
    for e in range(editions):
        start = 2024 + 2 * e
        edition = EditionFactory(programme=programme, start_year=start)
        for place in places:
            for year in years:
                for spec in specs:
                    for track in Track.values:
                        OfferingFactory(
                            edition=edition,
                            campus=place,
                            year=year,
                            specialisation=spec,
                            track=track,
                        )
        n = 0
        for year in years:
            for c in range(courses):
                spec = None if c % 2 == 0 else specs[c % len(specs)]
                course = CourseFactory(
                    edition=edition,
                    year=year,
                    specialisation=spec,
                    code=f"E{e}Y{year.position}C{c}",
                    title_fr=f"Cours {c} année {year.position}",
                    title_en=f"Course {c} year {year.position}",
                    ects=Decimal("7.5"),
                    hours=30,
                    language="fr-en",
                    teaching_methods=["tutorials", "e_learning"],
                    position=c,
                )
                CourseCompetency.objects.create(
                    course=course,
                    competency=competencies[n % len(competencies)],
                    role=CourseCompetency.Role.ASSESSES,
                )
                CourseCompetency.objects.create(
                    course=course,
                    competency=competencies[(n + 1) % len(competencies)],
                    role=CourseCompetency.Role.DEVELOPS,
                )
                n += 1
        # the initial track's fees are the factory's defaults
        FeeScheduleFactory(programme=programme, academic_year=edition.code, track=Track.INITIAL)
        FeeScheduleFactory(
            programme=programme,
            academic_year=edition.code,
            track=Track.WORK_STUDY,
            tuition=Decimal("10950.00"),
            deposit=Decimal("0.00"),
            application_fee=Decimal("80.00"),
            cvec=Decimal("103.00"),
            third_party_pays=True,
        )
    return programme
