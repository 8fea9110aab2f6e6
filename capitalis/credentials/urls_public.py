"""Routes of the public verification (/verify/<id>/), status lists and the DID document (no login)
(namespace ``verify``).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "verify"

urlpatterns: list[URLPattern | URLResolver] = []
