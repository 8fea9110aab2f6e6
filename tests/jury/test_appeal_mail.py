"""When an appeal is decided, the learner is e-mailed the outcome and the jury's note, in her
language, once the decision is committed (Django's locmem outbox); a refused decision sends
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from capitalis.core.exceptions import DomainError
from capitalis.jury import services
from capitalis.jury.models import Appeal, CertificationDecision
from tests.jury.builders import grade, session, world

pytestmark = pytest.mark.django_db


def _lodged(learners: int = 2):
    w = world(learners=learners)
    for e in w.enrolments:
        grade(w, e, w.blocks[0], 12)
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    s = services.session_close(session=s, actor=w.president)
    appeals = [
        services.appeal_lodge(
            decision=CertificationDecision.objects.get(session=s, enrolment=e),
            reason="Note mal reportée",
            actor=e.learner.user,
        )
        for e in w.enrolments
    ]
    later = session(w, day=dt.date(2025, 9, 1), title="Jury septembre")
    mail.outbox.clear()
    return w, later, appeals


def test_the_learner_is_emailed_on_commit_in_her_language(django_capture_on_commit_callbacks):
    w, later, (fr_appeal, en_appeal) = _lodged()
    en = w.enrolments[1].learner.user
    en.preferred_language = "en"
    en.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.appeal_decide(
            appeal=fr_appeal, session=later, upheld=True, note="Note corrigée", actor=w.president
        )
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [w.enrolments[0].learner.user.email]
    assert message.subject == "Votre recours : accepté"
    assert "Le jury « Jury septembre » du 2025-09-01 a tranché votre recours" in message.body
    assert "« Jury juillet » du 2025-07-01 : accepté." in message.body
    assert "Note du jury : Note corrigée" in message.body

    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_decide(
            appeal=en_appeal, session=later, upheld=False, note="Checked", actor=w.member
        )
    assert len(mail.outbox) == 2
    english = mail.outbox[1]
    assert english.to == [en.email] and english.subject == "Your appeal: rejected"
    assert "has decided your appeal against the decision of the jury" in english.body
    assert "The jury's note: Checked" in english.body
    assert Appeal.objects.get(pk=en_appeal.pk).status == "rejected"


def test_a_refused_decision_sends_nothing(django_capture_on_commit_callbacks):
    w, later, (appeal, _other) = _lodged()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        services.appeal_decide(
            appeal=appeal, session=later, upheld=True, note=" ", actor=w.president
        )
    assert mail.outbox == []
    assert Appeal.objects.get(pk=appeal.pk).status == "lodged"
