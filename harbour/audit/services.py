"""The auditor: the one place that writes audit events (docs/audit.md).

    record(actor, "children.child.view", children=[child])
    record(actor, "missing.episode.change", obj=episode, children=[episode.child_id],
           details={"fields": ["ended_at"]}, sealed={"changes": {...}})
    record("command line", "interchange.import", details={"sha256": ..., "counts": ...})

`details` is kept in plain JSON for as long as the trail is kept: it must hold no personal
data (ids, counts, checksums, field names, report options). Personal values (the old and
new values of a child's record) go in `sealed`, which is encrypted with the key of the one
child the event is about and becomes unreadable when that child is erased.

The event is written in the caller's transaction when there is one, so it is committed or
rolled back with the change it records.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.utils import timezone

from . import sealing
from .chain import append
from .models import AuditEvent

Actor = User | AnonymousUser | str | None
ChildRef = models.Model | int


def _actor_fields(actor: Actor) -> tuple[User | None, str]:
    if actor is None or isinstance(actor, AnonymousUser):
        return None, "anonymous"
    if isinstance(actor, str):
        return None, actor
    return actor, actor.get_username()


CHILD_MODEL = "children.child"


def child_pk_of(record: models.Model, depth: int = 2) -> int | None:
    """The internal id of the child a record belongs to: the child itself, the child of a
    record with a `child`, or (one step further) of its parent record, like an interview's
    through its episode. None for records about no child."""
    if record._meta.label_lower == CHILD_MODEL:
        return record.pk
    foreign_keys = [
        field for field in record._meta.concrete_fields if field.many_to_one or field.one_to_one
    ]
    for field in foreign_keys:
        related = field.related_model
        if related is not None and related._meta.label_lower == CHILD_MODEL:
            return getattr(record, field.attname)
    if depth > 1:
        for field in foreign_keys:
            if getattr(record, field.attname) is None:
                continue
            child_pk = child_pk_of(getattr(record, field.name), depth - 1)
            if child_pk is not None:
                return child_pk
    return None


def _child_pk(child: ChildRef) -> int:
    return int(child.pk if isinstance(child, models.Model) else child)


def record(
    actor: Actor,
    action: str,
    *,
    obj: models.Model | None = None,
    details: dict[str, Any] | None = None,
    children: Iterable[ChildRef] = (),
    sealed: Any = None,
) -> AuditEvent:
    """Write one event at the end of the chain.

    children: the children the event is about (Child records or their internal ids),
        e.g. every child listed on a page that was viewed. The child `obj` belongs to, if
        any, is added.
    sealed: personal values about the one child in `children`, stored encrypted with
        that child's key.
    """
    user, name = _actor_fields(actor)
    child_pk_set = {_child_pk(child) for child in children}
    if obj is not None and obj.pk is not None and (owner := child_pk_of(obj)) is not None:
        child_pk_set.add(owner)
    child_pks = sorted(child_pk_set)
    sealed_for = None
    ciphertext = ""
    if sealed is not None:
        if len(child_pks) != 1:
            raise ValueError("Sealed values are about exactly one child: give children=[child].")
        sealed_for = child_pks[0]
        ciphertext = sealing.seal(sealed_for, sealed)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=user,
        actor_name=name,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        details=details or {},
        sealed_for=sealed_for,
        sealed=ciphertext,
    )
    return append(event, children=child_pks)


def unsealed(events: Iterable[AuditEvent]) -> dict[int, Any]:
    """{event pk: its sealed values} for the events whose child's key still exists.

    One query for the keys, however many events."""
    # `record` sets `sealed_for` whenever it seals; an event without it has nothing to read.
    sealed = [
        (event, event.sealed_for)
        for event in events
        if event.sealed and event.sealed_for is not None
    ]
    keys = sealing.keys_for(child_pk for _, child_pk in sealed)
    values = {}
    for event, child_pk in sealed:
        value = sealing.unseal(child_pk, event.sealed, keys.get(child_pk))
        if value is not None:
            values[event.pk] = value
    return values


def unseal(event: AuditEvent) -> Any | None:
    """One event's sealed values, or None if it has none or they can no longer be read."""
    return unsealed([event]).get(event.pk)


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
