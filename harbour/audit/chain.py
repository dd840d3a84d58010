"""The hash chain: how an event is numbered, hashed and linked to the one before it.

An event's hash is the SHA-256, in hex, of a canonical serialisation of every stored field
of the event except its surrogate id: its sequence, the previous event's hash, when, who,
what, the details, the children it is about and the sealed (encrypted) values. The
serialisation is JSON with sorted keys, no whitespace and ASCII escapes, prefixed by a
version tag, so that it does not depend on the database or on dictionary order:

    harbour-audit-v1\\n{"action":...,"actor_id":...,"actor_name":...,"children":[...],
    "details":{...},"object_id":...,"object_type":...,"occurred_at":"2026-01-02T03:04:05.000006Z",
    "previous_hash":...,"sealed":...,"sealed_for":...,"sequence":...}

The first event's previous hash is 64 zeros. Numbers in `details` are written as JSON
numbers with integral floats written as integers (PostgreSQL's jsonb may return 1e20 as
100000000000000000000), so that what was hashed is what is read back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent, AuditSubject

VERSION = "harbour-audit-v1"
GENESIS = "0" * 64
HEAD_PK = 1


def _canonical(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def json_value(value: Any) -> Any:
    """`value` as it will be read back from a JSON column (tuples become lists, keys text)."""
    return json.loads(json.dumps(value))


def instant(value: dt.datetime) -> str:
    """An instant as UTC ISO 8601 with microseconds, the way it is hashed."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compute_hash(
    *,
    sequence: int,
    previous_hash: str,
    occurred_at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    details: Any,
    children: Iterable[int],
    sealed_for: int | None,
    sealed: str,
) -> str:
    payload = {
        "sequence": sequence,
        "previous_hash": previous_hash,
        "occurred_at": instant(occurred_at),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": _canonical(details),
        "children": sorted(int(pk) for pk in children),
        "sealed_for": sealed_for,
        "sealed": sealed,
    }
    text = VERSION + "\n" + json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def event_hash(event: AuditEvent, children: Iterable[int]) -> str:
    return compute_hash(
        sequence=event.sequence,
        previous_hash=event.previous_hash,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        details=event.details,
        children=children,
        sealed_for=event.sealed_for,
        sealed=event.sealed,
    )


def lock_head() -> AuditChainHead:
    """The chain head, locked until the end of the current transaction.

    On PostgreSQL the row lock (SELECT ... FOR UPDATE) makes concurrent writers wait
    their turn; on SQLite every write transaction already holds the database's one write
    lock (BEGIN IMMEDIATE). The row is created by the migration; if it is missing (after
    `flush`) it is created again from the last event.
    """
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is None:
        last = AuditEvent.objects.order_by("-sequence").first()
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(
                    pk=HEAD_PK,
                    sequence=last.sequence if last else 0,
                    hash=last.hash if last else GENESIS,
                )
        except IntegrityError:
            pass  # another writer created it first
        head = AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    return head


def append(event: AuditEvent, children: Iterable[int] = ()) -> AuditEvent:
    """Number, hash and insert a new event (and its subjects) at the end of the chain, in
    the caller's transaction (or a transaction of its own)."""
    children = sorted({int(pk) for pk in children})
    field = AuditEvent._meta.get_field("occurred_at")
    occurred_at = field.to_python(event.occurred_at or timezone.now())
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at, dt.UTC)
    event.occurred_at = occurred_at
    event.details = json_value(event.details or {})
    event.object_type = str(event.object_type or "")
    event.object_id = str(event.object_id or "")
    event.sealed = event.sealed or ""
    with transaction.atomic():
        head = lock_head()
        event.sequence = head.sequence + 1
        event.previous_hash = head.hash
        event.hash = event_hash(event, children)
        event._insert()
        AuditSubject.objects.bulk_create(
            [AuditSubject(event=event, child_pk=pk) for pk in children], batch_size=500
        )
        AuditChainHead.objects.filter(pk=HEAD_PK).update(sequence=event.sequence, hash=event.hash)
    event._children = children
    return event
