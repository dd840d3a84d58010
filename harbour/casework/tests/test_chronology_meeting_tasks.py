"""A multi-agency meeting task is part of the child's story: the chronology shows it."""

import datetime as dt

import pytest

from harbour.casework.chronology import chronology
from harbour.common.tests.factories import ChildFactory, EpisodeFactory
from harbour.common.time import UTC
from harbour.meetings import triggers

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
NOW = dt.datetime(2024, 4, 1, 9, 0, tzinfo=UTC)


def three_missing_episodes(child):
    for days in (0, 10, 20):
        start = T0 + dt.timedelta(days=days)
        EpisodeFactory(child=child, started_at=start, ended_at=start + dt.timedelta(hours=5))


def test_the_chronology_shows_a_meeting_required_with_its_trigger_and_due_date():
    child = ChildFactory()
    three_missing_episodes(child)
    (task,) = triggers.evaluate("test", child, NOW)

    (entry,) = chronology(child, kinds=["meeting_tasks"])

    assert entry.when == NOW
    assert entry.title == "Multi-agency meeting required"
    assert entry.detail == (
        f"Third missing episode within 90 days. Meeting due by {task.due_on.day} "
        f"{task.due_on:%B %Y}"
    )


def test_a_meeting_required_outside_the_period_is_left_out():
    child = ChildFactory()
    three_missing_episodes(child)
    triggers.evaluate("test", child, NOW)

    assert chronology(child, kinds=["meeting_tasks"], last=dt.date(2024, 3, 31)) == []
    assert len(chronology(child, kinds=["meeting_tasks"], first=dt.date(2024, 4, 1))) == 1
