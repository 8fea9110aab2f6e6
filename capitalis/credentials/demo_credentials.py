"""Demo step: verifiable credentials for the demo learners (see demo.py).

The jury demo leaves its session open (ready to deliberate), so this step holds a past session
of its own — for the learners of an earlier edition when there is one, else of the latest —
deliberates it from the demo results, closes it (frozen minutes), then issues every credential it
allows (certified learners: their blocks and the certification; partially certified: their
blocks) through the same task the staff page starts. Idempotent: an existing past demo session
is only (re)issued, which changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

from capitalis.accounts.demo import DemoContext, demo_step
from capitalis.accounts.rules import Role
from capitalis.credentials import queries
from capitalis.credentials.models import Credential
from capitalis.credentials.tasks import issue_session_credentials
from capitalis.enrolment.models import Enrolment
from capitalis.jury import services as jury_services
from capitalis.jury.models import JurySession
from capitalis.programmes.models import Edition

TITLE = "Jury de certification — session passée (démo)"


@demo_step(order=800, name="credentials")
def credentials_step(ctx: DemoContext) -> None:
    president = ctx.users.get(Role.JURY_PRESIDENT)
    director = ctx.users.get(Role.PROGRAMME_DIRECTOR)
    if president is None or director is None:
        return
    session = JurySession.objects.filter(title=TITLE).first()
    if session is None:
        editions = list(
            Edition.objects.filter(pk__in=Enrolment.objects.values("edition_id"))
            .select_related("programme__certification_version")
            .order_by("start_date")
        )
        if not editions:
            return
        edition = editions[0]
        enrolments = list(
            Enrolment.objects.filter(edition=edition).exclude(status="withdrawn").order_by("pk")
        )
        if not enrolments:
            return
        session = jury_services.session_create(
            version=edition.programme.certification_version,
            date=date.today() - timedelta(days=30),
            title=TITLE,
            president=president,
            members=[],
            enrolments=enrolments,
            actor=director,
        )
        jury_services.deliberate(session=session, actor=president)
        session = jury_services.session_close(session=session, actor=president)
    if not (session.is_closed and session.minutes_sha256):
        return
    issue_session_credentials(session.pk, director.pk)
    credentials = Credential.objects.filter(session=session, replaced_by__isnull=True)
    sample = credentials.filter(kind="certification").first() or credentials.first()
    ctx.note(
        _("Credentials: %(count)s issued from the closed session “%(title)s”.")
        % {"count": credentials.count(), "title": TITLE}
    )
    if sample is not None:
        ctx.note(
            _("Credentials: verification page %(url)s")
            % {"url": f"{queries.base_url()}/verify/{sample.public_id}/"}
        )
