"""When a multi-agency meeting task is raised (docs/casework.md, "Multi-agency meetings")."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    MeetingFactory,
)
from harbour.common.time import UTC
from harbour.meetings import services, triggers
from harbour.meetings.models import Meeting, MeetingTask, TaskEpisode

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
NOW = dt.datetime(2024, 12, 1, 12, 0, tzinfo=UTC)
HOURS = dt.timedelta(hours=1)
SECOND = dt.timedelta(seconds=1)


def episode(child, start, length=5 * HOURS, **fields):
    ended = None if length is None else start + length
    return EpisodeFactory(child=child, started_at=start, ended_at=ended, **fields)


def three_starting(child, span, **fields):
    """Three short MISSING episodes, the third starting `span` after the first."""
    return [episode(child, T0 + offset, **fields) for offset in (0 * HOURS, span / 2, span)]


def test_an_episode_of_exactly_72_hours_raises_no_task():
    child = ChildFactory()
    episode(child, T0, length=72 * HOURS)
    assert triggers.evaluate("test", child, NOW) == []
    assert not MeetingTask.objects.exists()


def test_an_episode_one_second_longer_than_72_hours_raises_a_long_missing_task():
    child = ChildFactory()
    long = episode(child, T0, length=72 * HOURS + SECOND)

    (task,) = triggers.evaluate("test", child, NOW)

    assert task.child == child
    assert task.trigger == "LONG_MISSING"
    assert list(task.episodes.all()) == [long]
    assert task.triggered_at == T0 + 72 * HOURS
    assert task.raised_at == NOW
    # Due HARBOUR_MEETING_DUE_DAYS (7) calendar days after the London day of the trigger.
    assert task.due_on == dt.date(2024, 3, 11)
    assert task.meeting is None and task.closed_at is None


@pytest.mark.frozen_at(T0 + 72 * HOURS)
def test_a_child_still_missing_raises_a_task_only_once_more_than_72_hours_have_passed(clock):
    child = ChildFactory()
    episode(child, T0, length=None)
    assert triggers.evaluate("test", child) == []
    clock.shift(SECOND)
    (task,) = triggers.evaluate("test", child)
    assert task.trigger == "LONG_MISSING"


def test_three_episodes_spread_over_exactly_90_days_raise_a_repeat_task():
    child = ChildFactory()
    episodes = three_starting(child, 2160 * HOURS)

    (task,) = triggers.evaluate("test", child, NOW)

    assert task.trigger == "REPEAT_MISSING"
    assert set(task.episodes.all()) == set(episodes)
    assert task.triggered_at == episodes[2].started_at


def test_three_episodes_spread_over_a_second_more_than_90_days_raise_nothing():
    child = ChildFactory()
    three_starting(child, 2160 * HOURS + SECOND)
    assert triggers.evaluate("test", child, NOW) == []


def test_absences_never_count_for_either_trigger():
    child = ChildFactory()
    episode(child, T0, length=200 * HOURS, category="ABSENT")
    episode(child, T0 + 10 * HOURS, category="ABSENT")
    episode(child, T0 + 20 * HOURS)
    episode(child, T0 + 30 * HOURS)
    assert triggers.evaluate("test", child, NOW) == []


def test_an_absence_between_missing_episodes_does_not_break_the_run_of_three():
    child = ChildFactory()
    episode(child, T0)
    episode(child, T0 + 10 * HOURS, category="ABSENT")
    episode(child, T0 + 20 * HOURS)
    episode(child, T0 + 30 * HOURS)
    (task,) = triggers.evaluate("test", child, NOW)
    assert task.episodes.count() == 3
    assert not task.episodes.filter(category="ABSENT").exists()


def test_a_child_looked_after_by_another_authority_counts():
    child = ChildFactory()
    LegalStatusFactory(
        child=child, status="LAC", responsible_la="123", start_date=dt.date(2020, 1, 1)
    )
    episode(child, T0, length=100 * HOURS)
    three_starting(child, 100 * HOURS)
    (task,) = triggers.evaluate("test", child, NOW)
    assert set(TaskEpisode.objects.values_list("trigger", flat=True)) == {
        "LONG_MISSING",
        "REPEAT_MISSING",
    }
    # The first threshold crossed: the third episode started 50 hours after the first.
    assert task.trigger == "REPEAT_MISSING"


def test_evaluating_twice_raises_nothing_new():
    child = ChildFactory()
    episode(child, T0, length=100 * HOURS)
    three_starting(child, 500 * HOURS)
    first = triggers.evaluate("test", child, NOW)
    events = AuditEvent.objects.count()
    links = TaskEpisode.objects.count()

    assert triggers.evaluate("test", child, NOW) == []
    assert triggers.evaluate_all("test", NOW) == []

    assert len(first) == 1
    assert MeetingTask.objects.count() == 1
    assert TaskEpisode.objects.count() == links
    assert AuditEvent.objects.count() == events


def test_a_repeat_trigger_joins_the_childs_open_task():
    child = ChildFactory()
    episode(child, T0, length=100 * HOURS)
    (task,) = triggers.evaluate("test", child, NOW)
    later = [episode(child, T0 + offset * HOURS) for offset in (200, 300)]

    (joined,) = triggers.evaluate("test", child, NOW)

    assert joined.pk == task.pk
    assert MeetingTask.objects.count() == 1
    assert set(later) <= set(task.episodes.all())
    assert AuditEvent.objects.filter(action="meetings.task_joined").count() == 1


def test_a_repeat_trigger_joins_a_planned_meeting_rather_than_duplicating_it():
    child = ChildFactory()
    planned = MeetingFactory(child=child, trigger="LONG_MISSING", requested_on=dt.date(2024, 11, 5))
    three_starting(child, 100 * HOURS)

    (task,) = triggers.evaluate("test", child, NOW)

    assert task.meeting == planned
    assert Meeting.objects.count() == 1


def test_a_meeting_requested_long_ago_and_never_recorded_is_not_joined():
    child = ChildFactory()
    MeetingFactory(child=child, trigger="LONG_MISSING", requested_on=dt.date(2024, 3, 5))
    three_starting(child, 100 * HOURS)

    (task,) = triggers.evaluate("test", child, NOW)

    assert task.meeting is None


def test_a_repeat_trigger_after_a_requested_meeting_joins_that_meetings_task():
    child = ChildFactory()
    episode(child, T0, length=100 * HOURS)
    (task,) = triggers.evaluate("test", child, NOW)
    meeting = services.request_meeting("test", task, requested_on=dt.date(2024, 3, 6), version=1)
    three_starting(child, 100 * HOURS)

    (joined,) = triggers.evaluate("test", child, NOW)

    assert joined.pk == task.pk
    assert Meeting.objects.count() == 1
    assert joined.meeting == meeting


def test_a_new_trigger_after_the_meeting_was_held_raises_a_new_task():
    child = ChildFactory()
    three_starting(child, 100 * HOURS)
    (task,) = triggers.evaluate("test", child, NOW)
    meeting = services.request_meeting("test", task, requested_on=dt.date(2024, 3, 8), version=1)
    services.record_held(
        "test",
        meeting,
        held_on=dt.date(2024, 3, 12),
        attendees=["POLICE"],
        outcome="Safety plan agreed.",
        version=1,
    )
    episode(child, T0 + 400 * HOURS)  # the third of the last three within 90 days

    (new,) = triggers.evaluate("test", child, NOW)

    assert new.pk != task.pk
    assert new.meeting is None
    task.refresh_from_db()
    assert task.closed_at is not None


def test_the_thresholds_come_from_settings(settings):
    settings.HARBOUR_LONG_MISSING_HOURS = 24
    settings.HARBOUR_REPEAT_MISSING_COUNT = 2
    child = ChildFactory()
    episode(child, T0, length=25 * HOURS)
    episode(child, T0 + 2000 * HOURS)
    (task,) = triggers.evaluate("test", child, NOW)
    assert set(TaskEpisode.objects.values_list("trigger", flat=True)) == {
        "LONG_MISSING",
        "REPEAT_MISSING",
    }
    assert task.trigger == "LONG_MISSING"


def test_raising_a_task_is_audited_naming_the_child_and_no_personal_data():
    child = ChildFactory(given_name="Zelda")
    episode(child, T0, length=100 * HOURS, episode_id="POLICE-SECRET")
    (task,) = triggers.evaluate("cron", child, NOW)
    event = AuditEvent.objects.get(action="meetings.task_raised")
    assert event.object_id == str(task.pk)
    assert event.actor_name == "cron"
    assert "POLICE-SECRET" not in str(event.details) and "Zelda" not in str(event.details)
    assert list(event.subjects.values_list("child_pk", flat=True)) == [child.pk]


def test_the_command_raises_tasks_for_every_child_once():
    children = [ChildFactory() for _ in range(3)]
    for child in children:
        episode(child, T0, length=100 * HOURS)
    ChildFactory()  # never missing
    out = io.StringIO()

    call_command("raise_meeting_tasks", "--batch-size", "2", stdout=out)
    call_command("raise_meeting_tasks", stdout=io.StringIO())

    assert "Meeting tasks raised or joined: 3" in out.getvalue()
    assert sorted(MeetingTask.objects.values_list("child_id", flat=True)) == sorted(
        child.pk for child in children
    )


def test_evaluating_everyone_with_nothing_new_takes_a_few_queries_per_batch(
    django_assert_max_num_queries,
):
    for _ in range(30):
        child = ChildFactory()
        episode(child, T0, length=100 * HOURS)
        three_starting(child, 100 * HOURS)
    triggers.evaluate_all("test", NOW)
    assert MeetingTask.objects.count() == 30

    # Two batches of 20: per batch the ids, long episodes, windows, their links; then the
    # empty batch that ends the paging.
    with django_assert_max_num_queries(2 * 4 + 1):
        assert triggers.evaluate_all("test", NOW, batch_size=20) == []


def test_a_lookback_ignores_old_triggers(settings):
    settings.HARBOUR_MEETING_LOOKBACK_DAYS = 30
    child = ChildFactory()
    episode(child, T0, length=100 * HOURS)
    three_starting(child, 100 * HOURS)
    assert triggers.evaluate("test", child, NOW) == []
    assert len(triggers.evaluate("test", child, T0 + 20 * dt.timedelta(days=1))) == 1


def shorten_outside_the_services(episode_pk: int, length: dt.timedelta) -> None:
    """As an import or a restore would: the episode changes with no service to re-judge it."""
    from harbour.missing.models import Episode

    row = Episode.objects.get(pk=episode_pk)
    Episode.objects.filter(pk=episode_pk).update(
        ended_at=row.started_at + length,
        ended_epoch=row.started_epoch + int(length.total_seconds()),
    )


def test_the_command_withdraws_a_task_whose_episode_was_shortened_outside_the_services():
    child = ChildFactory()
    long_one = episode(child, T0, length=100 * HOURS)
    (task,) = triggers.evaluate("cron", child, NOW)
    shorten_outside_the_services(long_one.pk, 12 * HOURS)
    out = io.StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("raise_meeting_tasks", stdout=out)

    task.refresh_from_db()
    assert task.closed_because == "WITHDRAWN" and task.closed_at is not None
    assert "Meeting tasks withdrawn: 1" in out.getvalue()
    assert AuditEvent.objects.filter(
        action="meetings.task_withdrawn", object_id=str(task.pk)
    ).exists()


def test_the_command_leaves_a_task_whose_meeting_was_requested():
    child = ChildFactory()
    long_one = episode(child, T0, length=100 * HOURS)
    (task,) = triggers.evaluate("cron", child, NOW)
    services.request_meeting("test", task, requested_on=NOW.date(), version=task.version)
    shorten_outside_the_services(long_one.pk, 12 * HOURS)

    with time_machine.travel(NOW, tick=False):
        call_command("raise_meeting_tasks", stdout=io.StringIO())

    task.refresh_from_db()
    assert task.closed_because != "WITHDRAWN"
