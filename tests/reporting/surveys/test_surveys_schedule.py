"""Surveys sent when due (issue 7 point 2): ``schedule_surveys`` creates the employment surveys 6
months and 2 years after an edition's certification decisions and the satisfaction surveys in its
last month, invites and e-mails; idempotent, audited, translated; edges of each window with
--today. And the personal link: derived from the secret key, so a reminder re-sends the link of
the first e-mail, which keeps working (also across a key rotation with the old key kept as a
fallback)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from capitalis.core.models import AuditEvent
from capitalis.reporting.models import Survey, SurveyAnswer, SurveyInvitation
from capitalis.reporting.surveys import queries as queries_surveys
from capitalis.reporting.surveys import rules as rules_surveys
from capitalis.reporting.surveys import services as services_surveys
from capitalis.reporting.surveys import tasks as tasks_surveys
from capitalis.reporting.surveys.rules import EditionFacts
from tests.reporting.surveys.builders import (
    TODAY,
    close_jury,
    make_survey,
    send,
    survey_world,
    tokens_from_outbox,
)

# close_jury: the session is dated 2025-07-01; the test edition 2024-25 ends on 2025-08-31.
DECIDED = dt.date(2025, 7, 1)
SIX_MONTHS = dt.date(2026, 1, 1)
TWO_YEARS = dt.date(2027, 7, 1)
END = dt.date(2025, 8, 31)


# --- rules (pure) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 7, 1), 6, dt.date(2026, 1, 1)),
        (dt.date(2025, 8, 31), 6, dt.date(2026, 2, 28)),  # clamped to the month's end
        (dt.date(2023, 8, 31), 6, dt.date(2024, 2, 29)),  # leap year
        (dt.date(2024, 2, 29), 24, dt.date(2026, 2, 28)),
        (dt.date(2025, 12, 15), 1, dt.date(2026, 1, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert rules_surveys.add_months(day, months) == expected


def _due(today, *, decided=DECIDED, work_study=True, window=30, last=30):
    facts = [EditionFacts(1, END, decided, work_study)]
    return [
        d.kind
        for d in rules_surveys.due_surveys(
            facts, today=today, window_days=window, satisfaction_days=last
        )
    ]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (SIX_MONTHS - dt.timedelta(days=1), []),
        (SIX_MONTHS, ["employment_6m"]),
        (SIX_MONTHS + dt.timedelta(days=29), ["employment_6m"]),  # last day of a 30-day window
        (SIX_MONTHS + dt.timedelta(days=30), []),
        (TWO_YEARS - dt.timedelta(days=1), []),
        (TWO_YEARS, ["employment_2y"]),
        (TWO_YEARS + dt.timedelta(days=30), []),
        (END - dt.timedelta(days=30), []),
        (END - dt.timedelta(days=29), ["satisfaction_teaching", "satisfaction_work_study"]),
        (END, ["satisfaction_teaching", "satisfaction_work_study"]),
        (END + dt.timedelta(days=1), []),
    ],
)
def test_due_surveys_at_the_edges_of_each_window(today, expected):
    assert _due(today) == expected


def test_due_surveys_without_decisions_or_work_study_and_bad_windows():
    assert _due(SIX_MONTHS, decided=None) == []
    assert _due(END, work_study=False) == ["satisfaction_teaching"]
    assert _due(SIX_MONTHS + dt.timedelta(days=40), window=45) == ["employment_6m"]
    with pytest.raises(ValueError):
        _due(END, window=0)


# --- the command -----------------------------------------------------------------------------


def _run(*args: str, language: str = "en") -> str:
    out = StringIO()
    with translation.override(language):
        call_command("schedule_surveys", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_employment_survey_created_and_sent_at_six_months_once():
    sw = survey_world()
    close_jury(sw, enrolments=2)
    # the day before: nothing
    out = _run("--today", (SIX_MONTHS - dt.timedelta(days=1)).isoformat())
    assert "0 survey(s) due, 0 created, 0 e-mail(s) sent." in out
    assert not Survey.objects.exists() and mail.outbox == []
    # dry run on the day: says what it would do, writes and sends nothing
    events = AuditEvent.objects.count()
    out = _run("--today", SIX_MONTHS.isoformat(), "--dry-run")
    assert "employment at 6 months (due since 2026-01-01): would be created, 2 to invite." in out
    assert "Dry run: 1 survey(s) due; nothing was created or sent." in out
    assert not Survey.objects.exists() and mail.outbox == []
    assert AuditEvent.objects.count() == events
    # on the day: created from the shipped questionnaire, both alumni invited and e-mailed
    out = _run("--today", SIX_MONTHS.isoformat())
    survey = Survey.objects.get()
    assert (survey.kind, survey.edition_id) == ("employment_6m", sw.w.edition.pk)
    assert (survey.opens_on, survey.closes_on) == (SIX_MONTHS, dt.date(2026, 1, 31))
    assert any(q["code"] == "employed" for q in survey.questions)
    assert f"survey {survey.pk} created, 2 invited, 2 e-mailed." in out
    assert "1 survey(s) due, 1 created, 2 e-mail(s) sent." in out
    assert sorted(m.to[0] for m in mail.outbox) == [
        e.learner.user.email for e in sw.w.enrolments[:2]
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "reporting.survey_create",
        "reporting.survey_invite",
        "reporting.survey_send",
        "reporting.survey_schedule",
    } <= actions
    run = AuditEvent.objects.get(action="reporting.survey_schedule")
    assert run.data["surveys"][0]["outcome"] == "created" and run.data["surveys"][0]["sent"] == 2
    # the links work
    tokens = tokens_from_outbox()
    token = tokens[sw.w.enrolments[0].learner.user.email]
    services_surveys.survey_answer(token=token, answers={"employed": "yes"}, today=SIX_MONTHS)
    # a second run, the same day or later in the window: nothing created, nothing sent
    mail.outbox.clear()
    events = AuditEvent.objects.count()
    for day in (SIX_MONTHS, SIX_MONTHS + dt.timedelta(days=29)):
        out = _run("--today", day.isoformat())
        assert "already open, 0 newly invited, 0 e-mailed." in out
        assert "1 survey(s) due, 0 created, 0 e-mail(s) sent." in out
    assert Survey.objects.count() == 1 and SurveyInvitation.objects.count() == 2
    assert mail.outbox == [] and AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_new_alumnus_in_the_window_is_invited_alone():
    sw = survey_world()
    close_jury(sw, enrolments=2)
    _run("--today", SIX_MONTHS.isoformat())
    survey = Survey.objects.get()
    # a recipient without an invitation (say, decided after the survey was created): a later
    # run in the window invites and mails her alone
    mail.outbox.clear()
    SurveyInvitation.objects.filter(learner=sw.w.enrolments[0].learner).delete()
    out = _run("--today", (SIX_MONTHS + dt.timedelta(days=3)).isoformat())
    assert f"survey {survey.pk} already open, 1 newly invited, 1 e-mailed." in out
    assert [m.to[0] for m in mail.outbox] == [sw.w.enrolments[0].learner.user.email]


@pytest.mark.django_db
def test_employment_windows_edges_and_two_years():
    sw = survey_world()
    close_jury(sw, enrolments=2)
    # after the window a missed survey is not sent months late
    out = _run("--today", (SIX_MONTHS + dt.timedelta(days=30)).isoformat())
    assert "0 survey(s) due" in out and not Survey.objects.exists()
    # the window is configurable
    out = _run("--today", (SIX_MONTHS + dt.timedelta(days=30)).isoformat(), "--window-days", "31")
    assert "1 created" in out
    out = _run("--today", (TWO_YEARS - dt.timedelta(days=1)).isoformat())
    assert "0 survey(s) due" in out
    out = _run("--today", TWO_YEARS.isoformat())
    assert "employment at 2 years" in out and "1 created, 2 e-mail(s) sent." in out
    assert sorted(Survey.objects.values_list("kind", flat=True)) == [
        "employment_2y",
        "employment_6m",
    ]


@pytest.mark.django_db
def test_satisfaction_surveys_in_the_last_month_in_french():
    sw = survey_world()  # 3 learners enrolled, the last one on the work-study track
    _run("--today", (END - dt.timedelta(days=30)).isoformat(), language="fr")
    assert not Survey.objects.exists()
    out = _run("--today", (END - dt.timedelta(days=29)).isoformat(), language="fr")
    kinds = dict(Survey.objects.values_list("kind", "pk"))
    assert set(kinds) == {"satisfaction_teaching", "satisfaction_work_study"}
    counts = {
        kind: SurveyInvitation.objects.filter(survey_id=pk).count() for kind, pk in kinds.items()
    }
    assert counts == {"satisfaction_teaching": 3, "satisfaction_work_study": 1}
    assert len(mail.outbox) == 4
    with translation.override("fr"):
        from django.utils.translation import gettext

        translated = gettext("%(due)s survey(s) due, %(created)s created, %(sent)s e-mail(s) sent.")
    assert translated % {"due": 2, "created": 2, "sent": 4} in out
    # on the last day: nothing more
    mail.outbox.clear()
    _run("--today", END.isoformat())
    assert Survey.objects.count() == 2 and mail.outbox == []
    assert sw.w.edition.end_date == END


@pytest.mark.django_db
def test_surveys_planned_by_staff_are_left_alone_and_nobody_to_ask_creates_nothing(
    django_capture_on_commit_callbacks,
):
    sw = survey_world()
    for e in sw.w.enrolments[-1:]:  # nobody on the work-study track any more
        e.track = "initial"
        e.save(update_fields=["track"])
    planned = make_survey(sw, opens_on=END + dt.timedelta(days=1), closes_on=END + dt.timedelta(30))
    out = _run("--today", END.isoformat())
    assert f"survey {planned.pk} opens later, left as it is." in out
    assert "satisfaction with work-study" not in out  # not due: no work-study learner
    assert Survey.objects.count() == 1 and not SurveyInvitation.objects.exists()
    assert mail.outbox == []
    # a closed one too
    Survey.objects.filter(pk=planned.pk).update(
        opens_on=END - dt.timedelta(days=20), closes_on=END - dt.timedelta(days=1)
    )
    out = _run("--today", END.isoformat())
    assert f"survey {planned.pk} is closed, left as it is." in out
    assert not SurveyInvitation.objects.exists()


@pytest.mark.django_db
def test_nobody_to_ask_creates_nothing_and_an_open_session_is_no_decision():
    sw = survey_world()
    for e in sw.w.enrolments:
        e.status = "withdrawn"
        e.save(update_fields=["status"])
    out = _run("--today", END.isoformat())
    assert "satisfaction with teaching (due since 2025-08-02): nobody to ask, not created." in out
    assert not Survey.objects.exists() and mail.outbox == []
    # decisions of a session not closed yet do not make anyone an alumnus
    from capitalis.jury.models import JurySession

    close_jury(sw, enrolments=2)
    JurySession.objects.update(status="open", closed_at=None)
    out = _run("--today", SIX_MONTHS.isoformat())
    assert "0 survey(s) due" in out and not Survey.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--window-days", "0"], "Les fenêtres des enquêtes durent au moins un jour."),
        (["--satisfaction-days", "-3"], "Les fenêtres des enquêtes durent au moins un jour."),
        (["--today", "2026-02-30"], "n’est pas une date"),
    ],
)
def test_bad_input_is_a_translated_error_and_changes_nothing(args, fragment):
    sw = survey_world()
    close_jury(sw, enrolments=2)
    with translation.override("fr"), pytest.raises(CommandError) as err:
        call_command("schedule_surveys", "--today", SIX_MONTHS.isoformat(), *args)
    assert fragment in str(err.value)
    assert not Survey.objects.exists() and mail.outbox == []


@pytest.mark.django_db
def test_the_celery_task_runs_the_schedule():
    sw = survey_world()
    close_jury(sw, enrolments=2)
    result = tasks_surveys.survey_schedule.delay(SIX_MONTHS.isoformat()).get()
    assert result == {"due": 1, "created": 1, "sent": 2}
    assert tasks_surveys.survey_schedule.delay(SIX_MONTHS.isoformat()).get() == {
        "due": 1,
        "created": 0,
        "sent": 0,
    }
    assert Survey.objects.count() == 1 and len(mail.outbox) == 2 and sw.w.edition.pk


@pytest.mark.django_db
def test_schedule_facts_take_three_queries(django_assert_num_queries):
    sw = survey_world()
    close_jury(sw, enrolments=2)
    with django_assert_num_queries(3):
        facts = queries_surveys.schedule_facts(
            today=SIX_MONTHS, window_days=30, satisfaction_days=30
        )
    assert facts == [EditionFacts(sw.w.edition.pk, END, DECIDED, True)]


# --- the personal link survives reminders ----------------------------------------------------


def _remindable():
    past = timezone.now() - dt.timedelta(days=8)
    SurveyInvitation.objects.update(sent_at=past)
    SurveyInvitation.objects.filter(last_reminded_at__isnull=False).update(last_reminded_at=past)
    mail.outbox.clear()


@pytest.mark.django_db
def test_the_link_of_the_first_email_still_works_after_a_reminder(
    django_capture_on_commit_callbacks,
):
    sw = survey_world()
    survey = make_survey(sw)
    first = send(sw, survey, django_capture_on_commit_callbacks)
    _remindable()
    assert services_surveys.survey_remind(today=TODAY) == 3
    assert tokens_from_outbox() == first  # the reminders carry the same links
    email = sw.w.enrolments[0].learner.user.email
    invitation = services_surveys.survey_answer(
        token=first[email], answers={"overall": "5", "content": "4", "recommend": "yes"}
    )
    assert invitation.email == email and invitation.reminders == 1
    assert SurveyAnswer.objects.filter(invitation=invitation).count() == 3
    # the token is not stored, and cannot be derived without the secret key
    assert first[email] not in invitation.token_hash
    assert services_surveys.derive_token(invitation, secret="another key") != first[email]


@pytest.mark.django_db
def test_a_rotated_secret_key_keeps_the_link_when_the_old_key_is_a_fallback(
    django_capture_on_commit_callbacks, settings
):
    sw = survey_world(learners=1)
    survey = make_survey(sw)
    first = send(sw, survey, django_capture_on_commit_callbacks)
    (email, token) = next(iter(first.items()))
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a new secret key for the rotation test, long enough to be fine"
    settings.SECRET_KEY_FALLBACKS = [old]
    _remindable()
    assert services_surveys.survey_remind(today=TODAY) == 1
    assert tokens_from_outbox() == {email: token}
    # without the old key the reminder mails the new key's link, and says it replaces the old
    settings.SECRET_KEY_FALLBACKS = []
    _remindable()
    assert services_surveys.survey_remind(today=TODAY) == 1
    new = tokens_from_outbox()[email]
    assert new != token
    assert "replaces" in mail.outbox[0].body or "remplace" in mail.outbox[0].body
    assert queries_surveys.invitation_by_token(token=token) is None
    assert queries_surveys.invitation_by_token(token=new).email == email


@pytest.mark.django_db
def test_a_stale_list_of_ids_does_not_mail_twice(django_capture_on_commit_callbacks):
    """Two runs at once (a beat task and a click) both list the same invitations: the mail is
    checked again under the row lock, so each goes out once."""
    sw = survey_world(learners=1)
    survey = make_survey(sw)
    send(sw, survey, django_capture_on_commit_callbacks)
    invitation = SurveyInvitation.objects.get()
    mail.outbox.clear()
    assert services_surveys._mail_one(invitation.pk) is False  # already mailed
    _remindable()
    due = services_surveys._ReminderDue(today=TODAY, limit=1, days=7)
    assert services_surveys.reminders_due(today=TODAY, limit=1, days=7) == [invitation.pk]
    assert services_surveys._mail_one(invitation.pk, reminder=due) is True
    # the second run's stale list still holds it: neither over the limit nor too soon
    assert services_surveys._mail_one(invitation.pk, reminder=due) is False
    later = services_surveys._ReminderDue(today=TODAY, limit=2, days=7)
    assert services_surveys._mail_one(invitation.pk, reminder=later) is False  # reminded today
    assert len(mail.outbox) == 1
    assert SurveyInvitation.objects.get().reminders == 1
