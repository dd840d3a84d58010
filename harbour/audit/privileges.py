"""The audit trail's tables are append-only for every role but their owner (PostgreSQL).

The runtime role gets its rights on every table from default privileges
(docs/deployment.md, "Database roles"), which cannot make an exception for two tables. So
after every `migrate` (which runs as the owner), UPDATE, DELETE, TRUNCATE, TRIGGER and
REFERENCES on the audit events and their subjects are taken back from every role that holds
them other than the owner. The append-only triggers still stand behind this; the privileges
mean the runtime role's attempt fails before it reaches them, and that a role which cannot
own the table cannot remove them either.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from .triggers import TABLES

WITHHELD = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")

# Table and grantee (quoted by PostgreSQL itself; 0 is PUBLIC) of every grant to withdraw.
_GRANTS = """
SELECT DISTINCT quote_ident(c.relname),
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END
FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
WHERE c.oid = ANY(ARRAY[{tables}]::regclass[])
  AND a.grantee <> c.relowner
  AND a.privilege_type = ANY(%s)
ORDER BY 1, 2
"""


def withhold_changes(connection: BaseDatabaseWrapper) -> list[tuple[str, str]]:
    """Withdraw the changing privileges on the audit tables from everyone but their owner.
    Returns the (table, role) pairs that had some. Does nothing on SQLite, which has no
    roles, or before the tables exist."""
    if connection.vendor != "postgresql":
        return []
    if not set(TABLES) <= set(connection.introspection.table_names()):
        return []
    tables = ", ".join(f"to_regclass('{table}')" for table in TABLES)
    with connection.cursor() as cursor:
        cursor.execute(_GRANTS.format(tables=tables), [list(WITHHELD)])
        holders = cursor.fetchall()
        for table, grantee in holders:
            # Both names come from the catalogue, quoted by quote_ident.
            cursor.execute(f"REVOKE {', '.join(WITHHELD)} ON {table} FROM {grantee}")
    return holders
