"""Role × route access matrix.

Every route of the URL resolver (less the excluded prefixes below) must have a declared rule in
tests/core/access_rules.py; each is requested (GET) by anonymous and by one user per role of
capitalis.accounts.rules.Role, each holding exactly that role scoped to the "A" side of a small
world (tests/core/access_world.py), with URL parameters naming objects of the "B" side: someone
else's (tests/core/access_params.py). Allowed → 200 (or a redirect that is not to the login
page); refused → 403/404 (or, anonymously, 401 or a redirect to the login page). Routes that only
take POST answer GET with 405 and are then POSTed, empty, by every refused user: never a 2xx.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from capitalis.accounts.rules import Role
from tests.core import access_params, access_world
from tests.core.access_rules import ANONYMOUS, OWN, RULES, Rule

# Left out of the matrix, with the reason.
EXCLUDED_PREFIXES = {
    "admin:": "Django's admin: staff superusers only, Django's own checks",
    "account_": "allauth's own pages (login, signup, password reset, e-mail): its flows",
    "mfa_": "allauth's two-factor pages: its flows",
    "set_language": "i18n: the language switch, open to all by design",
    "api-schema": "the OpenAPI schema: public documentation of the API",
    "api-docs": "Swagger UI over the schema",
    "api-redoc": "ReDoc over the schema",
}
LOGIN_PATHS = ("/accounts/login/",)
# Someone else's (the "B" side's) names and titles: no page opened by anyone but the director
# (who sees the whole school) may show them, lists included.
OTHERS_MARKERS = (
    b"Learner Bravo",
    b"learner-b@example.org",
    b"Candidate Bravo",
    b"cand-b@example.org",
    b"Jury B",
    b"EX-B",
)
WHO = [ANONYMOUS, *(role.value for role in Role)]


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def resolver_routes() -> dict[str, set[str]]:
    """Route name → its URL parameter names; DRF's ``.json`` format twins left out."""
    routes: dict[str, set[str]] = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith(tuple(EXCLUDED_PREFIXES)):
            continue
        groups = set(pattern.pattern.regex.groupindex)
        if "format" in groups:
            continue
        routes.setdefault(name, groups)
    return routes


ROUTES = resolver_routes()


def test_every_route_has_a_declared_rule_and_every_rule_a_route() -> None:
    missing = [f"route {name} has no declared access rule" for name in ROUTES if name not in RULES]
    stale = [f"rule {name} names no route" for name in RULES if name not in ROUTES]
    assert not missing + stale, "\n".join(missing + stale)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The world and one logged-in client per role, built once for the module and rolled back
    at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = access_world.build()
        clients = {ANONYMOUS: Client(raise_request_exception=False)}
        for role, user in built.users.items():
            client = Client(raise_request_exception=False)
            client.force_login(user)
            clients[role] = client
        yield {"ids": built.ids, "clients": clients}
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _quiet(settings: Any) -> Iterator[None]:
    settings.DEBUG = False
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def _to_login(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PATHS)


def _verdict(rule: Rule, who: str, response: Any) -> str:
    """'' when the status fits the rule, else what is wrong."""
    status = response.status_code
    if rule.allows(who):
        if status == 200 or (status in (301, 302) and not _to_login(response)):
            return ""
        if rule.post_only and status == 405:
            return ""
        return f"allowed but got {status}"
    if status in (403, 404) or (rule.post_only and status == 405):
        return ""
    if who == ANONYMOUS and (status == 401 or _to_login(response)):
        return ""
    return f"should be refused but got {status}"


def _shows_others(who: str, response: Any) -> str:
    if who == Role.PROGRAMME_DIRECTOR.value or response.status_code != 200:
        return ""
    if getattr(response, "streaming", False):
        return ""
    body = response.content
    shown = [marker.decode() for marker in OTHERS_MARKERS if marker in body]
    return f"shows someone else's {', '.join(shown)}" if shown else ""


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_role_as_declared(name: str, world: dict[str, Any]) -> None:
    rule = RULES.get(name)
    if rule is None:
        pytest.fail(f"route {name} has no declared access rule")  # see the first test
    url = reverse(name, kwargs=access_params.kwargs_for(name, ROUTES[name], world["ids"]))
    url += access_params.QUERY.get(name, "")
    wrong: list[str] = []
    seen: dict[str, int] = {}
    for who in WHO:
        client = world["clients"][who]
        response = client.get(url)
        seen[who] = response.status_code
        problem = _verdict(rule, who, response) or _shows_others(who, response)
        if problem:
            wrong.append(f"GET {url} as {who}: {problem}")
        if rule.post_only and not rule.allows(who):
            posted = client.post(url)
            if 200 <= posted.status_code < 300:
                wrong.append(f"POST {url} as {who}: refused user got {posted.status_code}")
    if os.environ.get("MATRIX_DUMP"):
        with open(os.environ["MATRIX_DUMP"], "a") as dump:
            dump.write(f"{name} {url} " + " ".join(f"{w}={s}" for w, s in seen.items()) + "\n")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(OWN))
def test_each_user_opens_what_is_hers(name: str, world: dict[str, Any]) -> None:
    """The same routes on the "A" side: the learner's own record, the tutor's apprentice, the
    jury president's and member's session, the lecturer's course, the candidate's application,
    campus A's staff on campus A's objects."""
    key, rule = OWN[name]
    ids = {**world["ids"], key: world["ids"][f"own:{key}"]}
    url = reverse(name, kwargs=access_params.kwargs_for(name, ROUTES[name], ids))
    wrong: list[str] = []
    seen: dict[str, int] = {}
    for who in WHO:
        response = world["clients"][who].get(url)
        seen[who] = response.status_code
        problem = _verdict(rule, who, response)
        if problem:
            wrong.append(f"GET {url} as {who}: {problem}")
    if os.environ.get("MATRIX_DUMP"):
        with open(os.environ["MATRIX_DUMP"] + ".own", "a") as dump:
            dump.write(f"{name} {url} " + " ".join(f"{w}={s}" for w, s in seen.items()) + "\n")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_the_director_sees_the_other_side_so_the_markers_mean_something(
    world: dict[str, Any],
) -> None:
    """The names looked for are really shown on the pages that list them: the check that
    nobody else sees them is not empty."""
    director = world["clients"][Role.PROGRAMME_DIRECTOR.value]
    found: set[bytes] = set()
    for name in ("enrolment:dashboard", "admissions:application-list", "jury:dashboard"):
        body = director.get(reverse(name)).content
        found |= {marker for marker in OTHERS_MARKERS if marker in body}
    api = director.get(reverse("enrolment-api:learner-list")).content
    found |= {marker for marker in OTHERS_MARKERS if marker in api}
    assert {b"Learner Bravo", b"Candidate Bravo", b"Jury B"} <= found, found
