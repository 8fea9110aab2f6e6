"""Demo step (``manage.py seed_demo``): a certification jury session ready to deliberate for the
demo learners of the latest edition (the demo jury president and member sit on it), a VAE
candidate whose dossier is mapped to two blocks and whose interview the session held, and a
learner holding a block validated under the earlier référentiel version (recorded from a past
jury), which the deliberation sees through the crosswalk. Through the services; generated
people only; idempotent (an existing demo session is left as it is)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from capitalis.accounts.demo import DemoContext, demo_step
from capitalis.accounts.rules import Role
from capitalis.core import clock
from capitalis.enrolment.models import Enrolment
from capitalis.jury import queries, services
from capitalis.jury.models import Admissibility, JurySession, VaeCandidate, VaeDossier
from capitalis.programmes.models import Edition
from capitalis.referential.models import Block, CertificationVersion, CrosswalkEntry

TITLE = "Jury de certification (démo)"


def _note_jury_logins(ctx: DemoContext, session: JurySession, president: Any, member: Any) -> None:
    """Say in the logins table which session the demo president and member sit on."""
    ctx.set_login_note(president.email, _("president of jury session %(pk)s") % {"pk": session.pk})
    if member:
        ctx.set_login_note(member.email, _("member of jury session %(pk)s") % {"pk": session.pk})


@demo_step(order=700, name="jury")
def jury_step(ctx: DemoContext) -> None:
    president = ctx.users.get(Role.JURY_PRESIDENT)
    member = ctx.users.get(Role.JURY_MEMBER)
    director = ctx.users.get(Role.PROGRAMME_DIRECTOR)
    edition = _latest_edition()
    if president is None or edition is None:
        return
    version = edition.programme.certification_version
    existing = JurySession.objects.filter(version=version, title=TITLE).first()
    if existing is not None:
        _note_jury_logins(ctx, existing, president, member)
        return
    enrolments = list(
        Enrolment.objects.filter(edition=edition).exclude(status="withdrawn").order_by("pk")
    )
    if not enrolments:
        return
    _earlier_version_validation(ctx, edition, enrolments[0], director)
    # scheduled like a director does (the same service and filters as the page): held today,
    # so that it may be closed today (never before its date)
    session = services.session_create(
        version=version,
        date=clock.today(),
        title=TITLE,
        president=president,
        members=[member] if member else [],
        filters=queries.ScopeFilters(edition=edition.pk),
        actor=director,
    )
    _note_jury_logins(ctx, session, president, member)
    _vae_candidate(ctx, version, session, president, director)
    ctx.note(
        _("Jury: session %(id)s “%(title)s” ready to deliberate (%(count)s learners).")
        % {"id": session.pk, "title": TITLE, "count": len(enrolments)}
    )


def _latest_edition() -> Edition | None:
    """The latest edition with enrolments (its programme's version is the one deliberated)."""
    return (
        Edition.objects.filter(pk__in=Enrolment.objects.values("edition_id"))
        .select_related("programme__certification_version")
        .order_by("-start_date")
        .first()
    )


def _earlier_version_validation(
    ctx: DemoContext, edition: Edition, enrolment: Enrolment, director: Any
) -> None:
    """A learner who validated a block under the earlier version (from a past jury's minutes),
    which the crosswalk carries over to the edition's version (when it has a crosswalk)."""
    version = edition.programme.certification_version
    entry = (
        CrosswalkEntry.objects.filter(crosswalk__to_version=version)
        .select_related("from_block")
        .order_by("-coverage", "pk")  # whole before partial
        .first()
    )
    if entry is None:
        return
    services.block_validation_record(
        learner=enrolment.learner,
        block=entry.from_block,
        validated_on=date(edition.start_date.year - 1, 7, 1),
        actor=director,
    )
    ctx.note(
        _(
            "Jury: %(learner)s holds %(from)s of the earlier version (crosswalk entry to "
            "%(to)s, %(coverage)s)."
        )
        % {
            "learner": enrolment.learner,
            "from": entry.from_block.code,
            "to": entry.to_block.code,
            "coverage": entry.get_coverage_display(),
        }
    )


def _vae_candidate(
    ctx: DemoContext,
    version: CertificationVersion,
    session: JurySession,
    president: Any,
    director: Any,
) -> None:
    """A VAE candidate (the demo one, unless she is one already): admissible, dossier mapped to
    two blocks, interview held by the session."""
    vae_user = ctx.users.get(Role.VAE_CANDIDATE)
    if vae_user is None or VaeCandidate.objects.filter(learner__user=vae_user).exists():
        return
    candidate = services.vae_candidate_create(
        user=vae_user,
        version=version,
        experience_summary="Douze ans de conseil en affaires internationales (fictif).",
        experience_years=12,
        actor=director,
    )
    services.vae_admissibility_decide(
        candidate=candidate,
        admissible=True,
        note="Expérience en rapport direct avec la certification.",
        actor=director,
        today=clock.today(),
    )
    candidate.refresh_from_db()
    if candidate.admissibility != Admissibility.ADMISSIBLE:
        return
    dossier = VaeDossier.objects.get(candidate=candidate)
    blocks = list(Block.objects.filter(version=version).order_by("position")[:2])
    services.vae_document_add(
        dossier=dossier,
        title="Livret 2 — dossier d'expérience",
        blocks=blocks,
        actor=director,
    )
    services.vae_interview_record(
        dossier=dossier,
        session=session,
        on=session.date,
        note="Entretien prévu le jour du jury.",
        actor=president,
    )
