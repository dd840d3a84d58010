"""Database triggers that refuse UPDATE and DELETE on the audit trail's tables.

Installed by migration 0002 and again after every `migrate` (post_migrate), because
SQLite drops a table's triggers when Django rebuilds the table to alter it. On PostgreSQL
the trigger function raises; on SQLite the trigger calls RAISE(ABORT). Either way the
statement fails with a DatabaseError and changes nothing.

TRUNCATE is not refused: `manage.py flush` (and the test runner, between transactional
tests) empties every table with it on PostgreSQL. On SQLite, flush deletes rows, so the
audit app's `flush` command suspends the triggers while it runs. In production, the
database role the application uses should not own the tables (docs/audit.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

TABLES = ("audit_auditevent", "audit_auditsubject")
MESSAGE = "the audit trail is append-only"

_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION harbour_audit_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _trigger_names(table: str) -> tuple[str, str]:
    return f"{table}_no_update", f"{table}_no_delete"


def install_sql(vendor: str) -> list[str]:
    statements: list[str] = []
    if vendor == "postgresql":
        statements.append(_POSTGRES_FUNCTION)
        for table in TABLES:
            name = f"{table}_append_only"
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            statements.append(
                f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION harbour_audit_refuse()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            no_update, no_delete = _trigger_names(table)
            for name, operation in ((no_update, "UPDATE"), (no_delete, "DELETE")):
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {operation} on {table} refused'); "
                    "END"
                )
    return statements


def remove_sql(vendor: str) -> list[str]:
    statements: list[str] = []
    if vendor == "postgresql":
        statements = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES]
    elif vendor == "sqlite":
        statements = [
            f"DROP TRIGGER IF EXISTS {name}" for table in TABLES for name in _trigger_names(table)
        ]
    return statements


def _execute(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection: BaseDatabaseWrapper) -> None:
    """Install (or replace) the triggers, if the audit tables exist yet."""
    if set(TABLES) <= set(connection.introspection.table_names()):
        _execute(connection, install_sql(connection.vendor))


def remove(connection: BaseDatabaseWrapper) -> None:
    _execute(connection, remove_sql(connection.vendor))


def installed(connection: BaseDatabaseWrapper) -> bool:
    """Whether the triggers are in place on every audit table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s) AND NOT tgisinternal",
                [[f"{table}_append_only" for table in TABLES]],
            )
            return cursor.fetchone()[0] == len(TABLES)
        if connection.vendor == "sqlite":
            names = {name for table in TABLES for name in _trigger_names(table)}
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            return names <= {row[0] for row in cursor.fetchall()}
    return False


@contextmanager
def suspended(using: str = "default") -> Iterator[None]:
    """The triggers removed for the duration, then installed again. For `flush` and for
    tests that tamper with the trail on purpose; never for the application."""
    connection = connections[using]
    remove(connection)
    try:
        yield
    finally:
        install(connection)
