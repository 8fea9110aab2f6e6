"""Scheduling and editing jury sessions (programme director): the plan's checks, the role
grants that follow the president and members, the learners, VAE dossiers and appeals the
filters select (SPEC §6; issue 5 points 5, 6)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.accounts.services import role_grant, role_revoke
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.enrolment.models import Enrolment
from capitalis.jury import queries, rules
from capitalis.jury.models import (
    Appeal,
    AppealStatus,
    BlockDecision,
    JurySession,
    JurySessionLearner,
    VaeDossier,
)
from capitalis.jury.services._common import _lock_open, _refuse
from capitalis.referential.models import CertificationVersion


def _require_director(actor: User | None) -> None:
    """Only a programme director (global) schedules and edits sessions; ``actor`` None is the
    system itself (a command, the demo)."""
    if actor is not None and not permissions.can(actor, "schedule", "jury_session").ok:
        raise DomainError(
            _("Only a programme director may schedule or edit jury sessions."),
            code="not_authorised",
        )


def _check_plan(
    *,
    version: CertificationVersion,
    title: str,
    president: User,
    members: Sequence[User],
    appeal_days: int,
    filters: queries.ScopeFilters | None,
) -> None:
    """The checks shared by scheduling and editing a session (nothing is written)."""
    if not title.strip():
        raise DomainError(_("A jury session needs a title."), code="title")
    if appeal_days < 1:
        raise DomainError(_("The appeal period must be at least one day."), code="appeal_days")
    _refuse(rules.session_composition(president.pk, [m.pk for m in members]))
    if not president.is_active or any(not m.is_active for m in members):
        raise DomainError(_("A jury member's account is deactivated."), code="members")
    if filters is not None and filters.edition is not None:
        from capitalis.programmes.models import Edition

        if not Edition.objects.filter(
            pk=filters.edition, programme__certification_version=version
        ).exists():
            raise DomainError(
                _("This edition does not prepare the session's certification version."),
                code="edition",
            )
    if filters is not None and filters.campus is not None:
        from capitalis.programmes.models import Campus

        if not Campus.objects.filter(pk=filters.campus).exists():
            raise DomainError(_("Unknown campus."), code="campus")


def _grant_jury(
    session: JurySession,
    *,
    president: User,
    members: Sequence[User],
    old_president: User | None,
    old_members: Sequence[User],
    actor: User | None,
) -> None:
    """The session's role grants follow its lists: granted to who joins, withdrawn from who
    leaves (scoped to this session only)."""
    scope = {"scope": ScopeKind.JURY_SESSION, "scope_id": session.pk, "actor": actor}
    if old_president is not None and old_president.pk != president.pk:
        role_revoke(user=old_president, role=Role.JURY_PRESIDENT, **scope)  # type: ignore[arg-type]
    role_grant(user=president, role=Role.JURY_PRESIDENT, **scope)  # type: ignore[arg-type]
    keep = {m.pk for m in members}
    for old in old_members:
        if old.pk not in keep:
            role_revoke(user=old, role=Role.JURY_MEMBER, **scope)  # type: ignore[arg-type]
    for member in members:
        role_grant(user=member, role=Role.JURY_MEMBER, **scope)  # type: ignore[arg-type]


def _apply_scope(
    session: JurySession, filters: queries.ScopeFilters, *, creating: bool
) -> dict[str, list[int]]:
    """Set the session's learners, VAE dossiers and appeals to what ``filters`` select now
    (the preview the director saw, recomputed). A learner the session already decided on is
    not removed. Returns what changed, for the audit."""
    session_id = None if creating else session.pk
    wanted = set(
        queries.scope_enrolments(
            version_id=session.version_id, filters=filters, session_id=session_id
        ).values_list("pk", flat=True)
    )
    current = set(
        JurySessionLearner.objects.filter(session=session).values_list("enrolment_id", flat=True)
    )
    removed = current - wanted
    decided = set(
        BlockDecision.objects.filter(session=session, enrolment_id__in=removed).values_list(
            "enrolment_id", flat=True
        )
    ) | set(
        Appeal.objects.filter(decided_in=session, decision__enrolment_id__in=removed).values_list(
            "decision__enrolment_id", flat=True
        )
    )
    if decided:
        raise DomainError(
            _(
                "%(count)s learner(s) the session has already deliberated would leave it; "
                "widen the filters to keep them."
            )
            % {"count": len(decided)},
            code="has_decisions",
        )
    JurySessionLearner.objects.filter(session=session, enrolment_id__in=removed).delete()
    JurySessionLearner.objects.bulk_create(
        [JurySessionLearner(session=session, enrolment_id=e) for e in sorted(wanted - current)]
    )
    # VAE dossiers: those ready join (a new jury holds the interview); without the filter,
    # those not yet interviewed here leave
    ready = (
        set(
            queries.scope_vae_dossiers(
                version_id=session.version_id, session_id=session_id
            ).values_list("pk", flat=True)
        )
        if filters.vae
        else set()
    )
    held = set(VaeDossier.objects.filter(session=session).values_list("pk", flat=True))
    VaeDossier.objects.filter(pk__in=ready - held).update(
        session=session, interview_on=None, updated_at=clock.now()
    )
    released = list(
        VaeDossier.objects.filter(session=session, interview_on__isnull=True, outcomes__isnull=True)
        .exclude(pk__in=ready)
        .values_list("pk", flat=True)
    )
    VaeDossier.objects.filter(pk__in=released).update(session=None, updated_at=clock.now())
    appeals = (
        set(
            queries.scope_appeals(version_id=session.version_id, session_id=session_id).values_list(
                "pk", flat=True
            )
        )
        if filters.appeals
        else set()
    )
    Appeal.objects.filter(pk__in=appeals).update(scheduled_in=session, updated_at=clock.now())
    Appeal.objects.filter(scheduled_in=session, status=AppealStatus.LODGED).exclude(
        pk__in=appeals
    ).update(scheduled_in=None, updated_at=clock.now())
    return {
        "added": sorted(wanted - current),
        "removed": sorted(removed),
        "vae": sorted(ready),
        "vae_released": sorted(released),
        "appeals": sorted(appeals),
    }


@transaction.atomic
def session_create(
    *,
    version: CertificationVersion,
    date: date,
    title: str,
    president: User,
    members: Sequence[User] = (),
    enrolments: Iterable[Enrolment] = (),
    filters: queries.ScopeFilters | None = None,
    appeal_days: int = 30,
    actor: User | None = None,
) -> JurySession:
    """Schedule a jury session for ``version`` (programme director): its date, president and
    members (distinct people; the president gets JURY_PRESIDENT and each member JURY_MEMBER,
    scoped to the session), and its learners: chosen by ``filters`` (cohort, campus, new
    evidence, resits; VAE dossiers ready for a jury and appeals to decide, see
    ``queries.ScopeFilters``) or, for the system, given as ``enrolments``."""
    _require_director(actor)
    members = list(members)
    _check_plan(
        version=version,
        title=title,
        president=president,
        members=members,
        appeal_days=appeal_days,
        filters=filters,
    )
    session = JurySession.objects.create(
        version=version,
        date=date,
        title=title.strip(),
        president=president,
        appeal_days=appeal_days,
        edition_id=filters.edition if filters else None,
        campus_id=filters.campus if filters else None,
        scope=filters.as_dict() if filters else {},
    )
    session.members.set(members)
    changes: dict[str, list[int]] = {}
    if filters is not None:
        changes = _apply_scope(session, filters, creating=True)
    else:
        JurySessionLearner.objects.bulk_create(
            [JurySessionLearner(session=session, enrolment=e) for e in enrolments]
        )
    _grant_jury(
        session,
        president=president,
        members=members,
        old_president=None,
        old_members=(),
        actor=actor,
    )
    audit_record(
        action=Action.JURY_SESSION_CREATE,
        actor=actor,
        target=session,
        summary=title,
        data={
            "date": date.isoformat(),
            "president": president.pk,
            "members": [m.pk for m in members],
            "scope": session.scope,
            **changes,
        },
    )
    return session


@transaction.atomic(durable=True)
def session_update(
    *,
    session: JurySession,
    version: CertificationVersion,
    date: date,
    title: str,
    president: User,
    members: Sequence[User],
    filters: queries.ScopeFilters,
    appeal_days: int,
    actor: User | None,
) -> JurySession:
    """Edit an open session (programme director): every field as at scheduling; the role
    grants follow the president and members (withdrawn from who leaves), the learners follow
    the filters (a learner already deliberated cannot leave). The version changes only before
    any deliberation. Refused once the session is closed."""
    _require_director(actor)
    fresh = JurySession.objects.select_for_update().get(pk=session.pk)
    _refuse(rules.session_editable(closed=fresh.is_closed))
    members = list(members)
    _check_plan(
        version=version,
        title=title,
        president=president,
        members=members,
        appeal_days=appeal_days,
        filters=filters,
    )
    if version.pk != fresh.version_id and BlockDecision.objects.filter(session=fresh).exists():
        raise DomainError(
            _("The session has deliberated: its certification version can no longer change."),
            code="version",
        )
    old_president = fresh.president
    old_members = list(fresh.members.all())
    before = {
        "version": fresh.version_id,
        "date": fresh.date.isoformat(),
        "title": fresh.title,
        "president": fresh.president_id,
        "members": sorted(m.pk for m in old_members),
        "appeal_days": fresh.appeal_days,
        "scope": fresh.scope,
    }
    fresh.version = version
    fresh.date = date
    fresh.title = title.strip()
    fresh.president = president
    fresh.appeal_days = appeal_days
    fresh.edition_id = filters.edition
    fresh.campus_id = filters.campus
    fresh.scope = filters.as_dict()
    fresh.version_counter = F("version_counter") + 1
    fresh.save()
    fresh.refresh_from_db()
    fresh.members.set(members)
    changes = _apply_scope(fresh, filters, creating=False)
    _grant_jury(
        fresh,
        president=president,
        members=members,
        old_president=old_president,
        old_members=old_members,
        actor=actor,
    )
    audit_record(
        action=Action.JURY_SESSION_UPDATE,
        actor=actor,
        target=fresh,
        summary=fresh.title,
        data={"before": before, "scope": fresh.scope, **changes},
    )
    return fresh


@transaction.atomic
def session_learners_add(
    *, session: JurySession, enrolments: Iterable[Enrolment], actor: User | None
) -> int:
    """Bring more learners into an open session; returns how many were added."""
    session = _lock_open(session)
    existing = set(
        JurySessionLearner.objects.filter(session=session).values_list("enrolment_id", flat=True)
    )
    rows = [
        JurySessionLearner(session=session, enrolment=e) for e in enrolments if e.pk not in existing
    ]
    JurySessionLearner.objects.bulk_create(rows)
    audit_record(
        action=Action.JURY_SESSION_LEARNERS_ADD,
        actor=actor,
        target=session,
        data={"enrolments": [r.enrolment_id for r in rows]},
    )
    return len(rows)
