"""Surveys (issue 7 point 2): shipped questionnaires, creation, recipients, invitations by
e-mail with a personal link (only its hash stored), reminders (at most N, not before X days),
response rates, answering (each bad input: reused link, forged link, out-of-range answer,
missing required answer, closed survey → translated error, nothing changed)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from capitalis.core.data import DataFileError
from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.reporting.models import Survey, SurveyAnswer, SurveyInvitation
from capitalis.reporting.surveys import data as data_surveys
from capitalis.reporting.surveys import queries as queries_surveys
from capitalis.reporting.surveys import services as services_surveys
from tests.jury.builders import person
from tests.reporting.surveys.builders import (
    TODAY,
    close_jury,
    make_survey,
    send,
    survey_world,
    tokens_from_outbox,
)

pytestmark = pytest.mark.django_db

GOOD = {"overall": "4", "content": "5", "recommend": "yes", "comment": "Très bien."}


# --- questionnaires --------------------------------------------------------------------------


def test_the_four_questionnaires_are_shipped_with_the_codes_the_indicators_read():
    found = data_surveys.questionnaires()
    assert set(found) == set(data_surveys.KINDS)
    for kind, (code, qtype) in data_surveys.REQUIRED_QUESTION.items():
        q = next(q for q in found[kind].questions if q["code"] == code)
        assert q["type"] == qtype and q["required"]
        assert q["label_fr"] and q["label_en"]  # bilingual
    overall = found["satisfaction_teaching"].questions[0]
    assert (overall["min"], overall["max"]) == (1, 5)


def test_a_bad_questionnaire_file_is_refused_with_the_key_path(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "kind: satisfaction_teaching\ntitle_fr: X\nquestions:\n"
        "  - {code: overall, type: scale, min: 0, max: 10, label_fr: Note}\n"
        "  - {code: colour, type: choice, label_fr: Couleur}\n"
    )
    with translation.override("en"), pytest.raises(DataFileError) as err:
        data_surveys.parse_questionnaire(path)
    text = str(err.value)
    assert "'overall' must be a 1–5 scale" in text
    assert "questions[1]: a choice question needs choices" in text


def test_load_data_refreshes_unanswered_surveys_only_and_is_idempotent():
    from capitalis.core.services import data_load

    sw = survey_world()
    survey = make_survey(sw)
    Survey.objects.filter(pk=survey.pk).update(questions=[])
    counts = data_surveys.apply_questionnaires(list(data_surveys.questionnaires().values()))
    assert counts.by_model["reporting.survey"]["updated"] == 1
    survey.refresh_from_db()
    assert survey.questions[0]["code"] == "overall"
    again = data_surveys.apply_questionnaires(list(data_surveys.questionnaires().values()))
    assert again.by_model["reporting.survey"]["updated"] == 0
    assert data_load is not None


# --- creation and recipients -----------------------------------------------------------------


def test_create_copies_the_shipped_questions_and_is_audited():
    sw = survey_world()
    survey = make_survey(sw)
    assert survey.programme_id == sw.w.edition.programme_id
    assert [q["code"] for q in survey.questions] == ["overall", "content", "recommend", "comment"]
    assert survey.title_fr == "Votre satisfaction sur les enseignements"
    assert AuditEvent.objects.filter(action="reporting.survey_create").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "code", "fragment"),
    [
        ({"closes_on": TODAY - dt.timedelta(days=10)}, "dates", "se clôturer après"),
        ({"kind": "weather"}, "kind", "Type d’enquête inconnu"),
    ],
)
def test_create_refuses_bad_input_in_french(kwargs, code, fragment):
    sw = survey_world()
    with translation.override("fr"), pytest.raises(DomainError) as err:
        make_survey(sw, **kwargs)
    assert err.value.code == code and fragment in err.value.message
    assert not Survey.objects.exists()


def test_create_refuses_a_second_survey_of_a_kind_and_a_non_director():
    sw = survey_world()
    make_survey(sw)
    with pytest.raises(DomainError) as err:
        make_survey(sw)
    assert err.value.code == "duplicate"
    learner = sw.w.enrolments[0].learner.user
    with pytest.raises(DomainError) as err:
        services_surveys.survey_create(
            edition=sw.w.edition,
            kind="employment_6m",
            opens_on=TODAY,
            closes_on=TODAY + dt.timedelta(days=3),
            actor=learner,
        )
    assert err.value.code == "forbidden"
    assert Survey.objects.count() == 1


def test_recipients_per_kind():
    sw = survey_world(learners=4)
    e = sw.w.enrolments
    e[1].status = "withdrawn"
    e[1].save(update_fields=["status"])
    teaching = make_survey(sw)
    work = make_survey(sw, kind="satisfaction_work_study")
    employment = make_survey(sw, kind="employment_6m")
    assert set(queries_surveys.recipients(survey=teaching)) == {
        e[0].learner,
        e[2].learner,
        e[3].learner,
    }
    assert list(queries_surveys.recipients(survey=work)) == [e[3].learner]  # work-study only
    assert list(queries_surveys.recipients(survey=employment)) == []  # no decision yet
    close_jury(sw, enrolments=2)
    assert set(queries_surveys.recipients(survey=employment)) == {e[0].learner, e[1].learner}


# --- invitations and personal links ----------------------------------------------------------


def test_invitations_mail_a_personal_link_whose_hash_only_is_stored(
    django_capture_on_commit_callbacks,
):
    sw = survey_world()
    survey = make_survey(sw)
    tokens = send(sw, survey, django_capture_on_commit_callbacks)
    assert len(tokens) == 3 and len(mail.outbox) == 3
    for invitation in SurveyInvitation.objects.filter(survey=survey):
        token = tokens[invitation.email]
        assert len(token) >= 43  # token_urlsafe(32)
        assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in invitation.token_hash and invitation.sent_at is not None
    english = next(m for m in mail.outbox if m.to[0] == sw.w.enrolments[-1].learner.user.email)
    assert english.subject == "Your satisfaction with the teaching"
    assert "Your personal link" in english.body
    french = next(m for m in mail.outbox if m.to[0] == sw.w.enrolments[0].learner.user.email)
    assert "Votre lien personnel" in french.body
    # inviting again invites nobody new and mails nobody
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services_surveys.survey_invite(survey=survey, actor=sw.director, today=TODAY) == 0
    assert mail.outbox == []


def test_a_closed_survey_cannot_be_sent(django_capture_on_commit_callbacks):
    sw = survey_world()
    survey = make_survey(
        sw, opens_on=TODAY - dt.timedelta(days=40), closes_on=TODAY - dt.timedelta(days=1)
    )
    with pytest.raises(DomainError) as err:
        services_surveys.survey_invite(survey=survey, actor=sw.director, today=TODAY)
    assert err.value.code == "closed" and not SurveyInvitation.objects.exists()


def test_reminders_at_most_n_not_before_x_days_with_the_same_link(
    django_capture_on_commit_callbacks, settings
):
    settings.SURVEY_MAX_REMINDERS = 2
    settings.SURVEY_REMINDER_DAYS = 7
    sw = survey_world()
    survey = make_survey(sw)
    tokens = send(sw, survey, django_capture_on_commit_callbacks)
    answered_email = sw.w.enrolments[0].learner.user.email
    services_surveys.survey_answer(token=tokens[answered_email], answers=GOOD, today=TODAY)
    now = timezone.now()  # on TODAY: tests/reporting/conftest.py holds the clock there
    mail.outbox.clear()
    # sent 6 days ago: too early
    SurveyInvitation.objects.update(sent_at=now - dt.timedelta(days=6))
    assert services_surveys.survey_remind(today=TODAY) == 0
    # sent a week ago: the two who have not answered get a reminder with a new link
    SurveyInvitation.objects.update(sent_at=now - dt.timedelta(days=7))
    assert services_surveys.survey_remind(today=TODAY) == 2
    assert answered_email not in {m.to[0] for m in mail.outbox}
    assert {m.subject.split(" ")[0] for m in mail.outbox} == {"Rappel", "Reminder:"}
    reminded = tokens_from_outbox()
    assert len(reminded) == 2
    for email, token in reminded.items():
        # the reminder carries the link of the first e-mail, which still works
        assert token == tokens[email]
        assert queries_surveys.invitation_by_token(token=token).email == email
    assert all("même lien" in m.body or "same link" in m.body for m in mail.outbox)
    # reminded today: nothing more until a week has passed
    assert services_surveys.survey_remind(today=TODAY) == 0
    SurveyInvitation.objects.filter(reminders=1).update(last_reminded_at=now - dt.timedelta(days=7))
    assert services_surveys.survey_remind(today=TODAY) == 2
    # the limit (2) is reached: no third reminder, however long ago the last one was
    SurveyInvitation.objects.filter(reminders=2).update(
        last_reminded_at=now - dt.timedelta(days=30)
    )
    assert services_surveys.survey_remind(today=TODAY) == 0
    assert sorted(SurveyInvitation.objects.values_list("reminders", flat=True)) == [0, 2, 2]


def test_survey_reminders_command_dry_run_and_limits(django_capture_on_commit_callbacks):
    sw = survey_world()
    survey = make_survey(sw)
    send(sw, survey, django_capture_on_commit_callbacks)
    SurveyInvitation.objects.update(sent_at=timezone.now() - dt.timedelta(days=10))
    mail.outbox.clear()
    from io import StringIO

    out = StringIO()
    call_command("survey_reminders", "--dry-run", stdout=out)
    assert "reminders due: 3" in out.getvalue() and mail.outbox == []
    call_command("survey_reminders", "--max", "0", stdout=out)
    assert mail.outbox == []
    call_command("survey_reminders", "--days", "11", stdout=out)
    assert mail.outbox == []
    call_command("survey_reminders", stdout=out)
    assert len(mail.outbox) == 3 and "reminders sent: 3" in out.getvalue()


def test_send_surveys_command(capsys):
    sw = survey_world()
    survey = make_survey(sw)
    call_command("send_surveys", "--survey", str(survey.pk), "--today", TODAY.isoformat())
    assert "invited: 3, e-mailed: 3" in capsys.readouterr().out
    assert len(mail.outbox) == 3


# --- answering -------------------------------------------------------------------------------


def _one(django_capture_on_commit_callbacks, **survey_kwargs):
    sw = survey_world()
    survey = make_survey(sw, **survey_kwargs)
    tokens = send(sw, survey, django_capture_on_commit_callbacks)
    email = sw.w.enrolments[0].learner.user.email
    return sw, survey, tokens[email]


def test_answers_are_saved_at_once_with_an_audit_record_without_personal_content(
    django_capture_on_commit_callbacks,
):
    sw, _survey, token = _one(django_capture_on_commit_callbacks)
    invitation = services_surveys.survey_answer(token=token, answers=GOOD, today=TODAY)
    rows = {
        a.question: (a.number, a.text) for a in SurveyAnswer.objects.filter(invitation=invitation)
    }
    assert rows == {
        "overall": (4, ""),
        "content": (5, ""),
        "recommend": (1, ""),
        "comment": (None, "Très bien."),
    }
    assert invitation.answered_at is not None
    event = AuditEvent.objects.get(action="reporting.survey_answer")
    blob = event.summary + str(event.data)
    assert "Très bien" not in blob and invitation.email not in blob
    assert sw.w.enrolments[0].learner.user.full_name not in blob


def test_employment_answers_store_yes_no_as_1_0(django_capture_on_commit_callbacks):
    sw = survey_world()
    close_jury(sw, enrolments=2)
    survey = make_survey(sw, kind="employment_6m")
    tokens = send(sw, survey, django_capture_on_commit_callbacks)
    a, b = (tokens[e.learner.user.email] for e in sw.w.enrolments[:2])
    services_surveys.survey_answer(
        token=a, answers={"employed": "yes", "contract": "permanent"}, today=TODAY
    )
    services_surveys.survey_answer(token=b, answers={"employed": False}, today=TODAY)
    assert sorted(
        SurveyAnswer.objects.filter(question="employed").values_list("number", flat=True)
    ) == [0, 1]
    assert SurveyAnswer.objects.get(question="contract").text == "permanent"


def test_a_reused_link_is_refused_and_changes_nothing(django_capture_on_commit_callbacks):
    _sw, _survey, token = _one(django_capture_on_commit_callbacks)
    services_surveys.survey_answer(token=token, answers=GOOD, today=TODAY)
    before = list(SurveyAnswer.objects.values_list("question", "number", "text"))
    with translation.override("fr"), pytest.raises(DomainError) as err:
        services_surveys.survey_answer(token=token, answers={**GOOD, "overall": "1"}, today=TODAY)
    assert err.value.code == "answered" and "déjà répondu" in err.value.message
    assert list(SurveyAnswer.objects.values_list("question", "number", "text")) == before


def test_a_forged_link_is_unknown(django_capture_on_commit_callbacks):
    _sw, _survey, token = _one(django_capture_on_commit_callbacks)
    for forged in (token[:-2] + "xx", "x" * 43, "", "a" * 500):
        with translation.override("fr"), pytest.raises(DomainError) as err:
            services_surveys.survey_answer(token=forged, answers=GOOD, today=TODAY)
        assert err.value.code == "unknown" and "lien" in err.value.message
    assert not SurveyAnswer.objects.exists()


@pytest.mark.parametrize(
    ("answers", "code", "message"),
    [
        ({**GOOD, "overall": "6"}, "overall", "Choisissez un nombre entier entre 1 et 5."),
        ({**GOOD, "overall": "0"}, "overall", "Choisissez un nombre entier entre 1 et 5."),
        ({**GOOD, "overall": "4.5"}, "overall", "Choisissez un nombre entier entre 1 et 5."),
        ({**GOOD, "content": ""}, "content", "Cette question attend une réponse."),
        (
            {k: v for k, v in GOOD.items() if k != "recommend"},
            "recommend",
            "Cette question attend une réponse.",
        ),
        ({**GOOD, "recommend": "maybe"}, "recommend", "Répondez par oui ou par non."),
        ({**GOOD, "extra": "1"}, "extra", "Cette enquête n’a pas de question « extra »."),
        ({**GOOD, "comment": "x" * 2001}, "comment", "Votre réponse est trop longue"),
    ],
)
def test_bad_answers_are_refused_in_french_and_nothing_is_saved(
    django_capture_on_commit_callbacks, answers, code, message
):
    _sw, _survey, token = _one(django_capture_on_commit_callbacks)
    with translation.override("fr"), pytest.raises(services_surveys.AnswerErrors) as err:
        services_surveys.survey_answer(token=token, answers=answers, today=TODAY)
    assert message in err.value.errors[code]
    assert not SurveyAnswer.objects.exists()
    assert SurveyInvitation.objects.filter(answered_at__isnull=False).count() == 0
    # then a good answer goes through
    services_surveys.survey_answer(token=token, answers=GOOD, today=TODAY)
    assert SurveyAnswer.objects.count() == 4


def test_a_choice_outside_the_options_is_refused(django_capture_on_commit_callbacks):
    sw = survey_world()
    close_jury(sw, enrolments=1)
    survey = make_survey(sw, kind="employment_2y")
    token = next(iter(send(sw, survey, django_capture_on_commit_callbacks).values()))
    with translation.override("en"), pytest.raises(services_surveys.AnswerErrors) as err:
        services_surveys.survey_answer(
            token=token, answers={"employed": "yes", "contract": "astronaut"}, today=TODAY
        )
    assert err.value.errors == {"contract": "Choose one of the options offered."}


def test_a_closed_survey_refuses_answers(django_capture_on_commit_callbacks):
    _sw, survey, token = _one(django_capture_on_commit_callbacks)
    with translation.override("fr"), pytest.raises(DomainError) as err:
        services_surveys.survey_answer(
            token=token, answers=GOOD, today=survey.closes_on + dt.timedelta(days=1)
        )
    assert err.value.code == "closed" and "n’est plus possible" in err.value.message
    with pytest.raises(DomainError) as err:
        services_surveys.survey_answer(
            token=token, answers=GOOD, today=survey.opens_on - dt.timedelta(days=1)
        )
    assert err.value.code == "not_open"
    assert not SurveyAnswer.objects.exists()


# --- response rates --------------------------------------------------------------------------


def test_response_rates_and_campus_scope(django_capture_on_commit_callbacks):
    from capitalis.accounts.rules import Role, ScopeKind
    from capitalis.programmes.models import Campus

    sw = survey_world()
    survey = make_survey(sw)
    tokens = send(sw, survey, django_capture_on_commit_callbacks)
    services_surveys.survey_answer(
        token=tokens[sw.w.enrolments[0].learner.user.email], answers=GOOD, today=TODAY
    )
    rates = queries_surveys.response_rates(survey_ids=[survey.pk])[survey.pk]
    assert (rates.invited, rates.sent, rates.answered, rates.percent) == (3, 3, 1, 33)
    campus = sw.w.enrolments[0].campus
    other = Campus.objects.create(code="OTHER", name="Autre", position=9)
    sw.w.enrolments[2].campus = other
    sw.w.enrolments[2].save(update_fields=["campus"])
    coordinator = person(
        "coord@example.org", "Coord", (Role.CAMPUS_COORDINATOR, ScopeKind.CAMPUS, campus.pk)
    )
    scoped = queries_surveys.response_rates(
        survey_ids=[survey.pk], campuses=queries_surveys.campus_scope(coordinator)
    )[survey.pk]
    assert (scoped.invited, scoped.answered) == (2, 1)
    assert list(queries_surveys.survey_list_for(user=coordinator)) == [survey]
    stranger = person("stranger@example.org", "Personne")
    assert list(queries_surveys.survey_list_for(user=stranger)) == []
