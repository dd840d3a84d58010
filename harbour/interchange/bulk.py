"""A large file loaded into an empty table: its secondary indexes are built once, at the end,
and on PostgreSQL its foreign keys are checked once, at the end.

Each row written into an indexed table updates every index there and then, most of them
in an order unrelated to the rows' (an episode's child, its start date): at a million
episodes that is most of the database's work. Building an index once over the whole table
sorts instead, which both databases do several times faster. So, when a file of at least
BULK_ROWS rows fills a table that was empty when the file began, the table's secondary
indexes are dropped before its first row and built again after its last.

Likewise on PostgreSQL each row written into a table with a foreign key queues a check of
that key, made row by row when the constraint is checked: 0.4 s for 100,000 episodes.
Added again after the load, the constraint checks every row in one query (0.03 s). This is
what pg_restore does too: rows first, then indexes and foreign keys.

What is set aside:
- SQLite: the table's own named indexes (Meta.indexes); its foreign keys stay.
- PostgreSQL: every index of the table that is not unique and backs no constraint (the
  named indexes, and the ones Django adds for a foreign key or for LIKE on a unique text
  column), read from the catalogue with their definitions; and the table's own foreign
  keys, with theirs. Each comes back exactly as it was (pg_get_indexdef,
  pg_get_constraintdef). Only the table's owner may do this: run as the runtime role,
  the import writes into the indexes and keys as they are.

What always stays: the primary key, every unique constraint and unique index (the upsert's
ON CONFLICT and the references' lookups rely on them), and every check.

Both databases change their schema inside a transaction, so a refused import rolls the
drop back with everything else and the table keeps its indexes and keys. On PostgreSQL the
table is locked exclusively (BulkLoad.begin), and the foreign key being added holds the
tables it refers to against writes, until the import commits: other sessions wait rather
than read an empty table, which is what a first load of a council's records is
(docs/deployment.md).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models

# Below this, rows go into the indexes as they come: the rebuild would save nothing.
BULK_ROWS = 10_000

# The table's indexes that are not unique and back no constraint, with their definitions.
_SECONDARY_INDEXES = """
    SELECT index.relname, pg_get_indexdef(index.oid)
    FROM pg_index
    JOIN pg_class AS index ON index.oid = pg_index.indexrelid
    WHERE pg_index.indrelid = %s::regclass
      AND NOT pg_index.indisunique
      AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE pg_constraint.conindid = index.oid)
    ORDER BY index.relname
"""

_OWNED = "SELECT pg_has_role(relowner, 'MEMBER') FROM pg_class WHERE oid = %s::regclass"

_FOREIGN_KEYS = """
    SELECT conname, pg_get_constraintdef(oid)
    FROM pg_constraint
    WHERE conrelid = %s::regclass AND contype = 'f'
    ORDER BY conname
"""


class BulkLoad:
    """What one model's table sets aside for a bulk load, and puts back after it."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.restore: list[str] = []

    @classmethod
    def worth_it(cls, model: type[models.Model], rows: int, rows_stored_before: int) -> bool:
        if rows < BULK_ROWS or rows_stored_before != 0:
            return False
        # PostgreSQL: every table written has a foreign key or an index to set aside.
        return connection.vendor == "postgresql" or bool(model._meta.indexes)

    def begin(self) -> bool:
        """Set aside what the load can do without. False (and nothing set aside) if, on
        PostgreSQL, another session wrote the table after it was found empty."""
        if connection.vendor == "sqlite":
            drop, self.restore = _named_index_statements(self.model)
            _run(drop)
            return True
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            # The table is the import's alone until it commits, so that it stays empty but
            # for the file's rows: they can then be copied straight in (upsert.py), having
            # nothing to conflict with. (LOCK needs no more than the runtime role's rights.)
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608
            if cursor.fetchone()[0]:
                return False
            # Only the table's owner may drop its indexes and keys: the runtime role
            # (docs/deployment.md, "Database roles") writes into them as they are.
            cursor.execute(_OWNED, [table])
            if not cursor.fetchone()[0]:
                return True
        # Dropping a foreign key alters the table it refers to as well, and PostgreSQL
        # alters no table with rows still awaiting their deferred checks (an earlier,
        # smaller file's): have them made now, as they would be at commit.
        connection.check_constraints()
        drop, self.restore = _postgresql_statements(self.model)
        _run(drop)
        return True

    def end(self) -> None:
        if not self.restore:
            return
        if connection.vendor == "postgresql":
            # Likewise (see begin): rows written since into tables whose keys stayed.
            connection.check_constraints()
        _run(self.restore)
        self.restore = []


def _postgresql_statements(model: type[models.Model]) -> tuple[list[str], list[str]]:
    """(what drops the table's secondary indexes and foreign keys, what makes them again)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        # The table's name as an identifier, quoted, for ::regclass to read.
        cursor.execute(_SECONDARY_INDEXES, [table])
        indexes = cursor.fetchall()
        cursor.execute(_FOREIGN_KEYS, [table])
        keys = cursor.fetchall()
    drop = [f"DROP INDEX {quote(name)}" for name, _ in indexes] + [
        f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}" for name, _ in keys
    ]
    # In pg_restore's order: indexes, then foreign keys.
    restore = [definition for _, definition in indexes] + [
        f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}"
        for name, definition in keys
    ]
    return drop, restore


def _named_index_statements(model: type[models.Model]) -> tuple[list[str], list[str]]:
    editor = _editor()
    indexes = model._meta.indexes
    return (
        [str(index.remove_sql(model, editor)) for index in indexes],
        [str(index.create_sql(model, editor)) for index in indexes],
    )


def _run(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            # Statements made by Django from the model's own declarations, or by PostgreSQL
            # from its catalogue of them; no values.
            cursor.execute(statement)


def _editor() -> Any:
    # Only its SQL builders are used: entering it would start its own transaction (and,
    # on SQLite, refuse to run inside the import's). The builders look through the
    # statements an entered editor would hold back; this one holds none.
    editor = connection.schema_editor()
    editor.deferred_sql = []
    return editor
