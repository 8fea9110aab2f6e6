"""Public pages of the référentiel: the list of certifications and one certification with its
versions side by side and the crosswalks between them (SPEC §1). Thin: reads go through
``queries``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from capitalis.accounts import permissions
from capitalis.referential.models import Activity, Block, Competency
from capitalis.referential.queries import (
    certification_detail as query_certification_detail,
)
from capitalis.referential.queries import certification_list as query_certification_list
from capitalis.referential.queries import crosswalks_for

# Access routes as the register codes them (SPEC §1).
ACCESS_ROUTES = {
    "FI": gettext_lazy("initial education"),
    "CA": gettext_lazy("apprenticeship contract"),
    "FC": gettext_lazy("continuing education"),
    "CQ": gettext_lazy("professionalisation contract"),
    "CL": gettext_lazy("independent candidacy"),
    "VAE": gettext_lazy("validation of prior experience (VAE)"),
}


def open_access_routes(routes: object) -> list[str]:
    """Names of the access routes marked active, in the register's order; unknown codes are
    shown as they are."""
    if not isinstance(routes, dict):
        return []
    names = []
    for code, value in routes.items():
        active = value.get("active", True) if isinstance(value, dict) else bool(value)
        if active:
            names.append(str(ACCESS_ROUTES.get(code, code)))
    return names


@dataclass
class ActivityGroup:
    """Competencies of a block under one activity (``activity`` None: not attached)."""

    activity: Activity | None
    competencies: list[Competency] = field(default_factory=list)


def group_by_activity(block: Block) -> list[ActivityGroup]:
    """Group a block's prefetched competencies under its activities, in the activities'
    order, without another query; competencies with no activity come last."""
    groups = [ActivityGroup(activity=activity) for activity in block.activities.all()]
    by_id = {group.activity.pk: group for group in groups if group.activity is not None}
    loose = ActivityGroup(activity=None)
    for competency in block.competencies.all():
        by_id.get(competency.activity_id, loose).competencies.append(competency)  # type: ignore[arg-type]
    if loose.competencies:
        groups.append(loose)
    return groups


def certification_list(request: HttpRequest) -> HttpResponse:
    """Every certification of the référentiel."""
    return render(
        request,
        "referential/certification_list.html",
        {
            "certifications": query_certification_list(),
            "can_import": permissions.can(request.user, "import", "register").ok,
        },
    )


def certification_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One certification: its facts, its versions side by side, the crosswalks."""
    certification = query_certification_detail(code=code)
    if certification is None:
        raise Http404(_("No certification has the code %(code)s.") % {"code": code})
    versions = list(certification.versions.all())
    columns = [
        {
            "version": version,
            "blocks": [
                {"block": block, "groups": group_by_activity(block)}
                for block in version.blocks.all()
            ],
        }
        for version in versions
    ]
    return render(
        request,
        "referential/certification_detail.html",
        {
            "certification": certification,
            "access_routes": open_access_routes(certification.access_routes),
            "columns": columns,
            "crosswalks": list(crosswalks_for(certification=certification)),
            # Where each statement comes from is an editor's note: staff only, never public.
            "show_sources": bool(request.user.is_authenticated and request.user.is_staff),
        },
    )
