"""The staff survey and personal data pages in a real browser, in French and in English, on a
desktop and on a phone. A programme director reads the surveys with their response rates,
creates one (a bad date range is refused with a translated message and nothing is created),
invites its recipients; a campus coordinator reads the same list in English, scoped and without
the management buttons. The director finds a learner and downloads her data; the learner
downloads her own from "My data". Every page is axe-checked (no serious or critical violation)
and, on a phone, never wider than the screen."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.core import mail

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.reporting.models import PersonalDataRequest, Survey, SurveyInvitation
from capitalis.reporting.surveys import services as services_surveys
from tests.browser.helpers import check_fits, in_view, log_in
from tests.jury.builders import person
from tests.reporting.surveys.builders import TODAY, SurveyWorld, make_survey, send, survey_world

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ANSWERS = {"overall": "4", "content": "5", "recommend": "yes", "comment": ""}


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _surveys(captured) -> tuple[SurveyWorld, Survey]:
    """Three learners invited to the teaching survey, one has answered (33 %)."""
    sw = survey_world()
    User.objects.filter(pk=sw.director.pk).update(is_staff=True)
    survey = make_survey(sw)
    tokens = send(sw, survey, captured)
    first = sw.w.enrolments[0].learner.user.email
    services_surveys.survey_answer(token=tokens[first], answers=ANSWERS, today=TODAY)
    return sw, survey


def test_director_reads_the_rates_creates_a_survey_and_invites_in_french(
    page, live_server, django_capture_on_commit_callbacks
) -> None:
    sw, _survey = _surveys(django_capture_on_commit_callbacks)
    url = live_server.url
    log_in(page, url, sw.director.email)

    # from the indicators to the surveys, then the list with its response rates
    page.goto(f"{url}/reporting/")
    page.get_by_role("link", name="Enquêtes et taux de réponse").click()
    assert page.locator("h1").inner_text() == "Enquêtes"
    row = page.locator("tbody tr", has_text="Satisfaction sur les enseignements")
    assert row.locator("td").all_inner_texts()[-3:] == ["3", "1", "33 %"]
    check_fits(page, "surveys-list-fr")
    page.set_viewport_size(PHONE)
    # on a phone the row is a card: the rate is in view, with its column's name
    assert in_view(row.locator("td[data-label='Taux de réponse']"), page)
    check_fits(page, "surveys-list-fr-phone")
    page.set_viewport_size(DESKTOP)

    # the detail: figures, the questions, no "send 0 reminders" button
    row.get_by_role("link").click()
    assert page.locator("h1").inner_text() == "Votre satisfaction sur les enseignements"
    main = page.locator("main").inner_text()
    assert "50 %" not in main and "33 % (1 / 3)" in main
    assert "Aucune relance n’est due aujourd’hui." in main
    assert page.get_by_role("button", name="Envoyer 0 relance").count() == 0
    check_fits(page, "survey-detail-fr")
    page.get_by_role("link", name="Retour aux enquêtes").click()

    # create: a survey closing before it opens is refused, translated, nothing created
    page.get_by_role("link", name="Créer une enquête").click()
    page.get_by_label("Édition du programme").select_option(str(sw.w.edition.pk))
    page.get_by_label("Type d’enquête").select_option("satisfaction_work_study")
    page.get_by_label("Ouverture le").fill(TODAY.isoformat())
    page.get_by_label("Clôture le").fill(TODAY.isoformat())
    page.get_by_role("button", name="Créer l’enquête").click()
    assert "L’enquête doit se clôturer après son ouverture." in page.locator("main").inner_text()
    assert Survey.objects.count() == 1
    check_fits(page, "survey-create-error-fr")
    page.set_viewport_size(PHONE)
    check_fits(page, "survey-create-error-fr-phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_label("Clôture le").fill(TODAY.replace(year=TODAY.year + 1).isoformat())
    page.get_by_role("button", name="Créer l’enquête").click()
    page.wait_for_url(f"{url}/reporting/surveys/*/")
    created = Survey.objects.get(kind="satisfaction_work_study")
    assert page.url.endswith(f"/reporting/surveys/{created.pk}/")
    assert "Enquête créée." in page.locator(".messages").inner_text()
    assert page.locator("h1").inner_text() == "Votre satisfaction sur l'alternance"
    assert "1 destinataire pas encore invité·e." in page.locator("main").inner_text()

    # invite: the work-study learner only; her e-mail leaves
    mail.outbox.clear()
    page.get_by_role("button", name="Inviter les destinataires pas encore invité·es").click()
    assert "1 nouvelle(s) invitation(s)" in page.locator(".messages").inner_text()
    invited = SurveyInvitation.objects.filter(survey=created)
    assert [i.email for i in invited] == [sw.w.enrolments[-1].learner.user.email]
    assert "0 % (0 / 1)" in page.locator("main").inner_text()
    assert "Chaque destinataire a reçu son invitation." in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Inviter les destinataires").count() == 0
    check_fits(page, "survey-detail-invited-fr")
    page.set_viewport_size(PHONE)
    check_fits(page, "survey-detail-invited-fr-phone")


def test_campus_coordinator_reads_her_campus_rates_in_english_on_a_phone(
    page, browser, live_server, django_capture_on_commit_callbacks
) -> None:
    sw, survey = _surveys(django_capture_on_commit_callbacks)
    campus = sw.w.enrolments[0].campus
    coordinator = person(
        "coordinator@example.org",
        "Coordinatrice",
        (Role.CAMPUS_COORDINATOR, ScopeKind.CAMPUS, campus.pk),
    )
    User.objects.filter(pk=coordinator.pk).update(is_staff=True)
    context = browser.new_context(locale="en-GB", viewport=PHONE)
    english = context.new_page()
    url = live_server.url
    log_in(english, url, coordinator.email, french=False)
    english.goto(f"{url}/reporting/surveys/")
    assert english.locator("h1").inner_text() == "Surveys"
    main = english.locator("main").inner_text()
    assert "Response figures count the learners of your campus only." in main
    assert english.get_by_role("link", name="Create a survey").count() == 0
    row = english.locator("tbody tr", has_text="Satisfaction with teaching")
    assert row.locator("td[data-label='Response rate']").inner_text() == "33 %"
    check_fits(english, "surveys-list-en-campus-phone")

    row.get_by_role("link").click()
    assert english.locator("h1").inner_text() == "Your satisfaction with the teaching"
    detail = english.locator("main").inner_text()
    assert "33 % (1 / 3)" in detail and "Questions" in detail
    assert english.get_by_role("button", name="Invite the recipients not yet invited").count() == 0
    check_fits(english, "survey-detail-en-campus-phone")
    english.set_viewport_size(DESKTOP)
    check_fits(english, "survey-detail-en-campus")

    # another learner's survey page is not hers to read: none outside her scope
    outsider = person("outsider@example.org", "Sans rôle", (Role.LEARNER, ScopeKind.GLOBAL, None))
    other = browser.new_context(locale="en-GB").new_page()
    log_in(other, url, outsider.email, french=False)
    assert other.goto(f"{url}/reporting/surveys/{survey.pk}/").status == 404
    assert other.goto(f"{url}/reporting/surveys/").status == 404
    other.context.close()
    context.close()


def _unzip(path: str) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("data.json"))


def test_director_finds_a_person_and_exports_her_data_in_french(page, live_server) -> None:
    sw = survey_world()
    User.objects.filter(pk=sw.director.pk).update(is_staff=True)
    learner = sw.w.enrolments[0].learner.user
    url = live_server.url
    log_in(page, url, sw.director.email)
    page.goto(f"{url}/reporting/privacy/mine/")
    page.get_by_role("link", name="Traiter la demande d’une personne sur ses données").click()
    assert page.locator("h1").inner_text() == "Données personnelles"
    assert "Aucune demande pour l’instant." in page.locator("main").inner_text()
    check_fits(page, "privacy-home-fr")

    # too short, then nobody, then her
    search = page.get_by_label("Adresse e-mail ou nom")
    search.fill("l")
    page.get_by_role("button", name="Rechercher").click()  # the browser refuses (minlength)
    assert page.url == f"{url}/reporting/privacy/"
    page.goto(f"{url}/reporting/privacy/?q=l")  # the page says so too
    assert "Saisissez au moins deux caractères." in page.locator("main").inner_text()
    search = page.get_by_label("Adresse e-mail ou nom")
    search.fill("personne-inconnue")
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher").click()
    assert "Personne ne correspond." in page.locator("main").inner_text()
    page.get_by_label("Adresse e-mail ou nom").fill(learner.email)
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and learner.full_name in rows.inner_text()
    check_fits(page, "privacy-search-fr")
    page.set_viewport_size(PHONE)
    button = page.get_by_role("button", name=f"Exporter les données de {learner.email}")
    assert in_view(button, page)  # a card on a phone: the button is in view, not scrolled away
    check_fits(page, "privacy-search-fr-phone")

    assert PersonalDataRequest.objects.count() == 0
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.endswith(".zip")
    data = _unzip(download.value.path())
    assert data["user"]["email"] == learner.email
    requests = PersonalDataRequest.objects.filter(subject=learner, requested_by=sw.director)
    assert requests.count() == 1
    page.reload()
    assert learner.email in page.locator("main").inner_text().split("Dernières demandes")[1]
    check_fits(page, "privacy-requests-fr-phone")


def test_learner_downloads_her_own_data_in_english(browser, live_server, transactional_db) -> None:
    sw = survey_world()
    learner = sw.w.enrolments[0].learner.user
    context = browser.new_context(locale="en-GB", viewport=PHONE)
    page = context.new_page()
    url = live_server.url
    log_in(page, url, learner.email, french=False)
    page.get_by_role("link", name="My data").click()
    assert page.locator("h1").inner_text() == "My personal data"
    # no staff link for her, and the staff page answers 404
    assert page.get_by_role("link", name="Handle a person's request for her data").count() == 0
    check_fits(page, "privacy-mine-en-phone")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    data = _unzip(download.value.path())
    assert data["user"]["email"] == learner.email
    assert sw.w.enrolments[1].learner.user.email not in json.dumps(data)
    assert PersonalDataRequest.objects.filter(subject=learner, requested_by=learner).count() == 1
    page.set_viewport_size(DESKTOP)
    page.reload()
    check_fits(page, "privacy-mine-en")
    assert page.goto(f"{url}/reporting/privacy/").status == 404
    context.close()


def test_empty_survey_list_says_where_surveys_come_from(page, live_server) -> None:
    sw = survey_world()
    url = live_server.url
    log_in(page, url, sw.director.email)
    page.goto(f"{url}/reporting/surveys/")
    main = page.locator("main").inner_text()
    assert "Aucune enquête pour l’instant." in main
    assert "La planification quotidienne crée et envoie les enquêtes" in main
    check_fits(page, "surveys-empty-fr")
