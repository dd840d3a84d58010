"""The auditor: the one place that writes audit events."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.utils import timezone

from .models import AuditEvent

Actor = AbstractBaseUser | AnonymousUser | str | None


def _actor_fields(actor: Actor) -> tuple[AbstractBaseUser | None, str]:
    if actor is None or isinstance(actor, AnonymousUser):
        return None, "anonymous"
    if isinstance(actor, str):
        return None, actor
    return actor, actor.get_username()


def record(
    actor: Actor,
    action: str,
    *,
    obj: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    user, name = _actor_fields(actor)
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=user,
        actor_name=name,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        details=details or {},
    )


def field_values(obj: models.Model) -> dict[str, Any]:
    """The concrete, editable field values of a record, as JSON-friendly text."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if not field.editable or field.primary_key:
            continue
        value = field.value_from_object(obj)
        values[field.name] = None if value is None else str(value)
    return values


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for each field whose value differs."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }
