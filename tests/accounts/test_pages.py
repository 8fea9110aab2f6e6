"""Account pages: logging in (argon2 hashes), throttling after repeated failures, logging out,
changing one's password."""

from __future__ import annotations

import base64

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

EMAIL = "learner@example.org"
PASSWORD = "pw-Secret-123"


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user(email=EMAIL, password=PASSWORD)


def login(client, password: str, email: str = EMAIL):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_password_is_hashed_with_argon2(settings, django_user_model):
    """The site's own hashers (tests hash with MD5: tests/conftest.py)."""
    from capitalis import settings as site

    assert site.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = site.PASSWORD_HASHERS
    learner = django_user_model.objects.create_user(email=EMAIL, password=PASSWORD)
    assert learner.password.startswith("argon2")
    assert learner.check_password(PASSWORD)


def test_good_login_lands_on_the_home_page(client, learner):
    response = login(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    html = client.get("/").content.decode()
    assert "Déconnexion" in html
    assert "Changer de mot de passe" in html


def test_wrong_password_shows_a_translated_error(client, learner):
    response = login(client, "wrong")
    assert response.status_code == 200
    assert "Saisissez une adresse e-mail et un mot de passe valides." in response.content.decode()


def test_sixth_wrong_password_locks_out_with_a_translated_message(client, learner):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "wrong").status_code == 200
    responses = [login(client, "wrong") for _ in range(2)]  # the 5th and the 6th
    for response in responses:
        assert response.status_code == 429
        html = response.content.decode()
        assert "Trop de tentatives échouées" in html
        assert "La connexion a été bloquée après 5 tentatives échouées." in html
    # Even the right password is refused while locked out.
    assert login(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_message_in_english(client, learner):
    client.cookies["django_language"] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = login(client, "wrong")
    assert response.status_code == 429
    assert "Logging in has been blocked after 5 failed attempts." in response.content.decode()


def test_logout_by_post_goes_home(client, learner):
    client.force_login(learner)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "Connexion" in client.get("/").content.decode()


def test_password_change_requires_login(client):
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_password_change(client, learner):
    client.force_login(learner)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-Secret-456",
            "new_password2": "another-Secret-456",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    assert "Votre mot de passe a été changé." in client.get(response["Location"]).content.decode()
    learner.refresh_from_db()
    assert learner.check_password("another-Secret-456")


def test_password_change_with_wrong_old_password_shows_an_error(client, learner):
    client.force_login(learner)
    response = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": "x-Secret-456", "new_password2": "x-Secret-456"},
    )
    assert response.status_code == 200
    assert "Votre ancien mot de passe est incorrect" in response.content.decode()


def test_admin_link_only_for_administrators(client, learner, django_user_model):
    client.force_login(learner)
    assert 'href="/admin/"' not in client.get("/").content.decode()
    staff = django_user_model.objects.create_user(
        email="staff@example.org", password=PASSWORD, is_staff=True
    )
    client.force_login(staff)
    assert 'href="/admin/"' not in client.get("/").content.decode()
    admin = django_user_model.objects.create_superuser(email="root@example.org", password=PASSWORD)
    client.force_login(admin)
    assert 'href="/admin/"' in client.get("/").content.decode()


# --- one failure count per account, whatever the spelling of the e-mail -----------------


def _spellings(n: int) -> list[str]:
    """n spellings of EMAIL that log into the same account (case, surrounding spaces)."""
    local, domain = EMAIL.split("@")
    out = []
    for i in range(n):  # the first i letters upper-cased; every other one padded with spaces
        spelling = f"{local[:i].upper()}{local[i:]}@{domain.upper() if i % 2 else domain}"
        out.append(f"  {spelling} " if i % 2 else spelling)
    return out


def test_the_e_mail_casing_does_not_give_more_tries(client, learner):
    spellings = _spellings(settings.AXES_FAILURE_LIMIT + 1)
    assert len(set(spellings)) == len(spellings)
    for email in spellings[:-1]:
        login(client, "wrong", email=email)
    # Locked: the right password, in yet another spelling, is refused too.
    response = login(client, PASSWORD, email=spellings[-1])
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert login(client, PASSWORD, email=EMAIL.upper()).status_code == 429


def test_a_spelling_with_the_right_password_logs_in_before_the_limit(client, learner):
    for email in _spellings(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "wrong", email=email)
    response = login(client, PASSWORD, email=f"  {EMAIL.upper()} ")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(learner.pk)


def test_the_api_takes_no_password(client, learner):
    """HTTP Basic is gone: a password sent to the API is not a way in (programs use tokens)."""
    header = "Basic " + base64.b64encode(f"{EMAIL}:{PASSWORD}".encode()).decode()
    response = client.get("/api/admissions/applications/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_login_key_is_the_stripped_lower_cased_e_mail():
    from capitalis.accounts.throttling import axes_username

    assert axes_username(None, {"username": "  Learner@Example.ORG "}) == EMAIL
    assert axes_username(None, {"email": "LEARNER@example.org", "password": "x"}) == EMAIL
    assert axes_username(None, {"username": "   "}) is None
    assert axes_username(None, {}) is None


def test_password_change_checks_the_rules_against_the_user(client, django_user_model):
    """At least 12 characters, and not like the person's own name (full_name) or e-mail."""
    user = django_user_model.objects.create_user(
        email="dominique@example.org", password=PASSWORD, full_name="Dominique Lefebvre"
    )
    client.force_login(user)
    for new, error in (
        ("Ab-Secret9", "au minimum 12 caractères"),
        ("DominiqueLefebvre", "trop semblable"),
    ):
        response = client.post(
            "/accounts/password/",
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
        assert response.status_code == 200
        assert error in response.content.decode()
        user.refresh_from_db()
        assert user.check_password(PASSWORD)
