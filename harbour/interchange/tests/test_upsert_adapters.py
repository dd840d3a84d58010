"""The upsert writes dates and instants as Django itself stores them on SQLite."""

import datetime as dt

import pytest
from django.db import connection

from harbour.common.time import UTC
from harbour.interchange.upsert import _sqlite_dates, _sqlite_instants

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="these text forms are SQLite's (PostgreSQL: test_upsert_instants)",
)

INSTANTS = [
    dt.datetime(2019, 10, 26, 19, 30, tzinfo=UTC),
    dt.datetime(2019, 10, 26, 19, 30, 5, 250, tzinfo=UTC),
    dt.datetime(2019, 10, 27, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
]


@pytest.mark.parametrize("instant", INSTANTS, ids=str)
def test_an_instant_is_written_as_django_stores_it(instant):
    assert _sqlite_instants([instant]) == [connection.ops.adapt_datetimefield_value(instant)]


def test_a_date_is_written_as_django_stores_it():
    day = dt.date(2008, 2, 29)

    assert _sqlite_dates([day]) == [connection.ops.adapt_datefield_value(day)]


def test_no_value_stays_no_value():
    assert _sqlite_instants([None, INSTANTS[0], None]) == [None, "2019-10-26 19:30:00", None]
    assert _sqlite_dates([None]) == [None]
