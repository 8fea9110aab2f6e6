"""Demo step: verifiable credentials for the demo learners (see demo.py).

It runs after every step that closes a jury session (the jury demo leaves its own open;
reporting's past cohorts, order 900, close theirs) and issues, through the same task the staff
page starts, every credential each closed demo session allows (certified learners: their blocks
and the certification; partially certified: their blocks). Only when no closed session exists at
all does it hold a past session of its own — for the learners of an earlier edition when there
is one, else of the latest — deliberated from the demo results and closed (frozen minutes).
Idempotent: each credential has its issuance key, so a second run issues nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _

from capitalis.accounts.demo import DemoContext, demo_step
from capitalis.accounts.models import User
from capitalis.accounts.rules import Role
from capitalis.core import clock
from capitalis.credentials import queries
from capitalis.credentials.models import Credential
from capitalis.credentials.tasks import issue_learner_credentials
from capitalis.enrolment.models import Enrolment
from capitalis.jury import services as jury_services
from capitalis.jury.models import JurySession, SessionStatus
from capitalis.programmes.models import Edition

TITLE = "Jury de certification — session passée (démo)"


def closed_sessions() -> list[JurySession]:
    """The closed jury sessions with frozen minutes, oldest first."""
    return list(
        JurySession.objects.filter(status=SessionStatus.CLOSED)
        .exclude(minutes_sha256="")
        .order_by("date", "pk")
    )


def _own_session(president: User, director: User) -> JurySession | None:
    """The step's own past session (created, deliberated and closed on first use)."""
    session = JurySession.objects.filter(title=TITLE).first()
    if session is not None:
        return session
    editions = list(
        Edition.objects.filter(pk__in=Enrolment.objects.values("edition_id"))
        .select_related("programme__certification_version")
        .order_by("start_date")
    )
    if not editions:
        return None
    edition = editions[0]
    enrolments = list(
        Enrolment.objects.filter(edition=edition).exclude(status="withdrawn").order_by("pk")
    )
    if not enrolments:
        return None
    session = jury_services.session_create(
        version=edition.programme.certification_version,
        date=clock.today() - timedelta(days=30),
        title=TITLE,
        president=president,
        members=[],
        enrolments=enrolments,
        actor=director,
    )
    jury_services.deliberate(session=session, actor=president)
    return jury_services.session_close(session=session, actor=president)


@demo_step(order=920, name="credentials")
def credentials_step(ctx: DemoContext) -> None:
    president = ctx.users.get(Role.JURY_PRESIDENT)
    director = ctx.users.get(Role.PROGRAMME_DIRECTOR)
    if president is None or director is None:
        return
    sessions = closed_sessions()
    if not sessions:
        own = _own_session(president, director)
        sessions = [own] if own is not None and own.is_closed and own.minutes_sha256 else []
    for session in sessions:
        before = Credential.objects.filter(session=session).count()
        # the learner sub-tasks directly: the session task would also render the PDFs, which
        # the documents step (930) does next
        for learner_id in sorted(queries.session_learner_ids(session_id=session.pk)):
            issue_learner_credentials(session.pk, learner_id, director.pk)
        credentials = Credential.objects.filter(session=session, replaced_by__isnull=True)
        ctx.created += credentials.count() - before
        ctx.note(
            _("Credentials: %(count)s issued from the closed session “%(title)s”.")
            % {"count": credentials.count(), "title": session.title}
        )
    sample = (
        Credential.objects.filter(replaced_by__isnull=True, revoked_at__isnull=True)
        .order_by("-kind", "-issued_at")
        .first()
    )
    if sample is not None:
        ctx.note(
            _("Credentials: verification page %(url)s")
            % {"url": f"{queries.base_url()}/verify/{sample.public_id}/"}
        )
