"""Admin pages save and delete through the same audited services as the rest of Harbour."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from harbour.common.services import delete_record, save_record


class ServiceModelAdmin(admin.ModelAdmin):
    """Saves and deletes through a service function instead of Model.save/delete."""

    save_service: Callable[[Any, Any], Model] = staticmethod(save_record)
    delete_service: Callable[[Any, Any], None] = staticmethod(delete_record)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        type(self).save_service(request.user, obj)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        type(self).delete_service(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            type(self).delete_service(request.user, obj)
