"""Erasure and retention: removing a child and everything about them (docs/audit.md).

`erase_child` deletes the child's record and every record that belongs to them (episodes
and their interviews, legal statuses, meetings, referrals, risk assessments, panel
listings, and whatever else comes to point at a child), then destroys the child's audit
key, so that the old and new values the audit trail sealed with it can no longer be read.
The trail itself is untouched: its events, their hashes and the chain stay as they were,
and `verify_audit` still passes. One audit event records the erasure, with the child's
internal id and how many records went, and nothing personal.

Retention: a child is past retention the day after the anniversary of their birth that
is 18 + N years on, where N is RETENTION_YEARS_AFTER_18 (default 7), or
RETENTION_YEARS_AFTER_18_LOOKED_AFTER (default 25) for a child who was ever looked after
(any LAC legal status). `python manage.py apply_retention` applies it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from harbour.audit import sealing
from harbour.audit import services as auditor
from harbour.common.time import ymd

from .models import Child, LegalStatus, LegalStatusKind

DEFAULT_YEARS_AFTER_18 = 7
DEFAULT_YEARS_AFTER_18_LOOKED_AFTER = 25


def erase_child(actor: auditor.Actor, child: Child) -> dict[str, int]:
    """Delete the child and everything about them, and destroy their audit key. Returns
    the number of rows deleted per model (by label). Atomic: all or nothing."""
    with transaction.atomic():
        child = Child.objects.select_for_update().get(pk=child.pk)
        child_pk = child.pk
        deleted: Counter[str] = Counter()
        _delete_dependants(child, deleted)
        _, counts = Child.objects.filter(pk=child_pk).delete()
        deleted.update(counts)
        key_destroyed = sealing.destroy_key(child_pk)
        counts = {label: n for label, n in sorted(deleted.items()) if n}
        auditor.record(
            actor,
            "children.child.erase",
            children=[child_pk],
            details={"child": child_pk, "deleted": counts, "key_destroyed": key_destroyed},
        )
    return counts


def _delete_dependants(child: Child, deleted: Counter[str]) -> None:
    """Every record pointing at the child, deleted through the ORM (so their own
    dependants cascade). A record kept by another's PROTECT is retried once that other is
    gone; if no pass makes progress, the ProtectedError stands and nothing is erased."""
    relations = [
        relation
        for relation in Child._meta.related_objects
        if relation.one_to_many or relation.one_to_one
    ]
    pending = list(relations)
    while pending:
        blocked = []
        error: models.ProtectedError | None = None
        for relation in pending:
            rows = relation.related_model._base_manager.filter(**{relation.field.name: child})
            try:
                with transaction.atomic():
                    _, counts = rows.delete()
            except models.ProtectedError as protected:
                blocked.append(relation)
                error = protected
                continue
            deleted.update(counts)
        if error is not None and len(blocked) == len(pending):
            raise error
        pending = blocked


# Retention ----------------------------------------------------------------------------

# Further retention rules of the apps above (the network registers' persons and
# intelligence content: harbour/exploitation/retention.py), which `apply_retention` runs
# after the children's. Registered by those apps (AppConfig.ready), so that children,
# below them, never imports them. A step is called as step(actor, today, commit) and
# returns the lines to print.
RetentionStep = Callable[[auditor.Actor, dt.date, bool], list[str]]
_retention_steps: list[RetentionStep] = []


def after_children_retention(step: RetentionStep) -> RetentionStep:
    if step not in _retention_steps:
        _retention_steps.append(step)
    return step


def further_retention_steps() -> list[RetentionStep]:
    return list(_retention_steps)


def _years(name: str, default: int) -> int:
    """A retention period from settings (which read the environment variable of the same
    name), else the default."""
    value = getattr(settings, name, default)
    try:
        years = int(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a whole number of years.") from None
    if years < 0:
        raise ImproperlyConfigured(f"{name} must not be negative.")
    return years


@dataclass(frozen=True)
class RetentionRule:
    years_after_18: int
    years_after_18_looked_after: int

    @classmethod
    def from_settings(cls) -> RetentionRule:
        return cls(
            _years("RETENTION_YEARS_AFTER_18", DEFAULT_YEARS_AFTER_18),
            _years("RETENTION_YEARS_AFTER_18_LOOKED_AFTER", DEFAULT_YEARS_AFTER_18_LOOKED_AFTER),
        )

    def describe(self) -> str:
        return (
            f"{self.years_after_18} years after the 18th birthday, "
            f"{self.years_after_18_looked_after} if ever looked after"
        )

    def past_retention(self, today: dt.date) -> QuerySet[Child]:
        """Children whose date of birth + 18 + N years is before `today`.

        Compared as YYYYMMDD integers (birth_ymd + years * 10000 < today), so a
        29 February birthday falls due on 1 March, as everywhere else in Harbour."""
        today_ymd = ymd(today)
        looked_after = Exists(
            LegalStatus.objects.filter(child=OuterRef("pk"), status=LegalStatusKind.LAC)
        )
        return (
            Child.objects.annotate(looked_after=looked_after)
            .filter(
                Q(looked_after=False, birth_ymd__lt=today_ymd - (18 + self.years_after_18) * 10000)
                | Q(
                    looked_after=True,
                    birth_ymd__lt=today_ymd - (18 + self.years_after_18_looked_after) * 10000,
                )
            )
            .order_by("birth_ymd", "pk")
        )

    def erase_from(self, child: Child, looked_after: bool) -> dt.date:
        """The first day the child is past retention."""
        years = 18 + (self.years_after_18_looked_after if looked_after else self.years_after_18)
        birth = child.date_of_birth
        try:
            anniversary = birth.replace(year=birth.year + years)
        except ValueError:  # 29 February in a year without one: due on 1 March
            anniversary = dt.date(birth.year + years, 3, 1) - dt.timedelta(days=1)
        return anniversary + dt.timedelta(days=1)
