"""Hostile values in every route: the URL resolver is walked, each route with a parameter is
requested with values an attacker (or a fumbling script) sends — letters where a number is
expected, a number beyond bigint, a NUL byte, a very long string — anonymously and as a staff
superuser; and the routes without parameters get the same values in their query string
(``?limit=``, ``?offset=``, ``?edition=`` …). A 5xx is a failure, whatever the route.

PostgreSQL refuses NUL bytes in text (a DataError where SQLite just finds nothing): run this
module once with ``DATABASE_URL=postgres://…`` too.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

HOSTILE = ("abc", "99999999999999999999", "%00", "x" * 1000)
QUERY_NAMES = (
    "limit",
    "offset",
    "page",
    "edition",
    "programme",
    "campus",
    "course",
    "session",
    "status",
    "q",
    "from",
    "to",
    "year",
    "kind",
)
# "abc" is left out here: the long string is no number either.
QUERY_VALUES = ("99999999999999999999", "-5", "%00", "x" * 1000)

# The two long tests (tens of seconds each) are shared out between SHARDS tests, every
# SHARDS-th route in sorted order, so that pytest-xdist's workers run them side by side; the
# shards together request every route, as one test did.
SHARDS = 4

# A value that every converter accepts, replaced afterwards by the hostile one.
SENTINELS = ("987654321", "12345678-1234-5678-1234-567812345678", "zzsentinelzz")


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


@functools.cache
def _routes() -> tuple[list[str], list[str], list[str]]:
    """(URL templates of the routes with parameters, "{}" where the values go; the same for
    Django's admin; URLs of the routes without parameters). The DRF ``.json`` format twins
    resolve to the same views and are left out."""
    with_params: dict[str, str] = {}
    admin: dict[str, str] = {}
    plain: set[str] = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        groups = set(pattern.pattern.regex.groupindex)
        if "format" in groups:
            continue
        if not groups:
            with contextlib.suppress(NoReverseMatch):
                plain.add(reverse(name))
            continue
        for sentinel in SENTINELS:
            try:
                url = reverse(name, kwargs=dict.fromkeys(groups, sentinel))
            except NoReverseMatch:
                continue
            target = admin if name.startswith("admin:") else with_params
            target[name] = url.replace(sentinel, "{}")
            break
    return sorted(with_params.values()), sorted(admin.values()), sorted(plain)


@pytest.fixture(autouse=True)
def _quiet(settings):
    """DEBUG off as in production; Django's 4xx/5xx log lines silenced (the test lists 5xx).
    pytest-django runs the tests with DEBUG off already: the setting is changed only if it is
    on (a changed setting makes the site forget what it caches, the API schema among them)."""
    if settings.DEBUG:
        settings.DEBUG = False
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser(
        email="hostile-staff@example.org", password="pw-Secret-123"
    )


def _clients(staff: Any) -> list[tuple[str, Client]]:
    anonymous = Client(raise_request_exception=False)
    logged = Client(raise_request_exception=False)
    logged.force_login(staff)
    return [("anonymous", anonymous), ("staff", logged)]


def _failures(client: Client, url: str, methods: tuple[str, ...]) -> list[str]:
    found = []
    for method in methods:
        response = getattr(client, method)(url)
        if response.status_code >= 500:
            found.append(f"{method.upper()} {url[:120]} -> {response.status_code}")
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("shard", range(SHARDS))
def test_routes_with_parameters_refuse_hostile_values_without_5xx(staff, shard):
    routes, _admin, _plain = _routes()
    assert len(routes) > 50, "the resolver walk found too few routes"
    mine = routes[shard::SHARDS]
    assert mine
    failures: list[str] = []
    for who, client in _clients(staff):
        for template in mine:
            for value in HOSTILE:
                url = template.replace("{}", value)
                failures += [f"{who}: {f}" for f in _failures(client, url, ("get", "post"))]
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_admin_routes_with_parameters_give_no_5xx(staff):
    _routes_with, admin, _plain = _routes()
    assert len(admin) > 20
    _anonymous, (_who, client) = _clients(staff)
    failures: list[str] = []
    for template in admin:
        for value in ("abc", "99999999999999999999", "%00"):
            failures += _failures(client, template.replace("{}", value), ("get",))
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("shard", range(SHARDS))
def test_query_strings_with_hostile_values_give_no_5xx(staff, shard):
    _routes_with, _admin, plain = _routes()
    assert len(plain) > 20, "the resolver walk found too few routes"
    # Shared out by (route, value) pair, not by route: the OpenAPI schema's route, slow to
    # answer, is requested by every shard once per client rather than all by one shard.
    mine = _query_cases(plain)[shard::SHARDS]
    assert mine
    failures: list[str] = []
    for who, client in _clients(staff):
        for url, value in mine:
            query = "&".join(f"{name}={value}" for name in QUERY_NAMES)
            response = client.get(f"{url}?{query}")
            if response.status_code >= 500:
                failures.append(f"{who}: GET {url}?…={value[:20]} -> {response.status_code}")
    assert not failures, "\n".join(failures)


def _query_cases(plain: list[str]) -> list[tuple[str, str]]:
    return [(url, value) for url in plain for value in QUERY_VALUES]


def test_shards_share_out_every_route():
    routes, _admin, plain = _routes()
    for every in (routes, _query_cases(plain)):
        shared = [item for shard in range(SHARDS) for item in every[shard::SHARDS]]
        assert sorted(shared) == sorted(every)


def test_sentinels_are_url_safe():
    for sentinel in SENTINELS:
        assert quote(sentinel) == sentinel
        assert re.fullmatch(r"[\w-]+", sentinel)
