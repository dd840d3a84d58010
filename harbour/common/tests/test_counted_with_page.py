"""A list whose page query reads every row anyway takes its count from that query: the
same pages as CappedPaginator, one query fewer (docs/performance.md)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harbour.children.models import Child
from harbour.common import paging
from harbour.common.paging import CappedPaginator, CountedWithPagePaginator
from harbour.common.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def children():
    return Child.objects.order_by("-family_name", "pk")


def shown(paginator, asked):
    page = paginator.get_page(asked)
    return (
        paginator.count,
        paginator.num_pages,
        paginator.count_text,
        paginator.pages_text,
        page.number,
        [child.pk for child in page.object_list],
        page.has_next(),
    )


@pytest.mark.parametrize("rows", [0, 1, 2, 5])
@pytest.mark.parametrize("asked", [None, 1, 2, 3, "x", 99])
def test_each_page_is_the_capped_paginators(rows, asked):
    for _ in range(rows):
        ChildFactory()

    counted = shown(CountedWithPagePaginator(children(), 2, page=asked), asked)

    assert counted == shown(CappedPaginator(children(), 2, page=asked), asked)


def test_a_list_longer_than_the_limit_reads_more_than_the_limit(monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
    for _ in range(6):
        ChildFactory()

    counted = shown(CountedWithPagePaginator(children(), 2, page=1), 1)

    assert counted == shown(CappedPaginator(children(), 2, page=1), 1)
    assert counted[2:4] == ("more than 3", "more than 1")


def served(rows: int, asked: int):
    """The page asked for of a list of `rows` children, two a page: (page number, the
    children's pks, the paginator's count, how many queries it took)."""
    for _ in range(rows):
        ChildFactory()
    paginator = CountedWithPagePaginator(children(), 2, page=asked)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page(asked)
        pks = [child.pk for child in page.object_list]
    return page.number, pks, paginator.count, len(queries.captured_queries)


def test_the_count_comes_with_the_page_in_one_query():
    number, pks, count, queries = served(5, 2)

    assert (number, count, queries) == (2, 5, 1)
    assert pks == [child.pk for child in children()[2:4]]


def test_a_page_past_the_end_is_counted_apart_and_shows_the_last_page():
    number, pks, count, queries = served(3, 5)

    assert (number, count) == (2, 3)
    assert pks == [children().last().pk]
    assert queries == 3  # the empty page, the count, the last page
