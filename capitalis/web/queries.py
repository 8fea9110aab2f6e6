"""What each person finds on arriving (SPEC "Its users"): the links of the roles she holds and,
on her home page, the work waiting for her — applications to review, interviews to score,
results to enter, sessions to prepare, credentials to issue, apprentices to follow, her own
blocks and results.

The web app sits above every other app, so it composes their scoped queries here; each app
still decides what a user may read (its ``*_for(user=…)`` queries), and nothing is shown that
the page behind it would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.admissions.models import Application
from capitalis.admissions.queries import application_list_for
from capitalis.admissions.rules import Status as ApplicationStatus
from capitalis.assessment.queries import assessments_for
from capitalis.core.models import pick_language
from capitalis.core.queries import has_jobs
from capitalis.enrolment.models import Learner
from capitalis.enrolment.queries import learner_list_for
from capitalis.finance.queries import invoice_list_for
from capitalis.finance.rules import InvoiceStatus
from capitalis.jury.queries import session_list_for
from capitalis.programmes.queries import editions_to_manage
from capitalis.reporting.surveys.queries import invitations_open_for


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


def _learner(user: Any) -> Learner | None:
    return Learner.objects.filter(user_id=user.pk).first()


def _directs(who: permissions.Principal) -> bool:
    """The programme director, who schedules the certification juries (or an administrator,
    shown every link)."""
    return permissions.can(who, "schedule", "jury_session").ok or permissions.administers(who)


def links_for(user: Any) -> dict[str, bool]:
    """Which links the navigation shows ``user``: each only when the page behind it would open
    for her. Every answer is the permission table's (accounts.permissions): the same rule the
    page applies, or the role a personal rule is offered to (the tutor's apprentices, the VAE
    candidate's case) whether or not there is a row yet."""
    if not getattr(user, "is_authenticated", False):
        return {}
    who = permissions.principal(user)  # her grants, read once for every check below
    can = permissions.can
    staff = permissions.is_staff(who)
    learner = permissions.owns_any(who, "learner")
    admissions = can(who, "manage", "application").ok
    sessions = staff and session_list_for(user=user).exists()
    director = _directs(who)
    return {
        "admissions": admissions,
        "applications": admissions
        or permissions.personal_role(who, "read", "application")
        or permissions.owns_any(who, "application"),
        "learners": can(who, "read", "enrolment").ok,
        "assessments": can(who, "read", "assessment").ok,
        "juries": sessions or director,
        "credentials": sessions or director,
        "invoices": can(who, "manage", "invoice").ok
        or permissions.personal_role(who, "read", "invoice")
        or learner
        or director,
        "indicators": can(who, "read", "indicators").ok,
        "declarations": can(who, "manage", "award_declaration").ok,
        "surveys": can(who, "read", "survey").ok,
        "learner": learner,
        "vae": permissions.personal_role(who, "read", "vae_candidate"),
        "apprentices": permissions.personal_role(who, "read", "learner"),
        "admin": permissions.administers(user),
        "people": can(who, "read", "account").ok,
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


def _jury_section(user: Any, who: permissions.Principal) -> Section:
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
    if permissions.can(who, "manage", "vae_candidate"):
        section.items.append(Item(_("VAE cases"), reverse("jury:vae-list")))
    if permissions.can(who, "manage", "block_validation"):
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
    who = permissions.principal(user)
    sections: list[Section] = []
    if links["admissions"]:
        sections.append(_admissions_section(user))
    if links["assessments"]:
        sections.append(_teaching_section(user, today))
    if links["juries"]:
        sections.append(_jury_section(user, who))
    programmes = _programmes_section(user, today)  # the editions she may manage, if any
    if programmes.items:
        sections.append(programmes)
    if permissions.can(who, "manage", "invoice"):
        sections.append(_finance_section(user))
    learner = _learner(user)
    if learner is not None:
        sections.append(_learner_section(learner))
        sections.append(_surveys_section(user, today))
    if links["apprentices"]:
        sections.append(_apprentices_section(user))
    if links["vae"]:
        sections.append(Section(_("My VAE"), [Item(_("My VAE case"), reverse("jury:my-vae"))]))
    if links["applications"] and not links["admissions"]:
        sections.append(_candidate_section(user))
    return Home(name=user.get_short_name(), sections=sections)
