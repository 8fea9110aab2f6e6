"""Accounts: users and their role grants.

``UserFactory`` goes through ``accounts.services.user_create`` (an audit record, the login
address recorded as verified); ``BareUserFactory`` is the manager's ``create_user`` alone (no
audit record, no allauth address), for the worlds that never needed either. Both take
``roles=[(role, scope, scope_id), ...]``, granted through ``accounts.services.role_grant``.
"""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.accounts.services import role_grant, user_create

PASSWORD = "pw-Secret-123"

RoleGrant = tuple[Role, ScopeKind, int | None]


def grant(user: User, *roles: RoleGrant, actor: Any = None) -> User:
    """Grant ``user`` each (role, scope, scope id) through the service; returns the user."""
    for role, scope, scope_id in roles:
        role_grant(user=user, role=role, scope=scope, scope_id=scope_id, actor=actor)
    return user


class UserFactory(DjangoModelFactory):
    """A user made by ``user_create`` (audited, e-mail address verified), with ``roles``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Personne Essai {n}")
    password = PASSWORD

    @factory.post_generation
    def roles(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            grant(obj, *extracted)

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return user_create(**kwargs)


class BareUserFactory(UserFactory):
    """A user made by ``User.objects.create_user`` alone: no audit record, no e-mail address
    row (allauth's); roles are still granted through the service."""

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return model_class._default_manager.create_user(**kwargs)  # type: ignore[attr-defined]
