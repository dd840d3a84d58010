"""When a child needs a multi-agency missing meeting (docs/casework.md, "Multi-agency meetings").

Two triggers, both about MISSING episodes only (absences never count; a child looked after
by another authority counts like any other):

- long: an episode that lasted strictly more than HARBOUR_LONG_MISSING_HOURS (72) from last
  seen to found, or is still open and `now` is strictly more than that after last seen;
- repeat: HARBOUR_REPEAT_MISSING_COUNT (3) consecutive episodes of the child, in order of
  last seen, the last starting no more than HARBOUR_REPEAT_MISSING_HOURS (2,160 = 90 days)
  after the first (exactly 2,160 hours is a trigger).

Both are found in SQL on the stored epoch columns: a filter for long episodes, and a window
function (LEAD over the child's MISSING episodes ordered by start) for repeats, whatever the
number of children. What is found is handed to services.record_triggers, which raises a task
or joins the child's open task or planned meeting, and skips what is already recorded, so
that evaluating twice changes nothing.

Each is judged on the episode as recorded now: an open episode last seen more than 72 hours
ago has, by the record, been missing more than 72 hours, so a notification entered late
raises the task at once. When the record changes (found, amended, deleted), `evaluate`
first withdraws what no longer holds (services.withdraw_stale): a link between a task and an
episode whose trigger is no longer true goes, and a task left with none is withdrawn with
the reason, unless a meeting has been requested for it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Lead
from django.utils import timezone

from harbour.audit.services import Actor
from harbour.children.models import Child
from harbour.common.time import DAY, epoch_seconds
from harbour.missing.models import Category, Episode

from . import services
from .models import MeetingTask, TaskEpisode, TaskTrigger
from .thresholds import (
    Found,
    long_missing_seconds,
    repeat_missing_count,
    repeat_missing_seconds,
)

BATCH_SIZE = 500


def _lookback_epoch(now_epoch: int) -> int | None:
    days = settings.HARBOUR_MEETING_LOOKBACK_DAYS
    return now_epoch - days * DAY if days > 0 else None


def _missing(child_pks: Iterable[int] | None) -> QuerySet[Episode]:
    episodes = Episode.objects.filter(category=Category.MISSING)
    if child_pks is not None:
        episodes = episodes.filter(child_id__in=list(child_pks))
    return episodes


def _long(child_pks: Iterable[int] | None, now_epoch: int) -> QuerySet[Episode]:
    """MISSING episodes that lasted more than the limit from last seen to found, or are open
    and were last seen more than the limit before `now_epoch`."""
    limit = long_missing_seconds()
    return _missing(child_pks).filter(
        Q(ended_epoch__gt=F("started_epoch") + limit)
        | Q(ended_epoch__isnull=True, started_epoch__lt=now_epoch - limit)
    )


def find_long(child_pks: Iterable[int] | None, now_epoch: int) -> list[Found]:
    """Long episodes not yet linked to a task under the long trigger. One query."""
    limit = long_missing_seconds()
    linked = TaskEpisode.objects.filter(episode=OuterRef("pk"), trigger=TaskTrigger.LONG_MISSING)
    episodes = _long(child_pks, now_epoch).exclude(Exists(linked))
    if (since := _lookback_epoch(now_epoch)) is not None:
        episodes = episodes.filter(started_epoch__gte=since - limit)
    rows = episodes.order_by("child_id", "started_epoch", "pk").values_list(
        "child_id", "pk", "started_epoch"
    )
    return [
        Found(child_pk, TaskTrigger.LONG_MISSING, (pk,), started + limit)
        for child_pk, pk, started in rows
    ]


def _repeat_windows(
    child_pks: Iterable[int] | None, now_epoch: int | None
) -> list[tuple[Any, ...]]:
    """Rows (child pk, first pk, later pks..., last start) of each run of `count`
    consecutive MISSING episodes within the limit (from the lookback, when `now_epoch` is
    given)."""
    count = repeat_missing_count()
    limit = repeat_missing_seconds()
    order = [F("started_epoch").asc(), F("pk").asc()]

    def lead(field: str, offset: int) -> Window:
        return Window(Lead(field, offset=offset), partition_by=[F("child_id")], order_by=order)

    later = {f"pk_{k}": lead("pk", k) for k in range(1, count)}
    windows = (
        _missing(child_pks)
        .annotate(last_start=lead("started_epoch", count - 1), **later)
        .filter(last_start__isnull=False, last_start__lte=F("started_epoch") + limit)
    )
    if now_epoch is not None and (since := _lookback_epoch(now_epoch)) is not None:
        windows = windows.filter(last_start__gte=since)
    return list(
        windows.order_by("child_id", "started_epoch", "pk").values_list(
            "child_id", "pk", *later, "last_start"
        )
    )


def find_repeats(child_pks: Iterable[int] | None, now_epoch: int) -> list[Found]:
    """Windows of `count` consecutive MISSING episodes of a child, the last starting no more
    than the limit after the first, with at least one episode not yet linked to a task under
    the repeat trigger. Two queries (the windows, then the links of the children found)."""
    rows = _repeat_windows(child_pks, now_epoch)
    if not rows:
        return []
    linked = set(
        TaskEpisode.objects.filter(
            trigger=TaskTrigger.REPEAT_MISSING,
            episode__child_id__in={row[0] for row in rows},
        ).values_list("episode_id", flat=True)
    )
    found = []
    for child_pk, *pks, last_start in rows:
        if not linked.issuperset(pks):
            found.append(Found(child_pk, TaskTrigger.REPEAT_MISSING, tuple(pks), last_start))
    return found


def _evaluate(actor: Actor, child_pks: list[int] | None, now: dt.datetime) -> list[MeetingTask]:
    now_epoch = epoch_seconds(now)
    by_child: dict[int, list[Found]] = defaultdict(list)
    for found in find_long(child_pks, now_epoch) + find_repeats(child_pks, now_epoch):
        by_child[found.child_pk].append(found)
    tasks: list[MeetingTask] = []
    for child_pk in sorted(by_child):
        in_order = sorted(by_child[child_pk], key=lambda f: (f.triggered_epoch, f.trigger))
        tasks += services.record_triggers(actor, child_pk, in_order, now)
    return tasks


def holding(child_pk: int, now_epoch: int) -> list[Found]:
    """Every trigger the child's record makes true now, whether or not already linked to a
    task, and whatever the lookback (a link made in the past is judged on the record, not on
    its age). Two queries."""
    limit = long_missing_seconds()
    found = [
        Found(child_pk, TaskTrigger.LONG_MISSING, (pk,), started + limit)
        for pk, started in _long([child_pk], now_epoch).values_list("pk", "started_epoch")
    ]
    for _, *pks, last_start in _repeat_windows([child_pk], None):
        found.append(Found(child_pk, TaskTrigger.REPEAT_MISSING, tuple(pks), last_start))
    return found


def evaluate(actor: Actor, child: Child, now: dt.datetime | None = None) -> list[MeetingTask]:
    """Re-judge one child's triggers on the record as it stands: withdraw what no longer
    holds, then raise (or join) meeting tasks for what is new. Returns the tasks raised or
    joined now; an empty list when there was nothing new."""
    now = now or timezone.now()
    services.withdraw_stale(actor, child.pk, holding(child.pk, epoch_seconds(now)), now)
    return _evaluate(actor, [child.pk], now)


def _child_batches(batch_size: int) -> Iterator[list[int]]:
    """Children with any MISSING episode, in batches of their internal ids (keyset paging:
    one query per batch)."""
    has_missing = Episode.objects.filter(child=OuterRef("pk"), category=Category.MISSING)
    last = 0
    while True:
        batch = list(
            Child.objects.filter(Exists(has_missing), pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return
        yield batch
        last = batch[-1]


def withdraw_all_stale(
    actor: Actor, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE
) -> list[MeetingTask]:
    """Withdraw every open task (no meeting requested) that the record no longer supports.

    A save through the services re-judges its child at once (`evaluate`); this catches
    what changed any other way (an import amending an episode, a restore), so a false
    alarm never waits for a person to notice it. Children with such a task, a batch at a
    time; each child as `evaluate` does it (locked, audited, with the reasons)."""
    now = now or timezone.now()
    now_epoch = epoch_seconds(now)
    withdrawn: list[MeetingTask] = []
    last = 0
    while True:
        batch = list(
            MeetingTask.objects.filter(
                closed_at__isnull=True, meeting__isnull=True, child_id__gt=last
            )
            .order_by("child_id")
            .values_list("child_id", flat=True)
            .distinct()[:batch_size]
        )
        if not batch:
            return withdrawn
        for child_pk in batch:
            withdrawn += services.withdraw_stale(actor, child_pk, holding(child_pk, now_epoch), now)
        last = batch[-1]


def evaluate_all(
    actor: Actor, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE
) -> list[MeetingTask]:
    """Every child's triggers, a batch of children at a time: four queries per batch to
    find what is new, then the writes for each child with something new."""
    now = now or timezone.now()
    tasks: list[MeetingTask] = []
    for batch in _child_batches(batch_size):
        tasks += _evaluate(actor, batch, now)
    return tasks
