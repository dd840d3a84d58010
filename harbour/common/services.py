"""The one way a record is written: validated, saved in one transaction, audited.

Each app's services.py exposes typed functions for its own records (record_notification,
mark_found, request_meeting, ...). They decide what changes and check the rules of their
domain; they write through `save_record` and `delete_record`, so that the sequence every
write needs (derive, validate, lock the stored row, move its version on, save, audit) lives
here once. tests/test_one_write_path.py fails on a model write anywhere else.

A page that changes a record it showed passes back the version the page was loaded with;
`locked` fetches the stored row, locked until the transaction ends, and raises `Conflict`
when someone else saved it meanwhile.

A record that belongs to a child (the child, anything with a `child`, or anything that
belongs to such a record, like an interview through its episode) is audited as being about
that child, and its old and new values are sealed with the child's key
(harbour/audit/sealing.py), so that erasing the child makes them unreadable in the trail.
A person of concern's record, and what is deleted with it (aliases, identifiers:
`auditor.person_pk_of`), is sealed the same way with the person's own key, which erasing
the person destroys. The plain details keep only the names of the fields that changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from harbour.audit import services as auditor

RecordT = TypeVar("RecordT", bound=models.Model)
# What the trail keeps of a withheld field's value (a model's AUDIT_WITHHELD, below).
WITHHELD = "(free text, not kept in the audit trail)"


class Conflict(ValidationError):
    """Someone else saved the record after the page was loaded: nothing was written.

    `current` is the record as it is stored now, when the caller has it (None if it has
    gone or was not read), so that a page can show it beside what was entered."""

    def __init__(self, what: str = "record", *, current: models.Model | None = None) -> None:
        super().__init__(
            f"Someone else changed this {what} after you opened it, so your changes have not "
            f"been saved. Check the {what} as it is now, then make your changes again."
        )
        self.current = current

    def __str__(self) -> str:
        return str(self.message)


def locked(
    record: RecordT, version: int | None, *, what: str = "record", related: tuple[str, ...] = ()
) -> RecordT:
    """The stored row of `record`, locked until the transaction ends (call it inside one).

    With a version (the one the page was loaded with), raises Conflict when the stored
    version differs. `related`: foreign keys to fetch with it."""
    manager = type(record)._default_manager
    current = manager.select_for_update().select_related(*related).get(pk=record.pk)
    if version is not None and current.version != version:  # type: ignore[attr-defined]
        raise Conflict(what, current=current)
    return current


def _has_version(record: models.Model) -> bool:
    return any(field.name == "version" for field in record._meta.concrete_fields)


def save_record(
    actor: auditor.Actor,
    record: RecordT,
    *,
    action: str | None = None,
    details: Mapping[str, Any] | None = None,
    sealed: Mapping[str, Any] | None = None,
    parts: Iterable[models.Model] = (),
    removing: Iterable[models.Model] = (),
    child_pk: int | None = None,
) -> RecordT:
    """Create or change a record, with one audit event. Raises ValidationError and writes
    nothing if the record is invalid.

    A change locks the stored row (its values are the event's "before") and moves the
    version on, so that a page loaded before it is refused by `locked`; a new record keeps
    the version it was made with.

    action: the audit action (default "<app>.<model>.create" or ".change").
    details: plain facts for the event beside the changed fields' names: ids, counts and
        codes, never personal data.
    sealed: personal values for the event beside the old and new values (a reason given),
        sealed with the child's key (or the person of concern's); only for a record about a
        child or a person of concern.
    parts: other rows the same action writes (a task's episode links, the tasks a held
        meeting closes), saved the same way after the record, under its one event.
    removing: rows the same action deletes (a withdrawn task's links), under its event.
    child_pk: the child the record is about, for a record further from its child than
        `auditor.child_pk_of` looks (an OLA log entry, through its log and episode).
    """
    with transaction.atomic():
        creating = record._state.adding
        changed = _write(record)
        removed = {_label(stored): values for stored, values in map(_remove, removing)}
        written = {}
        for part in parts:
            changes = _write(part)  # first: a new part has no pk to label it by until saved
            written[_label(part)] = changes
        extra_details = dict(details or {})
        extra_sealed = dict(sealed or {})
        if written:
            extra_details["parts"] = sorted(written)
            extra_sealed["parts"] = written
        if removed:
            extra_details["removed"] = sorted(removed)
            extra_sealed["removed"] = removed
        _audit(
            actor,
            record,
            action or f"{record._meta.label_lower}.{'create' if creating else 'change'}",
            "changes",
            changed,
            extra_details,
            extra_sealed,
            child_pk,
        )
    return record


def _label(record: models.Model) -> str:
    return f"{record._meta.label_lower}:{record.pk}"


def _write(record: models.Model) -> dict[str, list[Any]]:
    """Derive, validate, lock the stored row and move its version on, save: the changes."""
    # A part made before the record it belongs to was saved (a task's new links) takes
    # that record's id now, as save() would, so that validation sees it (Django's own
    # step, which its type stubs do not declare).
    record._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    refresh_derived = getattr(record, "refresh_derived", None)
    if refresh_derived is not None:
        refresh_derived()
    record.full_clean()
    before: dict[str, Any] = {}
    if not record._state.adding:
        stored = type(record)._default_manager.select_for_update().get(pk=record.pk)
        before = auditor.field_values(stored)
        if _has_version(record):
            record.version = stored.version + 1  # type: ignore[attr-defined]
    record.save()
    return auditor.changes(before, auditor.field_values(record))


def _remove(record: models.Model) -> tuple[models.Model, dict[str, Any]]:
    """Delete a row: the stored copy, locked first (it keeps its pk, which the deleted
    instance loses, for the audit) and its last values."""
    stored = type(record)._default_manager.select_for_update().get(pk=record.pk)
    values = auditor.field_values(stored)
    record.delete()
    return stored, values


def delete_record(
    actor: auditor.Actor,
    record: models.Model,
    *,
    action: str | None = None,
    details: Mapping[str, Any] | None = None,
    sealed: Mapping[str, Any] | None = None,
) -> None:
    """Delete a record, with one audit event holding its last values."""
    with transaction.atomic():
        # Audited after the delete so that the chain's lock is the last one the transaction
        # takes (no lock-order deadlocks with other writers).
        current, values = _remove(record)
        _audit(
            actor,
            current,
            action or f"{record._meta.label_lower}.delete",
            "values",
            values,
            details,
            sealed,
        )


def _audit(
    actor: auditor.Actor,
    record: models.Model,
    action: str,
    key: str,
    values: dict[str, Any],
    details: Mapping[str, Any] | None,
    sealed: Mapping[str, Any] | None,
    child_pk: int | None = None,
) -> None:
    if child_pk is None:
        child_pk = auditor.child_pk_of(record)
    # A record about a child is the child's, even when it names a person (a link).
    person_pk = auditor.person_pk_of(record) if child_pk is None else None
    withheld = getattr(type(record), "AUDIT_WITHHELD", ())
    if child_pk is None and person_pk is None:
        if sealed:
            raise ValueError("Only a record about a child or a person has values to seal.")
        # Free text on a record about no one (a panel sitting's minutes) may still name
        # children or adults, and there is no key to seal it with: the trail says that it
        # changed, not what it says.
        shown = {name: WITHHELD if name in withheld else value for name, value in values.items()}
        auditor.record(actor, action, obj=record, details={key: shown, **(details or {})})
    elif child_pk is None:
        # A person of concern's values, sealed with their own key. Their free text (a
        # description) may name children or other adults, whose erasure would not reach
        # it under this key: it is still withheld.
        kept = {name: WITHHELD if name in withheld else value for name, value in values.items()}
        auditor.record(
            actor,
            action,
            obj=record,
            details={"fields": sorted(values), **(details or {})},
            sealed={key: kept, **(sealed or {})},
            sealed_for_person=person_pk,
        )
    else:
        auditor.record(
            actor,
            action,
            obj=record,
            children=[child_pk],
            details={"fields": sorted(values), **(details or {})},
            sealed={key: values, **(sealed or {})},
        )
