"""Reads of the holders' declaration (SPEC §9): who may declare, the awards of a certification
with their declaration status, due date and lateness, and the files generated. Set-based: a
fixed number of queries whatever the number of awards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from capitalis.jury.models import CertificationDecision, SessionStatus
from capitalis.referential.models import Certification
from capitalis.reporting.declarations.services import certified_decisions, due_date
from capitalis.reporting.models import AwardDeclaration, AwardStatus, DeclarationFlux


def certifications() -> QuerySet[Certification]:
    """Certifications with at least one closed jury session (those that may have holders)."""
    return Certification.objects.filter(
        versions__jury_sessions__status=SessionStatus.CLOSED
    ).distinct()


@dataclass(frozen=True)
class AwardRow:
    decision: CertificationDecision
    award: AwardDeclaration | None
    awarded_on: date
    due_on: date
    status: str
    late: bool

    @property
    def status_label(self) -> str:
        return str(AwardStatus(self.status).label)


def award_rows(*, certification: Certification, today: date) -> list[AwardRow]:
    """One row per holder of ``certification`` (her first certified decision, or the one
    declared), newest award first. Late: still to declare (or rejected) past the due date, or
    sent after it. Two queries."""
    decisions = list(
        CertificationDecision.objects.filter(certified_decisions(certification=certification))
        .select_related("session", "enrolment__learner__user", "enrolment__campus")
        .order_by("session__date", "session_id", "pk")
    )
    awards = {
        a.decision_id: a
        for a in AwardDeclaration.objects.filter(
            decision__session__version__certification=certification
        ).select_related("flux")
    }
    declared_learners = {d.enrolment.learner_id for d in decisions if d.pk in awards}
    rows: list[AwardRow] = []
    seen: set[int] = set()
    for decision in decisions:
        learner_id = decision.enrolment.learner_id
        award = awards.get(decision.pk)
        if learner_id in seen or (award is None and learner_id in declared_learners):
            continue
        seen.add(learner_id)
        awarded_on = award.awarded_on if award else decision.session.date
        due_on = award.due_on if award else due_date(awarded_on)
        status = award.status if award else AwardStatus.TO_DECLARE.value
        if status in (AwardStatus.TO_DECLARE, AwardStatus.REJECTED) or not award:
            late = today > due_on
        else:
            late = bool(award.sent_at and timezone.localdate(award.sent_at) > due_on)
        rows.append(
            AwardRow(
                decision=decision,
                award=award,
                awarded_on=awarded_on,
                due_on=due_on,
                status=status,
                late=late,
            )
        )
    rows.sort(key=lambda r: (r.awarded_on, r.decision.pk), reverse=True)
    return rows


def flux_list(*, certification: Certification | None = None) -> QuerySet[DeclarationFlux]:
    """The declaration files generated, newest first, with how many awards each carries."""
    from django.db.models import Count

    qs = DeclarationFlux.objects.select_related("certification", "generated_by").annotate(
        award_count=Count("awards")
    )
    if certification is not None:
        qs = qs.filter(certification=certification)
    return qs.order_by("-generated_at")


def award_get(*, pk: int) -> AwardDeclaration | None:
    return (
        AwardDeclaration.objects.select_related("decision__enrolment__learner__user")
        .filter(pk=pk)
        .first()
    )
