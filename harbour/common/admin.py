"""Admin pages save and delete through the same audited services as the rest of Harbour,
hide restricted children from everyone (superusers included), and audit what they show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from harbour.audit import services as auditor
from harbour.common.services import delete_record, save_record


class ServiceModelAdmin(admin.ModelAdmin):
    """Saves and deletes through a service function instead of Model.save/delete."""

    save_service: Callable[[Any, Any], Model] = staticmethod(save_record)
    delete_service: Callable[[Any, Any], None] = staticmethod(delete_record)
    # The path from this model to its child, for hiding restricted records ("" = the child).
    child_path: str | None = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if self.child_path is None:
            return queryset
        restricted = f"{self.child_path}__restricted" if self.child_path else "restricted"
        return queryset.filter(**{restricted: False})

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        type(self).save_service(request.user, obj)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        type(self).delete_service(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            type(self).delete_service(request.user, obj)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        shown = getattr(getattr(response, "context_data", {}).get("cl"), "result_list", None)
        children: set[int] = set()
        if shown is not None and self.child_path is not None:
            children = {pk for obj in shown if (pk := self._child_id(obj)) is not None}
        auditor.record(
            request.user,
            "admin.list",
            details={"model": self.model._meta.label_lower},
            children=sorted(children),
        )
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original")
        child = self._child_id(obj) if obj is not None and self.child_path is not None else None
        auditor.record(
            request.user,
            "admin.view",
            details={"model": self.model._meta.label_lower, "id": object_id},
            children=[child] if child is not None else [],
        )
        return response

    def _child_id(self, obj: Model) -> int | None:
        target: Any = obj
        for part in filter(None, (self.child_path or "").split("__")):
            target = getattr(target, part, None)
        return getattr(target, "pk", None)
