"""Each person lands on her own home with the work her roles give her, and the navigation
shows only what her role uses: every link shown opens (200), Administration only for those
who administer, the public home is the school's programme page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.enrolment import services as enrolment_services
from capitalis.programmes.models import Track
from tests.enrolment.builders import admitted, contract_for, user, world

pytestmark = pytest.mark.django_db


def _nav(html: str) -> set[str]:
    nav = html.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="([^"]+)"', nav))


def _main(html: str) -> str:
    return html.split('id="main"', 1)[1]


def _people():
    w = world()
    tutor_role = (Role.EMPLOYER_TUTOR, ScopeKind.GLOBAL, None)
    tutor = user("tutor@example.org", tutor_role, name="T. Tutor")
    apprentice = enrolment_services.enrolment_create_from_application(
        application=admitted(w, "appr@example.org", track=Track.WORK_STUDY),
        actor=w.director,
        contract=contract_for(dt.date(2024, 9, 1), 2, tutor=tutor),
    )
    # a lecturer of a course (the scope id need not exist for the links he is shown)
    lecturer = user("lecturer@example.org", (Role.LECTURER, ScopeKind.COURSE, 999_999))
    finance = user("finance@example.org", (Role.FINANCE, ScopeKind.GLOBAL, None))
    candidate = user("cand@example.org", (Role.CANDIDATE, ScopeKind.GLOBAL, None))
    admin = User.objects.create_superuser(email="root@example.org", password="pw-Secret-123")
    return (
        w,
        {
            "director": w.director,
            "tutor": tutor,
            "learner": apprentice.learner.user,
            "lecturer": lecturer,
            "finance": finance,
            "candidate": candidate,
            "admin": admin,
        },
        apprentice,
    )


def test_every_link_shown_opens_and_admin_is_for_administrators_only(client):
    _w, people, _apprentice = _people()
    for who, person in people.items():
        client.force_login(person)
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, who
        links = _nav(response.content.decode())
        for href in links:
            if href.startswith("/") and not href.startswith("/api/"):
                assert client.get(href, follow=True).status_code == 200, (who, href)
        assert ("/admin/" in links) is (who == "admin"), who
        client.logout()


def test_roles_see_their_own_links_only(client):
    _w, people, _apprentice = _people()

    def links(who: str) -> set[str]:
        client.force_login(people[who])
        found = _nav(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
        client.logout()
        return found

    lecturer = links("lecturer")
    assert "/assessment/" in lecturer
    assert not {"/finance/invoices/", "/jury/", "/admin/"} & lecturer
    learner = links("learner")
    assert {"/enrolment/me/", "/assessment/my-results/", "/jury/my-blocks/"} <= learner
    assert "/jury/" not in learner and "/enrolment/dashboard/" not in learner
    finance = links("finance")
    assert "/finance/invoices/" in finance and "/jury/" not in finance


def test_each_role_lands_on_its_work(client):
    _w, people, apprentice = _people()
    client.force_login(people["tutor"])
    home = _main(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "My apprentices and interns" in home
    assert f"/enrolment/learners/{apprentice.learner.pk}/" in home
    client.force_login(people["learner"])
    home = _main(client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "/assessment/my-results/" in home and "/jury/my-blocks/" in home
    client.force_login(people["director"])
    home = _main(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Applications to review" in home and "Jury sessions to prepare or hold" in home
    client.force_login(people["candidate"])
    home = _main(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Start a new application" in home


def test_the_public_home_is_the_programme_page(client):
    w = world()
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert w.programme.title_en in html or w.programme.title_fr in html
    assert "/admissions/signup/" in _main(html)
    assert "end to end" not in html  # the product pitch is gone


def test_a_learner_answers_her_open_survey_from_her_home(client):
    """The survey link the e-mail carries is also on the learner's home: one click opens her
    own answer page; someone else's invitation is a 404."""
    from capitalis.reporting.models import SurveyInvitation, SurveyKind
    from capitalis.reporting.surveys import services as services_surveys

    w, people, apprentice = _people()
    today = dt.date.today()
    survey = services_surveys.survey_create(
        edition=apprentice.edition,
        kind=SurveyKind.SATISFACTION_TEACHING,
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=10),
        actor=w.director,
    )
    services_surveys.survey_invite(survey=survey, actor=w.director, send=False)
    invitation = SurveyInvitation.objects.get(survey=survey, learner=apprentice.learner)
    client.force_login(people["learner"])
    home = _main(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    url = f"/reporting/surveys/mine/{invitation.pk}/"
    assert f'action="{url}"' in home
    opened = client.post(url)
    assert opened.status_code == 302 and opened.url.startswith("/survey/")
    assert client.get(opened.url).status_code == 200
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    client.force_login(people["tutor"])
    assert client.post(url).status_code == 404
