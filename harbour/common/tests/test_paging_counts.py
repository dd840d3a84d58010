"""Counting a capped list asks the database for primary keys only: the rows' computed
columns (a worklist's status and group, several EXISTS each) are neither compiled nor
planned for a count (docs/performance.md, "Load")."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from harbour.children.models import Child
from harbour.common.paging import CappedPaginator, count_up_to, first_rows
from harbour.common.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

MARKER = "computed-column-marker"


def annotated():
    """Children with a computed column (an EXISTS, as the worklist's group has four)."""
    same_name = Child.objects.filter(family_name=OuterRef("family_name")).exclude(child_id=MARKER)
    return Child.objects.annotate(shown=Exists(same_name)).order_by("pk")


def count_sql(count) -> str:
    with CaptureQueriesContext(connection) as queries:
        count()
    (query,) = [q["sql"] for q in queries.captured_queries if "COUNT" in q["sql"].upper()]
    return query


def test_count_up_to_counts_at_most_the_limit():
    for _ in range(5):
        ChildFactory()
    assert count_up_to(annotated(), 3) == 3
    assert count_up_to(annotated(), 10) == 5
    assert count_up_to(annotated().filter(shown=True), 10) == 5


def test_the_paginator_counts_without_the_computed_columns():
    for _ in range(3):
        ChildFactory()
    paginator = CappedPaginator(annotated(), 2)
    assert MARKER not in count_sql(lambda: paginator.count)
    assert paginator.count == 3


def test_first_rows_counts_without_the_computed_columns():
    for _ in range(3):
        ChildFactory()
    assert MARKER not in count_sql(lambda: first_rows(annotated(), 2))
    assert first_rows(annotated(), 2).total == 3
