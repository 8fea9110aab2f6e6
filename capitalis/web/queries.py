"""What each person finds on arriving (SPEC "Its users"): the links of the roles she holds and,
on her home page, the work waiting for her — applications to review, interviews to score,
results to enter, sessions to prepare, credentials to issue, apprentices to follow, her own
blocks and results.

The web app sits above every other app, so it composes their scoped queries here; each app
still decides what a user may read (its ``*_for(user=…)`` queries), and nothing is shown that
the page behind it would refuse.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.accounts.queries import grants_for
from capitalis.accounts.rules import STAFF_ROLES, Role
from capitalis.admissions.jury.queries import admissions_campus_ids
from capitalis.admissions.models import Application
from capitalis.admissions.queries import application_list_for
from capitalis.admissions.rules import Status as ApplicationStatus
from capitalis.assessment.queries import assessments_for
from capitalis.core.models import pick_language
from capitalis.core.queries import has_jobs
from capitalis.enrolment.models import Learner
from capitalis.enrolment.queries import can_see_dashboard, learner_list_for
from capitalis.finance.queries import invoice_list_for, is_finance_staff
from capitalis.finance.rules import InvoiceStatus
from capitalis.jury.queries import is_director, session_list_for
from capitalis.programmes.queries import editions_to_manage
from capitalis.reporting.declarations.queries import can_declare
from capitalis.reporting.indicators.queries import scope_for
from capitalis.reporting.surveys.queries import campus_scope, invitations_open_for


@dataclass(frozen=True)
class Item:
    """One line of a home page: what to do, how many, where."""

    label: str
    url: str
    detail: str = ""
    count: int | None = None
    post: bool = False  # an action (a button), not a link


@dataclass
class Section:
    title: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Home:
    name: str
    sections: list[Section]

    @property
    def empty(self) -> bool:
        return not any(s.items for s in self.sections)


def _roles(user: Any) -> frozenset[Role]:
    return frozenset(g.role for g in grants_for(user=user))


def _learner(user: Any) -> Learner | None:
    return Learner.objects.filter(user_id=user.pk).first()


def links_for(user: Any) -> dict[str, bool]:
    """Which links the navigation shows ``user``: each only when the page behind it would open
    for her (the same checks the pages make)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    roles = _roles(user)
    staff = bool(roles & STAFF_ROLES) or user.is_superuser
    learner = _learner(user) is not None
    admissions: Collection[int] | None = (
        admissions_campus_ids(grants_for(user=user)) if staff else []
    )
    sessions = session_list_for(user=user).exists() if staff else False
    director = is_director(user) or user.is_superuser
    return {
        "admissions": staff and (admissions is None or bool(admissions)),
        "applications": (staff and (admissions is None or bool(admissions)))
        or Role.CANDIDATE in roles
        or Application.objects.filter(candidate_id=user.pk).exists(),
        "learners": staff and can_see_dashboard(user=user),
        "assessments": Role.LECTURER in roles or director,
        "juries": sessions or director,
        "credentials": sessions or director,
        "invoices": is_finance_staff(user=user) or Role.CANDIDATE in roles or learner or director,
        "indicators": staff and scope_for(user=user) is not None,
        "declarations": staff and can_declare(user=user),
        "surveys": staff and campus_scope(user) != [],
        "learner": learner,
        "vae": Role.VAE_CANDIDATE in roles,
        "apprentices": Role.EMPLOYER_TUTOR in roles,
        "admin": bool(user.is_superuser),
        "people": bool(permissions.can(user, "read", "account")),
        "staff": staff,
        "jobs": has_jobs(user=user),
    }


def _admissions_section(user: Any) -> Section:
    rows = application_list_for(user=user).order_by().values("status").annotate(n=Count("pk"))
    counts: dict[str, int] = {row["status"]: row["n"] for row in rows}
    section = Section(_("Admissions"))
    review = sum(
        counts.get(s.value, 0)
        for s in (
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.ELIGIBLE,
            ApplicationStatus.MANUAL_REVIEW,
        )
    )
    applications = reverse("admissions:application-list")
    section.items.append(Item(_("Applications to review"), applications, count=review))
    section.items.append(
        Item(
            _("Interviews to hold and score"),
            reverse("admissions:interview-slots"),
            count=counts.get(ApplicationStatus.INTERVIEW_SCHEDULED.value, 0),
        )
    )
    section.items.append(
        Item(
            _("Files to present to an admission jury"),
            reverse("admissions:juries"),
            count=counts.get(ApplicationStatus.INTERVIEWED.value, 0),
        )
    )
    section.items.append(
        Item(
            _("Admission decisions due"),
            reverse("admissions:juries"),
            count=counts.get(ApplicationStatus.PRESENTED.value, 0),
        )
    )
    section.items.append(
        Item(
            _("Admitted, to enrol"),
            reverse("enrolment:admitted"),
            count=counts.get(ApplicationStatus.ADMITTED.value, 0),
        )
    )
    return section


def _teaching_section(user: Any, today: date) -> Section:
    mine = assessments_for(user=user)
    to_enter = mine.filter(date__lte=today, results__isnull=True).count()
    section = Section(_("Teaching"))
    section.items.append(Item(_("Results to enter"), reverse("assessment:list"), count=to_enter))
    section.items.append(Item(_("My assessments"), reverse("assessment:list"), count=mine.count()))
    return section


def _jury_section(user: Any, director: bool) -> Section:
    sessions = session_list_for(user=user)
    section = Section(_("Juries and credentials"))
    section.items.append(
        Item(
            _("Jury sessions to prepare or hold"),
            reverse("jury:dashboard"),
            count=sessions.filter(status="open").count(),
        )
    )
    section.items.append(
        Item(
            _("Closed sessions: credentials to issue"),
            reverse("credentials:sessions"),
            count=sessions.filter(status="closed").count(),
        )
    )
    if director:
        section.items.append(Item(_("VAE cases"), reverse("jury:vae-list")))
        section.items.append(
            Item(_("Blocks validated before Capitalis"), reverse("jury:prior-list"))
        )
    return section


def _programmes_section(user: Any, today: date) -> Section:
    """The director's editions still running or to come, each with its application window."""
    section = Section(_("Programmes"))
    for edition in editions_to_manage(user=user, today=today):
        opens, closes = edition.applications_open_on, edition.applications_close_on
        section.items.append(
            Item(
                _("Application window: %(programme)s %(edition)s")
                % {"programme": edition.programme.code, "edition": edition.label},
                reverse("programmes:edition-applications", args=[edition.pk]),
                detail=(
                    f"{formats.date_format(opens) if opens else '…'} – "
                    f"{formats.date_format(closes) if closes else '…'}"
                ),
            )
        )
    return section


def _finance_section(user: Any) -> Section:
    issued = invoice_list_for(user=user, status=InvoiceStatus.ISSUED.value)
    section = Section(_("Finance"))
    section.items.append(
        Item(_("Invoices awaiting payment"), reverse("finance:invoice-list"), count=issued.count())
    )
    return section


def _surveys_section(user: Any, today: date) -> Section:
    section = Section(_("Surveys waiting for your answer"))
    for invitation in invitations_open_for(user=user, today=today)[:10]:
        survey = invitation.survey
        section.items.append(
            Item(
                pick_language(survey.title_fr, survey.title_en),
                reverse("reporting:survey-open-mine", args=[invitation.pk]),
                detail=_("open until %(day)s") % {"day": formats.date_format(survey.closes_on)},
                post=True,
            )
        )
    return section


def _learner_section(learner: Learner) -> Section:
    section = Section(_("My studies"))
    section.items.extend(
        [
            Item(_("My record"), reverse("enrolment:me")),
            Item(_("My results"), reverse("assessment:my-results")),
            Item(_("My blocks"), reverse("jury:my-blocks")),
            Item(_("My credentials"), reverse("credentials:mine")),
            Item(_("My invoices"), reverse("finance:invoice-list")),
        ]
    )
    return section


def _apprentices_section(user: Any) -> Section:
    section = Section(_("My apprentices and interns"))
    apprentices = learner_list_for(user=user).exclude(user_id=user.pk)
    for learner in apprentices[:50]:
        section.items.append(
            Item(
                learner.user.full_name or learner.user.email,
                reverse("enrolment:learner", args=[learner.pk]),
                detail=learner.user.email,  # two people may share a name
            )
        )
    return section


def _candidate_section(user: Any) -> Section:
    section = Section(_("My applications"))
    mine = Application.objects.filter(candidate_id=user.pk).select_related("edition", "year")
    for application in mine.order_by("-pk")[:20]:
        section.items.append(
            Item(
                f"{application.edition.label} · {application.year}",
                reverse("admissions:application-detail", args=[application.pk]),
                detail=application.get_status_display(),
            )
        )
    section.items.append(Item(_("Start a new application"), reverse("admissions:application-new")))
    return section


def home_for(user: Any, *, today: date) -> Home:
    """The signed-in user's home: one section per role she holds, each with its work to do."""
    links = links_for(user)
    roles = _roles(user)
    director = is_director(user) or user.is_superuser
    sections: list[Section] = []
    if links["admissions"]:
        sections.append(_admissions_section(user))
    if Role.LECTURER in roles or director:
        sections.append(_teaching_section(user, today))
    if links["juries"]:
        sections.append(_jury_section(user, director))
    if director:
        programmes = _programmes_section(user, today)
        if programmes.items:
            sections.append(programmes)
    if is_finance_staff(user=user):
        sections.append(_finance_section(user))
    learner = _learner(user)
    if learner is not None:
        sections.append(_learner_section(learner))
        sections.append(_surveys_section(user, today))
    if Role.EMPLOYER_TUTOR in roles:
        sections.append(_apprentices_section(user))
    if links["vae"]:
        sections.append(Section(_("My VAE"), [Item(_("My VAE case"), reverse("jury:my-vae"))]))
    if links["applications"] and not links["admissions"]:
        sections.append(_candidate_section(user))
    return Home(name=user.get_short_name(), sections=sections)
