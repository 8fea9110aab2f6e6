"""The candidate sign-up page: the password rules (at least 12 characters, not like the
e-mail address or the name, not common, not only digits) with a translated field error and
nothing created; and an outcome that never tells whether the address already has an account."""

from __future__ import annotations

import pytest
from django.test import Client

from capitalis.accounts.models import User
from capitalis.admissions import services
from capitalis.core.exceptions import DomainError
from tests.admissions.builders import candidate

pytestmark = pytest.mark.django_db

EMAIL = "camille.durand@example.org"
NAME = "Camille Durand"
GOOD = "un-mot-de-passe-solide-42"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _post(password: str, *, email: str = EMAIL, name: str = NAME, language: str = "fr"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    data = {"full_name": name, "email": email, "password": password, "preferred_language": "fr"}
    return client, client.post("/admissions/signup/", data)


def _password_errors(response) -> str:
    form = response.context["form"]
    return " ".join(form.errors.get("password", []))


@pytest.mark.parametrize(
    ("password", "french", "english"),
    [
        ("Court-42", "au minimum 12 caractères", "at least 12 characters"),
        (EMAIL, "trop semblable", "too similar"),
        ("CamilleDurand", "trop semblable", "too similar"),
        ("password1234", "trop courant", "too common"),
        ("480913572640", "entièrement numérique", "entirely numeric"),
    ],
)
def test_a_weak_password_is_refused_with_a_translated_field_error(password, french, english):
    for language, expected in (("fr", french), ("en", english)):
        client, response = _post(password, language=language)
        assert response.status_code == 200
        assert expected in _password_errors(response), _password_errors(response)
        assert expected in response.content.decode()
        assert not User.objects.filter(email__iexact=EMAIL).exists()
        assert "_auth_user_id" not in client.session


def test_the_service_repeats_the_password_rules_and_creates_nothing():
    for password in ("Court-42", EMAIL, NAME):
        with pytest.raises(DomainError) as error:
            services.candidate_signup_request(email=EMAIL, full_name=NAME, password=password)
        assert error.value.code == "password"
        with pytest.raises(DomainError):
            services.candidate_signup(email=EMAIL, full_name=NAME, password=password)
    assert not User.objects.exists()


def test_a_new_address_gets_an_account_a_welcome_mail_and_the_login_page(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client, response = _post(GOOD)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    user = User.objects.get(email=EMAIL)
    assert user.check_password(GOOD) and user.full_name == NAME
    # the confirmation link (needed before submitting) and the welcome
    assert [m.to for m in mailoutbox] == [[EMAIL], [EMAIL]]
    assert any("/accounts/confirm-email/" in m.body for m in mailoutbox)
    # Logging in works next.
    assert client.post("/accounts/login/", {"username": EMAIL, "password": GOOD}).status_code == 302


def test_an_existing_address_gives_the_same_outcome_and_changes_nothing(
    mailoutbox, django_capture_on_commit_callbacks
):
    owner = candidate(EMAIL)
    before = (owner.password, owner.full_name, User.objects.count())
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        new_client, new_response = _post(GOOD, email="someone.else@example.org")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        old_client, old_response = _post(GOOD, email=f"  {EMAIL.upper()} ", name="Intruder Test")

    assert old_response.status_code == new_response.status_code == 302
    assert old_response["Location"] == new_response["Location"]
    assert "_auth_user_id" not in old_client.session
    assert "_auth_user_id" not in new_client.session
    assert (
        old_client.get(old_response["Location"])
        .content.decode()
        .count("Consultez votre messagerie")
        == new_client.get(new_response["Location"])
        .content.decode()
        .count("Consultez votre messagerie")
        == 1
    )
    owner.refresh_from_db()
    assert (owner.password, owner.full_name, User.objects.count() - 1) == before
    assert not owner.check_password(GOOD)
    # The owner is told, in her language; nobody else gets a mail.
    (notice,) = mailoutbox
    assert notice.to == [EMAIL]
    assert "déjà un compte" in notice.body


def test_a_weak_password_with_an_existing_address_is_refused_like_any_other():
    candidate(EMAIL)
    _client, response = _post("Court-42")
    assert response.status_code == 200
    assert "au minimum 12 caractères" in _password_errors(response)
