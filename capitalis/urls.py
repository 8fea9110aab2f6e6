"""Root URL configuration: pages, API, admin."""

from django.contrib import admin
from django.urls import include, path

from capitalis.programmes import urls as programmes_urls
from capitalis.web import urls_catalogue
from capitalis.web.views_api_docs import ApiDocsView, ApiRedocView, SchemaView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("capitalis.accounts.urls")),
    # allauth: password reset, e-mail confirmation, two-factor (after ours: /accounts/login/ is
    # our page on allauth's flow).
    path("accounts/", include("allauth.urls")),
    path("api/accounts/", include("capitalis.accounts.api_urls")),
    path("referential/", include("capitalis.referential.urls")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", ApiRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/referential/", include("capitalis.referential.api_urls")),
    # the programmes app's pages, then the catalogue page (composed in web: it shows fees)
    path(
        "programmes/",
        include(
            (
                [*programmes_urls.urlpatterns, *urls_catalogue.urlpatterns],
                programmes_urls.app_name,
            )
        ),
    ),
    path("api/programmes/", include("capitalis.programmes.api_urls")),
    path("api/finance/", include("capitalis.finance.api_urls")),
    path("enrolment/", include("capitalis.enrolment.urls")),
    path("api/enrolment/", include("capitalis.enrolment.api_urls")),
    path("admissions/", include("capitalis.admissions.urls")),
    path("api/admissions/", include("capitalis.admissions.api_urls")),
    path("finance/", include("capitalis.finance.urls")),
    path("jury/", include("capitalis.jury.urls")),
    path("api/jury/", include("capitalis.jury.api_urls")),
    path("assessment/", include("capitalis.assessment.urls")),
    path("api/assessment/", include("capitalis.assessment.api_urls")),
    path("credentials/", include("capitalis.credentials.urls")),
    path("api/credentials/", include("capitalis.credentials.api_urls")),
    path("reporting/", include("capitalis.reporting.urls")),
    path("api/reporting/", include("capitalis.reporting.api_urls")),
    path("jobs/", include("capitalis.core.urls")),
    path("api/jobs/", include("capitalis.core.api_urls")),
    # Public, no login: verification pages, status lists, DID document; results; surveys.
    path("", include("capitalis.credentials.urls_public")),
    path("", include("capitalis.reporting.urls_public")),
    path("", include("capitalis.web.urls")),
]
