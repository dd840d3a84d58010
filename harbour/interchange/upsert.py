"""The statement that stores a file's rows, and each row's parameters for it.

One INSERT ... ON CONFLICT DO UPDATE per file (the same SQL on SQLite 3.24+ and
PostgreSQL): on SQLite its VALUES hold a group of rows, on PostgreSQL it reads a batch
from a scratch table filled by COPY (or, in the first load of an empty table, the batch is
copied straight into it: Upsert.execute). Values are adapted for the driver column by column:
the ORM's bulk_create spends most of its time preparing values field by field; this
prepares them once per column kind. Building parameters needs no database, so the reader
does it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.options import Options

from harbour.common.codes import store_codes
from harbour.common.time import UTC

from .tables import Table

SQLITE_ROWS_PER_STATEMENT = 500


class Upsert:
    def __init__(self, table: Table, present: tuple[str, ...]) -> None:
        self.model = table.model
        meta = table.model._meta
        references = {ref.column: ref.field for ref in table.references}
        self.derive_columns = getattr(table.model, "derive_columns", _nothing_derived)
        stored = tuple(column for column in table.columns if not column.linked)
        column_fields = [
            _column_field(meta, references.get(column.name, column.model_field))
            for column in stored
        ]
        fields = (
            column_fields
            + [_column_field(meta, name) for name in table.derived]
            + [_column_field(meta, name) for name in table.created_with]
        )
        self.created_with = dict(table.created_with)
        # (column, model field, what an empty cell stores, whether a code list) for each
        # column of the table.
        self.columns = [
            (column.name, field.name, None if field.null else _empty(column.empty), column.multi)
            for column, field in zip(stored, column_fields, strict=True)
        ]
        # The rows' values in the statement's order, column by column, read in one call;
        # then the few columns that the driver needs in another form are adapted.
        assert len(fields) > 1  # itemgetter of one name would give the value, not a tuple
        self.in_order = operator.itemgetter(*(field.name for field in fields))
        self.adapters = [
            (position, adapt)
            for position, field in enumerate(fields)
            if (adapt := _adapter(field)) is not None
        ]
        # Where each reference's primary key goes in a row's parameters.
        self.reference_slots = [
            (ref.column, [field.name for field in fields].index(ref.field))
            for ref in table.references
        ]
        # A column the file leaves out keeps its stored value, and so does what is derived
        # from it; the key is what the conflict is on. Values the format does not carry
        # (created_with) are set on new records only.
        update = [
            field
            for column, field in zip(stored, column_fields, strict=True)
            if column.name in present and column.name not in table.key
        ] + [
            _column_field(meta, name) for name, source in table.derived.items() if source in present
        ]
        quote = connection.ops.quote_name

        def quote_column(field: models.Field[Any, Any]) -> str:
            assert field.column is not None  # every field here is a stored column
            return quote(field.column)

        columns = ", ".join(quote_column(field) for field in fields)
        target = ", ".join(quote_column(_column_field(meta, name)) for name in table.unique_fields)
        if update:
            action = "DO UPDATE SET " + ", ".join(
                f"{quote_column(field)} = EXCLUDED.{quote_column(field)}" for field in update
            )
        else:
            action = "DO NOTHING"
        # One row's placeholders on SQLite, in the driver's own style (see execute); a
        # statement lists as many as it stores rows.
        self.row_placeholders = "(" + ", ".join(["?"] * len(fields)) + ")"
        # Identifiers come from the models and are quoted; every value is a parameter.
        self.sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) {{rows}} "
            f"ON CONFLICT ({target}) {action}"
        )
        # PostgreSQL: a temporary table with the same columns, gone at the end of the
        # transaction.
        self.column_list = columns
        self.table = quote(meta.db_table)
        self.scratch = quote(f"import_{meta.db_table}")
        self.create_scratch = (
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.scratch} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {quote(meta.db_table)} WITH NO DATA"
        )
        self.from_scratch = f"SELECT {columns} FROM {self.scratch}"  # noqa: S608
        self._scratch_made = False
        # The columns' types (their oids), once read from the table.
        self._column_types: list[int] | None = None
        self.width = len(fields)
        self._sqlite_statements: dict[int, str] = {}

    def _sqlite_rows_per_statement(self) -> int:
        """As many rows as one statement's parameters allow, up to SQLITE_ROWS_PER_STATEMENT."""
        return max(1, min(SQLITE_ROWS_PER_STATEMENT, _sqlite_parameter_limit() // self.width))

    def _sqlite_statement(self, rows: int) -> str:
        """The upsert of `rows` rows in one statement.

        One statement of many rows instead of one per row: SQLite then updates the table's
        AUTOINCREMENT counter and steps through a statement once per group rather than once
        per row. 100,000 episodes were stored in 0.31 s rather than 0.75 s, 200 rows a
        statement (docs/performance.md). The reader refuses a key repeated in a file, so no
        two rows of one statement are one record."""
        statement = self._sqlite_statements.get(rows)
        if statement is None:
            values = ", ".join([self.row_placeholders] * rows)
            statement = self.sql.format(rows=f"VALUES {values}")
            self._sqlite_statements[rows] = statement
        return statement

    def params(self, columns: Mapping[str, Sequence[Any]], count: int) -> list[list[Any]]:
        """The parameters of `count` rows from their values given column by column (by the
        table's column names, every one, None where empty); each reference's slot holds its
        key until it is resolved.

        Column by column: a column is converted with one call (map) rather than a call for
        each value, and the derived fields are computed a column at a time
        (Record.derive_columns)."""
        fields: dict[str, Sequence[Any]] = {}
        for name, field_name, empty, multi in self.columns:
            values = columns[name]
            if multi:
                values = [empty if codes is None else store_codes(codes) for codes in values]
            elif empty is not None:
                values = [empty if value is None else value for value in values]
            fields[field_name] = values
        for field_name, value in self.created_with.items():
            fields[field_name] = [value] * count
        fields.update(self.derive_columns(fields))
        ordered = list(self.in_order(fields))
        for position, adapt in self.adapters:
            ordered[position] = adapt(ordered[position])
        return list(map(list, zip(*ordered, strict=True)))

    def execute(self, cursor: Any, rows: list[list[Any]], *, into_empty: bool = False) -> None:
        """SQLite stores many rows with each statement (see _sqlite_statement). PostgreSQL
        pays a round trip, parsing and planning per statement, so its rows are streamed
        with COPY into a scratch table and upserted from there in one statement.

        `into_empty`: the table held no records when the file began, and no other session
        can write it until the import commits (bulk.BulkLoad). Its records are then the
        file's rows, whose keys the reader has made sure are all different, so no row can
        conflict with another: on PostgreSQL they are copied straight into the table,
        which does the work of the scratch table's upsert in half the time."""
        if connection.vendor == "sqlite":
            per_statement = self._sqlite_rows_per_statement()
            # Straight to the driver's cursor, with its own "?" placeholders: Django's turns
            # each "%s" into "?" with a regular expression on every call, which on
            # statements of 500 rows took a tenth of the writer's time (docs/performance.md).
            # Its errors are made Django's here, as its own cursor would.
            driver_cursor = cursor.cursor
            with connection.wrap_database_errors:
                for start in range(0, len(rows), per_statement):
                    group = rows[start : start + per_statement]
                    sqlite3.Cursor.execute(
                        driver_cursor,
                        self._sqlite_statement(len(group)),
                        list(itertools.chain.from_iterable(group)),
                    )
            return
        if into_empty:
            self._copy(cursor, self.table, rows)
            return
        if not self._scratch_made:
            cursor.execute(self.create_scratch)
            self._scratch_made = True
        cursor.execute(f"TRUNCATE {self.scratch}")
        self._copy(cursor, self.scratch, rows)
        cursor.execute(self.sql.format(rows=self.from_scratch))

    def _copy(self, cursor: Any, table: str, rows: list[list[Any]]) -> None:
        if self._column_types is None:
            # The table's and the scratch table's columns are of the same types. An instant
            # comes as its microseconds (_postgresql_instants), which binary COPY reads
            # exactly as it reads a timestamptz: so it is written as the 8-byte integer it is.
            cursor.execute(f"SELECT {self.column_list} FROM {self.table} LIMIT 0")  # noqa: S608
            self._column_types = [
                _INT8 if column.type_code == _TIMESTAMPTZ else column.type_code
                for column in cursor.description
            ]
        # Binary, with each column's type given once: psycopg then writes each value with
        # the one dumper its column needs rather than choosing one per value, three times
        # faster than text. The driver's own cursor copies, so its errors are made Django's
        # here (a refused row is an IntegrityError, as from any other statement).
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(
                f"COPY {table} ({self.column_list}) FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            copy.set_types(self._column_types)
            for row in rows:
                copy.write_row(row)


def _sqlite_parameter_limit() -> int:
    """The most parameters one statement may have on this SQLite connection."""
    return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def _nothing_derived(columns: Any) -> dict[str, Any]:
    return {}


def _empty(value: Any) -> Any:
    """What an empty cell stores in a field that cannot be NULL: "" unless declared."""
    return "" if value is None else value


def _column_field(meta: Options[Any], name: str) -> models.Field[Any, Any]:
    field = meta.get_field(name)
    assert isinstance(field, models.Field)  # a column of the table, never a reverse relation
    return field


def _sqlite_instants(values: Sequence[dt.datetime | None]) -> list[str | None]:
    # 'YYYY-MM-DD HH:MM:SS[.ffffff]' from the UTC date and the time without its zone:
    # twice as fast as the aware isoformat less its offset, which asks the zone each time.
    in_utc = [
        value if value is None or value.tzinfo is UTC else value.astimezone(UTC) for value in values
    ]
    return [
        None if value is None else f"{value.date().isoformat()} {value.time().isoformat()}"
        for value in in_utc
    ]


# PostgreSQL's type oids (pg_type): a timestamptz, and the integer it is sent as in binary.
_TIMESTAMPTZ = 1184
_INT8 = 20
# The instant from which PostgreSQL counts a timestamptz's microseconds.
_POSTGRESQL_EPOCH = dt.datetime(2000, 1, 1, tzinfo=UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def _postgresql_instants(values: Sequence[dt.datetime | None]) -> list[int | None]:
    """Instants as PostgreSQL's binary COPY reads a timestamptz: whole microseconds since
    2000-01-01T00:00Z. The reader's process sends them as integers, which pickle in a few
    bytes, where a datetime pickles as a call to its class with its zone."""
    return [
        None if value is None else (value - _POSTGRESQL_EPOCH) // _MICROSECOND for value in values
    ]


def _sqlite_dates(values: Sequence[dt.date | None]) -> list[str | None]:
    return [None if value is None else value.isoformat() for value in values]


def _adapter(field: models.Field) -> Callable[[Sequence[Any]], list[Any]] | None:
    """How a column of Python values of this field is passed to the database driver
    (None: as it is).

    psycopg takes dates as they are; instants go as their microseconds (_postgresql_instants:
    at a million episodes the import took 3 % less time than with datetimes, which cost more
    to pickle). Django stores dates and instants on SQLite as text: dates as YYYY-MM-DD and
    instants as naive UTC 'YYYY-MM-DD HH:MM:SS' (what its adapt_datetimefield_value does,
    without the per-value overhead).
    """
    kind = field.get_internal_type()
    if connection.vendor == "postgresql":
        return _postgresql_instants if kind == "DateTimeField" else None
    if connection.vendor != "sqlite":
        return None
    if kind == "DateTimeField":
        return _sqlite_instants
    if kind == "DateField":
        return _sqlite_dates
    return None
