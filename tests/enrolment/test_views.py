"""Enrolment pages through the HTTP layer: enrol an admitted application (work-study with its
contract; a bad SIRET shown on the form, nothing saved), the learner's record (404 for others),
contract termination, internship, moves, re-enrolment, the learners dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from capitalis.enrolment import services
from capitalis.enrolment.models import Contract, Enrolment, Internship, Learner
from capitalis.programmes.models import Calendar, CampusRhythm, Track
from tests.enrolment.builders import EMPLOYER_SIRET, admitted, contract_for, user, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def _client(person, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(person)
    return client


def _contract_post(start: str, end: str, siret: str = EMPLOYER_SIRET) -> dict[str, str]:
    return {
        "kind": "apprenticeship",
        "employer_name": "Entreprise Fictive",
        "employer_siret": siret,
        "opco_name": "OPCO Essai",
        "tutor_email": "tutor@example.org",
        "tutor_name": "Tuteur Fictif",
        "contract_start": start,
        "contract_end": end,
    }


def test_enrol_work_study_with_contract_from_the_page(w) -> None:
    app = admitted(w, "wa@example.org", track=Track.WORK_STUDY)
    client = _client(w.coordinator)
    listing = client.get("/enrolment/admitted/")
    assert listing.status_code == 200 and f"/enrolment/admitted/{app.pk}/enrol/" in listing.text
    url = f"/enrolment/admitted/{app.pk}/enrol/"
    bad = client.post(url, _contract_post("2024-09-01", "2026-08-31", siret="12345678901234"))
    assert bad.status_code == 200
    assert "This SIRET is not valid" in bad.text
    assert not Enrolment.objects.exists()
    short = client.post(url, _contract_post("2024-09-01", "2025-08-31"))
    assert "needs a 2-year contract" in short.text
    assert not Learner.objects.exists()
    response = client.post(url, _contract_post("2024-09-01", "2026-08-31"))
    assert response.status_code == 302
    enrolment = Enrolment.objects.get()
    assert response["Location"] == f"/enrolment/learners/{enrolment.learner_id}/"
    contract = Contract.objects.get()
    assert contract.tutor is not None and contract.tutor.email == "tutor@example.org"
    page = client.get(response["Location"])
    assert "Entreprise Fictive" in page.text and "OPCO Essai" in page.text


def test_work_study_without_contract_is_refused_on_the_page(w) -> None:
    app = admitted(w, "wb@example.org", track=Track.WORK_STUDY)
    response = _client(w.director).post(f"/enrolment/admitted/{app.pk}/enrol/", {})
    assert response.status_code == 200
    assert "A work-study enrolment needs its contract" in response.text
    assert not Enrolment.objects.exists()


def test_other_campus_staff_get_404(w) -> None:
    app = admitted(w, "wc@example.org", campus=w.other_campus)
    client = _client(w.coordinator)
    assert client.get(f"/enrolment/admitted/{app.pk}/enrol/").status_code == 404
    enrolment = services.enrolment_create_from_application(application=app, actor=w.director)
    assert client.get(f"/enrolment/learners/{enrolment.learner_id}/").status_code == 404
    assert client.get(f"/enrolment/enrolments/{enrolment.pk}/reenrol/").status_code == 404


def test_learner_record_own_only_with_calendar_link(w) -> None:
    mine = services.enrolment_create_from_application(
        application=admitted(w, "wd@example.org"), actor=w.director
    )
    other = services.enrolment_create_from_application(
        application=admitted(w, "we@example.org"), actor=w.director
    )
    Calendar.objects.create(edition=w.first, campus=w.campus, track=Track.INITIAL)
    # the link is shown once the calendar can be shown: its rhythm is set
    CampusRhythm.objects.create(
        edition=w.first,
        campus=w.campus,
        track=Track.INITIAL,
        kind="alternating_weeks",
        params={"company_weeks": 3, "school_weeks": 1, "first": "school"},
    )
    client = _client(mine.learner.user, "fr")
    me = client.get("/enrolment/me/")
    assert me.status_code == 302
    page = client.get(me["Location"])
    assert page.status_code == 200
    assert f"/programmes/calendars/{w.first.code}/{w.campus.code}/initial/" in page.text
    assert "Mark as" not in page.text  # a learner cannot move her enrolment
    assert client.get(f"/enrolment/learners/{other.learner_id}/").status_code == 404
    # she records her CVEC certificate
    response = client.post(
        f"/enrolment/learners/{mine.learner_id}/cvec/",
        {
            "academic_year": "2024-25",
            "certificate_number": "CVEC-1234",
            "recorded_on": "2024-09-05",
        },
    )
    assert response.status_code == 302
    assert "CVEC-1234" in client.get(response["Location"]).text


def test_internship_terminate_move_and_reenrol_pages(w) -> None:
    initial = services.enrolment_create_from_application(
        application=admitted(w, "wf@example.org"), actor=w.director
    )
    client = _client(w.coordinator)
    url = f"/enrolment/enrolments/{initial.pk}/internship/"
    too_long = client.post(
        url,
        {
            "host_name": "ONG Fictive",
            "tutor_name": "Tutrice",
            "start_date": "2025-03-01",
            "end_date": "2025-10-31",
        },
    )
    assert "at most 6 months" in too_long.text
    ok = client.post(
        url,
        {
            "host_name": "ONG Fictive",
            "tutor_name": "Tutrice",
            "start_date": "2025-03-01",
            "end_date": "2025-08-31",
            "agreement_signed_on": "2025-02-15",
        },
    )
    assert ok.status_code == 302 and Internship.objects.count() == 1
    moved = client.post(f"/enrolment/enrolments/{initial.pk}/move/", {"target": "suspended"})
    assert moved.status_code == 302
    initial.refresh_from_db()
    assert initial.status == "suspended"
    client.post(f"/enrolment/enrolments/{initial.pk}/move/", {"target": "enrolled"})
    page = client.get(f"/enrolment/enrolments/{initial.pk}/reenrol/")
    assert page.status_code == 200 and w.second.label in page.text
    done = client.post(
        f"/enrolment/enrolments/{initial.pk}/reenrol/",
        {"edition": w.second.pk, "track": "initial"},
    )
    assert done.status_code == 302
    initial.refresh_from_db()
    assert initial.status == "completed"
    assert Enrolment.objects.filter(previous=initial, year=w.msc2).exists()

    ws = services.enrolment_create_from_application(
        application=admitted(w, "wg@example.org", track=Track.WORK_STUDY),
        actor=w.director,
        contract=contract_for(dt.date(2024, 9, 1), 2),
    )
    contract = ws.contracts.get()
    url = f"/enrolment/contracts/{contract.pk}/terminate/"
    late = client.post(url, {"terminated_on": "2027-01-01", "reason": "x"})
    assert "must come before the contract" in late.text
    done = client.post(url, {"terminated_on": "2025-01-31", "reason": "Démission"})
    assert done.status_code == 302
    contract.refresh_from_db()
    assert contract.terminated_on == dt.date(2025, 1, 31)


def test_dashboard_page_filters_and_access(w) -> None:
    services.enrolment_create_from_application(
        application=admitted(w, "wh@example.org"), actor=w.director
    )
    services.enrolment_create_from_application(
        application=admitted(w, "wi@example.org", campus=w.other_campus), actor=w.director
    )
    client = _client(w.director)
    page = client.get("/enrolment/dashboard/")
    assert page.status_code == 200
    assert "2 enrolments" in page.text
    assert page.text.count("/enrolment/learners/") == 2
    filtered = client.get(f"/enrolment/dashboard/?campus={w.other_campus.pk}&status=enrolled")
    assert "1 enrolment" in filtered.text
    assert filtered.text.count("/enrolment/learners/") == 1
    french = _client(w.director, "fr").get("/enrolment/dashboard/?track=work_study")
    assert "Aucune inscription ne correspond" in french.text
    assert _client(user("x@example.org")).get("/enrolment/dashboard/").status_code == 404
    assert Client().get("/enrolment/dashboard/").status_code == 302


def test_admin_pages_are_read_only_and_load(w) -> None:
    services.enrolment_create_from_application(
        application=admitted(w, "wj@example.org", track=Track.WORK_STUDY),
        actor=w.director,
        contract=contract_for(dt.date(2024, 9, 1), 2),
    )
    root = user("root@example.org")
    root.is_staff = root.is_superuser = True
    root.save()
    client = _client(root)
    for name in ("learner", "enrolment", "contract", "internship", "cvecproof"):
        response = client.get(f"/admin/enrolment/{name}/")
        assert response.status_code == 200, name
    assert client.get("/admin/enrolment/contract/add/").status_code == 403
