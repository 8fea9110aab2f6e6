"""Demo step (``manage.py seed_demo``): the catalogue of both editions on every campus comes
from the shipped data (``load_data``, run by ``make demo`` first); this step makes sure every
offered campus and track of every edition has its calendar (idempotent) and notes what the
demo holds."""

from __future__ import annotations

from django.utils.translation import gettext as _

from capitalis.accounts.demo import DemoContext, demo_step
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
