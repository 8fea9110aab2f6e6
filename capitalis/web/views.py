"""Pages of the site shell: the home page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """Say what Capitalis is and lead to the référentiel."""
    return render(request, "web/home.html")
