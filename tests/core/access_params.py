"""Which object each route's URL parameters name in the access matrix: always one that belongs
to someone else than the requesting user (the "B" side of tests/core/access_world.py), or an id
that exists nowhere (MISSING) for the objects the small world does not build."""

from __future__ import annotations

from typing import Any

MISSING = 987654

# route name (or its "app:" prefix) → which id of the world fills its ``pk``
PK_SOURCE = {
    "enrolment:learner": "learner",
    "enrolment:learner-update": "learner",
    "enrolment:cvec-add": "learner",
    "enrolment-api:learner-detail": "learner",
    "enrolment:contract-add": "enrolment",
    "enrolment:internship-add": "enrolment",
    "enrolment:move": "enrolment",
    "enrolment:reenrol": "enrolment",
    "enrolment-api:enrolment-detail": "enrolment",
    "enrolment-api:enrolment-reenrol": "enrolment",
    "enrolment-api:enrolment-transition": "enrolment",
    "admissions:application-detail": "application",
    "admissions:application-edit": "application",
    "admissions:application-move": "application",
    "admissions:application-fee": "application",
    "admissions:document-download": "application",
    "admissions:document-preview": "application",
    "admissions-api:application-detail": "application",
    "admissions-api:application-degree-remove": "application",
    "admissions-api:application-degrees": "application",
    "admissions-api:application-documents": "application",
    "admissions-api:application-submit": "application",
    "admissions-api:application-transition": "application",
    "finance:invoice-detail": "invoice",
    "finance-api:invoice-detail": "invoice",
    "jury:": "session",
    "jury-api:": "session",
    "credentials:session": "session",
    "credentials:session-issue": "session",
    "credentials-api:session-issue": "session",
    "credentials:session-transcripts": "session",
    "credentials:transcript-issue": "session",
    "assessment:": "assessment",
    "assessment-api:assessment-": "assessment",
    "assessment-api:results-import": "assessment",
    "programmes-api:course-detail": "course",
    "programmes-api:edition-detail": "edition",
    "programmes-api:edition-application-window": "edition",
    "programmes:edition-applications": "edition",
    "jobs:detail": "job",
    "jobs-api:job-detail": "job",
    "jobs:file": "job",
    "jobs-api:job-file": "job",
}
# the jury's VAE routes name a VAE application, not a session
PK_MISSING = ("jury:vae-", "jury:prior-")


# query strings a route needs to answer at all
QUERY = {
    "finance-api:fee-quote": "?programme=MSC-TEST&academic_year=2024-25&track=initial",
    "reporting-api:declarations": "?certification=RNCP99999",
}


def kwargs_for(name: str, groups: set[str], ids: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for group in groups:
        values[group] = _value(name, group, ids)
    return values


def _pk(name: str, ids: dict[str, Any]) -> Any:
    if any(name.startswith(prefix) for prefix in PK_MISSING):
        return MISSING
    best = ""
    for key in PK_SOURCE:
        if (name == key or (key.endswith((":", "-")) and name.startswith(key))) and len(key) > len(
            best
        ):
            best = key
    return ids[PK_SOURCE[best]] if best else MISSING


def _value(name: str, group: str, ids: dict[str, Any]) -> Any:
    if group == "pk":
        return _pk(name, ids)
    simple = {
        "application_pk": ids["application"],
        "enrolment_pk": ids["enrolment"],
        "enrolment_id": ids["enrolment"],
        "user_id": ids["user"],
        "edition": ids["edition_code"],
        "campus": ids["campus_code"],
        "track": "initial",
        "programme": ids["programme_code"],
        "cert": ids["certification"],
        "version": ids["version"],
    }
    if group in simple:
        return simple[group]
    if group == "code":
        if name.startswith("referential"):
            return ids["certification"]
        if name == "programmes-api:campus-detail":
            return ids["campus_code"]
        if name.startswith(("programmes", "results")):
            return ids["programme_code"]
        return "zzmissing"
    if group in ("token",) and name.startswith("programmes"):
        return "12345678-1234-5678-1234-567812345678"
    if group in ("kind",):
        return "block"
    if group == "table":
        return "zzmissing"
    if group == "slug":
        return "zzmissing"
    if group.endswith(("_pk", "_id")):
        return MISSING
    return "zzmissing"
