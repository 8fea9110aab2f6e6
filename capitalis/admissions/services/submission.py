"""Submission and eligibility: a complete draft is submitted while the window is open, and its
eligibility is evaluated at once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from capitalis.accounts import queries as accounts_queries
from capitalis.accounts.models import User
from capitalis.admissions import rules
from capitalis.admissions.models import Application, ApplicationDocument
from capitalis.admissions.queries import eligibility_rules_for
from capitalis.admissions.services._common import check_window, require_candidate_draft
from capitalis.admissions.services.degrees import degree_missing
from capitalis.admissions.services.transitions import application_transition
from capitalis.core.audit import Action
from capitalis.core.exceptions import DomainError
from capitalis.core.models import audit_record

PART_LABELS = {
    "title": gettext_lazy("the degree's title"),
    "level": gettext_lazy("the level"),
    "ects": gettext_lazy("the ECTS"),
    "field": gettext_lazy("the field"),
    "country": gettext_lazy("the country"),
}


def _missing_for_submission(application: Application) -> list[str]:
    missing: list[str] = []
    degrees = list(application.prior_degrees.order_by("id"))
    if not degrees:
        missing.append(_("at least one prior degree"))
    for n, degree in enumerate(degrees, start=1):
        parts = degree_missing(degree)
        if parts:
            missing.append(
                _("degree %(n)s: %(parts)s")
                % {"n": n, "parts": ", ".join(str(PART_LABELS[p]) for p in parts)}
            )
    if not application.english_level:
        missing.append(_("your English level"))
    kinds = set(application.documents.values_list("kind", flat=True))
    for kind, label in ApplicationDocument.Kind.choices:
        if kind not in kinds:
            missing.append(str(label))
    if application.accommodation_requested and not application.accommodation_details.strip():
        missing.append(_("the accommodation you need"))
    return missing


@transaction.atomic
def application_submit(
    *,
    application: Application,
    actor_user: User,
    expected_version: int,
    today: dt.date | None = None,
) -> Application:
    """The candidate submits a complete draft while the edition's window is open; the
    eligibility evaluation follows at once."""
    require_candidate_draft(application, actor_user)
    check_window(application.edition, today)
    accounts_queries.ensure_email_verified(user=application.candidate)
    missing = _missing_for_submission(application)
    if missing:
        raise DomainError(
            _("The application is not complete: %(missing)s.") % {"missing": ", ".join(missing)},
            code="incomplete",
        )
    application = application_transition(
        application=application,
        target=rules.Status.SUBMITTED,
        actor_user=actor_user,
        expected_version=expected_version,
    )
    return application_evaluate_eligibility(application=application)


def _candidate_facts(application: Application) -> rules.Candidate:
    return rules.Candidate(
        degrees=tuple(
            rules.Degree(
                level=d.level,
                ects=d.ects or 0,
                field=d.field,
                country=d.country,
                title=d.title,
                in_progress=d.in_progress,
            )
            for d in application.prior_degrees.all()
        ),
        english_level=application.english_level or None,
    )


@transaction.atomic
def application_evaluate_eligibility(*, application: Application) -> Application:
    """Evaluate the edition's rules for the year (``rules.evaluate_all``), store each outcome,
    and move a submitted file to eligible or ineligible as the system. An edition without rules
    leaves the file submitted, for admissions staff to review."""
    from capitalis.admissions.models import EligibilityRule

    rows = list(
        EligibilityRule.objects.filter(
            edition_id=application.edition_id, year_id=application.year_id
        ).order_by("position", "code")
    )
    plain = eligibility_rules_for(edition_id=application.edition_id, year_id=application.year_id)
    outcomes = rules.evaluate_all(plain, _candidate_facts(application))
    labels = {r.code: (r.label_fr, r.label_en) for r in rows}
    stored = [
        {
            "code": o.code,
            "kind": o.kind.value,
            "passed": o.passed,
            "conditional": o.conditional,
            "reason": o.reason,
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in o.params.items()},
            "label_fr": labels.get(o.code, ("", ""))[0],
            "label_en": labels.get(o.code, ("", ""))[1],
        }
        for o in outcomes
    ]
    Application.objects.filter(pk=application.pk).update(eligibility=stored)
    application.eligibility = stored
    audit_record(
        action=Action.APPLICATION_EVALUATE_ELIGIBILITY,
        target=application,
        summary=", ".join(f"{o.code}:{'pass' if o.passed else 'fail'}" for o in outcomes),
        data={"outcomes": stored},
    )
    if not outcomes or application.status != rules.Status.SUBMITTED:
        return application
    return application_transition(
        application=application,
        target=rules.eligibility_status(outcomes),
        actor_user=None,
        expected_version=application.version,
        note=_("Eligibility evaluated on submission."),
    )
