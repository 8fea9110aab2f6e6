"""The jury's e-mails, word for word, in French and in English: the decision sent at closing
and the outcome of an appeal. Names and notes are plain text (an apostrophe or an ampersand
arrives as typed, never HTML-escaped)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from capitalis.jury import services
from capitalis.jury.models import CertificationDecision
from tests.jury.builders import grade, session, world

pytestmark = pytest.mark.django_db

NAME = "Zoé O'Neil & <Co>"


def _closed(django_capture_on_commit_callbacks, language: str):
    w = world(learners=1)
    enrolment = w.enrolments[0]
    user = enrolment.learner.user
    user.full_name = NAME
    user.preferred_language = language
    user.save()
    grade(w, enrolment, w.blocks[0], 12)
    s = session(w)
    services.deliberate(session=s, actor=w.president)
    with django_capture_on_commit_callbacks(execute=True):
        s = services.session_close(session=s, actor=w.president)
    return w, s, enrolment


@pytest.mark.parametrize(
    ("language", "subject", "body"),
    [
        (
            "fr",
            "Décision du jury : Jury juillet",
            f"Bonjour {NAME},\n\n"
            "Le jury « Jury juillet » du 2025-07-01 a décidé : certifié partiellement.\n\n"
            "Votre page « Mes blocs » présente chaque bloc avec ses motifs.\n\n"
            "Vous pouvez déposer un recours dans les 30 jours suivant la clôture de la session.",
        ),
        (
            "en",
            "Jury decision: Jury juillet",
            f"Hello {NAME},\n\n"
            "The jury “Jury juillet” of 2025-07-01 has decided: partially certified.\n\n"
            "Your blocks page shows each block with its reasons.\n\n"
            "You may lodge an appeal within 30 days from the closing of the session.",
        ),
    ],
)
def test_the_decision_mail_word_for_word(
    django_capture_on_commit_callbacks, language, subject, body
):
    _closed(django_capture_on_commit_callbacks, language)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == subject
    assert mail.outbox[0].body == body


@pytest.mark.parametrize(
    ("language", "subject", "body"),
    [
        (
            "fr",
            "Votre recours : rejeté",
            f"Bonjour {NAME},\n\n"
            "Le jury « Jury septembre » du 2025-09-01 a tranché votre recours contre la "
            "décision du jury « Jury juillet » du 2025-07-01 : rejeté.\n\n"
            "Note du jury : Vérifié : l'écart & la note <b> sont justes\n\n"
            "Votre page « Mes blocs » présente chaque bloc avec ses motifs.",
        ),
        (
            "en",
            "Your appeal: rejected",
            f"Hello {NAME},\n\n"
            "The jury “Jury septembre” of 2025-09-01 has decided your appeal against the "
            "decision of the jury “Jury juillet” of 2025-07-01: rejected.\n\n"
            "The jury's note: Vérifié : l'écart & la note <b> sont justes\n\n"
            "Your blocks page shows each block with its reasons.",
        ),
    ],
)
def test_the_appeal_mail_word_for_word(django_capture_on_commit_callbacks, language, subject, body):
    w, s, enrolment = _closed(django_capture_on_commit_callbacks, language)
    appeal = services.appeal_lodge(
        decision=CertificationDecision.objects.get(session=s, enrolment=enrolment),
        reason="Note mal reportée",
        actor=enrolment.learner.user,
    )
    later = session(w, day=dt.date(2025, 9, 1), title="Jury septembre")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_decide(
            appeal=appeal,
            session=later,
            upheld=False,
            note="Vérifié : l'écart & la note <b> sont justes",
            actor=w.president,
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == subject
    assert mail.outbox[0].body == body
