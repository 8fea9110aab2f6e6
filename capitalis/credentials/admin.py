"""Admin for the credentials app, read-only: credentials, PDFs and status lists are written only
through the services (issue, revoke, reissue), so every change is audited and the status list
re-signed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from capitalis.credentials.models import Credential, IssuedDocument, StatusList


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Credential)
class CredentialAdmin(ReadOnly, admin.ModelAdmin[Credential]):
    list_display = (
        "public_id",
        "kind",
        "learner",
        "block",
        "awarded_on",
        "issued_at",
        "revoked_at",
    )
    list_filter = ("kind",)
    search_fields = ("public_id", "issuance_key", "learner__user__full_name")
    raw_id_fields = ("learner", "enrolment", "session", "certification_decision")
    exclude = ("document",)
    list_select_related = ("learner__user", "block")


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnly, admin.ModelAdmin[IssuedDocument]):
    list_display = ("public_id", "kind", "learner", "awarded_on", "issued_at", "revoked_at")
    list_filter = ("kind",)
    search_fields = ("public_id", "issuance_key")
    list_select_related = ("learner__user",)


@admin.register(StatusList)
class StatusListAdmin(ReadOnly, admin.ModelAdmin[StatusList]):
    list_display = ("slug", "issuer_did", "purpose", "used", "signed_at")
    exclude = ("bits", "signed")
