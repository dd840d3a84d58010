"""Recording a notification, marking a child found or amending an episode raises (or joins)
the child's multi-agency meeting task as soon as the change makes a trigger true."""

import datetime as dt

import pytest
import time_machine

from harbour.common.tests.factories import ChildFactory
from harbour.common.time import UTC
from harbour.meetings.models import MeetingTask, TaskTrigger
from harbour.missing.services import amend_episode, mark_found, record_notification

pytestmark = pytest.mark.django_db

START = dt.datetime(2024, 1, 10, 20, 0, tzinfo=UTC)


def notify(child, reference, started_at, category="MISSING"):
    """Recorded an hour after the child was last seen."""
    with time_machine.travel(started_at + dt.timedelta(hours=1), tick=False):
        return record_notification(
            "coordinator",
            child=child,
            police_reference=reference,
            category=category,
            started_at=started_at,
        )


def found(episode, ended_at):
    """Marked found as it happens."""
    with time_machine.travel(ended_at, tick=False):
        return mark_found("coordinator", episode, ended_at=ended_at, version=episode.version)


def returned(child, reference, started_at, hours=5, category="MISSING"):
    episode = notify(child, reference, started_at, category).episode
    return found(episode, started_at + dt.timedelta(hours=hours))


def test_third_missing_notification_within_90_days_raises_the_meeting_task():
    child = ChildFactory()
    returned(child, "P-1", START)
    returned(child, "P-2", START + dt.timedelta(days=30))
    assert not MeetingTask.objects.exists()

    result = notify(child, "P-3", START + dt.timedelta(days=90))

    task = MeetingTask.objects.get()
    assert result.meeting_tasks == [task]
    assert (task.child, task.trigger) == (child, TaskTrigger.REPEAT_MISSING)
    assert set(task.episodes.values_list("episode_id", flat=True)) == {"P-1", "P-2", "P-3"}


def test_third_missing_notification_a_second_over_90_days_raises_nothing():
    child = ChildFactory()
    returned(child, "P-1", START)
    returned(child, "P-2", START + dt.timedelta(days=30))

    result = notify(child, "P-3", START + dt.timedelta(days=90, seconds=1))

    assert result.meeting_tasks == []
    assert not MeetingTask.objects.exists()


def test_absences_never_raise_the_repeat_trigger():
    child = ChildFactory()
    returned(child, "P-1", START)
    returned(child, "P-2", START + dt.timedelta(days=3), category="ABSENT")
    notify(child, "P-3", START + dt.timedelta(days=6))
    assert not MeetingTask.objects.exists()


def test_found_more_than_72_hours_after_last_seen_raises_the_meeting_task():
    child = ChildFactory()
    episode = notify(child, "P-1", START).episode

    found(episode, START + dt.timedelta(hours=72, seconds=1))

    task = MeetingTask.objects.get()
    assert (task.trigger, list(task.episodes.all())) == (TaskTrigger.LONG_MISSING, [episode])


def test_found_exactly_72_hours_after_last_seen_raises_nothing():
    child = ChildFactory()
    episode = notify(child, "P-1", START).episode
    found(episode, START + dt.timedelta(hours=72))
    assert not MeetingTask.objects.exists()


def test_amending_the_found_time_past_72_hours_raises_the_meeting_task():
    child = ChildFactory()
    episode = returned(child, "P-1", START, hours=10)
    assert not MeetingTask.objects.exists()

    with time_machine.travel(START + dt.timedelta(days=5), tick=False):
        amend_episode(
            "coordinator",
            episode,
            changes={"ended_at": START + dt.timedelta(hours=80)},
            reason="Police corrected the time found",
            version=episode.version,
        )

    assert MeetingTask.objects.get().trigger == TaskTrigger.LONG_MISSING


def test_a_second_trigger_joins_the_open_task_rather_than_raising_another():
    child = ChildFactory()
    returned(child, "P-1", START, hours=100)
    returned(child, "P-2", START + dt.timedelta(days=10))
    returned(child, "P-3", START + dt.timedelta(days=20))

    task = MeetingTask.objects.get()
    assert task.trigger == TaskTrigger.LONG_MISSING
    assert set(task.links.values_list("trigger", flat=True)) == {
        TaskTrigger.LONG_MISSING,
        TaskTrigger.REPEAT_MISSING,
    }


def test_the_episode_page_links_to_the_meeting_task(client, client_as):
    child = ChildFactory()
    episode = returned(child, "P-1", START, hours=73)
    task = MeetingTask.objects.get()
    client_as("COORDINATOR")

    page = client.get(f"/episodes/{episode.pk}/").content.decode()

    assert f"/meetings/tasks/{task.pk}/" in page
    assert "Missing more than 72 hours: meeting required by" in page
