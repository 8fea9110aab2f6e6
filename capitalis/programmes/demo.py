"""Demo step (``manage.py seed_demo``): the catalogue of both editions on every campus comes
from the shipped data (``load_data``, run by ``make demo`` first); this step makes sure every
offered campus and track of every edition has its calendar (idempotent) and notes what the
demo holds."""

from __future__ import annotations

from django.utils.translation import gettext as _

from capitalis.accounts.demo import DemoContext, demo_step
from capitalis.accounts.rules import Role, ScopeKind
from capitalis.accounts.services import role_grant
from capitalis.programmes import services
from capitalis.programmes.models import Campus, Course, Edition, Offering


@demo_step(order=200, name="programmes")
def programmes(ctx: DemoContext) -> None:
    editions = list(Edition.objects.select_related("programme").order_by("start_date"))
    campuses = {c.pk: c for c in Campus.objects.all()}
    pairs = Offering.objects.values_list("edition_id", "campus_id", "track").distinct()
    by_id = {e.pk: e for e in editions}
    for edition_id, campus_id, track in sorted(pairs):
        _calendar, created = services.calendar_ensure(
            edition=by_id[edition_id], campus=campuses[campus_id], track=track
        )
        ctx.created += int(created)
    if editions:
        ctx.note(
            _(
                "Catalogue: %(editions)s edition(s), %(courses)s course(s), "
                "%(calendars)s calendar(s)."
            )
            % {
                "editions": len(editions),
                "courses": Course.objects.count(),
                "calendars": len(set(pairs)),
            }
        )


@demo_step(order=210, name="programmes-roles")
def programme_roles(ctx: DemoContext) -> None:
    """Grant the campus- and course-scoped demo roles now that campuses and courses exist:
    the campus coordinator and the disability referent on the first campus, the lecturer on
    the first course of the latest edition."""
    campus = Campus.objects.order_by("position", "code").first()
    course = (
        Course.objects.select_related("edition").order_by("-edition__start_date", "code").first()
    )
    grants: list[tuple[Role, ScopeKind, int, str]] = []
    if campus is not None:
        label = _("campus: %(name)s") % {"name": campus.name}
        grants += [
            (Role.CAMPUS_COORDINATOR, ScopeKind.CAMPUS, campus.pk, label),
            (Role.DISABILITY_REFERENT, ScopeKind.CAMPUS, campus.pk, label),
        ]
    if course is not None:
        label = _("course: %(code)s %(title)s (%(edition)s)") % {
            "code": course.code,
            "title": course.title,
            "edition": course.edition.label,
        }
        grants.append((Role.LECTURER, ScopeKind.COURSE, course.pk, label))
    for role, scope, scope_id, label in grants:
        user = ctx.users.get(role)
        if user is None:
            continue
        role_grant(user=user, role=role, scope=scope, scope_id=scope_id)
        ctx.set_login_note(user.email, label)
