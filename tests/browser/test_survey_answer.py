"""A learner answers a satisfaction survey on a phone, in French, through the personal link of
her e-mail (no account): an out-of-range-free but incomplete form is refused with a clear
message and nothing saved, then the answers are sent; the link then says "already answered";
a forged link shows the clear 404 page. Every page axe-checked (no serious or critical
violation)."""

from __future__ import annotations

import pytest

from capitalis.reporting.models import SurveyAnswer
from tests.browser.helpers import serious_violations, shoot
from tests.reporting.surveys.builders import make_survey, send, survey_world

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_learner_answers_a_survey_on_a_phone_in_french(
    page, live_server, django_capture_on_commit_callbacks
):
    sw = survey_world()
    survey = make_survey(sw)
    tokens = send(sw, survey, django_capture_on_commit_callbacks)
    token = tokens[sw.w.enrolments[0].learner.user.email]
    page.set_viewport_size(PHONE)
    base = live_server.url

    page.goto(f"{base}/survey/{token}/")
    assert page.locator("h1").inner_text() == "Votre satisfaction sur les enseignements"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_violations(page) == []
    shoot(page, "survey-form")

    # incomplete: the yes/no question is left out
    page.get_by_role("group", name="Dans l'ensemble").get_by_label("4").check()
    page.get_by_role("group", name="Les contenus").get_by_label("5").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer mes réponses").click()
    alert = page.get_by_role("alert")
    assert "rien n’a encore été enregistré" in alert.inner_text()
    assert "Cette question attend une réponse." in page.locator("#q_recommend").inner_text()
    assert page.get_by_role("group", name="Dans l'ensemble").get_by_label("4").is_checked()
    assert not SurveyAnswer.objects.exists()
    assert serious_violations(page) == []
    shoot(page, "survey-errors")

    page.get_by_role("group", name="Recommanderiez-vous").get_by_label("Oui").check()
    page.get_by_label("Un commentaire").fill("Très bons cours.")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer mes réponses").click()
    assert page.locator("h1").inner_text() == "Merci"
    assert serious_violations(page) == []
    shoot(page, "survey-thanks")
    answers = dict(SurveyAnswer.objects.values_list("question", "number"))
    assert answers == {"overall": 4, "content": 5, "recommend": 1, "comment": None}

    page.goto(f"{base}/survey/{token}/")
    assert page.locator("h1").inner_text() == "Déjà répondu"
    assert serious_violations(page) == []

    page.goto(f"{base}/survey/{token[:-4]}zzzz/")
    assert page.locator("h1").inner_text() == "Lien d’enquête inconnu"
    assert serious_violations(page) == []
    shoot(page, "survey-unknown")
