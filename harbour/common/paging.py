"""Pages of a long list without counting all of it.

A worklist over ten years of records can hold hundreds of thousands of rows, and counting
them (each row's status worked out in SQL) takes seconds; the first pages, read in index
order, take milliseconds. `CappedPaginator` counts at most `limit` rows beyond the page
asked for, and says "more than" when there are more (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

COUNT_LIMIT = 1000


class CappedPaginator(Paginator):
    """A Django Paginator whose count stops at `limit` rows, or at the end of the page
    asked for if that is further, plus one row to know whether there are more.

    `count_text` is "1,234" or "more than 1,000"; `pages_text` is "3" or "more than 20".
    """

    def __init__(
        self, object_list: Any, per_page: int, *, page: Any = None, limit: int | None = None
    ) -> None:
        super().__init__(object_list, per_page)
        try:
            asked = max(1, int(page or 1))
        except (TypeError, ValueError):
            asked = 1
        # The page asked for (get_page puts a number past the end right afterwards).
        self.asked = asked
        self.limit = max(COUNT_LIMIT if limit is None else limit, asked * per_page)

    @cached_property
    def count(self) -> int:
        # One row past the limit: there are more, and there is a next page to go to.
        return count_up_to(self.object_list, self.limit + 1)

    @property
    def more(self) -> bool:
        return self.count > self.limit

    @property
    def count_text(self) -> str:
        return f"more than {self.limit:,}" if self.more else f"{self.count:,}"

    @property
    def pages_text(self) -> str:
        return f"more than {self.num_pages - 1:,}" if self.more else f"{self.num_pages:,}"


class CountedWithPagePaginator(CappedPaginator):
    """A CappedPaginator for a list whose page query reads every row of the list anyway,
    because its rows are sorted after they are filtered (the OLA list's to-do view: a
    status worked out per candidate episode, then newest first). The count comes with
    the page, from the same query (COUNT(*) OVER ()), instead of from a second query that
    would filter the same rows again (PostgreSQL, 1,000,000 episodes: 116 to 75 ms).

    Not for a list read in index order, whose page query stops after a page of rows: the
    window would make it read them all. The count shown is capped as CappedPaginator's,
    so a page looks the same; a page past the end is counted by a second query."""

    def __init__(self, object_list: QuerySet, per_page: int, *, page: Any = None) -> None:
        super().__init__(object_list, per_page, page=page)
        self.rows = object_list
        self.asked_rows: list[Any] | None = None

    @cached_property
    def count(self) -> int:
        start = (self.asked - 1) * self.per_page
        rows, total = rows_and_total(self.rows, start, start + self.per_page)
        if not rows:
            return super().count
        self.asked_rows = rows
        return min(total, self.limit + 1)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if number == self.asked and self.asked_rows is not None:
            return Page(self.asked_rows, number, self)
        return super().page(number)


class ListPaginator(Paginator):
    """Pages of a list already in memory, counted exactly (macros/pages.html reads
    pages_text)."""

    @property
    def pages_text(self) -> str:
        return f"{self.num_pages:,}"


def rows_and_total(queryset: QuerySet, start: int, stop: int) -> tuple[list[Any], int]:
    """Rows start to stop of the queryset, and how many rows it has in all, from one query
    (COUNT(*) OVER ()): for a list whose page query reads every row anyway, to sort them.
    The total is 0 when the slice is empty, even if the list is not (a page past its end)."""
    rows = list(queryset.annotate(rows_in_the_list=Window(Count("*")))[start:stop])
    return rows, rows[0].rows_in_the_list if rows else 0


def count_up_to(queryset: Any, limit: int) -> int:
    """How many rows the queryset has, counting at most `limit`.

    Counted by primary key alone: the rows' computed columns (a worklist row's group and
    status are several EXISTS each) would otherwise be compiled into the count's subquery
    and planned by the database, at several times the cost of the count itself."""
    return queryset.order_by().values("pk")[:limit].count()


def page_href(query: str, number: int) -> str:
    """The link to page `number` of a list, keeping its other query parameters (`query`,
    already URL-encoded, without `page`)."""
    return f"?{query}&page={number}" if query else f"?page={number}"


@dataclass
class FirstRows:
    """The first rows of a list, and how many there are (up to COUNT_LIMIT)."""

    rows: list[Any]
    total: int
    more: bool = False  # more than `total`, which is then COUNT_LIMIT

    @property
    def total_text(self) -> str:
        return f"more than {self.total:,}" if self.more else f"{self.total:,}"

    @property
    def cut(self) -> bool:
        """Fewer rows shown than there are."""
        return self.more or self.total > len(self.rows)


def first_rows(queryset: Any, limit: int) -> FirstRows:
    """The first `limit` rows; counted (up to COUNT_LIMIT) only when there are more."""
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return FirstRows(rows, len(rows))
    total = count_up_to(queryset, COUNT_LIMIT + 1)
    return FirstRows(rows[:limit], min(total, COUNT_LIMIT), total > COUNT_LIMIT)
