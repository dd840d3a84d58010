"""The import's own lookup of referenced records gives what the ORM would."""

import pytest

from harbour.interchange.importer import _lookup, import_folder
from harbour.interchange.tables import TABLES

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
