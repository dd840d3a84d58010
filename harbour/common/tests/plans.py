"""The SQLite query plan of a queryset, for tests that hold an index's use."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet


def sqlite_plan(query: QuerySet) -> str:
    """EXPLAIN QUERY PLAN's lines for the queryset's SQL, joined by " | "."""
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())
