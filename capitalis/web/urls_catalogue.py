"""The catalogue page's routes, in the ``programmes`` namespace under /programmes/ (the page is
composed in web; ``capitalis.urls`` joins these to the programmes app's routes)."""

from __future__ import annotations

from django.urls import URLPattern, path

from capitalis.web import views_catalogue

urlpatterns: list[URLPattern] = [
    path("", views_catalogue.catalogue, name="catalogue"),
    # last: two free segments
    path("<str:programme>/<str:edition>/", views_catalogue.catalogue, name="catalogue-edition"),
]
