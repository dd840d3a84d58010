"""On PostgreSQL an instant travels from the reader as the microseconds binary COPY reads
for a timestamptz (upsert._postgresql_instants), and is stored as exactly that instant."""

import datetime as dt

import pytest
from django.db import connection

from harbour.common.time import UTC
from harbour.interchange.importer import import_folder
from harbour.interchange.upsert import _postgresql_instants
from harbour.missing.models import Episode

from .folders import VALID

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite is sent text"),
]

BST = dt.timezone(dt.timedelta(hours=1))
INSTANTS = [
    dt.datetime(2000, 1, 1, tzinfo=UTC),
    dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
    dt.datetime(1970, 1, 1, tzinfo=UTC),
    dt.datetime(2019, 10, 27, 1, 30, tzinfo=BST),
    dt.datetime(2019, 10, 27, 1, 30, 0, 250, tzinfo=UTC),
    dt.datetime(2038, 1, 19, 3, 14, 8, 999_999, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
]


@pytest.mark.parametrize("instant", INSTANTS, ids=str)
def test_an_instant_is_sent_as_postgresql_counts_its_microseconds(instant):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (EXTRACT(EPOCH FROM %s::timestamptz - '2000-01-01T00:00Z'::timestamptz)"
            " * 1000000)::bigint",
            [instant],
        )
        assert _postgresql_instants([instant]) == [cursor.fetchone()[0]]


def test_no_instant_stays_no_instant():
    assert _postgresql_instants([None, dt.datetime(2000, 1, 1, 0, 0, 1, tzinfo=UTC)]) == [
        None,
        1_000_000,
    ]


def test_imported_instants_are_stored_exactly_around_the_epoch_and_a_clock_change(write_folder):
    folder = {
        **VALID,
        "children.csv": VALID["children.csv"] + "        C9,Old,Record,1990-01-01,F,\n",
        "episodes.csv": VALID["episodes.csv"]
        # Before PostgreSQL's epoch (a negative count), and 01:30 twice on the night the
        # clocks went back: first in summer time, then in winter time.
        + "        E9,C9,MISSING,1999-12-31T23:59:59Z,2019-10-27T01:30+01:00,"
        "2019-10-27T01:30Z,2000-01-01T00:00:01Z,,\n",
    }

    result = import_folder(write_folder(folder), parallel=False)

    assert result.ok, result.errors
    episode = Episode.objects.get(episode_id="E9")
    assert episode.started_at == dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert episode.reported_at == dt.datetime(2019, 10, 27, 0, 30, tzinfo=UTC)
    assert episode.notified_at == dt.datetime(2019, 10, 27, 1, 30, tzinfo=UTC)
    assert episode.ended_at == dt.datetime(2000, 1, 1, 0, 0, 1, tzinfo=UTC)
