from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: audit events are never changed or deleted (the auditors' pages are at
    /audit/)."""

    list_display = ["sequence", "occurred_at", "actor_name", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["actor_name", "object_id"]
    ordering = ["-sequence"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
