"""On SQLite a batch of rows is stored in statements of many rows each (Upsert.execute),
as many as the statement's parameters allow, and stores exactly what one row at a time
would."""

import pytest
from django.db import connection

from harbour.interchange import upsert
from harbour.interchange.importer import import_folder
from harbour.interchange.tables import TABLES_BY_FILE
from harbour.interchange.upsert import Upsert
from harbour.missing.models import Episode

from .folders import VALID
from .snapshot import register_snapshot

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL stores by COPY"),
]

EPISODES = 7


def _folder(changed: str = "") -> dict[str, str]:
    """VALID with seven more episodes of C1 (their found location `changed` on a re-run)."""
    rows = "".join(
        f"        X{n},C1,MISSING,2019-0{n}-01T10:00,,,2019-0{n}-02T10:00,LOW,Park{changed}\n"
        for n in range(1, EPISODES + 1)
    )
    return {**VALID, "episodes.csv": VALID["episodes.csv"] + rows}


def test_a_batch_is_stored_in_statements_of_many_rows(write_folder, monkeypatch):
    monkeypatch.setattr(upsert, "SQLITE_ROWS_PER_STATEMENT", 4)
    # The upsert goes to the driver's cursor, past Django's record of queries: SQLite's own
    # trace sees every statement it runs.
    statements: list[str] = []
    connection.ensure_connection()
    connection.connection.set_trace_callback(statements.append)
    try:
        result = import_folder(write_folder(_folder()), parallel=False)
    finally:
        connection.connection.set_trace_callback(None)

    assert result.ok, result.errors
    # Ten episodes in one batch: 4 + 4 + 2.
    inserts = [sql for sql in statements if sql.startswith('INSERT INTO "missing_episode"')]
    rows = [sql.count("'MISSING'") + sql.count("'ABSENT'") for sql in inserts]
    assert rows == [4, 4, 2]
    assert Episode.objects.count() == 3 + EPISODES


def test_statements_of_many_rows_store_what_one_row_at_a_time_would(write_folder, monkeypatch):
    # A first import creates the records, a second (every found location changed)
    # updates them: both ways of the upsert, with rows left over after the full groups.
    first, second = write_folder(_folder()), write_folder(_folder(changed=" gates"))
    monkeypatch.setattr(upsert, "SQLITE_ROWS_PER_STATEMENT", 1)
    assert import_folder(first, parallel=False).ok
    assert import_folder(second, parallel=False).ok
    one_at_a_time = register_snapshot()
    for table in reversed(list(TABLES_BY_FILE.values())):
        table.model._default_manager.all().delete()

    monkeypatch.setattr(upsert, "SQLITE_ROWS_PER_STATEMENT", 3)
    assert import_folder(first, parallel=False).ok
    assert import_folder(second, parallel=False).ok

    assert register_snapshot() == one_at_a_time
    assert set(
        Episode.objects.filter(episode_id__startswith="X").values_list("found_location", flat=True)
    ) == {"Park gates"}


def test_a_statement_has_no_more_parameters_than_sqlite_allows(monkeypatch):
    table = TABLES_BY_FILE["episodes.csv"]
    writer = Upsert(table, table.column_names)
    monkeypatch.setattr(upsert, "_sqlite_parameter_limit", lambda: 3 * writer.width + 1)

    assert writer._sqlite_rows_per_statement() == 3
