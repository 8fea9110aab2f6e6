"""An admission jury and a certification jury session with the same id are two things: a
member of certification session N gets nothing of admission jury N (its files, the
candidates' accommodation needs, its decisions), and an admission juror gets nothing of the
certification session. Pages and API alike answer 404 (never a hint that the id exists)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client

from capitalis.accounts.models import RoleAssignment, User
from capitalis.accounts.queries import grants_for
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.accounts.services import role_grant
from capitalis.admissions.jury import services as jury_services
from capitalis.admissions.jury.queries import can_see_arrangements
from capitalis.admissions.models import AdmissionJury, Application
from capitalis.admissions.rules import Status
from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.jury.models import JurySession
from tests.admissions.builders import staff
from tests.admissions.jury.builders import eligible, jury, jury_world, presented

pytestmark = pytest.mark.django_db

HEALTH = "Extra time: dyslexia (confidential)"


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _certification_session(pk: int, president: User, members: list[User]) -> JurySession:
    """A certification jury session with the given id, its jury granted as
    ``capitalis.jury.services.session_create`` does (JURY_* scoped JURY_SESSION to its id). The
    id is forced so that it equals the admission jury's on SQLite and PostgreSQL alike."""
    from capitalis.referential.models import CertificationVersion

    session = JurySession.objects.create(
        pk=pk,
        version=CertificationVersion.objects.order_by("pk").first(),
        date=dt.date(2025, 7, 1),
        title="Jury de certification",
        president=president,
    )
    session.members.set(members)
    role_grant(user=president, role=Role.JURY_PRESIDENT, scope=ScopeKind.JURY_SESSION, scope_id=pk)
    for member in members:
        role_grant(user=member, role=Role.JURY_MEMBER, scope=ScopeKind.JURY_SESSION, scope_id=pk)
    return session


@pytest.fixture
def both():
    """Admission jury N with one presented file asking for an accommodation, and
    certification session N whose president and member sit on no admission jury."""
    jw = jury_world()
    sitting, president, member = jury(jw)
    application = presented(jw, sitting, eligible(jw, "cand@example.org", accommodation=HEALTH))
    cert_president = staff("cert-president@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    cert_member = staff("cert-member@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    session = _certification_session(sitting.pk, cert_president, [cert_member])
    assert session.pk == sitting.pk
    return sitting, president, member, application, session, cert_president, cert_member


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["cert_president", "cert_member"])
def test_a_certification_juror_sees_no_admission_jury_page(both, who) -> None:
    sitting, _p, _m, application, _s, cert_president, cert_member = both
    client = _client(cert_president if who == "cert_president" else cert_member)
    assert client.get("/admissions/juries/").status_code == 404
    assert client.get(f"/admissions/juries/{sitting.pk}/").status_code == 404
    assert client.get(f"/admissions/{application.pk}/").status_code == 404
    listing = client.get("/admissions/")
    assert HEALTH.encode() not in listing.content
    assert f"/admissions/{application.pk}/".encode() not in listing.content
    assert client.get(f"/admissions/interviews/{application.interview.pk}/").status_code == 404
    # Deciding through the page: not found, nothing moves.
    response = client.post(
        f"/admissions/juries/{sitting.pk}/",
        {f"decision_{application.pk}": "refused", f"version_{application.pk}": application.version},
    )
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Status.PRESENTED


@pytest.mark.parametrize("who", ["cert_president", "cert_member"])
def test_a_certification_juror_gets_404_from_the_admissions_api(both, who) -> None:
    sitting, _p, _m, application, _s, cert_president, cert_member = both
    client = _client(cert_president if who == "cert_president" else cert_member)
    listing = client.get("/api/admissions/applications/")
    assert listing.status_code == 200
    assert [r["id"] for r in listing.json()["results"]] == []
    assert client.get(f"/api/admissions/applications/{application.pk}/").status_code == 404
    assert client.get(f"/api/admissions/interviews/{application.interview.pk}/").status_code == 404
    response = client.post(
        f"/api/admissions/juries/{sitting.pk}/decisions/",
        {
            "decisions": [
                {
                    "application": application.pk,
                    "decision": "refused",
                    "version": application.version,
                }
            ]
        },
        content_type="application/json",
    )
    assert response.status_code == 404
    response = client.post(
        f"/api/admissions/applications/{application.pk}/transition/",
        {"target": "refused", "expected_version": application.version},
        content_type="application/json",
    )
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Status.PRESENTED
    assert application.decided_on is None


def test_a_certification_juror_cannot_decide_or_read_arrangements_in_the_services(both) -> None:
    _sitting, _p, _m, application, _s, _cp, cert_member = both
    assert not can_see_arrangements(grants_for(user=cert_member), application)
    with pytest.raises(DomainError):
        jury_services.application_decide(
            application=application,
            decision=Status.REFUSED,
            actor=cert_member,
            expected_version=application.version,
        )
    application.refresh_from_db()
    assert application.status == Status.PRESENTED


def test_the_admission_jury_still_sees_and_decides_its_files(both) -> None:
    sitting, president, member, application, _s, _cp, _cm = both
    assert RoleAssignment.objects.filter(
        user=member, role=Role.JURY_MEMBER, scope=ScopeKind.ADMISSION_JURY, scope_id=sitting.pk
    ).exists()
    client = _client(member)
    assert client.get(f"/admissions/juries/{sitting.pk}/").status_code == 200
    detail = client.get(f"/api/admissions/applications/{application.pk}/")
    assert detail.status_code == 200
    assert detail.json()["accommodation_details"] == HEALTH
    response = _client(president).post(
        f"/api/admissions/juries/{sitting.pk}/decisions/",
        {
            "decisions": [
                {
                    "application": application.pk,
                    "decision": "admitted",
                    "version": application.version,
                }
            ]
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    application.refresh_from_db()
    assert application.status == Status.ADMITTED


def test_an_admission_juror_sees_nothing_of_the_certification_session(both) -> None:
    _sitting, president, member, _a, session, _cp, _cm = both
    for user in (president, member):
        client = _client(user)
        assert client.get(f"/jury/sessions/{session.pk}/").status_code == 404
        assert client.get(f"/api/jury/sessions/{session.pk}/").status_code == 404
        listing = client.get("/api/jury/sessions/")
        ids = [r["id"] for r in listing.json().get("results", listing.json())]
        assert session.pk not in ids


# --- the data migration --------------------------------------------------------------------

migration = importlib.import_module(
    "capitalis.jury.migrations.0002_scopes_rescope_admission_jury_grants"
)


def _old_grant(user: User, role: Role, pk: int) -> RoleAssignment:
    """A grant as the admissions app made it before: the certification session's kind."""
    return RoleAssignment.objects.create(
        user=user, role=role.value, scope=ScopeKind.JURY_SESSION.value, scope_id=pk
    )


def _scopes(user: User, role: Role, pk: int) -> set[str]:
    return set(
        RoleAssignment.objects.filter(user=user, role=role.value, scope_id=pk).values_list(
            "scope", flat=True
        )
    )


def test_the_migration_rescopes_admission_grants_and_keeps_certification_ones() -> None:
    jw = jury_world()
    sitting, president, member = jury(jw)
    # Back to the old state: the admission jury's grants on the confusable kind.
    RoleAssignment.objects.filter(scope=ScopeKind.ADMISSION_JURY.value).delete()
    _old_grant(president, Role.JURY_PRESIDENT, sitting.pk)
    _old_grant(member, Role.JURY_MEMBER, sitting.pk)
    cert_member = staff("cert-member@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    both_user = staff("both@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    sitting.members.add(both_user)
    _old_grant(both_user, Role.JURY_MEMBER, sitting.pk)
    _certification_session(sitting.pk, cert_member, [both_user])
    # A stale grant no table backs: left as it is (the admissions app ignores it now).
    stray = staff("stray@example.org", Role.LECTURER, ScopeKind.COURSE, 1)
    _old_grant(stray, Role.JURY_MEMBER, sitting.pk)
    # A certification session with no admission jury of that id.
    other = AdmissionJury.objects.order_by("-pk").first()
    assert other is not None
    lone = _certification_session(other.pk + 1000, stray, [])

    counts = migration.rescope_jury_grants(django_apps, None)

    assert counts == {"moved": 2, "added": 1, "kept": 3}
    assert _scopes(president, Role.JURY_PRESIDENT, sitting.pk) == {"admission_jury"}
    assert _scopes(member, Role.JURY_MEMBER, sitting.pk) == {"admission_jury"}
    assert _scopes(both_user, Role.JURY_MEMBER, sitting.pk) == {"jury_session", "admission_jury"}
    assert _scopes(cert_member, Role.JURY_PRESIDENT, sitting.pk) == {"jury_session"}
    assert _scopes(stray, Role.JURY_MEMBER, sitting.pk) == {"jury_session"}
    assert _scopes(stray, Role.JURY_PRESIDENT, lone.pk) == {"jury_session"}
    assert AuditEvent.objects.filter(action="role_rescope").count() == 3
    # Run twice: nothing more changes.
    assert migration.rescope_jury_grants(django_apps, None) == {
        "moved": 0,
        "added": 1,
        "kept": 3,
    }
    assert AuditEvent.objects.filter(action="role_rescope").count() == 3
    # After it, the certification-only juror gets nothing of the admission jury.
    application = presented(jw, sitting, eligible(jw, "cand@example.org", accommodation=HEALTH))
    assert (
        _client(cert_member).get(f"/api/admissions/applications/{application.pk}/").status_code
        == 404
    )
    assert _client(member).get(f"/api/admissions/applications/{application.pk}/").status_code == 200


def test_the_migration_merges_into_an_existing_admission_grant() -> None:
    jw = jury_world()
    sitting, _president, member = jury(jw)
    _old_grant(member, Role.JURY_MEMBER, sitting.pk)  # a confusable copy next to the new one
    counts = migration.rescope_jury_grants(django_apps, None)
    assert counts["moved"] == 1
    assert _scopes(member, Role.JURY_MEMBER, sitting.pk) == {"admission_jury"}
    assert Application.objects.count() == 0


def test_the_migration_back_turns_admission_grants_into_session_ones() -> None:
    jw = jury_world()
    sitting, president, _member = jury(jw)
    migration.unscope_jury_grants(django_apps, None)
    assert _scopes(president, Role.JURY_PRESIDENT, sitting.pk) == {"jury_session"}
