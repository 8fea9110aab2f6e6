"""Survey pages and API: the public answer page (FR/EN by the learner's language or the
switcher; each bad input a clear page or message with nothing saved), the staff pages (scoped,
flat query count) and the API (list, create, rates, invite, answer by token)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capitalis.accounts.rules import Role, ScopeKind
from capitalis.reporting.models import Survey, SurveyAnswer, SurveyInvitation
from tests.jury.builders import person
from tests.openapi_checks import answer_validated
from tests.reporting.surveys.builders import TODAY, make_survey, send, survey_world

pytestmark = pytest.mark.django_db

FORM = {"q_overall": "4", "q_content": "5", "q_recommend": "yes", "q_comment": ""}


def _setup(captured):
    sw = survey_world()
    survey = make_survey(sw)
    tokens = send(sw, survey, captured)
    fr = tokens[sw.w.enrolments[0].learner.user.email]
    en = tokens[sw.w.enrolments[-1].learner.user.email]  # prefers English
    return sw, survey, fr, en


def _url(token: str) -> str:
    return reverse("results:survey-answer", kwargs={"token": token})


# --- the answer page -------------------------------------------------------------------------


def test_answer_page_in_the_learners_language(django_capture_on_commit_callbacks):
    _sw, _survey, fr, en = _setup(django_capture_on_commit_callbacks)
    page = Client().get(_url(fr)).content.decode()
    assert 'lang="fr"' in page and "Votre satisfaction sur les enseignements" in page
    assert "Envoyer mes réponses" in page and 'name="q_overall"' in page
    page = Client().get(_url(en)).content.decode()
    assert 'lang="en"' in page and "Your satisfaction with the teaching" in page
    # the switcher (language cookie) wins over the learner's language
    switched = Client()
    switched.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Envoyer mes réponses" in switched.get(_url(en)).content.decode()
    r = Client().get(_url(fr))
    assert r["X-Robots-Tag"].startswith("noindex") and "no-cache" in r["Cache-Control"]


def test_answering_saves_once_then_the_link_says_already_answered(
    django_capture_on_commit_callbacks,
):
    _sw, _survey, fr, _en = _setup(django_capture_on_commit_callbacks)
    r = Client().post(_url(fr), FORM)
    assert r.status_code == 200 and "Merci" in r.content.decode()
    assert SurveyAnswer.objects.count() == 3  # the optional comment left blank is not stored
    again = Client().post(_url(fr), {**FORM, "q_overall": "1"})
    assert again.status_code == 409 and "Déjà répondu" in again.content.decode()
    assert SurveyAnswer.objects.get(question="overall").number == 4
    assert "Déjà répondu" in Client().get(_url(fr)).content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"q_overall": "9"}, "Choisissez un nombre entier entre 1 et 5."),
        ({"q_recommend": ""}, "Cette question attend une réponse."),
    ],
)
def test_a_bad_answer_is_shown_in_french_and_nothing_is_saved(
    django_capture_on_commit_callbacks, change, message
):
    _sw, _survey, fr, _en = _setup(django_capture_on_commit_callbacks)
    r = Client().post(_url(fr), {**FORM, **change})
    body = r.content.decode()
    assert r.status_code == 400 and message in body
    assert "rien n’a encore été enregistré" in body
    assert 'aria-invalid="true"' in body or 'class="has-error"' in body
    assert not SurveyAnswer.objects.exists()
    assert SurveyInvitation.objects.filter(answered_at__isnull=False).count() == 0
    assert 'value="5" checked' in body  # what was given is kept on the page


def test_a_forged_link_is_a_clear_404_page(django_capture_on_commit_callbacks):
    _sw, _survey, fr, _en = _setup(django_capture_on_commit_callbacks)
    for forged in (fr[:-3] + "abc", "not-a-token"):
        r = Client().get(_url(forged))
        assert r.status_code == 404 and "Lien d’enquête inconnu" in r.content.decode()
        assert Client().post(_url(forged), FORM).status_code == 404
    assert not SurveyAnswer.objects.exists()


def test_a_closed_survey_is_a_clear_page(django_capture_on_commit_callbacks):
    _sw, survey, fr, _en = _setup(django_capture_on_commit_callbacks)
    Survey.objects.filter(pk=survey.pk).update(
        opens_on=TODAY - dt.timedelta(days=30), closes_on=TODAY - dt.timedelta(days=1)
    )
    r = Client().get(_url(fr))
    assert r.status_code == 410 and "Enquête close" in r.content.decode()
    assert Client().post(_url(fr), FORM).status_code == 410
    assert not SurveyAnswer.objects.exists()


# --- staff pages -----------------------------------------------------------------------------


def _client(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="fr")
    c.force_login(user)
    return c


def test_staff_pages_create_invite_remind_and_rates(django_capture_on_commit_callbacks):
    sw = survey_world()
    director = _client(sw.director)
    r = director.post(
        reverse("reporting:survey-create"),
        {
            "edition": sw.w.edition.pk,
            "kind": "satisfaction_teaching",
            "opens_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            "closes_on": (TODAY - dt.timedelta(days=2)).isoformat(),
        },
    )
    assert r.status_code == 200 and "se clôturer après" in r.content.decode()
    assert not Survey.objects.exists()
    r = director.post(
        reverse("reporting:survey-create"),
        {
            "edition": sw.w.edition.pk,
            "kind": "satisfaction_teaching",
            "opens_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            "closes_on": (TODAY + dt.timedelta(days=20)).isoformat(),
        },
    )
    survey = Survey.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse(
        "reporting:survey-detail", args=[survey.pk]
    )
    with django_capture_on_commit_callbacks(execute=True):
        director.post(reverse("reporting:survey-invite", args=[survey.pk]))
    assert len(mail.outbox) == 3
    page = director.get(reverse("reporting:survey-detail", args=[survey.pk])).content.decode()
    assert "Taux de réponse" in page and "0 % (0 / 3)" in page
    director.post(reverse("reporting:survey-remind", args=[survey.pk]))
    assert len(mail.outbox) == 3  # too early for a reminder
    listing = director.get(reverse("reporting:survey-list")).content.decode()
    assert "Satisfaction" in listing or "satisfaction" in listing


def test_staff_pages_are_scoped():
    sw = survey_world()
    survey = make_survey(sw)
    learner = _client(sw.w.enrolments[0].learner.user)
    assert learner.get(reverse("reporting:survey-list")).status_code == 404
    assert learner.get(reverse("reporting:survey-detail", args=[survey.pk])).status_code == 404
    assert learner.post(reverse("reporting:survey-invite", args=[survey.pk])).status_code == 404
    assert learner.get(reverse("reporting:survey-create")).status_code == 404
    assert Client().get(reverse("reporting:survey-list")).status_code == 302
    campus = sw.w.enrolments[0].campus
    coordinator = _client(
        person("c@example.org", "Coord", (Role.CAMPUS_COORDINATOR, ScopeKind.CAMPUS, campus.pk))
    )
    assert coordinator.get(reverse("reporting:survey-detail", args=[survey.pk])).status_code == 200
    assert coordinator.post(reverse("reporting:survey-invite", args=[survey.pk])).status_code == 404
    assert not SurveyInvitation.objects.exists()


def test_the_survey_list_query_count_does_not_grow(django_capture_on_commit_callbacks):
    sw = survey_world()
    director = _client(sw.director)
    make_survey(sw)
    director.get(reverse("reporting:survey-list"))
    with CaptureQueriesContext(connection) as one:
        director.get(reverse("reporting:survey-list"))
    for kind in ("satisfaction_work_study", "employment_6m", "employment_2y"):
        make_survey(sw, kind=kind)
    with CaptureQueriesContext(connection) as four:
        r = director.get(reverse("reporting:survey-list"))
    assert r.status_code == 200 and len(four) == len(one)


# --- API -------------------------------------------------------------------------------------


def test_api_list_create_rates_invite(django_capture_on_commit_callbacks, openapi):
    sw = survey_world()
    director = _client(sw.director)
    body = {
        "edition": sw.w.edition.pk,
        "kind": "satisfaction_teaching",
        "opens_on": TODAY.isoformat(),
        "closes_on": (TODAY + dt.timedelta(days=10)).isoformat(),
    }
    r = director.post("/api/reporting/surveys/", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["questions"][0]["code"] == "overall"
    again = director.post("/api/reporting/surveys/", body, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    answer_validated(openapi, "/api/reporting/surveys/", again)
    pk = r.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        r = director.post(f"/api/reporting/surveys/{pk}/invite/")
    assert r.json() == {"invited": 3} and len(mail.outbox) == 3
    rates = director.get(f"/api/reporting/surveys/{pk}/rates/").json()
    assert rates == {"invited": 3, "sent": 3, "reminded": 0, "answered": 0, "rate": 0.0}
    assert [s["id"] for s in director.get("/api/reporting/surveys/").json()["results"]] == [pk]
    learner = _client(sw.w.enrolments[0].learner.user)
    assert learner.get("/api/reporting/surveys/").json()["results"] == []
    assert learner.get(f"/api/reporting/surveys/{pk}/rates/").status_code == 404
    denied = learner.post(
        "/api/reporting/surveys/",
        {**body, "kind": "employment_6m"},
        content_type="application/json",
    )
    assert answer_validated(openapi, "/api/reporting/surveys/", denied).status_code == 403
    assert Client().get("/api/reporting/surveys/").status_code in (401, 403)


def test_api_answer_by_token(django_capture_on_commit_callbacks, openapi):
    _sw, survey, fr, en = _setup(django_capture_on_commit_callbacks)
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    url = "/api/reporting/surveys/answer/"

    def post(token, answers):
        r = client.post(url, {"token": token, "answers": answers}, content_type="application/json")
        return answer_validated(openapi, url, r)  # every refusal has its documented shape

    bad = post(fr, {"overall": 7, "content": 3, "recommend": True})
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"overall": "Choisissez un nombre entier entre 1 et 5."}
    assert post("forged-token", {"overall": 4}).status_code == 404
    ok = post(fr, {"overall": 4, "content": 3, "recommend": True})
    assert ok.status_code == 201
    assert post(fr, {"overall": 1, "content": 1, "recommend": False}).status_code == 409
    assert SurveyAnswer.objects.get(question="overall").number == 4
    Survey.objects.filter(pk=survey.pk).update(
        opens_on=TODAY - dt.timedelta(days=30), closes_on=TODAY - dt.timedelta(days=1)
    )
    closed = post(en, {"overall": 4, "content": 3, "recommend": True})
    assert closed.status_code == 409 and SurveyAnswer.objects.count() == 3
