"""``users_anonymise``: what the retention rules (reporting) ask of accounts for the people
they anonymise: name and e-mail replaced, account closed, roles withdrawn, one audit record
without personal content."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress

from capitalis.accounts import services
from capitalis.accounts.models import RoleAssignment, User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.core.models import AuditEvent
from tests.factories.accounts import BareUserFactory

pytestmark = pytest.mark.django_db


def test_the_chosen_users_are_anonymised_and_their_roles_withdrawn() -> None:
    gone = BareUserFactory(
        email="gone@example.org", roles=[(Role.CANDIDATE, ScopeKind.GLOBAL, None)]
    )
    kept = BareUserFactory(
        email="kept@example.org", roles=[(Role.CANDIDATE, ScopeKind.GLOBAL, None)]
    )
    services.email_address_ensure(user=gone, verified=True)
    services.email_address_ensure(user=kept, verified=True)
    assert services.users_anonymise(user_ids=[gone.pk, gone.pk]) == 1
    assert not EmailAddress.objects.filter(user=gone).exists()  # the old address is forgotten
    assert EmailAddress.objects.filter(user=kept).exists()
    gone.refresh_from_db()
    assert gone.full_name == services.ANONYMISED == "anonymised"
    assert gone.email == services.placeholder_email(gone.pk)
    assert gone.email.endswith("@" + services.PLACEHOLDER_DOMAIN)
    assert not gone.is_active and not gone.has_usable_password()
    assert not RoleAssignment.objects.filter(user=gone).exists()
    assert RoleAssignment.objects.filter(user=kept).exists()
    assert User.objects.get(pk=kept.pk).email == "kept@example.org"
    event = AuditEvent.objects.get(action="accounts.users_anonymise")
    assert event.data["users"] == [gone.pk] and event.data["roles"] == 1
    assert "gone@example.org" not in event.summary + json.dumps(event.data)


def test_nobody_to_anonymise_records_nothing() -> None:
    assert services.users_anonymise(user_ids=[]) == 0
    assert not AuditEvent.objects.filter(action="accounts.users_anonymise").exists()
