"""Open episodes are found through the open-episodes index, not by reading every episode.

SQLite keeps no statistics here, so its planner cannot tell that the partial index of open
episodes is small; these tests hold the index's shape that makes the seek its first
choice anyway (docs/performance.md, "The open episodes' index")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from harbour.authorities import queries as ola_queries
from harbour.children.models import Child
from harbour.common.tests.plans import sqlite_plan
from harbour.missing.models import Episode

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan"),
]

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def test_open_episodes_are_sought_in_the_open_index() -> None:
    plan = sqlite_plan(Episode.objects.open().values_list("pk", flat=True))

    assert "USING COVERING INDEX episode_open (ended_at=?)" in plan, plan


def test_open_episodes_newest_first_need_no_sort() -> None:
    plan = sqlite_plan(Episode.objects.open().order_by("-started_on")[:50])

    assert "USING INDEX episode_open (ended_at=?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_the_ola_list_reads_no_index_of_every_episode_for_its_open_ones() -> None:
    rows = ola_queries.filtered(ola_queries.ola_episodes(Child.objects.all(), NOW), now=NOW)

    plan = sqlite_plan(rows)

    assert "episode_open (ended_at=?)" in plan, plan
    assert "SCAN U0 USING COVERING INDEX episode_ended_epoch" not in plan, plan
