"""The candidate sign-up through the API (POST /api/admissions/signup/), with the page's rules:
the password rules with a translated error and nothing created, the same answer whether or not
the address already has an account, the confirmation e-mail, and the per-address rate limit."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from openapi_core import OpenAPI
from rest_framework.test import APIClient

from capitalis.accounts.models import User
from capitalis.accounts.queries import email_is_verified
from tests.admissions.builders import candidate
from tests.openapi_checks import answer_validated
from tests.referential.test_api import openapi  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/admissions/signup/"
EMAIL = "camille.api@example.org"
GOOD = "un-mot-de-passe-solide-42"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _post(client: APIClient, password: str = GOOD, email: str = EMAIL, language: str = "en"):
    body = {"full_name": "Camille Api", "email": email, "password": password}
    return client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize(
    ("password", "language", "said"),
    [
        ("Court-42", "en", "at least 12 characters"),
        ("Court-42", "fr", "au minimum 12 caractères"),
        ("camille.api.example", "en", "too similar"),
    ],
)
def test_a_weak_password_is_refused_and_nothing_is_created(password, language, said):
    answer = _post(APIClient(), password, language=language)
    assert answer.status_code == 400
    assert said in answer.json()["detail"]
    assert not User.objects.filter(email=EMAIL).exists()


def test_a_new_address_gets_an_account_and_the_confirmation_link(
    openapi: OpenAPI,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = _post(APIClient())
    assert answer.status_code == 202, answer.content
    answer_validated(openapi, URL, answer, "post")
    user = User.objects.get(email=EMAIL)
    assert user.role_assignments.filter(role="candidate").exists()
    assert not email_is_verified(user=user)
    confirm = next(m for m in mail.outbox if "/accounts/confirm-email/" in m.body)
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", confirm.body)
    assert link
    APIClient().post(link.group(1))
    assert email_is_verified(user=user)


def test_an_existing_address_gets_the_same_answer_and_nothing_changes(
    django_capture_on_commit_callbacks,
):
    owner = candidate(EMAIL)
    password = owner.password
    with django_capture_on_commit_callbacks(execute=True):
        again = _post(APIClient())
        fresh = _post(APIClient(), email="someone.else@example.org")
    assert again.status_code == fresh.status_code == 202
    assert again.json() == fresh.json()
    owner.refresh_from_db()
    assert owner.password == password
    assert User.objects.filter(email__iexact=EMAIL).count() == 1
    notice = [m for m in mail.outbox if m.to == [EMAIL]]
    assert len(notice) == 1


def test_sign_ups_are_rate_limited_per_address(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    client = APIClient()
    assert _post(client, email="a1@example.org").status_code == 202
    assert _post(client, email="a2@example.org").status_code == 202
    refused = _post(client, email="a3@example.org")
    assert refused.status_code == 429
    assert not User.objects.filter(email="a3@example.org").exists()
    page = client.post(
        "/admissions/signup/",
        {"full_name": "P", "email": "a4@example.org", "password": GOOD, "preferred_language": "fr"},
    )
    assert page.status_code == 429
    assert not User.objects.filter(email="a4@example.org").exists()
