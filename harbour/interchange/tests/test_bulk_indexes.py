"""A large file into an empty table is written with the table's named indexes set aside
and built again after it (bulk.py); the register ends exactly as it would otherwise."""

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


@pytest.fixture
def indexes_while_writing(monkeypatch):
    """The named indexes each table had when its rows were written, by table."""
    seen: dict[str, set[str]] = {}
    real_execute = upsert.Upsert.execute

    def execute(self, cursor, rows):
        model = self.model
        seen.setdefault(model._meta.db_table, set()).update(_indexes(model))
        return real_execute(self, cursor, rows)

    monkeypatch.setattr(upsert.Upsert, "execute", execute)
    return seen


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
