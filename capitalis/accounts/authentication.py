"""API authentication for programs: ``Authorization: Bearer cap_<prefix>_<secret>`` (an
``ApiToken``). People use the API through their session (and its CSRF token) instead; there is
no HTTP Basic authentication (a password hash on every request, and lockouts by address).

A missing header leaves the request to the next class (the session). A malformed, unknown,
wrong, revoked or expired token, or one of an inactive account, is refused with 401; a read-only
token on an unsafe method with 403, whatever the view's own permissions.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

KEYWORD = "Bearer"


class ApiTokenAuthentication(BaseAuthentication):
    """Authenticate a program by its API token (constant-time comparison of the secret's
    hash; the token's prefix finds the row)."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        # Imported here: DRF loads authentication classes while settings are read.
        from capitalis.accounts import queries, services
        from capitalis.accounts.rules import TokenScope, token_scope_allows, token_split

        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: give “Bearer” and the token.")
            )
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        parts = token_split(raw)
        if parts is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        prefix, secret = parts
        token = queries.api_token_by_prefix(prefix)
        expected = token.secret_hash if token is not None else "0" * 64
        matches = hmac.compare_digest(services.secret_hash(secret), expected)
        if token is None or not matches:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_live():
            raise exceptions.AuthenticationFailed(_("This token has been revoked or has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is inactive."))
        if not token_scope_allows(TokenScope(token.scope), request.method or ""):
            raise exceptions.PermissionDenied(
                _("This token may only read: create a read and write token to change data.")
            )
        services.api_token_mark_used(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{KEYWORD} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The OpenAPI security scheme of ``ApiTokenAuthentication``."""

    target_class = "capitalis.accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme: dict[str, Any] = build_bearer_security_scheme_object(
            header_name="AUTHORIZATION", token_prefix=KEYWORD
        )
        scheme["description"] = (
            "A personal API token (Bearer cap_…), created on the “API tokens” page or with "
            "POST /api/accounts/tokens/. Read-only tokens may only use GET, HEAD and OPTIONS."
        )
        return scheme
