"""Pages of the programme catalogue (SPEC §2): the director's application window of an
edition. The public catalogue page shows fees, which finance owns (after programmes in the
pipeline), so it is composed in ``capitalis.web.views_catalogue``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from capitalis.core.handlers import domain_errors
from capitalis.programmes import services
from capitalis.programmes.forms import ApplicationWindowForm
from capitalis.programmes.queries import (
    edition_for_manager,
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
