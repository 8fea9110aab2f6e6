"""Small data for the survey tests: the jury test world (one edition, learners enrolled in MSc 1,
a programme director), one learner on the work-study track who prefers English, and helpers to
close a jury session (alumni), create and send a survey, read the link from the e-mail."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core import mail
from django.utils import timezone

from capitalis.accounts.models import User
from capitalis.jury import services as jury_services
from capitalis.jury.models import JurySession
from capitalis.programmes.models import Track
from capitalis.reporting.models import Survey
from capitalis.reporting.surveys import services as services_surveys
from tests.jury.builders import World, grade, world

TODAY = timezone.localdate()  # surveys date from it; conftest.py keeps the clock on it
LINK = re.compile(r"/survey/([A-Za-z0-9_\-]+)/")


@dataclass
class SurveyWorld:
    w: World
    director: User


def survey_world(learners: int = 3) -> SurveyWorld:
    w = world(learners=learners)
    last = w.enrolments[-1]
    last.track = Track.WORK_STUDY
    last.save(update_fields=["track"])
    user = last.learner.user
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    return SurveyWorld(w=w, director=w.director)


def close_jury(sw: SurveyWorld, enrolments: int = 2) -> JurySession:
    """A closed jury session deciding the first ``enrolments`` learners (the alumni)."""
    w = sw.w
    chosen = w.enrolments[:enrolments]
    for e in chosen:
        grade(w, e, w.blocks[0], 14)
        grade(w, e, w.blocks[1], 13)
    s = jury_services.session_create(
        version=w.version,
        date=dt.date(2025, 7, 1),
        title="Jury juillet",
        president=w.president,
        members=[w.member],
        enrolments=chosen,
        actor=w.director,
    )
    jury_services.deliberate(session=s, actor=w.president)
    JurySession.objects.filter(pk=s.pk).update(status="closed", closed_at=timezone.now())
    return s


def make_survey(
    sw: SurveyWorld,
    kind: str = "satisfaction_teaching",
    opens_on: dt.date = TODAY - dt.timedelta(days=5),
    closes_on: dt.date = TODAY + dt.timedelta(days=30),
) -> Survey:
    return services_surveys.survey_create(
        edition=sw.w.edition, kind=kind, opens_on=opens_on, closes_on=closes_on, actor=sw.director
    )


def send(sw: SurveyWorld, survey: Survey, captured) -> dict[str, str]:
    """Invite and mail (on-commit callbacks run); returns e-mail address → token."""
    mail.outbox.clear()
    with captured(execute=True):
        services_surveys.survey_invite(survey=survey, actor=sw.director, today=TODAY)
    return tokens_from_outbox()


def tokens_from_outbox() -> dict[str, str]:
    found = {}
    for message in mail.outbox:
        match = LINK.search(str(message.body))
        assert match, message.body
        found[message.to[0]] = match.group(1)
    return found
