"""Saving and deleting one record: validated, atomic, audited.

Each app's services.py exposes typed functions for its own records; they share this
mechanism so that the rules (derive, validate, save, audit) live in one place.

A record that belongs to a child (the child, anything with a `child`, or anything that
belongs to such a record, like an interview through its episode) is audited as being about
that child, and its old and new values are sealed with the child's key
(harbour/audit/sealing.py), so that erasing the child makes them unreadable in the trail.
The plain details keep only the names of the fields that changed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from harbour.audit import services as auditor

from .models import Record

RecordT = TypeVar("RecordT", bound=Record)


def _audit(
    actor: auditor.Actor, record: models.Model, verb: str, key: str, values: dict[str, Any]
) -> None:
    action = f"{record._meta.label_lower}.{verb}"
    child_pk = auditor.child_pk_of(record)
    if child_pk is None:
        auditor.record(actor, action, obj=record, details={key: values})
    else:
        auditor.record(
            actor,
            action,
            obj=record,
            children=[child_pk],
            details={"fields": sorted(values)},
            sealed={key: values},
        )


def save_record(actor: auditor.Actor, record: RecordT) -> RecordT:
    """Create or change a record. Raises ValidationError and writes nothing if invalid."""
    record.refresh_derived()
    record.full_clean()
    with transaction.atomic():
        before = {}
        creating = record.pk is None
        if not creating:
            previous = type(record)._default_manager.select_for_update().get(pk=record.pk)
            before = auditor.field_values(previous)
        record.save()
        after = auditor.field_values(record)
        _audit(
            actor,
            record,
            "create" if creating else "change",
            "changes",
            auditor.changes(before, after),
        )
    return record


def delete_record(actor: auditor.Actor, record: models.Model) -> None:
    with transaction.atomic():
        # The row as stored, locked; audited after the delete so that the chain's lock is
        # the last one the transaction takes (no lock-order deadlocks with other writers).
        current = type(record)._default_manager.select_for_update().get(pk=record.pk)
        values = auditor.field_values(current)
        record.delete()
        _audit(actor, current, "delete", "values", values)
