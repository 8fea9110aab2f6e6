"""Routes of the credential pages (learner downloads, staff issue/revoke), under /credentials/
(namespace ``credentials``).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from capitalis.credentials import views

app_name = "credentials"

urlpatterns: list[URLPattern | URLResolver] = [
    path("mine/", views.mine, name="mine"),
    path("c/<str:public_id>/download/", views.credential_download, name="download"),
    path("c/<str:public_id>/action/", views.credential_action, name="action"),
    path("d/<str:public_id>/download/", views.document_download, name="document-download"),
    path("d/<str:public_id>/action/", views.document_action, name="document-action"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:pk>/", views.session_page, name="session"),
    path("sessions/<int:pk>/issue/", views.session_issue, name="session-issue"),
    path(
        "sessions/<int:pk>/transcripts/",
        views.session_transcripts_issue,
        name="session-transcripts",
    ),
    path(
        "sessions/<int:pk>/transcripts/<int:enrolment_id>/",
        views.transcript_issue,
        name="transcript-issue",
    ),
]
