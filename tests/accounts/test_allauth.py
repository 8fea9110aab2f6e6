"""Accounts on django-allauth: the login page as before (and existing users still log in),
password reset by e-mail, address verification for candidates, the staff second factor (TOTP
with recovery codes) and /admin/ for those who administer."""

from __future__ import annotations

import importlib
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.apps import apps
from django.core import mail
from django.test import Client

from capitalis.accounts import queries, services
from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"
NEW_PASSWORD = "another-Secret-456"


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for this secret."""
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def login(client: Client, email: str, password: str = PASSWORD, **extra: str):
    return client.post("/accounts/login/", {"username": email, "password": password, **extra})


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def director() -> User:
    """A programme director: staff through a role (not is_staff)."""
    user = services.user_create(email="director@example.org", password=PASSWORD)
    services.role_grant(user=user, role=Role.PROGRAMME_DIRECTOR, scope=ScopeKind.GLOBAL)
    return user


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


# --- Logging in -------------------------------------------------------------------------------


def test_login_page_keeps_its_fields_and_labels_and_offers_a_reset(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert "Adresse e-mail" in html
    assert "Mot de passe" in html
    assert 'href="/accounts/password/reset/"' in html


def test_user_without_an_allauth_address_still_logs_in(client):
    User.objects.create_user(email="old@example.org", password=PASSWORD)
    response = login(client, "Old@Example.org")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in(client)


def test_next_is_followed_after_login(client):
    services.user_create(email="n@example.org", password=PASSWORD)
    response = login(client, "n@example.org", next="/accounts/password/")
    assert response["Location"] == "/accounts/password/"


def test_login_is_refused_in_english_too(client):
    services.user_create(email="en@example.org", password=PASSWORD)
    client.cookies["django_language"] = "en"
    response = login(client, "en@example.org", "wrong")
    assert response.status_code == 200
    assert "Enter a correct e-mail address and password." in response.content.decode()
    assert not logged_in(client)


def test_public_signup_through_allauth_is_closed(client):
    client.post("/accounts/signup/", {"email": "x@example.org", "password1": NEW_PASSWORD})
    assert not User.objects.filter(email="x@example.org").exists()


def test_data_migration_gives_existing_users_a_verified_primary_address():
    user = User.objects.create_user(email="before@example.org", password=PASSWORD)
    assert not EmailAddress.objects.filter(user=user).exists()
    migration = importlib.import_module(
        "capitalis.accounts.migrations.0004_allauth_email_addresses"
    )
    migration.create_email_addresses(apps, None)
    migration.create_email_addresses(apps, None)  # twice changes nothing
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("before@example.org", True, True)


def test_user_create_records_a_verified_address_unless_told_otherwise():
    staff_made = services.user_create(email="Staff.Made@example.org")
    candidate = services.user_create(email="cand@example.org", email_verified=False)
    assert queries.email_is_verified(user=staff_made)
    assert not queries.email_is_verified(user=candidate)
    assert EmailAddress.objects.get(user=staff_made).primary


def test_admin_created_user_has_a_verified_address(admin_client):
    admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "made@example.org",
            "password1": "a-Long-unusual-pw-4821",
            "password2": "a-Long-unusual-pw-4821",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
            "_save": "Save",
        },
    )
    assert queries.email_is_verified(user=User.objects.get(email="made@example.org"))


def test_anonymised_people_leave_no_address_or_device_behind(director):
    other = services.user_create(email="keep@example.org")
    TOTP.activate(director, generate_totp_secret())
    assert services.account_secrets_forget(user_ids=[director.pk]) == 2
    assert not EmailAddress.objects.filter(user=director).exists()
    assert not Authenticator.objects.filter(user=director).exists()
    assert EmailAddress.objects.filter(user=other).exists()
    assert services.account_secrets_forget(user_ids=[director.pk]) == 0


def test_changing_the_login_address_in_the_admin_moves_the_allauth_address(admin_client):
    user = services.user_create(email="old.addr@example.org")
    data = {
        "email": "new.addr@example.org",
        "full_name": "",
        "preferred_language": "fr",
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2024-01-01",
        "initial-date_joined_1": "10:00:00",
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    response = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    emails = list(EmailAddress.objects.filter(user=user).values_list("email", "verified"))
    assert emails == [("new.addr@example.org", True)]


# --- Password reset ---------------------------------------------------------------------------


def _reset_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_by_email(client):
    services.user_create(email="forgot@example.org", password=PASSWORD)
    page = client.get("/accounts/password/reset/").content.decode()
    assert "Réinitialiser votre mot de passe" in page
    response = client.post("/accounts/password/reset/", {"email": "Forgot@example.org"})
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert "Consultez votre boîte de réception" in done
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["forgot@example.org"]

    form_page = client.get(_reset_link(mail.outbox[0]), follow=True)
    assert "Choisissez un nouveau mot de passe" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Votre mot de passe a été changé" in client.get(response["Location"]).content.decode()

    assert login(client, "forgot@example.org", PASSWORD).status_code == 200
    assert login(client, "forgot@example.org", NEW_PASSWORD).status_code == 302


def test_password_reset_link_works_once(client):
    services.user_create(email="once@example.org", password=PASSWORD)
    client.post("/accounts/password/reset/", {"email": "once@example.org"})
    link = _reset_link(mail.outbox[0])
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    again = client.get(link, follow=True).content.decode()
    assert "Ce lien ne fonctionne plus" in again


def test_password_reset_does_not_tell_whether_an_account_exists(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) <= 1
    assert all("/password/reset/key/" not in m.body for m in mail.outbox)


def test_password_reset_page_in_english(client):
    client.cookies["django_language"] = "en"
    html = client.get("/accounts/password/reset/").content.decode()
    assert "Reset your password" in html
    assert "Send me the link" in html


# --- E-mail verification ----------------------------------------------------------------------


def test_candidate_confirms_their_address_by_the_link(client, rf):
    candidate = services.user_create(email="c@example.org", password=PASSWORD, email_verified=False)
    client.force_login(candidate)
    response = client.post("/accounts/email/confirm/resend/", {"next": "/admissions/"})
    assert response.status_code == 302
    assert response["Location"] == "/admissions/"
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    assert client.get(link.group(1)).status_code == 200
    client.post(link.group(1))
    assert queries.email_is_verified(user=candidate)


def test_confirmation_mail_is_not_sent_twice_in_a_row(client):
    candidate = services.user_create(
        email="c2@example.org", password=PASSWORD, email_verified=False
    )
    client.force_login(candidate)
    client.post("/accounts/email/confirm/resend/")
    response = client.post("/accounts/email/confirm/resend/", follow=True)
    assert len(mail.outbox) == 1
    assert "il y a un instant" in response.content.decode()


def test_resend_refuses_an_outside_next_and_anonymous_people(client):
    candidate = services.user_create(
        email="c3@example.org", password=PASSWORD, email_verified=False
    )
    assert client.post("/accounts/email/confirm/resend/").status_code == 302
    assert len(mail.outbox) == 0
    client.force_login(candidate)
    response = client.post("/accounts/email/confirm/resend/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_unconfirmed_address_stops_a_step_with_a_translated_error(client, rf):
    from django.template.loader import render_to_string
    from django.utils import translation

    from capitalis.core.exceptions import DomainError

    candidate = services.user_create(email="c4@example.org", email_verified=False)
    with translation.override("fr"), pytest.raises(DomainError) as error:
        queries.ensure_email_verified(user=candidate)
    assert error.value.code == "email_unverified"
    assert "Confirmez d’abord votre adresse e-mail" in error.value.message
    request = rf.get("/admissions/")
    request.user = candidate
    with translation.override("fr"):
        html = render_to_string("accounts/partials/email_unverified.html", request=request)
    assert "Renvoyer l’e-mail" in html
    assert 'action="/accounts/email/confirm/resend/"' in html
    services.email_address_ensure(user=candidate, verified=True)
    queries.ensure_email_verified(user=candidate)


def test_verified_user_gets_no_confirmation_mail(client, rf):
    user = services.user_create(email="v@example.org", password=PASSWORD)
    request = rf.post("/")
    request.session = client.session
    assert services.email_verification_send(request=request, user=user) is False
    assert len(mail.outbox) == 0


# --- Second factor ----------------------------------------------------------------------------


def test_staff_without_totp_is_sent_to_set_it_up_then_uses_it(client, director, mfa_required):
    assert login(client, director.email).status_code == 302
    response = client.get("/")
    assert response.status_code == 302
    # Sent to the two-factor page, which offers an authenticator app or a security key.
    assert response["Location"] == "/accounts/2fa/"
    html = client.get("/accounts/2fa/").content.decode()
    assert 'href="/accounts/2fa/totp/activate/"' in html
    assert 'href="/accounts/2fa/webauthn/add/"' in html
    # The set-up page asks for the password again first (allauth's reauthentication).
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200  # wrong code: the form again, nothing saved
    assert not queries.user_has_totp(user=director)
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert queries.user_has_totp(user=director)
    assert Authenticator.objects.filter(
        user=director, type=Authenticator.Type.RECOVERY_CODES
    ).exists()
    assert client.get("/").status_code == 200


def test_staff_with_totp_types_the_code_after_the_password(client, director, mfa_required):
    secret = generate_totp_secret()
    TOTP.activate(director, secret)
    response = login(client, director.email)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not logged_in(client)
    response = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert response.status_code == 200
    assert not logged_in(client)
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in(client)
    assert client.get("/").status_code == 200


def test_a_recovery_code_replaces_the_app_once(client, director, mfa_required):
    TOTP.activate(director, generate_totp_secret())
    code = RecoveryCodes.activate(director).get_unused_codes()[0]
    login(client, director.email)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert logged_in(client)
    client.post("/accounts/logout/")
    login(client, director.email)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 200
    assert not logged_in(client)


def test_staff_may_log_out_and_is_refused_the_api_without_totp(client, director, mfa_required):
    client.force_login(director)
    response = client.get("/api/schema/")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"
    response = client.get("/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == "/accounts/2fa/"
    assert client.post("/accounts/logout/")["Location"] == "/"


def test_is_staff_alone_requires_totp(client, mfa_required):
    staff = services.user_create(email="s@example.org", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    assert client.get("/")["Location"] == "/accounts/2fa/"


def test_learners_and_candidates_need_no_second_factor(client, mfa_required):
    learner = services.user_create(email="l@example.org", password=PASSWORD)
    services.role_grant(user=learner, role=Role.LEARNER)
    login(client, learner.email)
    assert client.get("/").status_code == 200


def test_staff_cannot_remove_their_totp(client, director, mfa_required):
    secret = generate_totp_secret()
    TOTP.activate(director, secret)
    login(client, director.email)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    client.post("/accounts/2fa/totp/deactivate/")
    assert queries.user_has_totp(user=director)


def _security_key(user: User, name: str = "Clé USB") -> Authenticator:
    """A registered WebAuthn authenticator (its credential is never read by these tests)."""
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": name, "credential": {}}
    )


def test_a_security_key_satisfies_the_staff_requirement(client, director, mfa_required):
    client.force_login(director)
    assert client.get("/")["Location"] == "/accounts/2fa/"
    _security_key(director)
    assert queries.user_has_second_factor(user=director)
    assert not queries.user_has_totp(user=director)
    assert client.get("/").status_code == 200
    assert client.get("/api/schema/").status_code != 403


def test_recovery_codes_alone_do_not_satisfy_it(client, director, mfa_required):
    RecoveryCodes.activate(director)
    assert not queries.user_has_second_factor(user=director)
    client.force_login(director)
    assert client.get("/")["Location"] == "/accounts/2fa/"


def test_staff_keep_at_least_one_second_factor(director, mfa_required):
    adapter = get_mfa_adapter()
    key = _security_key(director)
    assert not adapter.can_delete_authenticator(key)  # the only one
    totp = TOTP.activate(director, generate_totp_secret()).instance
    assert adapter.can_delete_authenticator(key)
    assert adapter.can_delete_authenticator(totp)
    key.delete()
    assert not adapter.can_delete_authenticator(totp)


def test_the_security_key_page_loads_allauths_scripts_under_the_csp(client, director):
    client.force_login(director)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.get("/accounts/2fa/webauthn/add/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ajouter une clé de sécurité" in html
    # allauth's JavaScript is in static files (script-src 'self'); its inline <script> tags are
    # JSON data blocks, never run, so no nonce is needed.
    assert 'src="/static/mfa/js/webauthn.js"' in html
    assert 'src="/static/account/js/onload.js"' in html
    for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html):
        assert 'type="application/json"' in tag or "nonce=" in tag, tag
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_the_account_page_leads_to_the_two_factor_page(client, director):
    client.force_login(director)
    html = client.get("/accounts/password/").content.decode()
    assert 'href="/accounts/2fa/"' in html
    assert "clé de sécurité" in html


def test_requirement_off_lets_staff_in_without_totp(client, director):
    client.force_login(director)
    assert client.get("/").status_code == 200


# --- /admin/ ----------------------------------------------------------------------------------


def test_staff_with_a_role_but_no_admin_rights_gets_404_at_admin(client, director):
    director.is_staff = True
    director.save()
    client.force_login(director)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 404
    assert client.get("/admin/accounts/user/", follow=True).status_code == 404


def test_superuser_opens_admin(admin_client):
    assert admin_client.get("/admin/").status_code == 200


def test_admin_sends_anonymous_people_to_the_site_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"
    assert 'name="username"' in response.content.decode()
    # The admin's own password form is gone (it would skip the second factor).
    response = client.post("/admin/login/", {"username": "x@example.org", "password": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_security_key_list_opens_with_a_key(client, director):
    """allauth's list of keys (dated with the humanize filters) opens, in French."""
    _security_key(director)
    client.force_login(director)
    response = client.get("/accounts/2fa/webauthn/")
    assert response.status_code == 200
    assert "clé" in response.content.decode().lower()
