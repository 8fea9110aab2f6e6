"""A new school's first account (issue 13: nothing only from a shell but this one door):
``manage.py open_school`` creates a programme director over the whole school, with no password
and an invitation e-mail; she chooses her password from its link and manages the accounts page.
A second run for the same address, or a bad address, is refused and changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from capitalis.accounts.models import RoleAssignment, User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.core.models import AuditEvent
from tests.accounts.test_people import NEW_PASSWORD, _choose_password, _client, _invitation_link


@pytest.mark.django_db
def test_the_first_director_is_invited_and_manages_the_accounts(django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("open_school", "Dir@School.example", "--name", "Diane Director", stdout=out)
    director = User.objects.get(email="dir@school.example")
    assert "dir@school.example" in out.getvalue()
    assert director.is_staff and not director.is_superuser
    assert not director.has_usable_password()
    assert RoleAssignment.objects.filter(
        user=director, role=Role.PROGRAMME_DIRECTOR.value, scope=ScopeKind.GLOBAL.value
    ).exists()
    assert AuditEvent.objects.filter(action="role_grant").exists()

    _choose_password(_invitation_link("dir@school.example"), NEW_PASSWORD)
    director.refresh_from_db()
    assert director.check_password(NEW_PASSWORD)
    assert _client(director).get("/accounts/people/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "name", "message"),
    [
        ("first@school.example", "Another Person", "existe déjà"),
        ("not-an-address", "Someone", "adresse e-mail valide"),
        ("second@school.example", "   ", "nom complet"),
    ],
)
def test_a_refused_opening_changes_nothing(email, name, message):
    call_command("open_school", "first@school.example", "--name", "First Director")
    users, grants = User.objects.count(), RoleAssignment.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("open_school", email, "--name", name, "--language", "en")
    assert (User.objects.count(), RoleAssignment.objects.count()) == (users, grants)
