"""A large file loaded into an empty table: its secondary indexes are built once, at the end.

Each row written into an indexed table updates every index there and then, most of them
in an order unrelated to the rows' (an episode's child, its start date): at a million
episodes that is most of the database's work. Building an index once over the whole table
sorts instead, which both databases do several times faster. So, when a file of at least
BULK_ROWS rows fills a table that was empty when the file began, the table's own named
indexes (Meta.indexes) are dropped before its first row and built again after its last.

What stays in place: the primary key and every unique constraint, which the upsert's
ON CONFLICT and the references' lookups rely on, and every check and foreign key.

Both databases change their schema inside a transaction, so a refused import rolls the
drop back with everything else and the table keeps its indexes. On PostgreSQL the dropped
index holds the table exclusively until the import commits: other sessions wait rather
than read an empty table, which is what a first load of a council's records is
(docs/deployment.md).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models

# Below this, rows go into the indexes as they come: the rebuild would save nothing.
BULK_ROWS = 10_000


class DeferredIndexes:
    """The named indexes of one model, dropped for a bulk load and built again after it."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.indexes = list(model._meta.indexes)
        self.dropped = False

    @classmethod
    def worth_it(cls, model: type[models.Model], rows: int, rows_stored_before: int) -> bool:
        return rows >= BULK_ROWS and rows_stored_before == 0 and bool(model._meta.indexes)

    def drop(self) -> None:
        self._run(index.remove_sql(self.model, _editor()) for index in self.indexes)
        self.dropped = True

    def rebuild(self) -> None:
        if not self.dropped:
            return
        if connection.vendor == "postgresql":
            # PostgreSQL builds no index on a table whose rows still await their deferred
            # foreign key checks: have them made now (as they would be at commit).
            connection.check_constraints()
        self._run(index.create_sql(self.model, _editor()) for index in self.indexes)
        self.dropped = False

    def _run(self, statements: Any) -> None:
        with connection.cursor() as cursor:
            for statement in statements:
                # Statements made by Django from the model's own declarations, no values.
                cursor.execute(str(statement))


def _editor() -> Any:
    # Only its SQL builders are used: entering it would start its own transaction (and,
    # on SQLite, refuse to run inside the import's). The builders look through the
    # statements an entered editor would hold back; this one holds none.
    editor = connection.schema_editor()
    editor.deferred_sql = []
    return editor
