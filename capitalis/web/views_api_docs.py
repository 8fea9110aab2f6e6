"""The API's browsable documentation: Swagger UI and ReDoc, both served from this site's static
files (drf-spectacular-sidecar; SPECTACULAR_SETTINGS ``*_DIST = "SIDECAR"``): no CDN, so they
work offline and load nothing from another origin under the Content-Security-Policy."""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI under the site's full policy: its start-up script is fetched from this same
    URL (``?script``) rather than inlined, its page styles are a static file."""

    template_name = "web/api/swagger_ui.html"


# ReDoc injects style elements while its bundle loads, before it could be handed a nonce, and runs
# its search in a worker built from a blob: URL. This page alone allows both; scripts stay
# 'self' only, and the page shows nothing but this site's own schema.
REDOC_POLICY = {"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}


@method_decorator(csp_replace(REDOC_POLICY), name="dispatch")
class ApiRedocView(SpectacularRedocView):
    """ReDoc, started by a static script (web/api_redoc.js) that reads the schema address from
    the page (no inline script)."""

    template_name = "web/api/redoc.html"
