"""Demo step (``manage.py seed_demo``): the holders' declaration of the past cohorts. Demo
learners without a civil-status identity get an invented one; the certified holders of every
closed jury session but the latest are declared (a real flux, checked against the official
XSD), and a processing report *simulated for the demo* accepts them all but one, rejected with a
message of the kind the register sends; the latest session's holders stay "to declare".
Idempotent: nothing is done once a declaration file exists."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _

from capitalis.accounts.demo import DEMO_DOMAIN, DemoContext, demo_step
from capitalis.accounts.rules import Role
from capitalis.core.exceptions import DomainError
from capitalis.enrolment import services as enrolment_services
from capitalis.enrolment.demo import demo_identity
from capitalis.enrolment.models import Learner
from capitalis.jury.models import JurySession, SessionStatus
from capitalis.reporting.declarations import queries, register, services
from capitalis.reporting.models import AwardDeclaration, DeclarationFlux


@demo_step(order=950, name="declarations")
def declarations_step(ctx: DemoContext) -> None:
    """Declare the past cohorts' holders and import a simulated processing report."""
    if DeclarationFlux.objects.exists():
        return
    actor = ctx.users.get(Role.PROGRAMME_DIRECTOR)
    missing = Learner.objects.filter(
        birth_name="", user__email__endswith=f"@{DEMO_DOMAIN}"
    ).select_related("user")
    for index, learner in enumerate(missing):
        enrolment_services.learner_update(
            learner=learner,
            national_student_number=learner.national_student_number,
            date_of_birth=learner.date_of_birth or learner.created_at.date().replace(year=2000),
            actor=actor,
            identity=demo_identity(learner.user.full_name, index),
        )
    for certification in queries.certifications():
        dates = list(
            JurySession.objects.filter(
                status=SessionStatus.CLOSED, version__certification=certification
            )
            .order_by("date")
            .values_list("date", flat=True)
            .distinct()
        )
        if len(dates) < 2:
            continue
        try:
            result = services.declaration_export(
                certification=certification,
                date_from=dates[0],
                date_to=dates[-1] - timedelta(days=1),
                actor=actor,
            )
        except DomainError as error:
            ctx.note(error.message)
            continue
        ids = list(
            AwardDeclaration.objects.filter(flux=result.flux)
            .order_by("pk")
            .values_list("id_technique", flat=True)
        )
        rejected = [(ids[-1], "Aucun titulaire ne correspond aux critères obligatoires")]
        report = register.build_report(
            flux_id=result.flux.flux_id or "",
            file_name=result.flux.filename,
            accepted=ids[:-1],
            rejected=rejected if len(ids) > 1 else [],
        )
        services.declaration_report_import(
            content=report, filename="demo-simulated-report.xml", actor=actor
        )
        ctx.created += 1
        ctx.note(
            _(
                "Holders' declaration (%(code)s): %(count)s holder(s) declared in %(file)s; a "
                "processing report simulated for the demo rejects one of them."
            )
            % {"code": certification.code, "count": result.declared, "file": result.flux.filename}
        )
