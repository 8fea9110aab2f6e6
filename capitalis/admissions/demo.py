"""Demo step (``manage.py seed_demo``): candidates of the latest edition at every status of the
application's status machine, and one admitted candidate per campus, year and track that the
enrolment step turns into a learner. Generated people only (invented names, demo addresses);
every write goes through the admissions services (``services`` and ``jury.services``), so the
transitions, interviews, juries and decisions are those a user would make. Idempotent: a
candidate whose demo address exists is left as it is."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from capitalis.accounts import services as accounts_services
from capitalis.accounts.demo import DEMO_DOMAIN, DemoContext, demo_name, demo_step
from capitalis.accounts.models import User
from capitalis.accounts.rules import Role
from capitalis.admissions import services
from capitalis.admissions.jury import services as jury_services
from capitalis.admissions.models import AdmissionJury, Application, InterviewCriterion
from capitalis.admissions.rules import Status, application_window
from capitalis.core import clock
from capitalis.programmes.models import Campus, Edition, Offering

# The status each demo candidate is left at; the order is the pipeline's.
DEMO_STATUSES: tuple[Status, ...] = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.ELIGIBLE,
    Status.INELIGIBLE,
    Status.MANUAL_REVIEW,
    Status.INTERVIEW_SCHEDULED,
    Status.INTERVIEWED,
    Status.PRESENTED,
    Status.ADMITTED,
    Status.WAITLISTED,
    Status.REFUSED,
    Status.WITHDRAWN,
)
# Admitted candidates the enrolment step enrols (one per campus, year and track).
LEARNER_PREFIX = "learner-"
# A minimal PDF: the upload check reads the content's magic bytes.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def candidate_email(key: str) -> str:
    return f"candidate-{key}@{DEMO_DOMAIN}"


def learner_email(campus: str, year: str, track: str) -> str:
    slug = f"{campus}-{year}-{track}".lower().replace("_", "-")
    return f"{LEARNER_PREFIX}{slug}@{DEMO_DOMAIN}"


class _Pipeline:
    """Moves one demo candidate along the status machine, through the services."""

    def __init__(self, ctx: DemoContext, edition: Edition, staff: User, jury_user: User) -> None:
        self.ctx = ctx
        self.edition = edition
        self.staff = staff
        self.jury_user = jury_user
        self.slot_hour = 0
        self.criteria = list(
            InterviewCriterion.objects.filter(edition=edition).values_list("code", "max_score")
        )
        self.juries: dict[int, AdmissionJury] = {}
        # the demo candidates applied on the day the edition's application window opened
        self.applied_on = application_window(
            start_date=edition.start_date,
            opens_on=edition.applications_open_on,
            closes_on=edition.applications_close_on,
        )[0]

    def jury_for(self, campus: Campus, *, late: bool) -> AdmissionJury:
        """One sitting per campus; the late file's sitting was five weeks ago."""
        key = -campus.pk if late else campus.pk
        if key not in self.juries:
            today = clock.today()
            sits_on = today - timedelta(weeks=5) if late else today - timedelta(days=3)
            jury = AdmissionJury.objects.filter(
                edition=self.edition, campus=campus, sits_on=sits_on
            ).first() or jury_services.admission_jury_create(
                edition=self.edition,
                campus=campus,
                sits_on=sits_on,
                president=self.jury_user,
                actor=self.staff,
            )
            self.juries[key] = jury
        return self.juries[key]

    def _draft(
        self, *, email: str, index: int, offering: Offering, target: Status
    ) -> tuple[User, Application]:
        """A new candidate (her address confirmed) and her draft, with one prior degree: a
        bachelor's for the files meant to be ineligible, a master's otherwise."""
        candidate = services.candidate_signup(
            email=email,
            full_name=demo_name(40 + index),
            password=self.ctx.password,
            preferred_language="fr" if index % 3 else "en",
        )
        # the demo candidate followed the confirmation link of her sign-up e-mail
        accounts_services.email_address_ensure(user=candidate, verified=True, actor=candidate)
        self.ctx.created += 1
        app = services.application_create(
            candidate=candidate,
            edition=self.edition,
            year=offering.year,
            campus=offering.campus,
            track=offering.track,
            specialisation=offering.specialisation,
            english_level="A2" if target is Status.INELIGIBLE else "C1",
            accommodation_requested=index % 5 == 0,
            accommodation_details=_("Extra time for the oral (demo).") if index % 5 == 0 else "",
            today=self.applied_on,
        )
        ineligible = target in (Status.INELIGIBLE, Status.MANUAL_REVIEW)
        services.application_degrees_set(
            application=app,
            actor_user=candidate,
            degrees=[
                services.DegreeInput(
                    title=_("Bachelor of political science (demo)"),
                    level="bachelor" if ineligible else "master",
                    ects=120 if ineligible else 300,
                    field="political_science",
                    country="FR" if index % 2 else "BE",
                    year_obtained=2025,
                )
            ],
        )
        return candidate, app

    def _complete(self, app: Application, candidate: User) -> Application:
        """The draft's documents and its paid application fee: ready to submit."""
        for kind in ("cv", "transcript", "motivation"):
            services.document_add(
                application=app,
                actor_user=candidate,
                kind=kind,
                upload=io.BytesIO(DEMO_PDF),
                name=f"{kind}.pdf",
            )
        services.application_fee_record(application=app, actor_user=self.staff, paid=True)
        app.refresh_from_db()
        return app

    def run(
        self,
        *,
        email: str,
        index: int,
        offering: Offering,
        target: Status,
        late: bool = False,
    ) -> Application | None:
        if User.objects.filter(email__iexact=email).exists():
            return None
        candidate, app = self._draft(email=email, index=index, offering=offering, target=target)
        if target is Status.DRAFT:
            return app
        app = self._complete(app, candidate)
        if target is Status.SUBMITTED:
            # submitted, awaiting the eligibility evaluation
            return services.application_transition(
                application=app,
                target=Status.SUBMITTED,
                actor_user=candidate,
                expected_version=app.version,
            )
        app = services.application_submit(
            application=app,
            actor_user=candidate,
            expected_version=app.version,
            today=self.applied_on,
        )
        if target is Status.WITHDRAWN:
            return services.application_transition(
                application=app,
                target=Status.WITHDRAWN,
                actor_user=candidate,
                expected_version=app.version,
                note=_("Accepted another offer (demo)."),
            )
        if target in (Status.ELIGIBLE, Status.INELIGIBLE):
            return app
        if target is Status.MANUAL_REVIEW:
            return services.application_send_to_manual_review(
                application=app,
                actor_user=self.staff,
                expected_version=app.version,
                note=_("Foreign degree: check its equivalence (demo)."),
            )
        return self._interview_and_jury(app, target, late=late)

    def _interview_and_jury(self, app: Application, target: Status, *, late: bool) -> Application:
        day = clock.today() - timedelta(days=10)
        self.slot_hour += 1
        starts = timezone.make_aware(
            datetime.combine(
                day - timedelta(days=self.slot_hour // 8), time(9 + self.slot_hour % 8)
            )
        )
        slot = jury_services.interview_slot_create(
            edition=self.edition,
            campus=app.campus,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=45),
            location=_("Room 1 (demo)"),
            interviewers=[self.staff],
            actor=self.staff,
        )
        interview = jury_services.interview_book(
            application=app, slot=slot, actor=self.staff, expected_version=app.version
        )
        app.refresh_from_db()
        if target is Status.INTERVIEW_SCHEDULED:
            return app
        jury_services.interview_record(
            interview=interview,
            scores={code: max(1, top - 1) for code, top in self.criteria},
            comment=_("Clear career plan, good command of international issues (demo)."),
            actor=self.staff,
            expected_version=app.version,
        )
        app.refresh_from_db()
        if target is Status.INTERVIEWED:
            return app
        app = jury_services.application_present(
            application=app,
            jury=self.jury_for(app.campus, late=late),
            actor=self.staff,
            expected_version=app.version,
        )
        if target is Status.PRESENTED:
            return app
        decision = target if target in (Status.WAITLISTED, Status.REFUSED) else Status.ADMITTED
        return jury_services.application_decide(
            application=app,
            decision=decision,
            actor=self.jury_user,
            expected_version=app.version,
            note=_("Decision of the admission jury (demo)."),
        )


def _quietly(step: Callable[[], None]) -> None:
    """Decision letters are mailed on commit: in the demo they go nowhere (no PDF noise in the
    terminal), unless a real mail backend is configured."""
    console = settings.EMAIL_BACKEND.endswith("console.EmailBackend")
    if console:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            step()
    else:
        step()


@demo_step(order=300, name="admissions")
def admissions_step(ctx: DemoContext) -> None:
    """Candidates of the latest edition at every status, and the admitted future learners."""
    edition = Edition.objects.order_by("-start_date").first()
    staff = ctx.users.get(Role.ADMISSIONS_OFFICER)
    jury_user = ctx.users.get(Role.PROGRAMME_DIRECTOR)
    if edition is None or staff is None or jury_user is None:
        return
    offerings = list(
        Offering.objects.filter(edition=edition)
        .select_related("campus", "year", "specialisation")
        .order_by("campus__position", "year__position", "track", "specialisation__position")
    )
    if not offerings:
        return
    pipeline = _Pipeline(ctx, edition, staff, jury_user)

    def run_all() -> None:
        for index, status in enumerate(DEMO_STATUSES):
            offering = offerings[index % len(offerings)]
            with transaction.atomic():
                pipeline.run(
                    email=candidate_email(status.value.replace("_", "-")),
                    index=index,
                    offering=offering,
                    target=status,
                )
        # a file presented five weeks ago and still undecided: late on the dashboard
        with transaction.atomic():
            pipeline.run(
                email=candidate_email("presented-late"),
                index=len(DEMO_STATUSES),
                offering=offerings[0],
                target=Status.PRESENTED,
                late=True,
            )
        seen: set[tuple[int, int, str]] = set()
        for offering in offerings:
            key = (offering.campus_id, offering.year_id, offering.track)
            if key in seen:
                continue
            seen.add(key)
            with transaction.atomic():
                pipeline.run(
                    email=learner_email(offering.campus.code, offering.year.code, offering.track),
                    index=100 + len(seen),
                    offering=offering,
                    target=Status.ADMITTED,
                )

    _quietly(run_all)
    ctx.note(
        _("Admissions (%(edition)s): %(count)s demo candidate(s), at every status.")
        % {
            "edition": edition.label,
            "count": Application.objects.filter(
                edition=edition, candidate__email__endswith=f"@{DEMO_DOMAIN}"
            ).count(),
        }
    )
