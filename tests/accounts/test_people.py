"""The school's accounts and role grants, from a page and from the API (issue 13): the
programme director creates a staff account (an invitation e-mail with a link to choose a
password), grants and withdraws roles on a scope (audited), and may not withdraw her own last
administrator role; nobody else may do any of it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openapi_core import OpenAPI

from capitalis.accounts import services
from capitalis.accounts.models import RoleAssignment, User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.core.models import AuditEvent
from capitalis.programmes.models import Course
from tests.openapi_checks import answer_validated
from tests.programmes.builders import build_catalogue
from tests.referential.test_api import openapi  # noqa: F401

PASSWORD = "pw-Secret-123-long"
NEW_PASSWORD = "a-brand-new-pass-2026"
USERS = "/api/accounts/users/"


@pytest.fixture
def director(db) -> User:
    user = services.user_create(email="dir@example.org", password=PASSWORD, is_staff=True)
    services.role_grant(user=user, role=Role.PROGRAMME_DIRECTOR)
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _invitation_link(email: str) -> str:
    sent = [m for m in mail.outbox if email in m.to]
    assert sent, f"no mail to {email}"
    found = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", sent[-1].body)
    assert found, sent[-1].body
    return found.group(0)


def _choose_password(link: str, password: str) -> None:
    client = Client()
    path = re.sub(r"^https?://[^/]+", "", link)
    answer = client.get(path, follow=True)  # allauth moves the key into the session
    assert answer.status_code == 200
    url = answer.redirect_chain[-1][0] if answer.redirect_chain else path
    done = client.post(url, {"password1": password, "password2": password})
    assert done.status_code == 302, done.content[:800]


def test_director_creates_a_staff_account_who_sets_a_password_and_logs_in(
    director, django_capture_on_commit_callbacks
):
    client = _client(director)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/accounts/people/",
            {"full_name": "Luc Lecturer", "email": "Luc@Example.org", "preferred_language": "en"},
        )
    person = User.objects.get(email="luc@example.org")
    assert answer.status_code == 302 and answer["Location"] == f"/accounts/people/{person.pk}/"
    assert person.is_staff and not person.has_usable_password()
    assert mail.outbox[-1].subject.endswith("Your Capitalis account")
    _choose_password(_invitation_link("luc@example.org"), NEW_PASSWORD)
    assert (
        Client()
        .post("/accounts/login/", {"username": "luc@example.org", "password": NEW_PASSWORD})
        .status_code
        == 302
    )
    assert AuditEvent.objects.filter(action="account_invite", target_id=str(person.pk)).exists()


def test_an_address_that_has_an_account_is_refused_on_the_form(director):
    answer = _client(director).post(
        "/accounts/people/",
        {"full_name": "Twice", "email": "dir@example.org", "preferred_language": "fr"},
    )
    assert answer.status_code == 400
    assert User.objects.filter(email="dir@example.org").count() == 1


def test_director_grants_and_withdraws_a_course_role_on_the_page(director):
    build_catalogue()
    course = Course.objects.order_by("pk").first()
    person = services.staff_account_create(email="lec@example.org", full_name="Lec Turer")
    client = _client(director)
    page = client.get(f"/accounts/people/{person.pk}/")
    assert page.status_code == 200
    assert f'value="course:{course.pk}"'.encode() in page.content
    answer = client.post(
        f"/accounts/people/{person.pk}/", {"role": "lecturer", "scope": f"course:{course.pk}"}
    )
    assert answer.status_code == 302
    assert RoleAssignment.objects.filter(
        user=person, role="lecturer", scope="course", scope_id=course.pk
    ).exists()
    assert course.code.encode() in client.get(f"/accounts/people/{person.pk}/").content
    # a lecturer's role on the whole school does not fit: refused, nothing granted
    refused = client.post(f"/accounts/people/{person.pk}/", {"role": "lecturer", "scope": "global"})
    assert refused.status_code == 400
    assert RoleAssignment.objects.filter(user=person).count() == 1
    client.post(
        f"/accounts/people/{person.pk}/revoke/",
        {"role": "lecturer", "scope": "course", "scope_id": str(course.pk)},
    )
    assert not RoleAssignment.objects.filter(user=person).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"role_grant", "role_revoke"} <= actions


def test_withdrawing_ones_own_last_admin_role_is_refused(director):
    client = _client(director)
    answer = client.post(
        f"/accounts/people/{director.pk}/revoke/",
        {"role": "programme_director", "scope": "global", "scope_id": ""},
        follow=True,
    )
    assert "dernier rôle d’administration" in answer.content.decode()
    assert RoleAssignment.objects.filter(user=director, role="programme_director").exists()
    api = _client(director).post(
        f"{USERS}{director.pk}/roles/revoke/",
        {"role": "programme_director", "scope": "global"},
        content_type="application/json",
    )
    assert api.status_code == 400 and api.json()["code"] == "own_last_admin"


def test_others_may_not_open_the_accounts(director):
    build_catalogue()
    course = Course.objects.first()
    lecturer = services.user_create(email="l@example.org", password=PASSWORD)
    services.role_grant(
        user=lecturer, role=Role.LECTURER, scope=ScopeKind.COURSE, scope_id=course.pk
    )
    client = _client(lecturer)
    assert client.get("/accounts/people/").status_code == 403
    assert client.get(USERS).status_code == 403
    assert (
        client.post(
            f"{USERS}{lecturer.pk}/roles/",
            {"role": "programme_director", "scope": "global"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert not RoleAssignment.objects.filter(user=lecturer, role="programme_director").exists()


def test_the_api_lists_creates_grants_and_withdraws(
    director,
    openapi: OpenAPI,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    build_catalogue()
    campus_id = Course.objects.first().edition.offerings.first().campus_id
    client = _client(director)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            USERS,
            {"email": "coord@example.org", "full_name": "Cora Coordinator"},
            content_type="application/json",
        )
    assert created.status_code == 201, created.content
    answer_validated(openapi, USERS, created, "post")
    body = created.json()
    assert body["has_password"] is False and body["roles"] == []
    assert _invitation_link("coord@example.org")
    grants = f"{USERS}{body['id']}/roles/"
    granted = client.post(
        grants,
        {"role": "campus_coordinator", "scope": "campus", "scope_id": campus_id},
        content_type="application/json",
    )
    assert granted.status_code == 201, granted.content
    answer_validated(openapi, grants, granted, "post")
    assert granted.json()["roles"] == [
        {"role": "campus_coordinator", "scope": "campus", "scope_id": campus_id}
    ]
    missing = client.post(
        grants,
        {"role": "campus_coordinator", "scope": "campus", "scope_id": 987654},
        content_type="application/json",
    )
    assert missing.status_code == 400 and missing.json()["code"] == "scope_missing"
    not_staff = client.post(grants, {"role": "learner"}, content_type="application/json")
    assert not_staff.status_code == 400
    listed = client.get(f"{USERS}?q=coord")
    assert listed.status_code == 200
    answer_validated(openapi, USERS, listed, "get")
    assert [p["email"] for p in listed.json()["results"]] == ["coord@example.org"]
    revoked = client.post(
        f"{grants}revoke/",
        {"role": "campus_coordinator", "scope": "campus", "scope_id": campus_id},
        content_type="application/json",
    )
    assert revoked.status_code == 200 and revoked.json()["roles"] == []
    again = client.post(
        f"{grants}revoke/",
        {"role": "campus_coordinator", "scope": "campus", "scope_id": campus_id},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["code"] == "not_granted"
    assert client.get(f"{USERS}987654/").status_code == 404


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_list_does_not_query_per_person(director):
    client = _client(director)

    def people(n: int) -> None:
        for i in range(n):
            person = services.user_create(email=f"p{n}-{i}@example.org", is_staff=True)
            services.role_grant(user=person, role=Role.FINANCE)

    people(2)
    few = (_queries(client, USERS), _queries(client, "/accounts/people/"))
    people(15)
    assert (_queries(client, USERS), _queries(client, "/accounts/people/")) == few
