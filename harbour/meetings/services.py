"""Writes to meetings records. Every change goes through these functions: validated, atomic,
and audited with one event naming the child. Changes to a record someone may have changed
since the form was loaded carry the version the form was loaded with; a stale one is refused
with Conflict and nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from harbour.audit.services import Actor
from harbour.children.models import Child
from harbour.common.codes import store_codes
from harbour.common.services import delete_record, locked, save_record
from harbour.common.time import instant_of, local_date

from .models import (
    Agency,
    Meeting,
    MeetingAction,
    MeetingKind,
    MeetingTask,
    TaskClosure,
    TaskEpisode,
    TaskTrigger,
)
from .queries import planned_meetings
from .thresholds import Found, trigger_words


def save_meeting(actor: Actor, meeting: Meeting) -> Meeting:
    """Create or change a meeting (the admin): validated, atomic, audited. A change moves the
    version on, so that a meeting page loaded before it is refused."""
    return save_record(actor, meeting)


def delete_meeting(actor: Actor, meeting: Meeting) -> None:
    delete_record(actor, meeting)


def _open_tasks(meeting: Meeting) -> QuerySet[MeetingTask]:
    """The meeting's open tasks, locked: holding the meeting closes them, cancelling it
    releases them."""
    return (
        MeetingTask.objects.select_for_update()
        .filter(meeting=meeting, closed_at__isnull=True)
        .order_by("pk")
    )


def _today() -> dt.date:
    return local_date(timezone.now())


def _not_in_future(day: dt.date | None, field: str) -> None:
    if day is not None and day > _today():
        raise ValidationError({field: "The date must be today or in the past."})


# ---------------------------------------------------------------------------- triggers


def _planned_meeting(child_pk: int, now: dt.datetime | None = None) -> Meeting | None:
    """The child's planned missing meeting, if any (queries.planned_meetings: a meeting
    requested long ago and never recorded is not joined)."""
    today = local_date(now or timezone.now())
    return (
        Meeting.objects.filter(planned_meetings(today), child_id=child_pk)
        .order_by("requested_on", "pk")
        .first()
    )


def record_triggers(
    actor: Actor, child_pk: int, found: Sequence[Found], now: dt.datetime
) -> list[MeetingTask]:
    """Record one child's triggers (from harbour/meetings/triggers.py), oldest first.

    A trigger whose episodes are all already linked under it is skipped. Otherwise it joins
    the child's open task (its episodes are added) or, with no open task, raises a task,
    linked to the child's planned missing meeting if there is one. One audit event per
    trigger recorded. Returns the tasks raised or joined.
    """
    changed: dict[int, MeetingTask] = {}
    with transaction.atomic():
        # One writer per child at a time: the cron and a page evaluating together must not
        # both raise a task.
        Child.objects.select_for_update().filter(pk=child_pk).values_list("pk").first()
        linked = set(
            TaskEpisode.objects.filter(episode__child_id=child_pk).values_list(
                "episode_id", "trigger"
            )
        )
        task = (
            MeetingTask.objects.filter(child_id=child_pk, closed_at__isnull=True)
            .order_by("raised_at", "pk")
            .first()
        )
        for trigger in found:
            new = [pk for pk in trigger.episode_pks if (pk, trigger.trigger) not in linked]
            if not new:
                continue
            if task is None:
                task = _raise(actor, child_pk, trigger, new, now)
            else:
                _join(actor, task, trigger, new)
            linked.update((pk, trigger.trigger) for pk in new)
            changed[task.pk] = task
    return list(changed.values())


def _raise(
    actor: Actor, child_pk: int, trigger: Found, episode_pks: list[int], now: dt.datetime
) -> MeetingTask:
    triggered_at = instant_of(trigger.triggered_epoch)
    meeting = _planned_meeting(child_pk, now)
    task = MeetingTask(
        child_id=child_pk,
        trigger=trigger.trigger,
        triggered_at=triggered_at,
        raised_at=now,
        due_on=local_date(triggered_at) + dt.timedelta(days=settings.HARBOUR_MEETING_DUE_DAYS),
        meeting=meeting,
    )
    return save_record(
        actor,
        task,
        action="meetings.task_raised",
        parts=_links(task, trigger.trigger, episode_pks),
        details={
            "trigger": trigger.trigger,
            "episodes": episode_pks,
            "meeting": meeting.pk if meeting else None,
            "due_on": task.due_on.isoformat(),
        },
    )


def _join(actor: Actor, task: MeetingTask, trigger: Found, episode_pks: list[int]) -> None:
    save_record(
        actor,
        task,
        action="meetings.task_joined",
        parts=_links(task, trigger.trigger, episode_pks),
        details={"trigger": trigger.trigger, "episodes": episode_pks},
    )


def _why_not(link: TaskEpisode, now: dt.datetime) -> str:
    """Why a link's trigger no longer holds for its episode, in words."""
    from harbour.missing.models import Category

    episode = link.episode
    reference = episode.episode_id
    if episode.category != Category.MISSING:
        return f"Episode {reference} is no longer recorded as missing."
    if link.trigger == TaskTrigger.LONG_MISSING:
        limit = settings.HARBOUR_LONG_MISSING_HOURS
        if episode.ended_epoch is not None:
            hours = (episode.ended_epoch - episode.started_epoch) // 3600
            return (
                f"Episode {reference} lasted {hours} hours from last seen to found: "
                f"not more than {limit}."
            )
        return f"Episode {reference} has not yet been open for more than {limit} hours."
    return (
        f"Episode {reference} no longer makes a run for "
        f"\u201c{trigger_words(link.trigger).lower()}\u201d."
    )


def withdraw_stale(
    actor: Actor, child_pk: int, holding: Sequence[Found], now: dt.datetime
) -> list[MeetingTask]:
    """Withdraw what the child's record no longer supports (triggers.evaluate, after a save).

    For each open task with no meeting requested: each link (episode, trigger) not among
    `holding` is removed; a task left with no link is closed as withdrawn, with the reasons;
    one that keeps some takes the earliest trigger left as its own (and its due date). A task
    whose meeting was requested is left as it is: the meeting decides. One audit event per
    task changed. Returns the tasks withdrawn.
    """
    true_now = {(pk, found.trigger) for found in holding for pk in found.episode_pks}
    withdrawn: list[MeetingTask] = []
    with transaction.atomic():
        Child.objects.select_for_update().filter(pk=child_pk).values_list("pk").first()
        tasks = list(
            MeetingTask.objects.select_for_update()
            .filter(child_id=child_pk, closed_at__isnull=True, meeting__isnull=True)
            .order_by("pk")
        )
        if not tasks:
            return []
        links_by_task: dict[int, list[TaskEpisode]] = {task.pk: [] for task in tasks}
        for link in TaskEpisode.objects.filter(task__in=tasks).select_related("episode"):
            links_by_task[link.task_id].append(link)
        for task in tasks:
            links = links_by_task[task.pk]
            stale = [link for link in links if (link.episode_id, link.trigger) not in true_now]
            kept = [link for link in links if link not in stale]
            if links and not stale:
                continue
            reasons = [_why_not(link, now) for link in stale] or [
                "The episodes that raised it have been deleted."
            ]
            removed = [[link.episode_id, link.trigger] for link in stale]
            if not kept:
                task.closed_at = now
                task.closed_because = TaskClosure.WITHDRAWN
                task.closed_reason = " ".join(reasons)
                action = "meetings.task_withdrawn"
                withdrawn.append(task)
            else:
                _retrigger(task, kept, holding)
                action = "meetings.task_trigger_withdrawn"
            save_record(
                actor,
                task,
                action=action,
                removing=stale,
                details={"task": task.pk, "links_removed": removed},
                sealed={"reason": " ".join(reasons)},
            )
    return withdrawn


def _retrigger(task: MeetingTask, kept: list[TaskEpisode], holding: Sequence[Found]) -> None:
    """A task that lost its own trigger takes the earliest one it still has."""
    kept_pairs = {(link.episode_id, link.trigger) for link in kept}
    if task.trigger in {link.trigger for link in kept}:
        return
    earliest = min(
        (f for f in holding if any((pk, f.trigger) in kept_pairs for pk in f.episode_pks)),
        key=lambda f: (f.triggered_epoch, f.trigger),
    )
    triggered_at = instant_of(earliest.triggered_epoch)
    task.trigger = earliest.trigger
    task.triggered_at = triggered_at
    task.due_on = local_date(triggered_at) + dt.timedelta(days=settings.HARBOUR_MEETING_DUE_DAYS)


def _links(task: MeetingTask, trigger: str, episode_pks: Iterable[int]) -> list[TaskEpisode]:
    return [TaskEpisode(task=task, episode_id=pk, trigger=trigger) for pk in episode_pks]


# ---------------------------------------------------------------------------- meetings


def meeting_id_for(task: MeetingTask) -> str:
    """Harbour's own id for the meeting requested for a task (imported meetings keep the id
    they came with): HB-MAM-<task>, then -2, -3 for a task whose earlier meeting was
    cancelled. The task row is locked while requesting, so no two requests race for an id."""
    base = f"HB-MAM-{task.pk:06d}"
    earlier = Meeting.objects.filter(meeting_id__startswith=base).count()
    return base if earlier == 0 else f"{base}-{earlier + 1}"


def request_meeting(
    actor: Actor, task: MeetingTask, *, requested_on: dt.date, version: int
) -> Meeting:
    """Request the multi-agency missing meeting a task needs. If the child already has a
    planned (requested, not held) missing meeting, the task joins it instead."""
    _not_in_future(requested_on, "requested_on")
    with transaction.atomic():
        current = locked(task, version, what="task")
        if current.closed_at is not None or current.meeting_id is not None:
            raise ValidationError("A meeting has already been requested for this task.")
        meeting = _planned_meeting(current.child_id)
        joined = meeting is not None
        if meeting is None:
            meeting = Meeting(
                meeting_id=meeting_id_for(current),
                child_id=current.child_id,
                kind=MeetingKind.MISSING_MAM,
                trigger=current.trigger,
                requested_on=requested_on,
            )
        current.meeting = meeting
        # The event is the meeting's, with the task that asked for it as its part.
        save_record(
            actor,
            meeting,
            action="meetings.meeting_requested",
            parts=[current],
            details={"task": current.pk, "joined_planned_meeting": joined},
            sealed={"requested_on": meeting.requested_on.isoformat()},
        )
    return meeting


def record_held(
    actor: Actor,
    meeting: Meeting,
    *,
    held_on: dt.date,
    attendees: Iterable[str],
    outcome: str,
    version: int,
    minutes: str = "",
    attended_by: str = "",
) -> Meeting:
    """Record that a meeting was held: when, which agencies attended and who, the minutes
    and the outcome. Closes the tasks the meeting was for."""
    attendees = [code for code in Agency.values if code in set(attendees)]
    _not_in_future(held_on, "held_on")
    with transaction.atomic():
        current = locked(meeting, version, what="meeting")
        if current.cancelled_at is not None:
            raise ValidationError("This meeting was cancelled, so it cannot be recorded as held.")
        current.held_on = held_on
        current.attendees = store_codes(attendees)
        current.outcome = outcome.strip()
        current.minutes = minutes.strip()
        current.attended_by = attended_by.strip()
        tasks = list(_open_tasks(current))
        for task in tasks:
            task.closed_at = timezone.now()
            task.closed_because = TaskClosure.HELD
        save_record(
            actor,
            current,
            action="meetings.meeting_held",
            parts=tasks,
            details={"tasks_closed": [task.pk for task in tasks]},
        )
    return current


def add_action(
    actor: Actor, meeting: Meeting, *, description: str, owner: str, due_on: dt.date | None
) -> MeetingAction:
    """Add an action agreed at a meeting, with its owner (a person or an agency)."""
    with transaction.atomic():
        action = MeetingAction(
            meeting=meeting, description=description.strip(), owner=owner.strip(), due_on=due_on
        )
        save_record(actor, action, action="meetings.action_added", details={"meeting": meeting.pk})
    return action


def complete_action(
    actor: Actor, action: MeetingAction, *, done_on: dt.date, version: int
) -> MeetingAction:
    """Mark an action done."""
    _not_in_future(done_on, "done_on")
    with transaction.atomic():
        current = locked(action, version, what="action")
        if current.done_on is not None:
            raise ValidationError("This action is already done.")
        current.done_on = done_on
        save_record(
            actor, current, action="meetings.action_done", details={"meeting": current.meeting_id}
        )
    return current


# ------------------------------------------------------- closing, cancelling, scheduling


def close_task_not_needed(
    actor: Actor, task: MeetingTask, *, reason: str, version: int
) -> MeetingTask:
    """Close an open task as not needed, for a stated reason (for example, the child is
    already the subject of a strategy meeting). A task whose meeting has been requested is
    closed by cancelling or holding the meeting instead."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why a meeting is not needed"})
    with transaction.atomic():
        current = locked(task, version, what="task")
        if current.closed_at is not None:
            raise ValidationError("This task is already closed.")
        if current.meeting_id is not None:
            raise ValidationError(
                "A meeting has been requested for this task: cancel the meeting instead."
            )
        current.closed_at = timezone.now()
        current.closed_because = TaskClosure.NOT_NEEDED
        current.closed_reason = reason
        save_record(
            actor, current, action="meetings.task_closed_not_needed", details={"task": current.pk}
        )
    return current


def cancel_meeting(actor: Actor, meeting: Meeting, *, reason: str, version: int) -> Meeting:
    """Cancel a planned meeting, for a stated reason. Its open tasks are released: they are
    listed again as needing a meeting, to be requested again or closed as not needed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the meeting is cancelled"})
    with transaction.atomic():
        current = locked(meeting, version, what="meeting")
        if current.held_on is not None:
            raise ValidationError("This meeting was held, so it cannot be cancelled.")
        if current.cancelled_at is not None:
            raise ValidationError("This meeting is already cancelled.")
        current.cancelled_at = timezone.now()
        current.cancel_reason = reason
        tasks = list(_open_tasks(current))
        for task in tasks:
            task.meeting = None
        save_record(
            actor,
            current,
            action="meetings.meeting_cancelled",
            parts=tasks,
            details={"tasks_released": [task.pk for task in tasks]},
        )
    return current


def schedule_meeting(
    actor: Actor,
    meeting: Meeting,
    *,
    scheduled_at: dt.datetime,
    venue: str,
    chair: str,
    invitees: str,
    version: int,
) -> Meeting:
    """Set (or change) when and where a planned meeting takes place, who chairs it and who
    is invited. The date may be in the future, but not before the meeting was requested."""
    with transaction.atomic():
        current = locked(meeting, version, what="meeting")
        if current.held_on is not None or current.cancelled_at is not None:
            raise ValidationError("Only a planned meeting can be scheduled.")
        if local_date(scheduled_at) < current.requested_on:
            raise ValidationError(
                {
                    "scheduled_at": "The date of the meeting must be the same as or after the "
                    "date it was requested"
                }
            )
        current.scheduled_at = scheduled_at
        current.venue = venue.strip()
        current.chair = chair.strip()
        current.invitees = invitees.strip()
        save_record(actor, current, action="meetings.meeting_scheduled")
    return current
