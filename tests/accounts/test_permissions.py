"""The permission table (accounts.permissions): every declared rule builds a valid query, a
grant on campus A never shows campus B, admission juries and certification jury sessions never
open each other, and a name the table does not know fails loudly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.accounts.permissions import TABLE, Principal, Reach, can, visible
from capitalis.accounts.rules import ALLOWED_SCOPES, Grant, Role, ScopeKind
from capitalis.admissions.models import AdmissionJury, Application
from capitalis.assessment.models import Assessment
from capitalis.enrolment.models import Contract, Enrolment, Learner
from capitalis.finance.models import Invoice
from capitalis.jury.models import JurySession
from tests.core import access_world
from tests.shared_db import built_once

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _world_once(django_db_setup: Any, django_db_blocker: Any) -> Iterator[access_world.AccessWorld]:
    """The world built once for the module (tests.shared_db): every test here only reads it,
    each in its own savepoint, all with ``db``."""
    with built_once(django_db_blocker, access_world.build) as built:
        yield built


@pytest.fixture
def world(_world_once: access_world.AccessWorld) -> access_world.AccessWorld:
    return _world_once


def _ids(model: type, user: object, name: str, action: str = "read") -> set[int]:
    return set(
        model._default_manager.filter(visible(user, name, action)).values_list("pk", flat=True)
    )


def test_unknown_resource_or_action_raises() -> None:
    with pytest.raises(permissions.UnknownResource):
        visible(Principal(1), "no_such_thing")
    with pytest.raises(permissions.UnknownResource):
        can(Principal(1), "read", "no_such_thing")
    with pytest.raises(permissions.UnknownResource):
        visible(Principal(1), "invoice", "fly")


def test_every_rule_of_every_resource_builds_a_valid_query() -> None:
    """One person holding every role on every scope kind it may have (id 1): each resource's
    filter for each of its actions runs (its paths exist on its model)."""
    grants = frozenset(
        Grant(role, kind, None if kind is ScopeKind.GLOBAL else 1)
        for role, kinds in ALLOWED_SCOPES.items()
        for kind in kinds
        if kind is not ScopeKind.GLOBAL
    )
    who = Principal(1, False, grants)
    for res in TABLE.values():
        for rule in res.rules:
            assert rule.reach is Reach.SCHOOL or rule.reach in res.paths, (res.name, rule)
            for action in rule.actions:
                list(res.model_class()._default_manager.filter(visible(who, res.name, action)))


def test_nobody_signed_in_sees_nothing() -> None:
    for name, res in TABLE.items():
        for action in {a for rule in res.rules for a in rule.actions}:
            assert visible(AnonymousUser(), name, action) == permissions.NOTHING
            assert not can(None, action, name)


def test_superuser_sees_all_unless_the_resource_trusts_grants_only() -> None:
    boss = Principal(1, True)
    assert visible(boss, "enrolment") == permissions.EVERYTHING
    assert visible(boss, "invoice") == permissions.EVERYTHING
    # the admissions and the certification jury trust grants and sittings only
    assert visible(boss, "application") != permissions.EVERYTHING
    assert visible(boss, "jury_session") != permissions.EVERYTHING


def test_a_campus_grant_never_shows_the_other_campus(world: access_world.AccessWorld) -> None:
    ids = world.ids
    finance = world.users[Role.FINANCE.value]
    seen = _ids(Invoice, finance, "invoice")
    assert ids["own:invoice"] in seen and ids["invoice"] not in seen
    officer = world.users[Role.ADMISSIONS_OFFICER.value]
    seen = _ids(Application, officer, "application")
    assert ids["own:application"] in seen and ids["application"] not in seen
    coordinator = world.users[Role.CAMPUS_COORDINATOR.value]
    seen = _ids(Enrolment, coordinator, "enrolment")
    assert ids["own:enrolment"] in seen and ids["enrolment"] not in seen
    seen = _ids(Learner, coordinator, "learner")
    assert ids["own:learner"] in seen and ids["learner"] not in seen
    b = Enrolment.objects.get(pk=ids["enrolment"])
    a = Enrolment.objects.get(pk=ids["own:enrolment"])
    assert can(coordinator, "manage", "enrolment", a)
    assert not can(coordinator, "manage", "enrolment", b)
    assert not can(coordinator, "manage", "enrolment", campus=b.campus_id)
    # finance reads enrolments of its campus but does not manage them
    assert can(finance, "read", "enrolment", a)
    assert not can(finance, "manage", "enrolment", a)


def test_a_course_grant_never_shows_another_course(world: access_world.AccessWorld) -> None:
    lecturer = world.users[Role.LECTURER.value]
    seen = _ids(Assessment, lecturer, "assessment")
    assert seen == {world.ids["own:assessment"]}
    assert not can(lecturer, "manage", "assessment", course=world.ids["course"])


def test_personal_reaches(world: access_world.AccessWorld) -> None:
    ids = world.ids
    learner = world.users[Role.LEARNER.value]
    assert _ids(Enrolment, learner, "enrolment") == {ids["own:enrolment"]}
    assert _ids(Invoice, learner, "invoice") == set(
        Invoice.objects.filter(customer=learner).values_list("pk", flat=True)
    )
    tutor = world.users[Role.EMPLOYER_TUTOR.value]
    assert _ids(Enrolment, tutor, "enrolment") == {ids["own:enrolment"]}
    assert _ids(Learner, tutor, "learner") == {ids["own:learner"]}
    assert _ids(Contract, tutor, "contract") == set(
        Contract.objects.filter(tutor=tutor).values_list("pk", flat=True)
    )
    candidate = world.users[Role.CANDIDATE.value]
    assert _ids(Application, candidate, "application") == {ids["own:application"]}
    # a person with no role at all on someone else's row: nothing
    assert not can(candidate, "read", "enrolment", Enrolment.objects.get(pk=ids["enrolment"]))


def test_certification_jury_sittings(world: access_world.AccessWorld) -> None:
    ids = world.ids
    member = world.users[Role.JURY_MEMBER.value]
    president = world.users[Role.JURY_PRESIDENT.value]
    assert _ids(JurySession, member, "jury_session") == {ids["own:session"]}
    assert _ids(JurySession, president, "jury_session") == {ids["own:session"]}
    mine = JurySession.objects.get(pk=ids["own:session"])
    assert can(president, "manage", "jury_session", mine)
    assert not can(member, "manage", "jury_session", mine)
    assert can(member, "read", "jury_session", mine)
    director = world.users[Role.PROGRAMME_DIRECTOR.value]
    assert visible(director, "jury_session") == permissions.EVERYTHING


def test_admission_jury_and_certification_jury_never_open_each_other(
    world: access_world.AccessWorld,
) -> None:
    """A grant on admission jury N opens admission jury N's files, never certification jury
    session N; a grant on certification session N never opens admission jury N."""
    session = JurySession.objects.get(pk=world.ids["session"])
    application = Application.objects.get(pk=world.ids["application"])
    admission_jury_id = session.pk
    on_admission = Principal.of_grants(
        frozenset({Grant(Role.JURY_MEMBER, ScopeKind.ADMISSION_JURY, admission_jury_id)})
    )
    on_session = Principal.of_grants(
        frozenset({Grant(Role.JURY_MEMBER, ScopeKind.JURY_SESSION, admission_jury_id)})
    )
    # the admission-jury grant: the applications of that admission jury, no certification session
    assert visible(on_admission, "application") == Q(jury_id__in=[admission_jury_id])
    assert not JurySession.objects.filter(visible(on_admission, "jury_session")).exists()
    # the certification-session grant: no application, no admission jury
    assert visible(on_session, "application") == permissions.NOTHING
    assert visible(on_session, "admission_jury") == permissions.NOTHING
    application.jury_id = admission_jury_id
    assert can(on_admission, "decide", "application", application)
    assert not can(on_session, "decide", "application", application)
    # a real certification jury member (session A) opens no admission file nor admission jury
    member = world.users[Role.JURY_MEMBER.value]
    assert not Application.objects.filter(visible(member, "application")).exists()
    assert not AdmissionJury.objects.filter(visible(member, "admission_jury")).exists()


def test_disability_referent_reads_only_accommodation_requests(
    world: access_world.AccessWorld,
) -> None:
    referent = world.users[Role.DISABILITY_REFERENT.value]
    seen = Application.objects.filter(visible(referent, "application"))
    assert all(a.accommodation_requested for a in seen)
    assert all(
        a.campus_id != Application.objects.get(pk=world.ids["application"]).campus_id for a in seen
    )


def test_scope_ids(world: access_world.AccessWorld) -> None:
    coordinator = world.users[Role.CAMPUS_COORDINATOR.value]
    director = world.users[Role.PROGRAMME_DIRECTOR.value]
    a = Enrolment.objects.get(pk=world.ids["own:enrolment"])
    assert permissions.scope_ids(coordinator, "enrolment", "manage", Reach.CAMPUS) == {a.campus_id}
    assert permissions.scope_ids(director, "enrolment", "manage", Reach.CAMPUS) is None
    assert permissions.scope_ids(AnonymousUser(), "enrolment", "manage", Reach.CAMPUS) == set()


def test_principal_accepts_users_and_principals(world: access_world.AccessWorld) -> None:
    user = User.objects.get(pk=world.users[Role.FINANCE.value].pk)
    who = permissions.principal(user)
    assert who.user_id == user.pk and not who.superuser
    assert any(g.role is Role.FINANCE for g in who.grants)
    assert permissions.principal(who) is who


def test_navigation_helpers_offer_the_role_rows_or_not() -> None:
    """``personal_role``: the role a personal rule is offered to, whether or not a row exists
    (the tutor's apprentices, the VAE candidate's case, the candidate's applications);
    ``is_staff`` and ``administers`` for the staff and admin links."""

    def who(*roles: Role, superuser: bool = False) -> Principal:
        return Principal(42, superuser, frozenset(Grant(r, ScopeKind.GLOBAL, None) for r in roles))

    tutor, vae, candidate = who(Role.EMPLOYER_TUTOR), who(Role.VAE_CANDIDATE), who(Role.CANDIDATE)
    director = who(Role.PROGRAMME_DIRECTOR)
    assert permissions.personal_role(tutor, "read", "learner")
    assert not permissions.personal_role(director, "read", "learner")
    assert permissions.personal_role(vae, "read", "vae_candidate")
    assert not permissions.personal_role(tutor, "read", "vae_candidate")
    assert permissions.personal_role(candidate, "read", "application")
    assert permissions.personal_role(candidate, "read", "invoice")
    assert not permissions.personal_role(Principal(None), "read", "learner")
    assert permissions.is_staff(director) and not permissions.is_staff(tutor)
    assert permissions.is_staff(who(superuser=True))
    assert not permissions.owns_any(AnonymousUser(), "application")
    assert not permissions.administers(AnonymousUser())


def test_a_role_rule_repeating_the_everyone_rule_adds_no_condition() -> None:
    """The candidate's role rule on her applications matches the same rows as the
    everyone's own rule: the filter holds the condition once."""
    candidate = Principal(7, False, frozenset({Grant(Role.CANDIDATE, ScopeKind.GLOBAL, None)}))
    assert visible(candidate, "application") == visible(Principal(7), "application")
