"""Demo step: surveys sent to the demo cohorts and their answers, so the satisfaction and
employment indicators have data.

For every edition with learners: satisfaction with teaching (and with work-study when it has
work-study learners) in the last two months of the edition; for an edition whose learners have
a certification decision (the past cohorts of the indicators step), employment at 6 months and
at 2 years once those dates are past. About four in five recipients answer, with mixed values.
The surveys of an edition still running stay open, some learners not having answered yet.

Through the services (create, invite without mailing, issue a link, answer); generated people
only (the demo learners). Idempotent: a survey that exists (kind, edition) is left as it is.
Runs after the indicators step (order 900), which creates the past cohorts."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from capitalis.accounts.demo import DemoContext, demo_step
from capitalis.accounts.rules import Role
from capitalis.core import clock
from capitalis.enrolment.models import Enrolment
from capitalis.programmes.models import Edition
from capitalis.reporting.models import Survey, SurveyInvitation, SurveyKind
from capitalis.reporting.surveys import queries, services

# Mixed answers, picked by the recipient's position (deterministic).
OVERALL = (5, 4, 4, 3, 5, 4, 2, 4, 5, 3, 4, 5, 1)
CONTRACTS = ("permanent", "fixed_term", "permanent", "self_employed", "short")


def _answers(kind: str, index: int) -> dict[str, object]:
    if kind in queries.EMPLOYMENT_KINDS:
        employed = index % 9 != 4 if kind == SurveyKind.EMPLOYMENT_2Y else index % 6 != 2
        answers: dict[str, object] = {"employed": "yes" if employed else "no"}
        if employed:
            answers["in_field"] = "yes" if index % 3 else "no"
            answers["contract"] = CONTRACTS[index % len(CONTRACTS)]
        else:
            answers["seeking"] = "yes"
        return answers
    overall = OVERALL[index % len(OVERALL)]
    second = "rhythm" if kind == SurveyKind.SATISFACTION_WORK_STUDY else "content"
    third = "tutor_support" if kind == SurveyKind.SATISFACTION_WORK_STUDY else "recommend"
    answers = {
        "overall": overall,
        second: max(1, min(5, overall + (index % 3) - 1)),
        third: "yes" if overall >= 3 else "no",
    }
    if index % 4 == 0:
        answers["comment"] = "Réponse de démonstration." if index % 8 else "Demo answer."
    return answers


def _windows(edition: Edition, alumni: bool, today: date) -> list[tuple[str, date, date]]:
    """(kind, opens_on, closes_on) of the surveys this edition gets, as of ``today``."""
    end = edition.end_date
    windows = [
        (SurveyKind.SATISFACTION_TEACHING.value, end - timedelta(days=60), end),
        (SurveyKind.SATISFACTION_WORK_STUDY.value, end - timedelta(days=60), end),
    ]
    if alumni:
        six = end + relativedelta(months=6)
        two = end + relativedelta(years=2)
        windows.append((SurveyKind.EMPLOYMENT_6M.value, six, six + timedelta(days=45)))
        windows.append((SurveyKind.EMPLOYMENT_2Y.value, two, two + timedelta(days=45)))
    if end > today:  # a running edition: its satisfaction surveys are open now
        windows = [
            (k, today - timedelta(days=10), today + timedelta(days=30))
            for k, *_dates in windows
            if k in (SurveyKind.SATISFACTION_TEACHING, SurveyKind.SATISFACTION_WORK_STUDY)
        ]
    return [(k, o, c) for k, o, c in windows if o <= today]


@demo_step(order=950, name="surveys")
def surveys_step(ctx: DemoContext) -> None:
    director = ctx.users.get(Role.PROGRAMME_DIRECTOR)
    if director is None:
        return
    today = clock.today()
    editions = Edition.objects.filter(pk__in=Enrolment.objects.values("edition_id")).select_related(
        "programme"
    )
    created = answered = 0
    link_noted = False
    for edition in editions.order_by("start_date"):
        alumni = queries.recipients(
            survey=Survey(kind=SurveyKind.EMPLOYMENT_6M, edition=edition)
        ).exists()
        for kind, opens_on, closes_on in _windows(edition, alumni, today):
            if Survey.objects.filter(kind=kind, edition=edition).exists():
                continue
            survey = Survey(kind=kind, edition=edition)
            if not queries.recipients(survey=survey).exists():
                continue
            survey = services.survey_create(
                edition=edition, kind=kind, opens_on=opens_on, closes_on=closes_on, actor=director
            )
            created += 1
            services.survey_invite(survey=survey, actor=director, today=opens_on, send=False)
            running = closes_on >= today
            invitations = list(
                SurveyInvitation.objects.filter(survey=survey).order_by("learner_id")
            )
            for index, invitation in enumerate(invitations):
                token = services.invitation_token_issue(invitation=invitation)
                if index % 5 == 3 or (running and index % 3 == 1):
                    if running and not link_noted:
                        ctx.note(
                            _("Surveys: an open survey link to try (no account needed): %(path)s")
                            % {"path": f"/survey/{token}/"}
                        )
                        link_noted = True
                    continue  # has not answered
                services.survey_answer(
                    token=token,
                    answers=_answers(kind, index),
                    today=min(opens_on + timedelta(days=3 + index % 10), closes_on),
                )
                answered += 1
    if created:
        ctx.note(
            _("Surveys: %(surveys)s surveys of the demo editions, %(answers)s answered.")
            % {"surveys": created, "answers": answered}
        )
