"""REST API on the signed-in person's own API tokens, under /api/accounts/tokens/: list, create
(the token text is in the answer once, never again), revoke. Session only (a token cannot mint
or revoke tokens); another person's token answers 404. And /api/accounts/me/: who the caller is
(a session or a token), with her roles — the id other operations name people by (a jury
session's president and members). And /api/accounts/users/: the school's accounts and their
role grants (see the section at the end)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts import permissions, queries, services
from capitalis.accounts.models import (
    LANGUAGE_CHOICES,
    SCOPE_CHOICES,
    TOKEN_SCOPE_CHOICES,
    ApiToken,
    User,
)
from capitalis.accounts.queries import request_user
from capitalis.accounts.rules import STAFF_ROLES, Role, ScopeKind, TokenScope, token_format
from capitalis.core.api import ErrorSerializer, NotFoundSerializer
from capitalis.core.exceptions import DomainError
from capitalis.core.params import BIGINT_MAX


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    hint = serializers.SerializerMethodField(help_text="How the token begins (cap_<prefix>_…).")
    is_live = serializers.SerializerMethodField(help_text="Neither revoked nor expired.")

    class Meta:
        model = ApiToken
        fields: tuple[str, ...] = (
            "id",
            "name",
            "hint",
            "scope",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "is_live",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_hint(self, token: ApiToken) -> str:
        return token_format(token.prefix, "…")

    def get_is_live(self, token: ApiToken) -> bool:
        return token.is_live()


class ApiTokenCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=services.TOKEN_NAME_MAX)
    scope = serializers.ChoiceField(choices=TOKEN_SCOPE_CHOICES, default=TokenScope.READ.value)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        help_text="The token to give in 'Authorization: Bearer …'. Shown this once only."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = (*ApiTokenSerializer.Meta.fields, "token")
        read_only_fields = fields


class _SessionOnly(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]


class ApiTokenListView(_SessionOnly):
    """The signed-in person's API tokens, and creating one."""

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        tokens = queries.api_tokens_for(user=request_user(request))
        return Response(ApiTokenSerializer(tokens, many=True).data)

    @extend_schema(
        request=ApiTokenCreateSerializer,
        responses={
            201: ApiTokenCreatedSerializer,
            400: OpenApiResponse(ErrorSerializer, description="No name, or a past expiry."),
        },
    )
    def post(self, request: Request) -> Response:
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request_user(request)
        token, text = services.api_token_create(
            user=user,
            name=data.validated_data["name"],
            scope=TokenScope(data.validated_data["scope"]),
            expires_at=data.validated_data["expires_at"],
            actor=user,
        )
        body = {**ApiTokenSerializer(token).data, "token": text}
        return Response(body, status=status.HTTP_201_CREATED)


class ApiTokenRevokeView(_SessionOnly):
    """Revoke one of the signed-in person's tokens (it answers 401 at once)."""

    @extend_schema(
        request=None,
        responses={
            200: ApiTokenSerializer,
            404: OpenApiResponse(NotFoundSerializer, description="Not one of your tokens."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        token = queries.api_token_get_for(user=user, pk=pk)
        if token is None:
            raise NotFound()
        revoked = services.api_token_revoke(token=token, actor=user)
        return Response(ApiTokenSerializer(revoked).data)


class GrantSerializer(serializers.Serializer[Any]):
    role = serializers.CharField()
    scope = serializers.CharField(help_text="global, campus, course, jury_session, admission_jury")
    scope_id = serializers.IntegerField(allow_null=True)


class MeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    preferred_language = serializers.CharField()
    roles = GrantSerializer(many=True)


class MeView(APIView):
    """Who the caller is: her id, address, name, language and role grants."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer}, operation_id="accounts_me_retrieve")
    def get(self, request: Request) -> Response:
        user = request_user(request)
        grants = sorted(
            queries.grants_for(user=user), key=lambda g: (g.role, g.scope, g.scope_id or 0)
        )
        body = {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "roles": [
                {"role": g.role.value, "scope": g.scope.value, "scope_id": g.scope_id}
                for g in grants
            ],
        }
        return Response(MeSerializer(body).data)


# --- the school's people and their roles (permissions TABLE "account") ---------------------
# /api/accounts/users/: list (staff by default, ?who=all for everyone, ?q= to search), create
# a staff account (an invitation e-mail to choose a password); /users/<id>/: one account;
# /users/<id>/roles/ grant a role on a scope, /users/<id>/roles/revoke/ withdraw one;
# /users/<id>/invite/ send the invitation again. 403 for anyone who may not manage accounts.


class AccountSerializer(serializers.ModelSerializer[User]):
    roles = serializers.SerializerMethodField(help_text="The role grants, with their scope.")
    has_password = serializers.SerializerMethodField(
        help_text="False until the person has chosen a password (invitation pending)."
    )

    class Meta:
        model = User
        fields: tuple[str, ...] = (
            "id",
            "email",
            "full_name",
            "preferred_language",
            "is_active",
            "has_password",
            "roles",
        )
        read_only_fields: tuple[str, ...] = fields

    @extend_schema_field(GrantSerializer(many=True))
    def get_roles(self, user: User) -> list[dict[str, Any]]:
        return [
            {"role": a.role, "scope": a.scope, "scope_id": a.scope_id}
            for a in user.role_assignments.all()
        ]

    def get_has_password(self, user: User) -> bool:
        return user.has_usable_password()


class AccountCreateSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField()
    full_name = serializers.CharField(max_length=services.FULL_NAME_MAX)
    preferred_language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, default="fr")


class RoleGrantSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=sorted(r.value for r in STAFF_ROLES))
    scope = serializers.ChoiceField(choices=SCOPE_CHOICES, default=ScopeKind.GLOBAL.value)
    scope_id = serializers.IntegerField(
        min_value=1, max_value=BIGINT_MAX, allow_null=True, required=False, default=None
    )


class RoleRevokeSerializer(RoleGrantSerializer):
    role = serializers.ChoiceField(choices=sorted(r.value for r in Role))


def _may(request: Request, action: str) -> User:
    user = request_user(request)
    if not permissions.can(user, action, "account"):
        raise DomainError(_("You may not manage accounts."), code="not_authorised")
    return user


def _account(user_id: int) -> User:
    person = queries.account_list().filter(pk=user_id).first()
    if person is None:
        raise NotFound(_("No account has this identifier."))
    return person


def _role_change(
    request: Request,
    user_id: int,
    payload: type[RoleGrantSerializer],
    change: Callable[..., object],
) -> None:
    """Grant or withdraw (``change``) the role on a scope that the payload names, for the
    account ``user_id``, as a user who may manage accounts."""
    actor = _may(request, "manage")
    person = _account(user_id)
    data = payload(data=request.data)
    data.is_valid(raise_exception=True)
    change(
        user=person,
        role=Role(data.validated_data["role"]),
        scope=ScopeKind(data.validated_data["scope"]),
        scope_id=data.validated_data["scope_id"],
        actor=actor,
    )


_FORBIDDEN = OpenApiResponse(ErrorSerializer, description="May not manage accounts.")
_UNKNOWN = OpenApiResponse(NotFoundSerializer, description="No such account.")


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Search the name or the e-mail address."),
        OpenApiParameter(
            "who", str, enum=["staff", "all"], description="Staff (default) or every account."
        ),
    ]
)
class AccountListView(ListAPIView[User]):
    """The school's accounts with their role grants; creating a staff account."""

    serializer_class = AccountSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        _may(self.request, "read")
        params = self.request.query_params
        return queries.account_list(
            search=params.get("q", ""), staff_only=params.get("who") != "all"
        )

    @extend_schema(
        request=AccountCreateSerializer,
        responses={
            201: AccountSerializer,
            400: OpenApiResponse(ErrorSerializer, description="An address that has an account."),
            403: _FORBIDDEN,
        },
        parameters=[],
    )
    def post(self, request: Request) -> Response:
        actor = _may(request, "manage")
        data = AccountCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.staff_account_create(actor=actor, **data.validated_data)
        return Response(AccountSerializer(_account(person.pk)).data, status=status.HTTP_201_CREATED)


class AccountDetailView(APIView):
    """One account with its role grants."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AccountSerializer, 403: _FORBIDDEN, 404: _UNKNOWN})
    def get(self, request: Request, user_id: int) -> Response:
        _may(request, "read")
        return Response(AccountSerializer(_account(user_id)).data)


class AccountRoleGrantView(APIView):
    """Grant a staff role on a scope (the whole school, or a campus, course, certification
    jury session or admission jury by its id)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=RoleGrantSerializer,
        responses={
            201: AccountSerializer,
            400: OpenApiResponse(ErrorSerializer, description="A scope that does not fit."),
            403: _FORBIDDEN,
            404: _UNKNOWN,
        },
    )
    def post(self, request: Request, user_id: int) -> Response:
        _role_change(request, user_id, RoleGrantSerializer, services.staff_role_grant)
        return Response(AccountSerializer(_account(user_id)).data, status=status.HTTP_201_CREATED)


class AccountRoleRevokeView(APIView):
    """Withdraw a role grant (one's own last administrator role is refused)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=RoleRevokeSerializer,
        responses={
            200: AccountSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="Not held, or one's own last administrator role."
            ),
            403: _FORBIDDEN,
            404: _UNKNOWN,
        },
    )
    def post(self, request: Request, user_id: int) -> Response:
        _role_change(request, user_id, RoleRevokeSerializer, services.staff_role_revoke)
        return Response(AccountSerializer(_account(user_id)).data)


class AccountInviteView(APIView):
    """Send the invitation e-mail again (a new link to choose a password)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: AccountSerializer, 400: ErrorSerializer, 403: _FORBIDDEN, 404: _UNKNOWN},
    )
    def post(self, request: Request, user_id: int) -> Response:
        actor = _may(request, "manage")
        person = _account(user_id)
        services.account_invite(user=person, actor=actor)
        return Response(AccountSerializer(person).data)
