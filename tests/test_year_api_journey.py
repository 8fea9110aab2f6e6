"""The same year through the API alone: a program acting for each role, each with its own API
token (``Authorization: Bearer …``, never a forced login), from an empty database and the
shipped data (``load_data``). Every answer is checked against the served OpenAPI schema.
The candidate enters MSc 2 directly (the programme's final year), so her year ends with the
certification jury, her credentials, the holders' declaration and the cohort's indicators.

What is not an API call, and why:
- the first account, the programme director's: someone must exist to call the API (a school
  creates it with ``createsuperuser`` or its administrator's script, here the accounts
  services); she then creates every other staff account and grants its roles through
  ``/api/accounts/users/``;
- choosing a password: each invited person follows the link of the invitation e-mail (outbox)
  to the set-password page, as a person would;
- the candidate confirms her address by the link of the e-mail (she signs up through
  ``POST /api/admissions/signup/``);
- a token is minted by its owner's session (``POST /api/accounts/tokens/`` accepts no token
  by design): each person logs in on the login page once to mint it.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, TestCase
from openapi_core import OpenAPI
from rest_framework.test import APIClient

from capitalis.accounts import services as accounts_services
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.reporting.declarations import register as declaration
from tests.openapi_checks import answer_validated

pytestmark = pytest.mark.django_db(transaction=False)

PASSWORD = "Journey-pw-2026!"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Actor:
    """One role's program: an API client that sends its own Bearer token on every call and
    checks every answer against the schema."""

    def __init__(self, openapi: OpenAPI, email: str) -> None:
        self.openapi = openapi
        self.email = email
        session = Client()
        login = session.post("/accounts/login/", {"username": email, "password": PASSWORD})
        assert login.status_code == 302, login.content[:500]
        minted = session.post(
            "/api/accounts/tokens/",
            {"name": "journey", "scope": "write"},
            content_type="application/json",
        )
        assert minted.status_code == 201, minted.content
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {minted.json()['token']}")

    def call(self, method: str, path: str, expect: int, data: Any = None, **kw: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):  # each request commits
            response = getattr(self.client, method)(path, data, **kw)
        assert response.status_code == expect, (
            f"{method.upper()} {path}: {response.status_code} "
            f"{getattr(response, 'content', b'')[:800]!r}"
        )
        if response.get("Content-Type", "").startswith("application/json"):
            answer_validated(self.openapi, path, response, method)
            return response.json()
        return response

    def get(self, path: str, expect: int = 200, **kw: Any) -> Any:
        return self.call("get", path, expect, **kw)

    def post(self, path: str, data: Any = None, expect: int = 201, **kw: Any) -> Any:
        kw.setdefault("format", "json")
        return self.call("post", path, expect, data, **kw)

    def patch(self, path: str, data: Any, expect: int = 200) -> Any:
        return self.call("patch", path, expect, data, format="json")


def _results(page: Any) -> list[dict[str, Any]]:
    return page["results"] if isinstance(page, dict) and "results" in page else page


def _choose_password(email: str) -> None:
    """Follow the invitation e-mailed to ``email`` and choose the password on the page."""
    link = next(
        m.group(1)
        for message in reversed(mail.outbox)
        if email in message.to
        and (m := re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body))
    )
    person = Client()
    page = person.get(link, follow=True)  # allauth moves the key into the session
    assert page.status_code == 200
    chosen = person.post(page.redirect_chain[-1][0], {"password1": PASSWORD, "password2": PASSWORD})
    assert chosen.status_code == 302, chosen.content[:500]


def _invite(
    director: Actor, email: str, name: str, *grants: tuple[Role, ScopeKind, int | None]
) -> None:
    """The director creates a staff account (an invitation e-mail goes out) and grants its
    roles through the API; the person then chooses a password by the invitation's link."""
    person = director.post("/api/accounts/users/", {"email": email, "full_name": name})
    assert person["has_password"] is False
    for role, scope, scope_id in grants:
        granted = director.post(
            f"/api/accounts/users/{person['id']}/roles/",
            {"role": role.value, "scope": scope.value, "scope_id": scope_id},
        )
        assert {"role": role.value, "scope": scope.value, "scope_id": scope_id} in granted["roles"]
    _choose_password(email)


@pytest.fixture(autouse=True)
def _in_the_application_window():
    """A fixed day of the 2026/27 edition's application window (it closes on 31 January 2027),
    so the year runs the same whatever the day the test runs on."""
    with time_machine.travel(datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))):
        yield


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # uploads, declaration files


def test_the_year_through_the_api(openapi, django_capture_on_commit_callbacks):
    call_command("load_data", stdout=io.StringIO())

    # --- the catalogue, read by a program with no account ---------------------------------
    anonymous = APIClient()
    editions = anonymous.get("/api/programmes/editions/").json()
    edition = next(e for e in _results(editions) if e["code"] == "2026-27")
    campuses = {c["code"]: c for c in _results(anonymous.get("/api/programmes/campuses/").json())}
    paris = campuses["PAR"]

    # --- the school's first account: the director (nobody exists yet to call the API) -------
    accounts_services.role_grant(
        user=accounts_services.user_create(
            email="director@school.test", full_name="Dana Director", password=PASSWORD
        ),
        role=Role.PROGRAMME_DIRECTOR,
    )
    director = Actor(openapi, "director@school.test")

    # --- she creates the staff accounts and grants their roles (accounts API) --------------
    _invite(
        director,
        "admissions@school.test",
        "Adam Admissions",
        (Role.ADMISSIONS_OFFICER, ScopeKind.CAMPUS, paris["id"]),
    )
    _invite(director, "finance@school.test", "Fay Finance", (Role.FINANCE, ScopeKind.GLOBAL, None))
    courses = _results(anonymous.get("/api/programmes/courses/?edition=2026-27&year=MSC2").json())
    assert courses and {c["year"] for c in courses} == {"MSC2"}
    course = next(c for c in courses if c["competencies"] and c["specialisation"] is None)
    _invite(
        director,
        "lecturer@school.test",
        "Leo Lecturer",
        (Role.LECTURER, ScopeKind.COURSE, course["id"]),
    )
    # a staff account with no role yet: her jury session will grant her one
    _invite(director, "president@school.test", "Paula President")
    staff = _results(director.get("/api/accounts/users/"))
    assert {p["email"] for p in staff} >= {
        "admissions@school.test",
        "finance@school.test",
        "lecturer@school.test",
        "president@school.test",
    }
    assert all(p["has_password"] for p in staff)
    lecturer = Actor(openapi, "lecturer@school.test")
    president = Actor(openapi, "president@school.test")
    officer = Actor(openapi, "admissions@school.test")
    finance = Actor(openapi, "finance@school.test")

    # --- the candidate signs up (API) and confirms her address (e-mail link) ---------------
    with django_capture_on_commit_callbacks(execute=True):
        signup = anonymous.post(
            "/api/admissions/signup/",
            {
                "full_name": "Chloé Candidate",
                "email": "chloe@example.org",
                "password": PASSWORD,
                "preferred_language": "fr",
            },
            format="json",
        )
    assert signup.status_code == 202, signup.content
    answer_validated(openapi, "/api/admissions/signup/", signup, "post")
    link = next(
        m.group(1)
        for message in mail.outbox
        if (m := re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body))
    )
    assert Client().post(link).status_code == 302
    chloe = Actor(openapi, "chloe@example.org")

    # --- she applies: a draft with two degrees, saved again, documents, then submits --------
    programme = anonymous.get("/api/programmes/programmes/MSC-ERCI/").json()
    msc2 = next(y for y in programme["years"] if y["code"] == "MSC2")
    spe1 = next(s for s in programme["specialisations"] if s["code"] == "SPE1")
    draft = chloe.post(
        "/api/admissions/applications/",
        {
            "edition": edition["id"],
            "year": msc2["id"],
            "campus": paris["id"],
            "track": "work_study",
            "specialisation": spe1["id"],
            "prior_degrees": [
                {
                    "title": "Licence de science politique",
                    "level": "bachelor",
                    "ects": 180,
                    "field": "political_science",
                    "country": "FR",
                    "in_progress": False,
                },
                {
                    "title": "Master 1 de relations internationales",
                    "level": "master",
                    "ects": 240,
                    "field": "geopolitics",
                    "country": "FR",
                    "in_progress": False,
                },
            ],
        },
    )
    application_url = f"/api/admissions/applications/{draft['id']}/"
    assert draft["status"] == "draft" and len(draft["prior_degrees"]) == 2
    draft = chloe.patch(application_url, {"english_level": "C1"})
    assert draft["english_level"] == "C1" and len(draft["prior_degrees"]) == 2
    for kind in ("cv", "transcript", "motivation"):
        chloe.post(
            f"{application_url}documents/",
            {"kind": kind, "file": SimpleUploadedFile(f"{kind}.pdf", PDF, "application/pdf")},
            format="multipart",
        )
    draft = chloe.get(application_url)
    submitted = chloe.post(
        f"{application_url}submit/", {"expected_version": draft["version"]}, expect=200
    )
    assert submitted["status"] == "eligible", submitted["eligibility"]

    # --- the application fee is due; finance records the payment -------------------------
    fees = _results(chloe.get("/api/finance/invoices/?kind=application_fee"))
    assert len(fees) == 1 and fees[0]["status"] != "paid", fees
    fee = fees[0]
    finance.post(
        "/api/finance/payments/",
        {
            "invoice": fee["id"],
            "amount": fee["owed"],
            "paid_on": str(date.today()),
            "method": "transfer",
            "reference": "fee chloe",
        },
    )
    assert chloe.get(f"/api/finance/invoices/{fee['id']}/")["status"] == "paid"
    assert officer.get(application_url)["application_fee_paid"] is True

    # --- staff read her documents, schedule and score the interview -----------------------
    file = officer.get(application_url)
    assert {d["kind"] for d in file["documents"]} == {"cv", "transcript", "motivation"}
    for document in file["documents"]:
        download = officer.get(f"{application_url}documents/{document['id']}/")
        assert download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content) == PDF
    slot = officer.post(
        "/api/admissions/interview-slots/",
        {
            "edition": edition["id"],
            "campus": paris["id"],
            "starts_at": "2027-01-11T10:00:00+01:00",
            "ends_at": "2027-01-11T10:30:00+01:00",
            "location": "Room 4",
            "interviewers": ["lecturer@school.test"],
        },
    )
    assert slot["id"] in [
        x["id"] for x in _results(officer.get("/api/admissions/interview-slots/"))
    ]
    assert [x["id"] for x in _results(lecturer.get("/api/admissions/interview-slots/"))] == [
        slot["id"]
    ]
    interview = officer.post(
        f"/api/admissions/interview-slots/{slot['id']}/book/",
        {"application": file["id"], "expected_version": file["version"]},
    )
    assert interview["status"] == "interview_scheduled"
    grid = lecturer.get(f"/api/admissions/interviews/{interview['id']}/")["grid"]
    file = officer.get(application_url)
    scored = lecturer.post(
        f"/api/admissions/interviews/{interview['id']}/record/",
        {
            "scores": {line["code"]: line["max_score"] - 1 for line in grid},
            "comment": "Clear career plan, solid background.",
            "expected_version": file["version"],
        },
        expect=200,
    )
    assert scored["status"] == "interviewed"

    # --- the file is presented to an admission jury, which admits her ---------------------
    jury = officer.post(
        "/api/admissions/juries/",
        {
            "edition": edition["id"],
            "campus": paris["id"],
            "sits_on": "2027-01-20",
            "president": "lecturer@school.test",
            "members": ["director@school.test"],
        },
    )
    assert [j["id"] for j in _results(lecturer.get("/api/admissions/juries/"))] == [jury["id"]]
    file = officer.get(application_url)
    presented = officer.post(
        f"/api/admissions/juries/{jury['id']}/present/",
        {"application": file["id"], "expected_version": file["version"]},
        expect=200,
    )
    assert presented["status"] == "presented"
    decided = lecturer.post(  # the jury's president, through the grant the jury gave him
        f"/api/admissions/juries/{jury['id']}/decisions/",
        {
            "decisions": [
                {"application": file["id"], "decision": "admitted", "version": presented["version"]}
            ]
        },
        expect=200,
    )
    assert decided["results"][0]["status"] == "admitted"
    letter = chloe.get(f"{application_url}letter/")
    assert letter["Content-Type"] == "application/pdf" and letter.content.startswith(b"%PDF")

    # --- staff enrol her on a work-study contract with her employer and tutor -------------
    enrolment = officer.post(
        "/api/enrolment/enrolments/",
        {
            "application": file["id"],
            "contract": {
                "kind": "apprenticeship",
                "employer_name": "Quai Conseil",
                "employer_siret": "73282932000074",
                "tutor_email": "tutor@quai-conseil.test",
                "tutor_name": "Tom Tutor",
                "start_date": "2027-01-25",
                "end_date": "2028-01-24",
            },
        },
    )
    assert enrolment["status"] == "enrolled", enrolment
    contracts = _results(officer.get(f"/api/enrolment/contracts/?enrolment={enrolment['id']}"))
    assert [c["tutor_email"] for c in contracts] == ["tutor@quai-conseil.test"]
    assert chloe.get(application_url)["status"] == "enrolled"
    invoices = _results(chloe.get("/api/finance/invoices/"))
    assert {i["kind"] for i in invoices} > {"application_fee"}, invoices

    # --- a lecturer creates an assessment of his course and imports the results -----------
    certification = anonymous.get("/api/referential/certifications/RNCP39853/").json()
    version = next(v for v in certification["versions"] if v["code"] == "2024")
    link = course["competencies"][0]
    block = next(b for b in version["blocks"] if b["code"] == link["block"])
    competencies = [c for c in block["competencies"]]
    assessment = lecturer.post(
        "/api/assessment/assessments/new/",
        {
            "course": course["id"],
            "block": block["id"],
            "code": "CASE-1",
            "title_fr": "Étude de cas",
            "modality": "individual_case_study",
            "date": "2027-03-15",
            "weight": "1.00",
            "session": "first",
            "competencies": [c["id"] for c in competencies],
        },
    )
    rows = "".join(f"chloe@example.org,{c['code']},15\n" for c in competencies)
    job = lecturer.post(
        f"/api/assessment/assessments/{assessment['id']}/import/",
        {"file": SimpleUploadedFile("results.csv", f"learner,competency,grade\n{rows}".encode())},
        format="multipart",
        expect=202,
    )  # a background job (run at once without a broker): its outcome holds the report
    report = lecturer.get(job["api_url"])["result"]
    assert report["created"] == len(competencies), report
    assert len(_results(chloe.get("/api/assessment/results/"))) == len(competencies)

    # --- the director schedules a jury session; the jury deliberates, overrides, closes ---
    president_id = president.get("/api/accounts/me/")["id"]
    session = director.post(
        "/api/jury/sessions/",
        {
            "title": "Jury MSc 2026/27",
            "version": version["id"],
            "date": str(date.today()),
            "president": president_id,
            "members": [director.get("/api/accounts/me/")["id"]],
            "filters": {"edition": edition["id"]},
        },
    )
    session_url = f"/api/jury/sessions/{session['id']}/"
    assert president.post(f"{session_url}deliberate/", expect=200)["learners"] == 1
    decisions = president.get(f"{session_url}decisions/")
    assert next(d for d in decisions if d["block"] == block["code"])["status"] == "validated"
    missing = [d for d in decisions if d["status"] != "validated"]
    assert missing  # one course's assessment does not validate every block
    # The jury validates the other blocks on the evidence of her work-study missions.
    for decision in missing:
        overridden = president.post(
            f"{session_url}override/",
            {
                "kind": "block",
                "decision": decision["id"],
                "status": "validated",
                "justification": "Validated on the evidence of the work-study missions.",
                "version": decision["version"],
            },
            expect=200,
        )
        assert overridden["status"] == "validated" and overridden["justification"]
    certified = president.get(f"{session_url}certification-decisions/")
    assert [d["status"] for d in certified] == ["certified"]
    # closing runs as a background job (in-process here): 202, then the job says how it went
    closing = president.post(f"{session_url}close/", {}, expect=202)
    closing = president.get(closing["api_url"])
    assert closing["status"] == "done", closing
    closed = president.get(session_url)
    assert closed["status"] == "closed" and closed["minutes_sha256"], closed

    # --- credentials are issued; she fetches her certificate and anyone verifies it --------
    issuing = president.post(f"/api/credentials/sessions/{session['id']}/issue/", expect=202)
    issued = president.get(issuing["api_url"])
    assert issued["status"] == "done" and issued["result"]["credentials_issued"] >= 1, issued
    mine = _results(chloe.get("/api/credentials/"))
    certificate = next(c for c in mine if c["kind"] == "certification")
    badge = chloe.get(f"/api/credentials/{certificate['public_id']}/")
    assert "OpenBadgeCredential" in badge["type"], badge
    verdict = anonymous.post("/api/credentials/verify/", {"credential": badge}, format="json")
    assert verdict.status_code == 200
    answer_validated(openapi, "/api/credentials/verify/", verdict)
    assert verdict.json()["authentic"] and verdict.json()["current"], verdict.json()

    # --- the holders' declaration is exported, valid against the register's XSD ----------
    # her campus staff record the civil-status identity the register needs
    officer.patch(
        f"/api/enrolment/learners/{enrolment['learner']}/",
        {
            "date_of_birth": "2001-04-12",
            "birth_name": "Candidate",
            "first_names": "Chloé, Marie",
            "sex": "F",
            "birth_place_code": "69123",
            "birth_place_name": "Lyon",
            "birth_country": "France",
        },
    )
    holders = _results(director.get("/api/reporting/declarations/?certification=RNCP39853"))
    assert len(holders) == 1, holders
    today = str(date.today())
    export = director.post(
        "/api/reporting/declarations/export/",
        {"certification": "RNCP39853", "date_from": today, "date_to": today},
        expect=201,
    )
    assert export["declared"] == 1, export
    xml = director.get(export["download"].replace("http://testserver", ""))
    assert declaration.validate(xml.content) == []

    # --- the indicators show the cohort ----------------------------------------------------
    indicators = director.get("/api/reporting/indicators/MSC-ERCI/")
    admissions = next(a for a in indicators["admissions"] if a["edition"] == "2026-27")
    assert admissions["by_status"] == {"enrolled": 1}
    apprentices = next(a for a in indicators["apprentices"] if a["edition"] == "2026-27")
    assert (apprentices["campus"], apprentices["by_year"]["MSC2"]) == ("PAR", 1)
    cohort = next(c for c in indicators["certification"] if c["edition"] == "2026-27")
    assert (cohort["cohort"], cohort["certified"]) == (1, 1)
    assert cohort["rate"]["reason"] == "below_min_base"  # one learner: no rate is published
    blocks = [b for b in indicators["blocks"] if b["edition"] == "2026-27"]
    assert len(blocks) == 6 and all(b["validated"] == 1 for b in blocks)
