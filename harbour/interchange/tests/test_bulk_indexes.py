"""A large file into an empty table is written with the table's secondary indexes (and on
PostgreSQL its foreign keys) set aside and made again after it (bulk.py); the register
and the schema end exactly as they would otherwise."""

import pytest
from django.db import connection

from harbour.children.models import Child
from harbour.interchange import bulk, upsert
from harbour.interchange.importer import import_folder
from harbour.interchange.tables import TABLES
from harbour.missing.models import Episode

from .folders import VALID, with_changes
from .snapshot import register_snapshot

pytestmark = pytest.mark.django_db

EPISODE_INDEXES = {index.name for index in Episode._meta.indexes}
CHILD_INDEXES = {index.name for index in Child._meta.indexes}


def _indexes(model) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name for name, about in constraints.items() if about["index"]}


def _postgresql_schema(model) -> set[tuple[str, str]]:
    """Every index and constraint of the model's table as PostgreSQL itself defines it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = %s::regclass "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass",
            [model._meta.db_table] * 2,
        )
        return set(cursor.fetchall())


def _foreign_keys(model) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name for name, about in constraints.items() if about["foreign_key"]}


def _while_writing(monkeypatch, read) -> dict[str, set[str]]:
    """What `read(model)` gave for each table each time its rows were written, by table."""
    seen: dict[str, set[str]] = {}
    real_execute = upsert.Upsert.execute

    def execute(self, cursor, rows, **options):
        model = self.model
        seen.setdefault(model._meta.db_table, set()).update(read(model))
        return real_execute(self, cursor, rows, **options)

    monkeypatch.setattr(upsert.Upsert, "execute", execute)
    return seen


@pytest.fixture
def indexes_while_writing(monkeypatch):
    return _while_writing(monkeypatch, _indexes)


@pytest.fixture
def foreign_keys_while_writing(monkeypatch):
    return _while_writing(monkeypatch, _foreign_keys)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL sets aside more (bulk.py)"
)


def test_a_large_file_into_an_empty_table_is_written_without_its_indexes_then_indexed(
    write_folder, monkeypatch, indexes_while_writing
):
    monkeypatch.setattr(bulk, "BULK_ROWS", 2)  # VALID's three episodes count as large
    before = _indexes(Episode)
    assert before >= EPISODE_INDEXES

    result = import_folder(write_folder(VALID))

    assert result.ok, result.errors
    assert not indexes_while_writing["missing_episode"] & EPISODE_INDEXES
    assert not indexes_while_writing["children_child"] & CHILD_INDEXES
    assert _indexes(Episode) == before
    assert Episode.objects.count() == 3


def test_the_register_is_the_same_whether_or_not_indexes_were_set_aside(write_folder, monkeypatch):
    folder = write_folder(VALID)
    assert import_folder(folder).ok
    in_place = register_snapshot()
    for table in reversed(TABLES):
        table.model._default_manager.all().delete()

    monkeypatch.setattr(bulk, "BULK_ROWS", 2)
    assert import_folder(folder).ok

    assert register_snapshot() == in_place


def test_a_small_file_is_written_into_its_indexes_as_it_comes(write_folder, indexes_while_writing):
    assert import_folder(write_folder(VALID)).ok  # three rows: far below BULK_ROWS

    assert indexes_while_writing["missing_episode"] >= EPISODE_INDEXES


def test_a_table_already_holding_records_keeps_its_indexes_while_written(
    write_folder, monkeypatch, indexes_while_writing
):
    folder = write_folder(VALID)
    assert import_folder(folder).ok
    indexes_while_writing.clear()
    monkeypatch.setattr(bulk, "BULK_ROWS", 2)

    assert import_folder(folder).ok

    assert indexes_while_writing["missing_episode"] >= EPISODE_INDEXES


def test_a_refused_import_leaves_every_index_in_place(write_folder, monkeypatch):
    monkeypatch.setattr(bulk, "BULK_ROWS", 2)
    before = _indexes(Episode), _indexes(Child)
    folder = with_changes(
        return_interviews="""\
            episode_id,outcome
            E9,ACCEPTED
            """
    )

    result = import_folder(write_folder(folder))

    assert not result.ok
    assert (_indexes(Episode), _indexes(Child)) == before
    assert Episode.objects.count() == 0


@postgresql_only
def test_on_postgresql_every_secondary_index_and_foreign_key_is_set_aside_then_made_again(
    write_folder, monkeypatch, indexes_while_writing, foreign_keys_while_writing
):
    monkeypatch.setattr(bulk, "BULK_ROWS", 2)
    before = _postgresql_schema(Episode), _postgresql_schema(Child)
    assert _foreign_keys(Episode)

    assert import_folder(write_folder(VALID)).ok

    # Written with no index but those of its constraints (the primary key and the unique
    # key, which ON CONFLICT and the lookups need): Django's LIKE index on episode_id went
    # too.
    assert any("varchar_pattern_ops" in definition for _, definition in before[0])
    assert indexes_while_writing["missing_episode"] == set()
    assert not foreign_keys_while_writing["missing_episode"]
    assert (_postgresql_schema(Episode), _postgresql_schema(Child)) == before


@postgresql_only
def test_on_postgresql_a_refused_import_leaves_every_foreign_key_in_place(
    write_folder, monkeypatch
):
    monkeypatch.setattr(bulk, "BULK_ROWS", 2)
    before = _postgresql_schema(Episode)
    folder = with_changes(
        return_interviews="""\
            episode_id,outcome
            E9,ACCEPTED
            """
    )

    assert not import_folder(write_folder(folder)).ok

    assert _postgresql_schema(Episode) == before


def test_a_large_file_after_a_small_one_it_refers_to_is_written(write_folder, monkeypatch):
    # Only episodes.csv is large: dropping its foreign key alters the children's table,
    # whose rows, just written, still await their deferred checks on PostgreSQL.
    monkeypatch.setattr(bulk, "BULK_ROWS", 4)
    folder = with_changes(
        episodes="""\
            episode_id,child_id,category,started_at,ended_at
            E1,C1,MISSING,2019-10-26T20:30Z,2019-10-27T20:30Z
            E2,C2,ABSENT,2019-03-31T00:20Z,
            E3,C3,MISSING,2019-06-01T10:00Z,2019-06-04T10:00Z
            E4,C3,MISSING,2019-07-01T10:00Z,
            """
    )

    result = import_folder(write_folder(folder))

    assert result.ok, result.errors
    assert Episode.objects.count() == 4


@postgresql_only
def test_on_postgresql_a_table_written_since_it_was_found_empty_is_not_bulk_loaded(
    write_folder,
):
    assert import_folder(write_folder(VALID)).ok  # as if another session had written
    before = _postgresql_schema(Episode)

    assert not bulk.BulkLoad(Episode).begin()

    assert _postgresql_schema(Episode) == before
