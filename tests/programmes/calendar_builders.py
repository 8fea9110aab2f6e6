"""A minimal catalogue with calendars, built with the ORM, for the calendar tests (pages,
feed, API, browser): one programme, one year, one specialisation, the 2026/27 edition, and a
campus per rhythm of SPEC §2 with an offering, a rhythm and a calendar for each track."""

from __future__ import annotations

import datetime as dt

from capitalis.programmes.models import (
    Calendar,
    CalendarEvent,
    CampusRhythm,
    RhythmKind,
    SchoolClosure,
    Track,
)
from tests.factories.programmes import (
    CampusFactory,
    EditionFactory,
    OfferingFactory,
    ProgrammeFactory,
    ProgrammeYearFactory,
    SpecialisationFactory,
)
from tests.factories.referential import (
    BlockFactory,
    CertificationFactory,
    CertificationVersionFactory,
)

EDITION = "2026-27"

RHYTHMS = {
    # campus code: {track: (kind, params)}
    "PARIS": {
        Track.WORK_STUDY: (
            RhythmKind.ALTERNATING_WEEKS,
            {"company_weeks": 2, "school_weeks": 1, "first": "school"},
        ),
        Track.INITIAL: (RhythmKind.INTERNSHIP, {"start": "2027-03-01", "months": 6}),
    },
    "BORDEAUX": {
        Track.WORK_STUDY: (RhythmKind.ALTERNATING_DAYS, {"school_weekdays": [3, 4]}),
        Track.INITIAL: (RhythmKind.ALTERNATING_DAYS, {"school_weekdays": [3, 4]}),
    },
}


def build_calendars(*, closures: int = 1, events: int = 0) -> dict[tuple[str, str], Calendar]:
    """The calendars by (campus code, track); ``closures`` general closures and ``events``
    dated events on each calendar."""
    certification = CertificationFactory(code="RNCP99998", title_fr="Essai")
    version = CertificationVersionFactory(
        certification=certification, code="V1", label_fr="V1", status="current"
    )
    block = BlockFactory(
        version=version, code="RNCP99998BC01", title_fr="Bloc", kind="optional", position=1
    )
    programme = ProgrammeFactory(
        code="MSC-CAL",
        title_fr="MSc calendrier",
        title_en="MSc calendar",
        certification_version=version,
    )
    year = ProgrammeYearFactory(
        programme=programme, code="MSC1", title_fr="MSc 1", title_en="MSc 1", position=1
    )
    spe = SpecialisationFactory(
        programme=programme, code="SPE1", title_fr="Spé 1", title_en="Spe 1", block=block
    )
    edition = EditionFactory(programme=programme, start_year=2026)
    assert edition.code == EDITION
    for n in range(closures):
        SchoolClosure.objects.create(
            edition=edition,
            start_date=dt.date(2026, 12, 21) + dt.timedelta(days=28 * n),
            end_date=dt.date(2027, 1, 1) + dt.timedelta(days=28 * n),
            label_fr="Vacances de Noël" if n == 0 else f"Fermeture {n}",
            label_en="Christmas break" if n == 0 else f"Closure {n}",
        )
    out: dict[tuple[str, str], Calendar] = {}
    for position, (code, tracks) in enumerate(RHYTHMS.items()):
        campus = CampusFactory(code=code, name=code.capitalize(), position=position)
        for track, (kind, params) in tracks.items():
            OfferingFactory(
                edition=edition, campus=campus, year=year, specialisation=spe, track=track
            )
            CampusRhythm.objects.create(
                edition=edition, campus=campus, track=track, kind=kind, params=params
            )
            calendar = Calendar.objects.create(edition=edition, campus=campus, track=track)
            for n in range(events):
                day = dt.date(2027, 1, 11) + dt.timedelta(days=7 * n)
                CalendarEvent.objects.create(
                    calendar=calendar,
                    kind=CalendarEvent.Kind.ASSESSMENT,
                    start_date=day,
                    end_date=day,
                    title_fr=f"Évaluation {n + 1}",
                    title_en=f"Assessment {n + 1}",
                    uid=f"assessment-{calendar.pk}-{n}@capitalis",
                )
            out[(code, str(track))] = calendar
    return out
