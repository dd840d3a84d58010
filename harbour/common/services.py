"""Saving and deleting one record: validated, atomic, audited.

Each app's services.py exposes typed functions for its own records; they share this
mechanism so that the rules (derive, validate, save, audit) live in one place.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models, transaction

from harbour.audit import services as auditor

RecordT = TypeVar("RecordT", bound=models.Model)


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
        auditor.record(
            actor,
            f"{record._meta.label_lower}.{'create' if creating else 'change'}",
            obj=record,
            details={"changes": auditor.changes(before, after)},
        )
    return record


def delete_record(actor: auditor.Actor, record: models.Model) -> None:
    with transaction.atomic():
        values = auditor.field_values(record)
        auditor.record(
            actor, f"{record._meta.label_lower}.delete", obj=record, details={"values": values}
        )
        record.delete()
