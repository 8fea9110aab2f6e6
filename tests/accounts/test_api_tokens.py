"""API tokens (accounts.ApiToken): programs call the API with ``Authorization: Bearer …``;
people manage their own tokens on a page and through the session API. HTTP Basic is gone."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openapi_core import OpenAPI

from capitalis.accounts import services
from capitalis.accounts.models import ApiToken, User
from capitalis.accounts.rules import TokenScope, token_is_live, token_scope_allows, token_split
from capitalis.core.models import AuditEvent
from tests.openapi_checks import answer_validated
from tests.referential.test_api import openapi  # noqa: F401

READ_URL = "/api/finance/invoices/"  # any endpoint for signed-in people
WRITE_URL = "/api/reporting/privacy/mine/"  # a POST any signed-in person may make
TOKENS = "/api/accounts/tokens/"


def _person(email: str = "ada@example.org") -> User:
    return User.objects.create_user(email=email, password="pw-Secret-123")


def _bearer(text: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


# --- rules (no database) -----------------------------------------------------------------------


def test_token_split() -> None:
    assert token_split("cap_0a1b2c3d_s3cr-et_x") == ("0a1b2c3d", "s3cr-et_x")
    for bad in ("", "cap", "cap_", "cap_abc", "cap__secret", "xyz_abc_secret", "cap_a-b_secret"):
        assert token_split(bad) is None, bad


def test_read_scope_allows_safe_methods_only() -> None:
    for method in ("GET", "HEAD", "OPTIONS", "get"):
        assert token_scope_allows(TokenScope.READ, method)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert not token_scope_allows(TokenScope.READ, method)
        assert token_scope_allows(TokenScope.WRITE, method)


def test_token_is_live() -> None:
    now = timezone.now()
    assert token_is_live(revoked=False, expires_at=None, now=now)
    assert token_is_live(revoked=False, expires_at=now + timedelta(seconds=1), now=now)
    assert not token_is_live(revoked=False, expires_at=now, now=now)
    assert not token_is_live(revoked=True, expires_at=None, now=now)


# --- authentication ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_token_authenticates_its_owner(client: Client) -> None:
    token, text = services.api_token_create(user=_person(), name="script")
    assert token.last_used_at is None
    response = client.get(READ_URL, **_bearer(text))
    assert response.status_code == 200
    assert response.json()["count"] == 0
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mangle",
    [
        lambda text: text[:-1] + ("A" if text[-1] != "A" else "B"),  # wrong secret
        lambda text: "cap_ffffffff_" + text.split("_", 2)[2],  # unknown prefix
        lambda text: "not-a-token",
        lambda text: f"{text} extra",
    ],
    ids=["wrong-secret", "unknown-prefix", "malformed", "two-words"],
)
def test_a_wrong_token_is_refused_with_401(client: Client, mangle) -> None:
    _token, text = services.api_token_create(user=_person(), name="script")
    response = client.get(READ_URL, **_bearer(mangle(text)))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_revoked_and_expired_tokens_are_refused_with_401(client: Client) -> None:
    user = _person()
    revoked, revoked_text = services.api_token_create(user=user, name="old")
    assert client.get(READ_URL, **_bearer(revoked_text)).status_code == 200
    services.api_token_revoke(token=revoked, actor=user)
    assert client.get(READ_URL, **_bearer(revoked_text)).status_code == 401

    expired, expired_text = services.api_token_create(
        user=user, name="short", expires_at=timezone.now() + timedelta(hours=1)
    )
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(READ_URL, **_bearer(expired_text))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"] or "expiré" in response.json()["detail"]


@pytest.mark.django_db
def test_a_token_of_an_inactive_account_is_refused(client: Client) -> None:
    user = _person()
    _token, text = services.api_token_create(user=user, name="script")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(READ_URL, **_bearer(text)).status_code == 401


@pytest.mark.django_db
def test_a_read_token_may_not_write(client: Client) -> None:
    user = _person()
    _read, read_text = services.api_token_create(user=user, name="reader")
    _write, write_text = services.api_token_create(user=user, name="writer", scope=TokenScope.WRITE)
    refused = client.post(WRITE_URL, **_bearer(read_text))
    assert refused.status_code == 403
    assert refused.json()["detail"]
    # The same request with a read and write token goes through (no CSRF for a token).
    assert client.post(WRITE_URL, **_bearer(write_text)).status_code == 200


@pytest.mark.django_db
def test_basic_authentication_is_not_accepted(client: Client) -> None:
    _person()
    basic = base64.b64encode(b"ada@example.org:pw-Secret-123").decode()
    response = client.get(READ_URL, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_the_secret_is_not_stored(client: Client) -> None:
    token, text = services.api_token_create(user=_person(), name="script")
    secret = text.split("_", 2)[2]
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert all(secret not in str(value) for value in row.values())
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert text.startswith(f"cap_{token.prefix}_")
    audit = AuditEvent.objects.filter(action="api_token_create").values().get()
    assert secret not in str(audit)


# --- services ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_creation_and_revocation_are_audited() -> None:
    user = _person()
    token, _text = services.api_token_create(user=user, name="script", actor=user)
    services.api_token_revoke(token=token, actor=user)
    services.api_token_revoke(token=token, actor=user)  # twice: nothing more
    actions = list(
        AuditEvent.objects.filter(target_id=str(token.pk)).values_list("action", "actor")
    )
    assert sorted(actions) == [("api_token_create", user.pk), ("api_token_revoke", user.pk)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "expires_in", "code"),
    [(" ", None, "name_required"), ("x" * 101, None, "name_too_long"), ("ok", -1, "expiry_past")],
)
def test_bad_creation_is_refused_and_creates_nothing(name, expires_in, code) -> None:
    from capitalis.core.exceptions import DomainError

    expires_at = None if expires_in is None else timezone.now() + timedelta(days=expires_in)
    with pytest.raises(DomainError) as refused:
        services.api_token_create(user=_person(), name=name, expires_at=expires_at)
    assert refused.value.code == code
    assert not ApiToken.objects.exists()


# --- session API -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_session_api_lists_creates_and_revokes(client: Client, openapi: OpenAPI) -> None:  # noqa: F811
    user = _person()
    client.force_login(user)
    created = client.post(TOKENS, {"name": "ci", "scope": "write"}, content_type="application/json")
    answer_validated(openapi, TOKENS, created)
    assert created.status_code == 201
    body = created.json()
    assert body["scope"] == "write" and body["is_live"] is True
    text = body["token"]
    assert text.startswith(body["hint"].removesuffix("…"))

    listed = client.get(TOKENS)
    answer_validated(openapi, TOKENS, listed, method="get")
    assert [t["name"] for t in listed.json()] == ["ci"]
    assert "token" not in listed.json()[0]
    assert text not in listed.content.decode()

    revoke_url = f"{TOKENS}{body['id']}/revoke/"
    revoked = client.post(revoke_url)
    answer_validated(openapi, f"{TOKENS}{{id}}/revoke/", revoked)
    assert revoked.status_code == 200 and revoked.json()["is_live"] is False
    client.logout()
    assert client.get(READ_URL, **_bearer(text)).status_code == 401


@pytest.mark.django_db
def test_session_api_refuses_bad_input_clearly(client: Client) -> None:
    client.force_login(_person())
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = client.post(
        TOKENS, {"name": "ci", "expires_at": past}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "expiry_past"
    response = client.post(TOKENS, {"scope": "admin"}, content_type="application/json")
    assert response.status_code == 400 and {"name", "scope"} <= set(response.json())
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_a_token_cannot_manage_tokens(client: Client) -> None:
    user = _person()
    _token, text = services.api_token_create(user=user, name="ci", scope=TokenScope.WRITE)
    assert client.get(TOKENS, **_bearer(text)).status_code in (401, 403)
    response = client.post(
        TOKENS, {"name": "more"}, content_type="application/json", **_bearer(text)
    )
    assert response.status_code in (401, 403)
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db
def test_another_persons_token_cannot_be_revoked(client: Client) -> None:
    ada = _person()
    token, text = services.api_token_create(user=ada, name="ada's")
    client.force_login(_person("bob@example.org"))
    assert client.post(f"{TOKENS}{token.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert client.get(TOKENS).json() == []
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get(READ_URL, **_bearer(text)).status_code == 200


@pytest.mark.django_db
def test_schema_documents_the_token_endpoints_and_scheme(served_schema: dict) -> None:
    schema = served_schema
    assert "/api/accounts/tokens/" in schema["paths"]
    assert "/api/accounts/tokens/{id}/revoke/" in schema["paths"]
    scheme = schema["components"]["securitySchemes"]["apiToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "basicAuth" not in schema["components"]["securitySchemes"]


# --- page --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_creates_shows_once_lists_and_revokes(client: Client) -> None:
    user = _person()
    assert client.get("/accounts/tokens/").status_code == 302  # log in first
    client.force_login(user)
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200 and 'name="name"' in page.content.decode()

    created = client.post("/accounts/tokens/", {"name": "cron", "scope": "read", "expires": "30"})
    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    token = ApiToken.objects.get()
    html = created.content.decode()
    text = html.split('id="new-token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    assert text.startswith(f"cap_{token.prefix}_")
    assert token.expires_at is not None
    assert client.get(READ_URL, **_bearer(text)).status_code == 200
    # Shown once: the page no longer has it.
    again = client.get("/accounts/tokens/").content.decode()
    assert text not in again and f"cap_{token.prefix}_…" in again

    revoked = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert revoked.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
def test_page_refuses_an_empty_name(client: Client) -> None:
    client.force_login(_person())
    response = client.post("/accounts/tokens/", {"name": "", "scope": "read", "expires": "30"})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_staff_revoke_tokens_from_the_admin(client: Client) -> None:
    admin = User.objects.create_superuser(email="admin@example.org", password="pw-Secret-123")
    token, text = services.api_token_create(user=_person(), name="leaked")
    client.force_login(admin)
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token_revoke", actor=admin).exists()
    client.logout()
    assert client.get(READ_URL, **_bearer(text)).status_code == 401
