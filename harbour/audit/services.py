"""The auditor: the one place that writes audit events (docs/audit.md).

    record(actor, "children.child.view", children=[child])
    record(actor, "missing.episode.change", obj=episode, children=[episode.child_id],
           details={"fields": ["ended_at"]}, sealed={"changes": {...}})
    record("command line", "interchange.import", details={"sha256": ..., "counts": ...})

`details` is kept in plain JSON for as long as the trail is kept: it must hold no personal
data (ids, counts, checksums, field names, report options). Personal values (the old and
new values of a child's record) go in `sealed`, which is encrypted with the key of the one
child the event is about and becomes unreadable when that child is erased. The values of a
person of concern's record (their names, date of birth, aliases, identifiers) are sealed
the same way with the person's own key (`sealed_for_person`), which erasing the person
destroys.

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
# A person of concern (harbour.exploitation), named by label: the auditor sits below the
# apps whose records it seals, as it does for children.
PERSON_MODEL = "exploitation.person"


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


def person_pk_of(record: models.Model) -> int | None:
    """The internal id of the person of concern a record is part of: the person, or a
    record deleted with them (a foreign key to the person with on_delete CASCADE: an alias,
    an identifier). None otherwise; a link between a person and a child, a place or another
    person is kept when the person is erased, and is not part of them. Ask `child_pk_of`
    first: a record about a child is sealed with the child's key."""
    if record._meta.label_lower == PERSON_MODEL:
        return record.pk
    for field in record._meta.concrete_fields:
        related = field.related_model
        if (
            (field.many_to_one or field.one_to_one)
            and related is not None
            and related._meta.label_lower == PERSON_MODEL
            and getattr(field.remote_field, "on_delete", None) is models.CASCADE
        ):
            return getattr(record, field.attname)
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
    sealed_for_person: int | None = None,
) -> AuditEvent:
    """Write one event at the end of the chain.

    children: the children the event is about (Child records or their internal ids),
        e.g. every child listed on a page that was viewed. The child `obj` belongs to, if
        any, is added.
    sealed: personal values about the one child in `children`, stored encrypted with
        that child's key; or, with `sealed_for_person`, about that person of concern
        (their internal id), encrypted with the person's key.
    """
    user, name = _actor_fields(actor)
    child_pk_set = {_child_pk(child) for child in children}
    if obj is not None and obj.pk is not None and (owner := child_pk_of(obj)) is not None:
        child_pk_set.add(owner)
    child_pks = sorted(child_pk_set)
    sealed_for = None
    ciphertext = ""
    if sealed is not None and sealed_for_person is not None:
        sealed_for = int(sealed_for_person)
        ciphertext = sealing.seal_for_person(sealed_for, sealed)
    elif sealed is not None:
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
    """{event pk: its sealed values} for the events whose key still exists: the child's,
    or the person of concern's for text sealed with a person's key ("p1:").

    One query for the keys of each kind, however many events."""
    # `record` sets `sealed_for` whenever it seals; an event without it has nothing to read.
    by_keyring: dict[sealing.Keyring, list[tuple[AuditEvent, int]]] = {}
    for event in events:
        keyring = sealing.keyring_of(event.sealed) if event.sealed else None
        if keyring is not None and event.sealed_for is not None:
            by_keyring.setdefault(keyring, []).append((event, event.sealed_for))
    values = {}
    for keyring, sealed in by_keyring.items():
        keys = keyring.keys_for(pk for _, pk in sealed)
        for event, pk in sealed:
            value = sealing.open_sealed(keyring, pk, event.sealed, keys.get(pk))
            if value is not None:
                values[event.pk] = value
    return values


def person_of_sealed(event: AuditEvent) -> int | None:
    """The person of concern whose key sealed the event's values, if it was a person's."""
    if event.sealed_for is None or sealing.keyring_of(event.sealed) is not sealing.PERSON:
        return None
    return event.sealed_for


def child_of_sealed(event: AuditEvent) -> int | None:
    """The child whose key sealed the event's values, if it was a child's."""
    if event.sealed_for is None or sealing.keyring_of(event.sealed) is not sealing.CHILD:
        return None
    return event.sealed_for


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
