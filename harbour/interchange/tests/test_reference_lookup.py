"""The import's own lookup of referenced records gives what the ORM would."""

import datetime as dt

import pytest

from harbour.common.tests.factories import ChildFactory, EpisodeFactory
from harbour.common.time import UTC
from harbour.interchange.importer import _lookup, import_folder
from harbour.interchange.tables import TABLES, TABLES_BY_FILE

from .folders import VALID

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "table",
    [table for table in TABLES if table.lookup_fields and table.file_name in VALID],
    ids=lambda t: t.file_name,
)
def test_lookup_reads_records_as_the_orm_does(write_folder, table):
    assert import_folder(write_folder(VALID)).ok
    key = table.columns[0].model_field
    expected = {
        record[key]: record
        for record in table.model._default_manager.values(key, "pk", *table.lookup_fields)
    }
    assert expected
    keys = {*expected, "NOT-A-KEY"}

    found = _lookup(table, keys)

    assert found == expected
    for record in found.values():
        for name in table.lookup_fields:
            value = record[name]
            orm = expected[record[key]][name]
            assert type(value) is type(orm)  # an aware datetime on SQLite too, not text


def test_lookup_reads_an_instant_with_microseconds_and_a_missing_one_as_the_orm_does():
    # Records made in the app carry microseconds; an open episode has no end.
    ended = EpisodeFactory(
        started_at=dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        ended_at=dt.datetime(2026, 3, 29, 1, 15, 7, 123456, tzinfo=UTC),
    )
    still_open = EpisodeFactory(ended_at=None)
    table = TABLES_BY_FILE["episodes.csv"]

    found = _lookup(table, {ended.episode_id, still_open.episode_id})

    assert found[ended.episode_id]["ended_at"] == ended.ended_at
    assert found[ended.episode_id]["ended_at"].utcoffset() == dt.timedelta(0)
    assert found[still_open.episode_id]["ended_at"] is None
    assert found[ended.episode_id]["pk"] == ended.pk


def test_lookup_reads_a_child_s_date_of_birth_as_a_date():
    child = ChildFactory(date_of_birth=dt.date(2010, 2, 28))

    found = _lookup(TABLES_BY_FILE["children.csv"], {child.child_id})

    assert found[child.child_id]["date_of_birth"] == dt.date(2010, 2, 28)
    assert type(found[child.child_id]["date_of_birth"]) is dt.date
