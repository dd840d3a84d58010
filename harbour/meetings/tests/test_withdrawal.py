"""A meeting task whose trigger no longer holds on the record as it now stands is withdrawn
(docs/casework.md, "Multi-agency meetings", "Withdrawn").

The case from issue 10: a notification entered days late for a child last seen more than
72 hours ago is open, so by the record the child has been missing more than 72 hours and the
task is raised. Marked found 12 hours after last seen, the episode lasted 12 hours: the task
must go, with the reason, rather than sit "overdue" beside "Hours missing 12".
"""

import datetime as dt

import pytest
import time_machine

from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import ChildFactory
from harbour.common.time import UTC
from harbour.meetings import services as meeting_services
from harbour.meetings.models import MeetingTask, TaskClosure, TaskTrigger
from harbour.missing.services import amend_episode, mark_found, record_notification

pytestmark = pytest.mark.django_db

HOURS = dt.timedelta(hours=1)
LAST_SEEN = dt.datetime(2026, 11, 10, 20, 0, tzinfo=UTC)
ENTERED = dt.datetime(2026, 11, 14, 9, 0, tzinfo=UTC)


def late_notification(child, reference, last_seen, entered=ENTERED):
    with time_machine.travel(entered, tick=False):
        return record_notification(
            "coordinator",
            child=child,
            police_reference=reference,
            category="MISSING",
            started_at=last_seen,
        ).episode


def found_after(episode, hours, at=ENTERED):
    with time_machine.travel(at, tick=False):
        return mark_found(
            "coordinator",
            episode,
            ended_at=episode.started_at + hours * HOURS,
            version=episode.version,
        )


def test_a_late_notification_found_after_12_hours_withdraws_its_long_missing_task():
    child = ChildFactory()
    episode = late_notification(child, "P-LATE-1", LAST_SEEN)
    task = MeetingTask.objects.get()
    assert task.trigger == TaskTrigger.LONG_MISSING and task.is_open

    found_after(episode, 12)

    task.refresh_from_db()
    assert not task.is_open
    assert task.closed_because == TaskClosure.WITHDRAWN
    assert "12 hours" in task.closed_reason
    event = AuditEvent.objects.get(action="meetings.task_withdrawn")
    assert event.details["task"] == task.pk and event.details["links_removed"] == [
        [episode.pk, TaskTrigger.LONG_MISSING]
    ]


def test_two_short_late_episodes_leave_no_open_task():
    child = ChildFactory()
    first = late_notification(child, "P-LATE-1", LAST_SEEN)
    found_after(first, 12)
    second = late_notification(child, "P-LATE-2", LAST_SEEN - 5 * 24 * HOURS)
    found_after(second, 12)

    assert not MeetingTask.objects.filter(closed_at__isnull=True).exists()


def test_a_genuinely_long_episode_keeps_its_task_when_found():
    child = ChildFactory()
    episode = late_notification(child, "P-LONG", LAST_SEEN)

    found_after(episode, 80)

    assert MeetingTask.objects.get().is_open


def test_a_task_whose_meeting_was_requested_is_not_withdrawn():
    child = ChildFactory()
    episode = late_notification(child, "P-LATE-1", LAST_SEEN)
    task = MeetingTask.objects.get()
    with time_machine.travel(ENTERED, tick=False):
        meeting_services.request_meeting(
            "coordinator", task, requested_on=ENTERED.date(), version=task.version
        )

    found_after(episode, 12)

    task.refresh_from_db()
    assert task.is_open and task.meeting is not None
    assert not AuditEvent.objects.filter(action="meetings.task_withdrawn").exists()


def test_amending_an_episode_to_an_absence_withdraws_the_repeat_task_it_made():
    child = ChildFactory()
    episodes = []
    for day in (0, 10, 20):
        with time_machine.travel(LAST_SEEN + day * 24 * HOURS + HOURS, tick=False):
            episode = record_notification(
                "coordinator",
                child=child,
                police_reference=f"P-{day}",
                category="MISSING",
                started_at=LAST_SEEN + day * 24 * HOURS,
            ).episode
        episodes.append(found_after(episode, 5, at=episode.started_at + 5 * HOURS))
    task = MeetingTask.objects.get()
    assert task.trigger == TaskTrigger.REPEAT_MISSING

    with time_machine.travel(LAST_SEEN + 30 * 24 * HOURS, tick=False):
        amend_episode(
            "coordinator",
            episodes[1],
            changes={"category": "ABSENT"},
            reason="Police reclassified it as an absence",
            version=episodes[1].version,
        )

    task.refresh_from_db()
    assert task.closed_because == TaskClosure.WITHDRAWN
    assert "no longer" in task.closed_reason


def test_a_task_keeping_one_trigger_loses_only_the_other():
    child = ChildFactory()
    # Three short episodes within 90 days (repeat), the last entered late and open (long).
    for day in (0, 10):
        last_seen = LAST_SEEN - (20 - day) * 24 * HOURS
        with time_machine.travel(last_seen + HOURS, tick=False):
            episode = record_notification(
                "coordinator",
                child=child,
                police_reference=f"P-{day}",
                category="MISSING",
                started_at=last_seen,
            ).episode
        found_after(episode, 1, at=last_seen + 2 * HOURS)
    late = late_notification(child, "P-LATE", LAST_SEEN)
    task = MeetingTask.objects.get()
    assert set(task.links.values_list("trigger", flat=True)) == {
        TaskTrigger.LONG_MISSING,
        TaskTrigger.REPEAT_MISSING,
    }

    found_after(late, 12)

    task.refresh_from_db()
    assert task.is_open
    assert task.trigger == TaskTrigger.REPEAT_MISSING
    assert set(task.links.values_list("trigger", flat=True)) == {TaskTrigger.REPEAT_MISSING}


def test_the_task_page_says_the_task_was_withdrawn_and_why(client, client_as):
    client_as("COORDINATOR")
    child = ChildFactory()
    found_after(late_notification(child, "P-LATE-1", LAST_SEEN), 12)
    task = MeetingTask.objects.get()

    body = client.get(f"/meetings/tasks/{task.pk}/").content.decode()

    assert "Withdrawn: the trigger no longer holds" in body
    assert "Episode P-LATE-1 lasted 12 hours from last seen to found: not more than 72." in body
    assert "Date requested" not in body


def test_deleting_the_episode_that_raised_a_task_withdraws_it():
    from harbour.missing.services import delete_episode

    child = ChildFactory()
    episode = late_notification(child, "P-LATE-1", LAST_SEEN)
    task = MeetingTask.objects.get()

    with time_machine.travel(ENTERED, tick=False):
        delete_episode("coordinator", episode)

    task.refresh_from_db()
    assert task.closed_because == TaskClosure.WITHDRAWN
    assert task.closed_reason == "The episodes that raised it have been deleted."


def test_the_chronology_says_a_withdrawn_task_was_withdrawn_and_why():
    from harbour.casework.chronology import chronology

    child = ChildFactory()
    found_after(late_notification(child, "P-LATE-1", LAST_SEEN), 12)

    (entry,) = [e for e in chronology(child) if e.kind == "meeting_tasks"]

    assert "Withdrawn: the trigger no longer holds" in entry.detail
    assert "lasted 12 hours" in entry.detail


def test_an_open_episode_whose_last_seen_is_corrected_to_recent_loses_its_task():
    child = ChildFactory()
    episode = late_notification(child, "P-LATE-1", LAST_SEEN)
    assert MeetingTask.objects.get().is_open

    with time_machine.travel(ENTERED, tick=False):
        amend_episode(
            "coordinator",
            episode,
            changes={"started_at": ENTERED - 10 * HOURS},
            reason="Police corrected the time last seen",
            version=episode.version,
        )

    task = MeetingTask.objects.get()
    assert task.closed_because == TaskClosure.WITHDRAWN
    assert "has not yet been open for more than 72 hours" in task.closed_reason
