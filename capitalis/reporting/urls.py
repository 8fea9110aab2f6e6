"""Routes of the staff reporting pages (dashboard, surveys, declarations, personal data),
under /reporting/
(namespace ``reporting``).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "reporting"

urlpatterns: list[URLPattern | URLResolver] = []
