"""Admin pieces shared by every app: ``HistoryAdmin``, the base of the apps' model admins, and
the audit log's read-only admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from capitalis.core.models import AuditEvent
from capitalis.core.params import parse_int


def _valid_for(field: Any, value: str) -> bool:
    """Whether ``value`` (from a URL or query string) can be looked up in ``field``: integers
    within bigint, anything else as the field's ``to_python`` accepts it."""
    if isinstance(field, models.IntegerField | models.AutoField):
        return parse_int(value) is not None
    try:
        field.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    return True


class HistoryAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    """django-simple-history's admin, refusing hostile ids and initial values: a history page
    for a non-numeric id is a 404 (simple-history looks it up raw: a 500), and an "add" page's
    ``?field=`` initial value that is no valid key is dropped (an autocomplete widget would
    query it raw: a 500)."""

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        pk: Any = self.model._meta.pk
        if not _valid_for(pk.target_field if pk.is_relation else pk, unquote(object_id)):
            raise Http404
        return super().history_view(request, object_id, extra_context)  # type: ignore[no-any-return]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field: Any = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            target = field.target_field if field.is_relation else field
            values = value if isinstance(value, list) else [value]
            if not all(_valid_for(target, str(v)) for v in values):
                del initial[name]
        return initial


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "actor", "target_type", "target_id", "summary")
    list_filter = ("action", "target_type")
    search_fields = ("summary", "target_id")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
