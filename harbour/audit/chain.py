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

from django.db import IntegrityError, connection, transaction
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
    if (row := _locked_head_row()) is not None:
        head = AuditChainHead(pk=HEAD_PK, sequence=row[0], hash=row[1])
        head._state.adding = False
        head._state.db = connection.alias
        return head
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
    return AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)


# Every page view writes an event, so the chain's own statements are written as plain SQL:
# the ORM spent about 2 ms of processor time a page building them (model instances for
# each child, compiling), more than the database did (docs/performance.md, "Load"). The
# statements are the same as the ORM's; only the Python work is less.
SUBJECTS_PER_STATEMENT = 400  # two parameters each: within SQLite's oldest limit of 999


def _sql(model: Any, *field_names: str) -> tuple[str, ...]:
    """The quoted table name of `model`, then the quoted columns of these fields."""
    quote = connection.ops.quote_name
    meta = model._meta
    return (quote(meta.db_table), *(quote(meta.get_field(name).column) for name in field_names))


def _locked_head_row() -> tuple[int, str] | None:
    """(sequence, hash) of the chain head, locked to the end of the transaction (FOR UPDATE
    on PostgreSQL; SQLite's one write lock is already held), or None if it is missing."""
    table, pk, sequence, hash_ = _sql(AuditChainHead, "id", "sequence", "hash")
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sequence}, {hash_} FROM {table} WHERE {pk} = %s{lock}",  # noqa: S608 (names from the model)
            [HEAD_PK],
        )
        return cursor.fetchone()


def _insert_subjects(event_pk: int, children: list[int]) -> None:
    table, event, child = _sql(AuditSubject, "event", "child_pk")
    with connection.cursor() as cursor:
        for start in range(0, len(children), SUBJECTS_PER_STATEMENT):
            batch = children[start : start + SUBJECTS_PER_STATEMENT]
            rows = ", ".join(["(%s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({event}, {child}) VALUES {rows}",  # noqa: S608 (names from the model)
                [value for child_pk in batch for value in (event_pk, child_pk)],
            )


def _move_head(sequence: int, hash_value: str) -> None:
    table, pk, sequence_column, hash_column = _sql(AuditChainHead, "id", "sequence", "hash")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sequence_column} = %s, {hash_column} = %s WHERE {pk} = %s",  # noqa: S608 (names from the model)
            [sequence, hash_value, HEAD_PK],
        )


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
        _insert_subjects(event.pk, children)
        _move_head(event.sequence, event.hash)
    event._children = children
    return event
