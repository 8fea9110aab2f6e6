"""Reads on applications, scoped by who asks (SPEC §3, §10): a candidate sees only her own
applications; an admissions officer those of her campus (or all with a school-wide grant); the
programme director all; a jury president or member those presented to his jury; the campus
disability referent the applications of her campus that ask for an accommodation. Anything
else is not found (the views answer 404, never 403, so ids cannot be probed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from capitalis.accounts import permissions
from capitalis.accounts.models import User
from capitalis.admissions import rules
from capitalis.admissions.models import (
    Application,
    ApplicationDocument,
    EligibilityRule,
    PriorDegree,
)
from capitalis.core.models import pick_language
from capitalis.programmes.models import Edition, Offering

FIELD_LABELS = dict(PriorDegree.Field.choices)


def _visibility(user: User) -> Q | None:
    """The filter of the applications ``user`` may read; None: every application. The rules
    (accounts.permissions.TABLE, "application"): the candidate her own; admissions officers
    their campus (or every one); the admission jury its files (ADMISSION_JURY grants only: a
    certification jury session with the same id is another table and gives nothing here); the
    disability referent the accommodation requests of her campus."""
    q = permissions.visible(user, "application")
    return None if q == permissions.EVERYTHING else q


def application_list_for(*, user: User) -> QuerySet[Application]:
    """The applications ``user`` may read, newest first, with their target."""
    qs = Application.objects.select_related(
        "candidate", "edition", "edition__programme", "year", "campus", "specialisation"
    )
    visibility = _visibility(user)
    return qs if visibility is None else qs.filter(visibility)


def application_get_for(*, user: User, pk: int) -> Application:
    """One application ``user`` may read, with degrees, documents and transitions;
    :class:`Application.DoesNotExist` when it does not exist or is not hers/his to read."""
    return (
        application_list_for(user=user)
        .prefetch_related(
            "prior_degrees",
            Prefetch("documents", queryset=ApplicationDocument.objects.order_by("kind", "id")),
            "transitions__by",
        )
        .get(pk=pk)
    )


def actors_for(*, user: User | None, application: Application) -> frozenset[rules.Actor]:
    """The rules.Actor roles ``user`` holds on this application (None: the system)."""
    if user is None:
        return frozenset({rules.Actor.SYSTEM})
    actors: set[rules.Actor] = set()
    if application.candidate_id == user.pk:
        actors.add(rules.Actor.CANDIDATE)
    who = permissions.principal(user)
    if permissions.can(who, "manage", "application", application):
        actors.add(rules.Actor.ADMISSIONS)
    if permissions.can(who, "decide", "application", application):
        actors.add(rules.Actor.JURY)
    return frozenset(actors)


def may_read_documents(*, user: User, application: Application) -> bool:
    """May ``user`` open this application's documents (CV, transcripts, letter)? The
    candidate, the admissions officers of its campus (or school-wide), the programme director
    and its admission jury; not the disability referent, who reads the accommodation request
    only (no document is about it)."""
    actors = actors_for(user=user, application=application)
    return bool(actors & {rules.Actor.CANDIDATE, rules.Actor.ADMISSIONS, rules.Actor.JURY})


def document_get_for(*, user: User, application_pk: int, pk: int) -> ApplicationDocument | None:
    """One document of an application ``user`` may read (see ``may_read_documents``); None
    when the application is not his to read, the document is not one of its own, or he may
    read the application but not its documents."""
    application = application_list_for(user=user).filter(pk=application_pk).first()
    if application is None or not may_read_documents(user=user, application=application):
        return None
    return ApplicationDocument.objects.filter(application=application, pk=pk).first()


def is_admissions_staff(*, user: User, application: Application) -> bool:
    return rules.Actor.ADMISSIONS in actors_for(user=user, application=application)


def next_statuses_for(*, user: User, application: Application) -> list[rules.Status]:
    """The statuses ``user`` may move this application to now (for the buttons)."""
    current = rules.Status(application.status)
    found: list[rules.Status] = []
    for actor in actors_for(user=user, application=application):
        for status in rules.next_statuses(current, actor):
            if status not in found:
                found.append(status)
    return found


# --- what the candidate can choose --------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    edition_id: int
    year_id: int
    campus_id: int
    track: str
    specialisation_id: int


def offering_choices(*, edition_id: int | None = None) -> list[Choice]:
    """Every (edition, year, campus, track, specialisation) an edition offers, for the form."""
    qs = Offering.objects.all()
    if edition_id is not None:
        qs = qs.filter(edition_id=edition_id)
    return [
        Choice(e, y, c, t, s)
        for e, y, c, t, s in qs.values_list(
            "edition_id", "year_id", "campus_id", "track", "specialisation_id"
        ).order_by("edition_id", "year__position", "campus__position", "track")
    ]


def eligibility_rules_for(*, edition_id: int, year_id: int) -> list[rules.EligibilityRule]:
    """The edition's rules for that year, as plain data for ``rules.evaluate_all``."""
    return [
        rules.EligibilityRule(
            code=r.code, kind=rules.RuleKind(r.kind), params=r.params, label=r.label_fr
        )
        for r in EligibilityRule.objects.filter(edition_id=edition_id, year_id=year_id).order_by(
            "position", "code"
        )
    ]


# --- eligibility outcome, in the reader's language ----------------------------------------


def _fields_text(codes: Any) -> str:
    return ", ".join(str(FIELD_LABELS.get(c, c)) for c in codes or ())


def _degree_names(degrees: Any) -> str:
    """The candidate's degrees as she would name them: the field, or the title when the field
    is "other" or not given."""
    names = []
    for title, code in degrees or ():
        if code and code != PriorDegree.Field.OTHER:
            names.append(str(FIELD_LABELS.get(code, code)))
        else:
            names.append(
                _("“%(title)s”") % {"title": title} if title else str(_("a field not given"))
            )
    return ", ".join(dict.fromkeys(names))


def outcome_reason(outcome: dict[str, Any], year: str = "") -> str:
    """The reason of one stored outcome, in the candidate's terms, translated from its kind and
    params (``year``: the programme year applied for, "MSc 1st year")."""
    params = outcome.get("params") or {}
    kind = outcome.get("kind")
    year = year or str(_("this year"))
    condition = (
        " " + str(_("Accepted on condition that you obtain your degree in progress."))
        if outcome.get("conditional")
        else ""
    )
    if kind == rules.RuleKind.MIN_ECTS:
        values = {"best": params.get("best", 0), "needed": params.get("needed", 0), "year": year}
        if outcome.get("passed"):
            return (
                _("Your best degree totals %(best)s ECTS; %(year)s needs %(needed)s.") % (values)
                + condition
            )
        if not params.get("degrees", 1) and not params.get("ignored_in_progress"):
            return _("You have given no degree; %(year)s needs %(needed)s ECTS.") % values
        text = _("Your best degree totals %(best)s ECTS; %(year)s needs %(needed)s.") % values
        if params.get("ignored_in_progress"):
            text += " " + _("A degree in progress does not count for %(year)s.") % values
        return text
    if kind == rules.RuleKind.FIELD:
        accepted = _fields_text(params.get("accepted"))
        if outcome.get("passed"):
            return (
                _("Your degree in %(fields)s is in an accepted field for %(year)s.")
                % {
                    "fields": _fields_text(params.get("matching")),
                    "year": year,
                }
                + condition
            )
        degrees = params.get("degrees") or ()
        if not degrees:
            return _("You have given no degree; %(year)s accepts: %(accepted)s.") % {
                "year": year,
                "accepted": accepted,
            }
        return ngettext(
            "Your degree in %(fields)s is not in an accepted field for %(year)s: %(accepted)s.",
            "Your degrees in %(fields)s are not in an accepted field for %(year)s: %(accepted)s.",
            len(degrees),
        ) % {"fields": _degree_names(degrees), "year": year, "accepted": accepted}
    if kind == rules.RuleKind.ENGLISH:
        return _("English level %(level)s; %(needed)s required.") % {
            "level": params.get("level") or _("not given"),
            "needed": params.get("needed", ""),
        }
    return str(outcome.get("reason", ""))


def eligibility_display(application: Application) -> list[dict[str, Any]]:
    """Each evaluated rule: its label, pass or fail and the reason in the candidate's terms."""
    year = application.year.title
    return [
        {
            "code": o.get("code", ""),
            "label": pick_language(o.get("label_fr", ""), o.get("label_en", "")),
            "passed": bool(o.get("passed")),
            "conditional": bool(o.get("conditional")),
            "reason": outcome_reason(o, year),
        }
        for o in application.eligibility or []
    ]


# --- editions one may apply to or plan for (application form, staff forms) -----------------


def editions_open_for_applications(*, today: Any) -> QuerySet[Edition]:
    """The editions whose application window (``rules.application_window``) holds ``today``."""
    ids = [
        pk
        for pk, start, opens, closes in Edition.objects.values_list(
            "pk", "start_date", "applications_open_on", "applications_close_on"
        )
        if rules.applications_open(start_date=start, opens_on=opens, closes_on=closes, today=today)
    ]
    return Edition.objects.filter(pk__in=ids).select_related("programme").order_by("start_date")


def editions_current_or_future(*, today: Any) -> QuerySet[Edition]:
    """The editions still running or to come (``rules.is_current_or_future``)."""
    return (
        Edition.objects.filter(end_date__gte=today)
        .select_related("programme")
        .order_by("start_date")
    )
