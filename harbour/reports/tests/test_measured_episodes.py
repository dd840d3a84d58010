"""How the reports' group query reaches the period's episodes, by database
(engine._measured_episodes; docs/performance.md)."""

import datetime as dt

import pytest
from django.db import connection

from harbour.common.tests.factories import EpisodeFactory
from harbour.common.time import UTC
from harbour.reports import engine
from harbour.reports.periods import Period

pytestmark = pytest.mark.django_db

SELECTED_BY_ID = '"missing_episode"."id" IN (SELECT'


def test_the_period_is_read_directly_on_postgresql_and_through_its_ids_on_sqlite():
    sql = str(engine._measured_episodes(Period.financial_year(2021), False).query)

    if connection.vendor == "postgresql":
        # A bitmap of the period's rows is read in page order already; the ids' detour
        # read every episode twice.
        assert SELECTED_BY_ID not in sql
    else:
        # SQLite then visits the rows in rowid order, a third cheaper at a million.
        assert SELECTED_BY_ID in sql


@pytest.mark.parametrize("include_absences", [False, True])
def test_either_way_the_measured_episodes_are_the_periods(include_absences):
    inside = [
        EpisodeFactory(started_at=dt.datetime(2021, 4, 1, 9, tzinfo=UTC)),
        EpisodeFactory(started_at=dt.datetime(2022, 3, 31, 22, tzinfo=UTC), category="ABSENT"),
    ]
    # Before the year, and after it by local date (23:30 UTC is 00:30 on 1 April BST).
    EpisodeFactory(started_at=dt.datetime(2021, 3, 31, 22, tzinfo=UTC))
    EpisodeFactory(started_at=dt.datetime(2022, 3, 31, 23, 30, tzinfo=UTC))
    period = Period.financial_year(2021)

    measured = engine._measured_episodes(period, include_absences)

    expected = {e.pk for e in inside if include_absences or e.category == "MISSING"}
    assert set(measured.values_list("pk", flat=True)) == expected
