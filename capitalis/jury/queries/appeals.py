"""Appeals: those lodged against a version's decisions, those a session may decide."""

from __future__ import annotations

from django.db.models import QuerySet

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.jury.models import Appeal, JurySession


def pending_appeals(*, version_id: int) -> QuerySet[Appeal]:
    return Appeal.objects.filter(decision__session__version_id=version_id, status="lodged")


def appeals_to_decide_for(*, user: User) -> list[tuple[JurySession, list[Appeal]]]:
    """For each OPEN session ``user`` sits on (president or member), the pending appeals it may
    decide: lodged against a decision of an earlier session of the same version (SPEC §6: an
    appeal is decided by a later session). Two queries."""
    if not user.is_authenticated:
        return []
    sessions = list(
        JurySession.objects.filter(
            permissions.visible(user, "jury_session", "sit"), status="open"
        ).order_by("date", "pk")
    )
    if not sessions:
        return []
    appeals = list(
        Appeal.objects.filter(
            status="lodged", decision__session__version_id__in={s.version_id for s in sessions}
        )
        .select_related("decision__session", "decision__enrolment__learner__user")
        .order_by("lodged_on", "pk")
    )
    out = []
    for s in sessions:
        mine = [
            a
            for a in appeals
            if a.decision.session.version_id == s.version_id
            and (a.decision.session.date, a.decision.session_id) < (s.date, s.pk)
        ]
        if mine:
            out.append((s, mine))
    return out
