"""The API's browsable documentation: Swagger UI and ReDoc, both served from this site's static
files (drf-spectacular-sidecar; SPECTACULAR_SETTINGS ``*_DIST = "SIDECAR"``): no CDN, so they
work offline and load nothing from another origin under the Content-Security-Policy."""

from __future__ import annotations

from typing import Any

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_urlconf
from django.utils import translation
from django.utils.decorators import method_decorator
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.request import Request
from rest_framework.response import Response

#: the generated schema by (language, API version, URLconf): it changes only with the code
_SCHEMAS: dict[tuple[str, str | None, str | None], Any] = {}


@receiver(setting_changed)
def _schemas_forget(**_kwargs: Any) -> None:
    """A changed setting (tests: URLconf, installed apps, SPECTACULAR_SETTINGS) may change the
    schema: it is generated again."""
    _SCHEMAS.clear()


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per process for each language (its texts are
    translated) and version, not at every request: generating it walks every view and
    serializer (about two CPU-seconds). Anyone may read it; it shows no one's data."""

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        urlconf = get_urlconf()  # a request may route with its own URLconf
        key = (translation.get_language(), version, urlconf if isinstance(urlconf, str) else None)
        if key not in _SCHEMAS:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            _SCHEMAS[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=_SCHEMAS[key],
            headers={
                "Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'
            },
        )


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
