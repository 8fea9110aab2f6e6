"""Pages of the site shell: the home page.

A visitor lands on the school's programme page (what it teaches, where, how to apply, its
published results); a signed-in person lands on her own home, with the work her roles give her.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from capitalis.core import clock
from capitalis.programmes.queries import edition_list, programme_list
from capitalis.web.queries import home_for


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        home_page = home_for(request.user, today=clock.today())
        return render(request, "web/home_user.html", {"home": home_page})
    programme = programme_list().first()
    editions = list(edition_list(programme_code=programme.code)) if programme else []
    latest = editions[-1] if editions else None
    campuses: dict[str, str] = {}
    if latest is not None:
        for offering in latest.offerings.all():
            campuses.setdefault(offering.campus.code, offering.campus.name)
    return render(
        request,
        "web/home.html",
        {"programme": programme, "edition": latest, "campuses": sorted(campuses.values())},
    )
