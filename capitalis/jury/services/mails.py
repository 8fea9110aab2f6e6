"""The jury's e-mails to learners, in each learner's language, sent after the commit: the
decision at closing and the outcome of an appeal. Their texts are templates
(``jury/mail/*.txt``); a failed mail is logged and does not undo the decision."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from capitalis.accounts.models import User
from capitalis.core import clock
from capitalis.core.mail import mail_text
from capitalis.jury.models import (
    Appeal,
    AppealStatus,
    CertificationDecision,
    CertificationStatus,
)

logger = logging.getLogger(__name__)


def _language(user: User) -> str:
    return (user.preferred_language or "fr")[:2] if user.preferred_language else "fr"


def session_notify(*, session_id: int) -> int:
    """E-mail each learner of the closed session their decision, in their language; returns
    how many messages were sent. A failed mail does not undo the decision."""
    decisions = CertificationDecision.objects.filter(
        session_id=session_id, notified_at__isnull=True
    ).select_related("enrolment__learner__user", "session")
    sent = 0
    for decision in decisions:
        user = decision.enrolment.learner.user
        with translation.override(_language(user)):
            subject = _("Jury decision: %(title)s") % {"title": decision.session.title}
            body = mail_text(
                "jury/mail/decision.txt",
                {
                    "name": user.get_full_name(),
                    "title": decision.session.title,
                    "date": decision.session.date.isoformat(),
                    "decision": str(CertificationStatus(decision.status).label),
                    "days": str(decision.session.appeal_days),
                },
            )
        try:
            EmailMessage(subject=subject, body=body, to=[user.email]).send()
        except Exception:  # the decision stands; the mail can be sent again
            logger.exception("jury decision %s not notified", decision.pk)
            continue
        CertificationDecision.objects.filter(pk=decision.pk).update(notified_at=clock.now())
        sent += 1
    return sent


def appeal_notify(*, appeal_id: int) -> bool:
    """E-mail the learner the outcome of her appeal (upheld or rejected, with the jury's note),
    in her language. Sent after the commit; a failed mail does not undo the decision (logged).
    Returns whether a message was sent."""
    appeal = (
        Appeal.objects.filter(pk=appeal_id)
        .exclude(status=AppealStatus.LODGED)
        .select_related("decision__session", "decision__enrolment__learner__user", "decided_in")
        .first()
    )
    if appeal is None or appeal.decided_in is None:
        return False
    user = appeal.decision.enrolment.learner.user
    original = appeal.decision.session
    with translation.override(_language(user)):
        outcome = str(AppealStatus(appeal.status).label)
        subject = _("Your appeal: %(outcome)s") % {"outcome": outcome}
        body = mail_text(
            "jury/mail/appeal_outcome.txt",
            {
                "name": user.get_full_name(),
                "session": appeal.decided_in.title,
                "date": appeal.decided_in.date.isoformat(),
                "original": original.title,
                "original_date": original.date.isoformat(),
                "outcome": outcome,
                "note": appeal.decision_note,
            },
        )
    try:
        EmailMessage(subject=subject, body=body, to=[user.email]).send()
    except Exception:  # the decision stands; the mail can be sent again
        logger.exception("jury appeal %s not notified", appeal.pk)
        return False
    return True
