"""The navigation shows a staff member only the pages she may open: every staff link shown
answers 200, and the pages her role may not open are not linked (they would answer 404)."""

from __future__ import annotations

import re

import pytest

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.accounts.services import role_grant
from tests.programmes.builders import build_catalogue

pytestmark = pytest.mark.django_db

STAFF_LINKS = {
    "/admissions/dashboard/",
    "/enrolment/dashboard/",
    "/reporting/",
    "/reporting/declarations/",
    "/reporting/surveys/",
}


def _staff(email: str, role: Role, scope: ScopeKind, scope_id: int | None) -> User:
    user = User.objects.create_user(email=email, password="pw-Secret-123", is_staff=True)
    role_grant(user=user, role=role, scope=scope, scope_id=scope_id)
    return user


def _links(client, user: User) -> set[str]:
    client.force_login(user)
    html = client.get("/").content.decode()
    nav = html.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="([^"]+)"', nav))


@pytest.mark.parametrize(
    ("role", "scope", "scope_id", "expected"),
    [
        (Role.PROGRAMME_DIRECTOR, ScopeKind.GLOBAL, None, STAFF_LINKS),
        (Role.FINANCE, ScopeKind.GLOBAL, None, None),
        (Role.JURY_PRESIDENT, ScopeKind.JURY_SESSION, 1, set()),
    ],
)
def test_staff_links_follow_the_role(client, role, scope, scope_id, expected):
    build_catalogue(editions=1, campuses=1, courses=0)
    user = _staff(f"{role.value}@example.org", role, scope, scope_id)
    links = _links(client, user)
    if expected is not None:
        assert links & STAFF_LINKS == expected
    for href in links & STAFF_LINKS:
        assert client.get(href).status_code == 200, href
    for href in STAFF_LINKS - links:
        assert client.get(href).status_code == 404, href
