"""REST API on the signed-in person's own API tokens, under /api/accounts/tokens/: list, create
(the token text is in the answer once, never again), revoke. Session only (a token cannot mint
or revoke tokens); another person's token answers 404. And /api/accounts/me/: who the caller is
(a session or a token), with her roles — the id other operations name people by (a jury
session's president and members)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from capitalis.accounts import queries, services
from capitalis.accounts.models import TOKEN_SCOPE_CHOICES, ApiToken
from capitalis.accounts.queries import request_user
from capitalis.accounts.rules import TokenScope, token_format
from capitalis.core.api import ErrorSerializer, NotFoundSerializer


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
