"""The audit trail's tables (docs/audit.md).

- AuditEvent: one thing that happened. Append-only and hash-chained: `sequence` is its
  gap-free position in the chain, `hash` a SHA-256 over everything stored about it
  (harbour.audit.chain), including the previous event's hash.
- AuditSubject: which children an event is about (viewed, changed), one row per child, so
  that "who looked at this child" is an indexed query. The child is a plain integer, not a
  foreign key: erasing a child keeps the events about them.
- ChildKey: a child's own key, which seals the personal values of the events about them.
  Erasing the child deletes it, and with it every way of reading those values.
- PersonKey: the same for a person of concern (an adult third party): their own key seals
  the values of the events about their record, aliases and identifiers; erasing the
  person deletes it.
- AuditChainHead: the one row that says where the chain ends. Writers lock it, so events
  are numbered one at a time in the order their transactions take the lock.

No event or subject is changed or deleted through the application: the model methods and
querysets refuse, and a database trigger refuses on both SQLite and PostgreSQL
(harbour.audit.triggers).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete the audit trail through the application."""


def _refuse(what: str) -> NoReturn:
    raise AppendOnlyError(f"The audit trail is append-only: {what} is refused.")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("update")

    def _update(self, values: Any) -> NoReturn:
        _refuse("update")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("update")

    def delete(self) -> NoReturn:
        _refuse("delete")

    def _raw_delete(self, using: Any) -> NoReturn:
        _refuse("delete")

    # Django's own QuerySet.delete carries these markers; mypy cannot type attributes set
    # on a function.
    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class AuditEventQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        # Events are numbered and hashed one at a time by harbour.audit.chain.
        _refuse("bulk_create of events")

    def about_child(self, child_pk: int) -> AuditEventQuerySet:
        return self.filter(subjects__child_pk=child_pk)


class AuditEvent(models.Model):
    """One thing that happened: who did what, when, to which records and children.

    Written by harbour.audit.services.record (through harbour.audit.chain) and never
    changed. `details` holds what may be kept for ever (no personal data); `sealed` holds
    the personal values (old and new values of a child's record), encrypted with the key
    of the child `sealed_for`, or (the text starting "p1:", harbour.audit.sealing) of the
    person of concern `sealed_for`.
    """

    sequence = models.BigIntegerField(unique=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    # Who acted, as text, so that system actions (commands) are attributable too.
    actor_name = models.CharField(max_length=150, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # The child (or, for sealed text starting "p1:", the person of concern) whose key sealed
    # `sealed` (a plain integer: they may be erased).
    sealed_for = models.BigIntegerField(null=True, blank=True)
    sealed = models.TextField(blank=True)

    objects = AuditEventQuerySet.as_manager()

    # The children of an appended event, kept on the instance by harbour.audit.chain.append
    # (not a field: they are stored as AuditSubject rows).
    _children: list[int]

    class Meta:
        ordering = ["sequence"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.sequence}: {self.occurred_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("changing an event")
        from .chain import append

        append(self, children=getattr(self, "_children", ()))

    def _insert(self) -> None:
        """Used by harbour.audit.chain.append only, with the chain head locked."""
        super().save(force_insert=True)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("deleting an event")

    @property
    def child_pks(self) -> list[int]:
        return sorted(subject.child_pk for subject in self.subjects.all())


class AuditSubject(models.Model):
    """A child an event is about. Written with the event, never changed."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="subjects")
    # The child's internal id (not the person id), kept after the child is erased.
    child_pk = models.BigIntegerField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["event", "child_pk"], name="audit_subject_key")
        ]
        indexes = [models.Index(fields=["child_pk", "event"], name="audit_subject_child")]

    def __str__(self) -> str:
        return f"event {self.event_id}: child #{self.child_pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("changing an event's children")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("deleting an event's children")


class ChildKey(models.Model):
    """The key that seals the personal values in the events about one child. Created when
    first needed; deleted when the child is erased (harbour.children.erasure)."""

    child_pk = models.BigIntegerField(unique=True)
    key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"key of child #{self.child_pk}"


class PersonKey(models.Model):
    """The key that seals the personal values in the events about one person of concern
    (their record, aliases and identifiers). Created when first needed; deleted when the
    person is erased (harbour.exploitation.retention.erase_person)."""

    # The person's internal id, a plain integer (the person may be erased).
    person_pk = models.BigIntegerField(unique=True)
    key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"key of person of concern #{self.person_pk}"


class AuditChainHead(models.Model):
    """The end of the chain: the last event's sequence and hash. One row (pk 1)."""

    sequence = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"chain head at {self.sequence}"
