"""Scheduling jury sessions (services, queries, rules): the programme director creates and
edits a session, its jury's role grants follow (granted, withdrawn), the learners in scope
follow the filters (each filter selects the right people), bad input is refused with nothing
saved; closing is refused before the session's date and never drops undecided VAE cases or
appeals silently."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from capitalis.accounts import permissions
from capitalis.accounts.models import RoleAssignment
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.assessment.models import Result
from capitalis.core.exceptions import DomainError
from capitalis.core.models import AuditEvent
from capitalis.enrolment.models import Enrolment, Learner
from capitalis.jury import queries, rules, services
from capitalis.jury.models import (
    Appeal,
    CertificationDecision,
    JurySession,
    JurySessionLearner,
    VaeDossier,
)
from capitalis.programmes.models import Campus, Edition, Track
from tests.jury.builders import World, grade, person, world

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def _schedule(w: World, **kwargs):
    args = {
        "version": w.version,
        "date": TODAY,
        "title": "Jury de juin",
        "president": w.president,
        "members": [w.member],
        "filters": queries.ScopeFilters(edition=w.edition.pk),
        "actor": w.director,
    }
    args.update(kwargs)
    return services.session_create(**args)


def _grants(session: JurySession) -> set[tuple[str, str]]:
    return set(
        RoleAssignment.objects.filter(
            scope=ScopeKind.JURY_SESSION, scope_id=session.pk
        ).values_list("user__email", "role")
    )


def _learners(session: JurySession) -> set[int]:
    return set(
        JurySessionLearner.objects.filter(session=session).values_list("enrolment_id", flat=True)
    )


def _enrol(w: World, name: str, *, edition: Edition | None = None, campus: Campus | None = None):
    first = w.enrolments[0]
    user = person(f"{name}@example.org", name.title())
    return Enrolment.objects.create(
        learner=Learner.objects.create(user=user),
        edition=edition or first.edition,
        year=first.year,
        campus=campus or first.campus,
        track=Track.INITIAL,
        specialisation=first.specialisation,
    )


def _closed(w: World, enrolments, *, title="Jury passé", day=dt.date(2025, 7, 1)):
    """A past session of the version, closed (ORM: no minutes needed for these filters)."""
    s = services.session_create(
        version=w.version,
        date=day,
        title=title,
        president=w.president,
        enrolments=enrolments,
        actor=w.director,
    )
    JurySession.objects.filter(pk=s.pk).update(status="closed", closed_at=timezone.now())
    s.refresh_from_db()
    return s


# --- rules -------------------------------------------------------------------------------------


def test_rules_composition_and_closing_are_pure_with_reasons():
    assert rules.session_composition(1, [2, 3]).ok
    assert [r.code for r in rules.session_composition(1, [1, 2]).reasons] == ["president_is_member"]
    assert [r.code for r in rules.session_composition(1, [2, 2]).reasons] == ["member_repeated"]
    early = rules.session_closable(
        session_date=TODAY, today=TODAY - dt.timedelta(days=1), pending_vae=0,
        pending_appeals=0, choice=None,
    )  # fmt: skip
    assert not early.ok and early.reasons[0].code == "before_date"
    assert early.reasons[0].params["date"] == "2026-06-01"
    assert rules.session_closable(
        session_date=TODAY, today=TODAY, pending_vae=0, pending_appeals=0, choice=None
    ).ok
    pending = rules.session_closable(
        session_date=TODAY, today=TODAY, pending_vae=1, pending_appeals=2, choice=None
    )
    assert [r.code for r in pending.reasons] == ["pending_undecided"]
    assert rules.session_closable(
        session_date=TODAY, today=TODAY, pending_vae=1, pending_appeals=0,
        choice=rules.PendingChoice.LEAVE,
    ).ok  # fmt: skip
    move = rules.session_closable(
        session_date=TODAY, today=TODAY, pending_vae=1, pending_appeals=0,
        choice=rules.PendingChoice.MOVE,
    )  # fmt: skip
    assert [r.code for r in move.reasons] == ["move_needs_target"]
    assert not rules.session_editable(closed=True).ok and rules.session_editable(closed=False).ok


# --- create, edit, roles ---------------------------------------------------------------------


def test_create_grants_the_jury_roles_scoped_to_the_session_and_audits():
    w = world(learners=2)
    s = _schedule(w)
    assert s.edition_id == w.edition.pk and s.scope["edition"] == w.edition.pk
    assert _learners(s) == {e.pk for e in w.enrolments}
    assert _grants(s) == {
        ("president@example.org", Role.JURY_PRESIDENT.value),
        ("member@example.org", Role.JURY_MEMBER.value),
    }
    event = AuditEvent.objects.get(action="jury_session_create", target_id=str(s.pk))
    assert event.data["members"] == [w.member.pk]


def test_edit_moves_the_grants_with_the_jury():
    w = world(learners=1)
    s = _schedule(w)
    services.session_update(
        session=s,
        version=w.version,
        date=TODAY + dt.timedelta(days=2),
        title="Jury de juin (déplacé)",
        president=w.member,
        members=[w.member2],
        filters=queries.ScopeFilters(edition=w.edition.pk),
        appeal_days=15,
        actor=w.director,
    )
    s.refresh_from_db()
    assert (s.title, s.date, s.appeal_days) == (
        "Jury de juin (déplacé)",
        TODAY + dt.timedelta(2),
        15,
    )
    assert list(s.members.all()) == [w.member2]
    # the old president lost her grant; the former member now presides; the new member sits
    assert _grants(s) == {
        ("member@example.org", Role.JURY_PRESIDENT.value),
        ("member2@example.org", Role.JURY_MEMBER.value),
    }
    assert AuditEvent.objects.filter(action="role_revoke").count() == 2
    assert permissions.can(w.member2, "sit", "jury_session", s).ok
    assert not permissions.can(w.president, "sit", "jury_session", s).ok


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda w: {"members": [w.member, w.president]}, "president_is_member"),
        (lambda w: {"members": [w.member, w.member]}, "member_repeated"),
        (lambda w: {"title": "   "}, "title"),
        (lambda w: {"appeal_days": 0}, "appeal_days"),
        (lambda w: {"filters": queries.ScopeFilters(edition=_other_edition(w).pk)}, "edition"),
        (lambda w: {"filters": queries.ScopeFilters(campus=999999)}, "campus"),
        (lambda w: {"actor": w.member}, "not_authorised"),
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(change, code):
    w = world(learners=1)
    before = (JurySession.objects.count(), RoleAssignment.objects.count())
    with pytest.raises(DomainError) as err:
        _schedule(w, **change(w))
    assert err.value.code == code and err.value.message
    assert (JurySession.objects.count(), RoleAssignment.objects.count()) == before


def _other_edition(w: World) -> Edition:
    """An edition of another programme, preparing the earlier version."""
    from capitalis.programmes.models import Programme

    other = Programme.objects.create(
        code="AUTRE", title_fr="Autre", certification_version=w.earlier
    )
    return Edition.objects.create(
        programme=other,
        code="A1",
        label="Autre 1",
        start_date=dt.date(2025, 9, 1),
        end_date=dt.date(2026, 8, 31),
    )


def test_edit_refused_once_closed_and_nothing_changes():
    w = world(learners=1)
    s = _closed(w, w.enrolments)
    with pytest.raises(DomainError) as err:
        services.session_update(
            session=s,
            version=w.version,
            date=TODAY,
            title="Autre titre",
            president=w.president,
            members=[],
            filters=queries.ScopeFilters(),
            appeal_days=30,
            actor=w.director,
        )
    assert err.value.code == "session_closed"
    s.refresh_from_db()
    assert s.title == "Jury passé"


def test_a_deliberated_learner_cannot_leave_and_the_version_is_kept():
    w = world(learners=2)
    s = _schedule(w)
    grade(w, w.enrolments[0], w.blocks[0], 12)
    services.deliberate(session=s, actor=w.president)
    other_campus = Campus.objects.create(code="LYS", name="Campus Lys")
    plan = {
        "session": s,
        "date": TODAY,
        "title": s.title,
        "president": w.president,
        "members": [w.member],
        "appeal_days": 30,
        "actor": w.director,
    }
    with pytest.raises(DomainError) as err:
        services.session_update(
            version=w.version, filters=queries.ScopeFilters(campus=other_campus.pk), **plan
        )
    assert err.value.code == "has_decisions"
    with pytest.raises(DomainError) as err:
        services.session_update(version=w.earlier, filters=queries.ScopeFilters(), **plan)
    assert err.value.code in {"version", "edition"}
    assert _learners(s) == {e.pk for e in w.enrolments}


# --- the filters -------------------------------------------------------------------------------


def test_edition_and_campus_filters():
    w = world(learners=1)
    other_campus = Campus.objects.create(code="LYS", name="Campus Lys")
    later = Edition.objects.create(
        programme=w.edition.programme,
        code="E2",
        label="Promotion 2",
        start_date=w.edition.start_date.replace(year=w.edition.start_date.year + 1),
        end_date=w.edition.end_date.replace(year=w.edition.end_date.year + 1),
    )
    here = w.enrolments[0]
    lys = _enrol(w, "lys", campus=other_campus)
    next_year = _enrol(w, "suivant", edition=later)
    withdrawn = _enrol(w, "parti")
    Enrolment.objects.filter(pk=withdrawn.pk).update(status="withdrawn")

    def selected(**filters) -> set[int]:
        preview = queries.scope_preview(
            version_id=w.version.pk, filters=queries.ScopeFilters(**filters)
        )
        return {e.pk for e in preview.enrolments}

    assert selected() == {here.pk, lys.pk, next_year.pk}
    assert selected(edition=w.edition.pk) == {here.pk, lys.pk}
    assert selected(campus=other_campus.pk) == {lys.pk}
    assert selected(edition=later.pk, campus=here.campus_id) == {next_year.pk}


def test_new_evidence_since_the_last_session():
    w = world(learners=4)
    sat_new, sat_old, never_graded, never_sat = w.enrolments
    past = _closed(w, [sat_new, sat_old])
    for e in (sat_old, never_sat):
        grade(w, e, w.blocks[0], 12)
    Result.objects.filter(enrolment=sat_old).update(
        entered_at=past.closed_at - dt.timedelta(days=1)
    )
    grade(w, sat_new, w.blocks[1], 14)  # entered now, after the past session closed
    preview = queries.scope_preview(
        version_id=w.version.pk, filters=queries.ScopeFilters(new_evidence=True)
    )
    assert {e.pk for e in preview.enrolments} == {sat_new.pk, never_sat.pk}
    assert never_graded not in preview.enrolments


def test_resit_candidates_are_those_an_earlier_session_did_not_certify():
    w = world(learners=4)
    failed, certified, later_certified, never = w.enrolments
    first = _closed(w, [failed, certified, later_certified])
    second = _closed(w, [later_certified], title="Jury de rattrapage", day=dt.date(2025, 9, 1))
    for session_, enrolment, status in [
        (first, failed, "not_certified"),
        (first, certified, "not_certified"),
        (first, later_certified, "partially_certified"),
        (second, later_certified, "certified"),
    ]:
        CertificationDecision.objects.create(
            session=session_, enrolment=enrolment, computed_status=status
        )
    # an override counts as the decision
    CertificationDecision.objects.filter(session=first, enrolment=certified).update(
        override_status="certified", justification="Stage validé"
    )
    preview = queries.scope_preview(
        version_id=w.version.pk, filters=queries.ScopeFilters(resits=True)
    )
    assert [e.pk for e in preview.enrolments] == [failed.pk]
    both = queries.scope_preview(
        version_id=w.version.pk, filters=queries.ScopeFilters(resits=True, new_evidence=True)
    )
    assert {e.pk for e in both.enrolments} == {failed.pk}  # nobody has new results here
    grade(w, never, w.blocks[0], 12)
    both = queries.scope_preview(
        version_id=w.version.pk, filters=queries.ScopeFilters(resits=True, new_evidence=True)
    )
    assert {e.pk for e in both.enrolments} == {failed.pk, never.pk}  # either filter


def _vae(w: World, name: str, *, documents: bool = True) -> VaeDossier:
    cand = services.vae_candidate_create(
        user=person(f"{name}@example.org", name.title()),
        version=w.version,
        experience_summary="",
        experience_years=8,
        actor=w.director,
    )
    services.vae_admissibility_decide(
        candidate=cand, admissible=True, note="ok", actor=w.director, today=TODAY
    )
    dossier = VaeDossier.objects.get(candidate=cand)
    if documents:
        services.vae_document_add(
            dossier=dossier, title="Livret 2", blocks=w.blocks[:1], actor=w.director
        )
    return dossier


def _appeal(w: World, past: JurySession, enrolment: Enrolment) -> Appeal:
    decision = CertificationDecision.objects.create(
        session=past, enrolment=enrolment, computed_status="not_certified"
    )
    return Appeal.objects.create(
        decision=decision, lodged_on=TODAY, lodged_by=enrolment.learner.user, reason="Erreur"
    )


def test_vae_and_appeal_filters_bring_the_cases_to_decide():
    w = world(learners=2)
    ready = _vae(w, "prete")
    _vae(w, "sansdoc", documents=False)  # no document yet: not ready
    elsewhere = _vae(w, "ailleurs")
    held = _schedule(w, title="Jury de mai", filters=queries.ScopeFilters(vae=True))
    assert VaeDossier.objects.get(pk=elsewhere.pk).session == held
    assert VaeDossier.objects.get(pk=ready.pk).session == held
    past = _closed(w, w.enrolments)
    appeal = _appeal(w, past, w.enrolments[0])
    preview = queries.scope_preview(
        version_id=w.version.pk, filters=queries.ScopeFilters(vae=True, appeals=True)
    )
    assert preview.vae_dossiers == []  # both held by the open session of May
    assert preview.appeals == [appeal]
    s = _schedule(w, filters=queries.ScopeFilters(appeals=True))
    assert Appeal.objects.get(pk=appeal.pk).scheduled_in == s
    # once scheduled, another session does not take it again
    assert (
        queries.scope_preview(
            version_id=w.version.pk, filters=queries.ScopeFilters(appeals=True)
        ).appeals
        == []
    )
    # editing the May session without the VAE filter releases the dossiers not interviewed
    services.session_update(
        session=held,
        version=w.version,
        date=TODAY,
        title=held.title,
        president=w.president,
        members=[w.member],
        filters=queries.ScopeFilters(),
        appeal_days=30,
        actor=w.director,
    )
    assert VaeDossier.objects.filter(session=held).count() == 0
    assert {d.pk for d in queries.scope_vae_dossiers(version_id=w.version.pk)} == {
        ready.pk,
        elsewhere.pk,
    }


def test_preview_query_count_does_not_grow_with_the_learners():
    w = world(learners=2)
    past = _closed(w, w.enrolments[:1])
    _appeal(w, past, w.enrolments[0])
    _vae(w, "vae")
    filters = queries.ScopeFilters(
        edition=w.edition.pk, new_evidence=True, resits=True, vae=True, appeals=True
    )

    def count() -> tuple[int, int]:
        for e in Enrolment.objects.filter(edition=w.edition):
            grade(w, e, w.blocks[0], 12)
        with CaptureQueriesContext(connection) as ctx:
            preview = queries.scope_preview(version_id=w.version.pk, filters=filters)
            [(str(e.learner), e.edition.label, e.campus.name) for e in preview.enrolments]
            [str(d.candidate.learner) for d in preview.vae_dossiers]
            [(str(a.decision.enrolment.learner), a.decision.session.title) for a in preview.appeals]
        return len(preview.enrolments), len(ctx.captured_queries)

    few = count()
    for n in range(6):
        _enrol(w, f"extra{n}")
    many = count()
    assert (few[0], many[0]) == (2, 8)
    assert few[1] == many[1] == 3


# --- closing -------------------------------------------------------------------------------


def _deliberated_with_vae(w: World) -> tuple[JurySession, VaeDossier]:
    dossier = _vae(w, "candidate")
    s = _schedule(w, date=dt.date(2025, 7, 1), filters=queries.ScopeFilters(vae=True))
    grade(w, w.enrolments[0], w.blocks[0], 12)
    services.deliberate(session=s, actor=w.president)
    return s, dossier


def test_closing_before_the_session_date_is_refused():
    w = world(learners=1)
    s = _schedule(w)
    grade(w, w.enrolments[0], w.blocks[0], 12)
    services.deliberate(session=s, actor=w.president)
    with pytest.raises(DomainError) as err:
        services.session_close(session=s, actor=w.president, today=TODAY - dt.timedelta(days=1))
    assert err.value.code == "before_date"
    assert "2026-06-01" in err.value.message
    s.refresh_from_db()
    assert s.status == "open"


def test_closing_with_an_undecided_vae_case_needs_a_choice_and_leaves_it_visibly_pending():
    w = world(learners=1)
    s, dossier = _deliberated_with_vae(w)
    with pytest.raises(DomainError) as err:
        services.session_close(session=s, actor=w.president)
    assert err.value.code == "pending_undecided"
    assert JurySession.objects.get(pk=s.pk).status == "open"
    with pytest.raises(DomainError) as err:
        services.session_close(session=s, actor=w.president, pending="move")
    assert err.value.code == "move_needs_target"
    closed = services.session_close(session=s, actor=w.president, pending="leave")
    assert closed.pending_at_close == [
        {"kind": "vae", "id": dossier.pk, "learner": str(dossier.candidate.learner)}
    ]
    event = AuditEvent.objects.get(action="jury_session_sign", target_id=str(s.pk))
    assert event.data["pending"] == closed.pending_at_close
    assert event.data["pending_choice"] == "leave"
    # still pending, and ready for a new session
    assert [d.pk for d in queries.scope_vae_dossiers(version_id=w.version.pk)] == [dossier.pk]
    new = _schedule(w, title="Jury suivant", filters=queries.ScopeFilters(vae=True))
    dossier.refresh_from_db()
    assert dossier.session == new and dossier.interview_on is None


def test_closing_moves_undecided_cases_to_a_later_session():
    w = world(learners=1)
    s, dossier = _deliberated_with_vae(w)
    past = _closed(w, w.enrolments, title="Jury plus ancien", day=dt.date(2025, 1, 10))
    appeal = _appeal(w, past, w.enrolments[0])
    Appeal.objects.filter(pk=appeal.pk).update(scheduled_in=s)
    later = _schedule(w, title="Jury d'automne", date=dt.date(2025, 10, 1))
    earlier = _schedule(w, title="Jury antérieur", date=dt.date(2025, 6, 1))
    with pytest.raises(DomainError) as err:
        services.session_close(session=s, actor=w.president, pending="move", move_to=earlier)
    assert err.value.code == "move_to"
    services.session_close(session=s, actor=w.president, pending="move", move_to=later)
    dossier.refresh_from_db()
    assert dossier.session == later
    assert Appeal.objects.get(pk=appeal.pk).scheduled_in == later
    assert {i["kind"] for i in JurySession.objects.get(pk=s.pk).pending_at_close} == {
        "vae",
        "appeal",
    }
