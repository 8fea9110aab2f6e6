"""A programme director, in French, in a real browser, while the second factor is required for
staff: logs in with the password, is sent to the two-factor page, sets up an authenticator app,
confirms the password, types the app's code, keeps the recovery codes, reaches the home page;
logs out and back in, and this time types the app's code after the password. Or registers a
security key (a virtual one) and signs in with it. Every page is axe-checked."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from capitalis.accounts import services
from capitalis.accounts.rules import Role
from tests.browser.helpers import log_in, serious_violations

pytestmark = pytest.mark.browser

EMAIL = "director@example.org"
PASSWORD = "pw-Secret-123"


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def test_staff_sets_up_and_uses_the_second_factor(page, live_server, settings) -> None:
    settings.MFA_REQUIRED_FOR_STAFF = True
    user = services.user_create(email=EMAIL, password=PASSWORD, is_staff=True)
    services.role_grant(user=user, role=Role.PROGRAMME_DIRECTOR)
    url = live_server.url

    log_in(page, url, EMAIL, PASSWORD, lands_on=None)  # then the second factor
    # Sent to the two-factor page (an app or a security key); the app's set-up first asks for
    # the password again.
    page.wait_for_url(f"{url}/accounts/2fa/")
    assert serious_violations(page) == []
    page.locator('main a[href="/accounts/2fa/totp/activate/"]').click()
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
    log_in(page, url, EMAIL, PASSWORD, lands_on=None)  # then the second factor
    page.wait_for_url(f"{url}/accounts/2fa/authenticate/")
    assert serious_violations(page) == []
    page.locator("main input[name=code]").fill(_code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{url}/")
    assert page.get_by_role("button", name="Déconnexion").is_visible()


def test_staff_registers_a_security_key_and_signs_in_with_it(page, live_server, settings) -> None:
    """The same director chooses a security key instead: Chromium's virtual authenticator (CDP)
    stands in for the key. Registered, it replaces the app; at the next login the key is used
    after the password."""
    settings.MFA_REQUIRED_FOR_STAFF = True
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server is plain http
    user = services.user_create(email=EMAIL, password=PASSWORD, is_staff=True)
    services.role_grant(user=user, role=Role.PROGRAMME_DIRECTOR)
    url = live_server.url
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )

    log_in(page, url, EMAIL, PASSWORD, lands_on=None)  # then the second factor
    page.wait_for_url(f"{url}/accounts/2fa/")
    page.locator('main a[href="/accounts/2fa/webauthn/add/"]').click()
    page.wait_for_url(f"{url}/accounts/reauthenticate/**")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{url}/accounts/2fa/webauthn/add/")
    assert serious_violations(page) == []
    page.locator("main input[name=name]").fill("Clé du bureau")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(f"{url}/accounts/2fa/recovery-codes/")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists()
    page.goto(f"{url}/")
    assert "/accounts/2fa/" not in page.url

    page.get_by_role("button", name="Déconnexion").click()
    page.wait_for_url(f"{url}/")
    log_in(page, url, EMAIL, PASSWORD, lands_on=None)  # then the second factor
    page.wait_for_url(f"{url}/accounts/2fa/authenticate/")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Utiliser une clé de sécurité").click()
    page.wait_for_url(f"{url}/")
    assert page.get_by_role("button", name="Déconnexion").is_visible()
