"""Public pages of the programme catalogue (SPEC §2): a programme's edition with its years,
the specialisations and tracks each campus offers (each linked to its calendar), the courses
with their ECTS and the competencies they assess, and the fees. Thin: reads go through
``queries``; the fees section is rendered by finance's ``finance_fees`` template tags (finance
comes after programmes in the pipeline, so this module does not import it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from capitalis.accounts import permissions
from capitalis.core.handlers import domain_errors
from capitalis.programmes import services
from capitalis.programmes.forms import ApplicationWindowForm
from capitalis.programmes.models import Edition, Programme, TeachingMethod, Track
from capitalis.programmes.queries import (
    CourseView,
    EditionView,
    catalogue_for,
    edition_for_manager,
)

METHOD_LABELS = dict(TeachingMethod.choices)
TRACK_LABELS = dict(Track.choices)


def _campus_rows(edition_view: EditionView) -> list[dict[str, object]]:
    """Each campus with its tracks as (code, label), in the tracks' order."""
    order = list(TRACK_LABELS)
    return [
        {
            "view": campus_view,
            "tracks": [
                (track, TRACK_LABELS.get(track, track))
                for track in sorted(campus_view.tracks, key=order.index)
            ],
        }
        for campus_view in edition_view.campuses
    ]


def _methods(item: CourseView) -> list[str]:
    """A course's teaching methods in the request's language."""
    return [str(METHOD_LABELS.get(m, m)) for m in item.course.teaching_methods or []]


def catalogue(
    request: HttpRequest, programme: str | None = None, edition: str | None = None
) -> HttpResponse:
    """One edition of a programme (by default the first programme and its latest edition);
    ``?track=initial`` or ``?track=work_study`` shows only the courses of that track (an
    unknown value shows every course)."""
    if programme is None:
        programme = Programme.objects.order_by("code").values_list("code", flat=True).first()
        if programme is None:
            return render(request, "programmes/catalogue_empty.html")
    editions = list(
        Edition.objects.filter(programme__code=programme)
        .order_by("start_date")
        .values("code", "label")
    )
    if edition is None and editions:
        edition = editions[-1]["code"]
    track = request.GET.get("track", "")
    if track not in TRACK_LABELS:
        track = ""
    found = catalogue_for(programme_code=programme, edition_code=edition, track=track or None)
    if found is None or not found.editions:
        if found is None and edition is None:
            raise Http404(_("No programme has the code %(code)s.") % {"code": programme})
        raise Http404(
            _("The programme %(programme)s has no edition %(edition)s.")
            % {"programme": programme, "edition": edition}
        )
    return render(
        request,
        "programmes/catalogue.html",
        {
            "catalogue": found,
            "programme": found.programme,
            "edition_view": found.editions[0],
            "edition": found.editions[0].edition,
            "editions": editions,
            "campuses": _campus_rows(found.editions[0]),
            "track": track,
            "track_label": TRACK_LABELS.get(track, ""),
            "tracks": list(TRACK_LABELS.items()),
            "can_manage": permissions.can(request.user, "manage", "edition").ok,
            "years": [
                {
                    "view": year_view,
                    "groups": [
                        {
                            "group": group,
                            "courses": [
                                {"item": item, "methods": _methods(item)} for item in group.courses
                            ],
                        }
                        for group in year_view.groups
                    ],
                }
                for year_view in found.editions[0].years
            ],
        },
    )


@login_required
def application_window(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme director opens or sets the days candidates may apply to an edition
    (anyone else: 404). Bad input is shown at its field and nothing is saved."""
    edition = edition_for_manager(user=request.user, pk=pk)
    if edition is None:
        raise Http404(_("No edition has this identifier."))
    initial = {"open_on": edition.applications_open_on, "close_on": edition.applications_close_on}
    form = ApplicationWindowForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form, fields={"application_window": "close_on"}) as refused:
            services.edition_application_window_set(
                edition=edition,
                open_on=form.cleaned_data["open_on"],
                close_on=form.cleaned_data["close_on"],
                actor=request.user,
            )
        if not refused:
            messages.success(request, _("The application window has been saved."))
            return redirect("programmes:edition-applications", pk=edition.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "programmes/application_window.html",
        {"edition": edition, "programme": edition.programme, "form": form},
        status=status,
    )
