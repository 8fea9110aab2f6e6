"""A programme director, in French, in a real browser, while the second factor is required for
staff: logs in with the password, is sent to set up an authenticator app, confirms the password,
types the app's code, keeps the recovery codes, reaches the home page; logs out and back in,
and this time types the app's code after the password. Every page is axe-checked."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from capitalis.accounts import services
from capitalis.accounts.rules import Role
from tests.browser.helpers import serious_violations

pytestmark = pytest.mark.browser

EMAIL = "director@example.org"
PASSWORD = "pw-Secret-123"


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def _password_login(page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main button[type=submit]").click()


def test_staff_sets_up_and_uses_the_second_factor(page, live_server, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MFA_REQUIRED_FOR_STAFF = True
    user = services.user_create(email=EMAIL, password=PASSWORD, is_staff=True)
    services.role_grant(user=user, role=Role.PROGRAMME_DIRECTOR)
    url = live_server.url

    _password_login(page, url)
    # Sent to the set-up, which first asks for the password again.
    page.wait_for_url(f"{url}/accounts/reauthenticate/**")
    assert serious_violations(page) == []
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{url}/accounts/2fa/totp/activate/")
    assert serious_violations(page) == []
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Code de l'authentificateur").fill(_code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{url}/accounts/2fa/recovery-codes/")
    assert serious_violations(page) == []
    page.goto(f"{url}/")
    assert page.locator("main").is_visible()
    assert "/accounts/2fa/" not in page.url

    page.get_by_role("button", name="Déconnexion").click()
    page.wait_for_url(f"{url}/")
    _password_login(page, url)
    page.wait_for_url(f"{url}/accounts/2fa/authenticate/")
    assert serious_violations(page) == []
    page.locator("main input[name=code]").fill(_code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{url}/")
    assert page.get_by_role("button", name="Déconnexion").is_visible()
