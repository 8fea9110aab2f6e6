"""Appeals: the learner appeals her decision within the session's appeal period after closing;
a later, open session decides it (upheld or rejected, with a note) and she is e-mailed."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.core import clock
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record
from capitalis.core.text import clean_text
from capitalis.jury.models import (
    Appeal,
    AppealStatus,
    CertificationDecision,
    JurySession,
    JurySessionLearner,
)
from capitalis.jury.services._common import _lock_open, _require_jury
from capitalis.jury.services.mails import appeal_notify


@transaction.atomic(durable=True)
def appeal_lodge(
    *, decision: CertificationDecision, reason: str, actor: User, today: date | None = None
) -> Appeal:
    """The learner appeals her decision, within the session's appeal period after closing."""
    today = today or clock.today()
    reason = clean_text(reason)
    if decision.enrolment.learner.user_id != actor.pk:
        raise DomainError(_("Only the learner concerned may appeal."), code="not_authorised")
    session = decision.session
    if not session.is_closed or session.closed_at is None:
        raise DomainError(
            _("An appeal can be lodged only once the session is closed."), code="not_closed"
        )
    deadline = timezone.localtime(session.closed_at).date() + timedelta(days=session.appeal_days)
    if today > deadline:
        raise DomainError(
            _("The appeal period ended on %(date)s.") % {"date": deadline.isoformat()},
            code="too_late",
        )
    if not reason:
        raise DomainError(_("An appeal needs a reason."), code="reason_required")
    if Appeal.objects.filter(decision=decision, status=AppealStatus.LODGED).exists():
        raise DomainError(_("An appeal is already pending on this decision."), code="pending")
    appeal = Appeal.objects.create(
        decision=decision, lodged_on=today, lodged_by=actor, reason=reason
    )
    audit_record(action=Action.JURY_APPEAL_LODGE, actor=actor, target=appeal)
    return appeal


@transaction.atomic(durable=True)
def appeal_decide(
    *, appeal: Appeal, session: JurySession, upheld: bool, note: str, actor: User
) -> Appeal:
    """A later, open session decides a pending appeal (upheld or rejected, with a note)."""
    session = _lock_open(session)
    _require_jury(actor, session)
    original = appeal.decision.session
    if (session.date, session.pk) <= (original.date, original.pk):
        raise DomainError(_("An appeal is decided by a later session."), code="not_later")
    if not note.strip():
        raise DomainError(_("The decision on an appeal needs a note."), code="note_required")
    updated = Appeal.objects.filter(pk=appeal.pk, status=AppealStatus.LODGED).update(
        status=AppealStatus.UPHELD if upheld else AppealStatus.REJECTED,
        decided_in=session,
        decision_note=note.strip(),
        updated_at=clock.now(),
    )
    if updated == 0:
        raise DomainError(_("This appeal has already been decided."), code="conflict")
    JurySessionLearner.objects.get_or_create(
        session=session, enrolment_id=appeal.decision.enrolment_id
    )
    audit_record(
        action=Action.JURY_APPEAL_DECIDE, actor=actor, target=appeal, data={"upheld": upheld}
    )
    appeal.refresh_from_db()
    appeal_id = appeal.pk
    transaction.on_commit(lambda: appeal_notify(appeal_id=appeal_id))
    return appeal
