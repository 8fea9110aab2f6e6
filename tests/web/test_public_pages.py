"""Public pages (no login) show the school's content, never the editors' internal notes
(which seed document a figure came from, which section of the specification)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def referential_data(referential_data_once):
    """The shipped référentiel, loaded once for this module: every test here reads it (each in
    its own savepoint, rolled back after it)."""
    return referential_data_once


INTERNAL = re.compile(r"seed 00\d|SPEC §|seeds/", re.IGNORECASE)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_public_pages_carry_no_internal_notes(client, referential_data, language):
    pages = [
        "/",
        "/referential/",
        "/referential/RNCP39853/",
        "/programmes/",
        "/results/",
        "/results/MSC-ERCI/",
    ]
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not INTERNAL.search(html), (url, INTERNAL.search(html).group(0))


def test_staff_still_see_where_a_statement_comes_from(client, referential_data, django_user_model):
    staff = django_user_model.objects.create_user(
        email="editor@example.org", password="pw-Secret-123-long", is_staff=True
    )
    client.force_login(staff)
    html = client.get("/referential/RNCP39853/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="provenance"' in html
