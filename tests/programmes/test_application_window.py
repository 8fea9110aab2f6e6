"""The programme director opens or sets an edition's application window (page and API): the
application form then offers the edition only inside it; closing before opening or a day that
is not a date is refused at its field with nothing changed; anyone else is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.accounts.services import role_grant
from capitalis.admissions.forms import ApplicationForm
from capitalis.core.models import AuditEvent
from capitalis.programmes.models import Campus, Course, Edition
from tests.programmes.builders import build_catalogue

pytestmark = pytest.mark.django_db


def _user(email: str, *roles: Role) -> User:
    user = User.objects.create_user(email=email, password="pw-Secret-123", full_name=email)
    for role in roles:
        if role is Role.LECTURER:
            course = Course.objects.order_by("pk").first()
            assert course is not None
            role_grant(user=user, role=role, scope=ScopeKind.COURSE, scope_id=course.pk)
        elif role is Role.ADMISSIONS_OFFICER:
            campus = Campus.objects.order_by("pk").first()
            assert campus is not None
            role_grant(user=user, role=role, scope=ScopeKind.CAMPUS, scope_id=campus.pk)
        else:
            role_grant(user=user, role=role, scope=ScopeKind.GLOBAL, scope_id=None)
    return user


@pytest.fixture
def edition() -> Edition:
    build_catalogue()
    return Edition.objects.get()


@pytest.fixture
def director() -> User:
    return _user("director@example.org", Role.PROGRAMME_DIRECTOR)


def _page(edition: Edition) -> str:
    return f"/programmes/editions/{edition.pk}/applications/"


def _api(edition: Edition) -> str:
    return f"/api/programmes/editions/{edition.pk}/application-window/"


def _offered(edition: Edition) -> bool:
    form = ApplicationForm()
    return form.fields["edition"].queryset.filter(pk=edition.pk).exists()  # type: ignore[attr-defined]


def _window(edition: Edition) -> tuple[dt.date | None, dt.date | None]:
    edition.refresh_from_db()
    return edition.applications_open_on, edition.applications_close_on


def test_director_sets_the_window_on_the_page_and_the_form_follows_it(client, edition, director):
    today = timezone.localdate()
    assert not _offered(edition)  # the default window (before the 2024 start) has closed
    client.force_login(director)
    page = client.get(_page(edition), headers={"accept-language": "fr"})
    assert page.status_code == 200
    assert "Fenêtre de candidature" in page.content.decode()
    answer = client.post(
        _page(edition),
        {"open_on": (today - dt.timedelta(days=1)).isoformat(), "close_on": today.isoformat()},
    )
    assert answer.status_code == 302
    assert _window(edition) == (today - dt.timedelta(days=1), today)
    assert AuditEvent.objects.filter(action="edition_application_window_set").count() == 1
    assert _offered(edition)
    # closed again: the window ended yesterday
    client.post(
        _page(edition),
        {
            "open_on": (today - dt.timedelta(days=10)).isoformat(),
            "close_on": (today - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert not _offered(edition)
    # saving the same days again writes nothing
    client.post(
        _page(edition),
        {
            "open_on": (today - dt.timedelta(days=10)).isoformat(),
            "close_on": (today - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert AuditEvent.objects.filter(action="edition_application_window_set").count() == 2


def test_catalogue_and_home_link_the_page_for_the_director_only(client, edition, director):
    client.force_login(director)
    catalogue = client.get(f"/programmes/MSC-TEST/{edition.code}/").content.decode()
    assert _page(edition) in catalogue
    lecturer = _user("lecturer@example.org", Role.LECTURER)
    client.force_login(lecturer)
    assert (
        _page(edition) not in client.get(f"/programmes/MSC-TEST/{edition.code}/").content.decode()
    )
    Client().get("/")  # anonymous home still answers
    future = Edition.objects.create(
        programme=edition.programme,
        code="2030-31",
        label="2030/31",
        start_date=dt.date(2030, 9, 1),
        end_date=dt.date(2031, 8, 31),
    )
    client.force_login(director)
    home = client.get("/").content.decode()
    assert _page(future) in home


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"open_on": "2026-05-01", "close_on": "2026-04-01"}, "close_on"),
        ({"open_on": "pas une date", "close_on": "2026-04-01"}, "open_on"),
        ({"open_on": "2026-02-30", "close_on": ""}, "open_on"),
    ],
)
def test_bad_input_is_refused_at_its_field_with_nothing_changed(
    client, edition, director, given, field
):
    client.force_login(director)
    answer = client.post(_page(edition), given, headers={"accept-language": "fr"})
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert list(errors) == [field]
    message = errors[field][0]
    assert "ferm" in message or "date valide" in message, message
    assert _window(edition) == (None, None)
    assert not AuditEvent.objects.filter(action="edition_application_window_set").exists()


def test_others_are_refused_on_the_page(client, edition):
    assert client.get(_page(edition)).status_code == 302  # to the login page
    assert client.post(_page(edition), {"open_on": "2026-01-01"}).status_code == 302
    for role in (Role.LECTURER, Role.ADMISSIONS_OFFICER, Role.CANDIDATE):
        client.force_login(_user(f"{role.value}@example.org", role))
        assert client.get(_page(edition)).status_code == 404
        assert client.post(_page(edition), {"open_on": "2026-01-01"}).status_code == 404
    assert _window(edition) == (None, None)


def test_unknown_edition_is_404(client, director):
    client.force_login(director)
    assert client.get("/programmes/editions/999999/applications/").status_code == 404
    assert client.get(f"/programmes/editions/{10**30}/applications/").status_code == 404


def test_api_director_reads_and_patches_the_window(client, edition, director):
    today = timezone.localdate()
    client.force_login(director)
    assert client.get(_api(edition)).json() == {"open_on": None, "close_on": None}
    answer = client.patch(
        _api(edition),
        {"open_on": today.isoformat(), "close_on": (today + dt.timedelta(days=30)).isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert _window(edition) == (today, today + dt.timedelta(days=30))
    assert _offered(edition)
    # a day left out keeps its value; null goes back to the default rule
    answer = client.patch(_api(edition), {"close_on": None}, content_type="application/json")
    assert answer.json() == {"open_on": today.isoformat(), "close_on": None}
    assert _window(edition) == (today, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"open_on": "2026-05-01", "close_on": "2026-04-01"}, "close_on"),
        ({"open_on": "hier"}, "open_on"),
        ({"close_on": 12}, "close_on"),
    ],
)
def test_api_bad_input_is_400_at_its_field(client, edition, director, body, field):
    client.force_login(director)
    answer = client.patch(
        _api(edition), body, content_type="application/json", headers={"accept-language": "fr"}
    )
    assert answer.status_code == 400
    assert list(answer.json()) == [field]
    assert _window(edition) == (None, None)


def test_api_refuses_others(client, edition):
    body = {"open_on": "2026-01-01"}
    assert client.patch(_api(edition), body, content_type="application/json").status_code in (
        401,
        403,
    )
    client.force_login(_user("lecturer@example.org", Role.LECTURER))
    assert client.get(_api(edition)).status_code == 403
    answer = client.patch(_api(edition), body, content_type="application/json")
    assert answer.status_code == 403
    assert answer.json()["code"] == "not_authorised"
    assert _window(edition) == (None, None)
    client.force_login(_user("director@example.org", Role.PROGRAMME_DIRECTOR))
    for missing in ("999999", "x", str(10**30)):
        url = f"/api/programmes/editions/{missing}/application-window/"
        assert client.patch(url, body, content_type="application/json").status_code == 404
