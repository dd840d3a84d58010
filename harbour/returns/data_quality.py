"""The data quality worklist: the register's 903 tables for a collection year checked, now,
against the DfE's missing rules (ssda903/rules.py), each failure with the child, the rule,
the DfE's message and the page where a coordinator fixes the record.

Nothing is stored: every call builds the tables from the register and checks them
(`register_tables`, the same as `check_ssda903` without --from, rule 576 against the
register's own previous year), so a record saved a moment ago is checked as it now is.

Children the user may not open (a restricted record they are not on the list of) are not
named: their failures are counted only. Queries: the two years' tables (two each), then the
children named, in chunks of `CHILD_CHUNK` ids: never one per failure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from harbour.accounts.permissions import User, visible_children
from harbour.children.models import Child
from harbour.common.display import date_text
from harbour.reports.periods import financial_year_of

from .ssda903.register import register_tables
from .ssda903.rules import RULES, Failure, check
from .ssda903.tables import Row, Source, Tables, parse_date

# Child ids looked up per query: within either database's limit on parameters.
CHILD_CHUNK = 2000
# The years the page offers: the current collection year and the eleven before it.
YEARS_OFFERED = 12
MISSING_WORDS = {"M": "Missing", "A": "Away from placement without authorisation"}
RULE_ORDER = {code: number for number, code in enumerate(RULES)}


def current_year() -> int:
    """The collection year containing today (Europe/London): 2025 for 1 April 2025 to 31
    March 2026. A 903 collection year runs as a financial year does."""
    return financial_year_of(timezone.localdate())


def year_label(year: int) -> str:
    return f"1 April {year} to 31 March {year + 1}"


def years_offered() -> list[tuple[int, str]]:
    current = current_year()
    return [(year, f"{year} to {year + 1}") for year in range(current, current - YEARS_OFFERED, -1)]


@dataclass(frozen=True)
class Fix:
    href: str
    text: str


@dataclass(frozen=True)
class Item:
    """One failure the user may see: the child, the rule, the record and where to fix it."""

    failure: Failure
    child: Child
    record: str
    fix: Fix


@dataclass(frozen=True)
class RuleCount:
    code: str
    message: str
    count: int


@dataclass(frozen=True)
class Worklist:
    year: int
    items: list[Item]
    # Failures of children the user may not open: counted, never named.
    hidden: int
    hidden_children: int

    @property
    def total(self) -> int:
        return len(self.items) + self.hidden

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def counts(self) -> list[RuleCount]:
        """The failures listed, per rule, in the order of the rules."""
        counted = Counter(item.failure.code for item in self.items)
        return [
            RuleCount(code, RULES[code].message, counted[code]) for code in RULES if counted[code]
        ]


def children_of(items: Iterable[Item]) -> list[Child]:
    """The children the items name, each once, in the items' order."""
    seen: dict[int, Child] = {}
    for item in items:
        seen.setdefault(item.child.pk, item.child)
    return list(seen.values())


def worklist(user: User, year: int) -> Worklist:
    """The failures of collection year `year`, as `user` may see them."""
    tables = register_tables(year)
    failures = check(tables, register_tables(year - 1))
    rows = _rows_by_source(tables)
    children = _visible(user, {failure.child for failure in failures})
    items: list[Item] = []
    hidden: set[str] = set()
    hidden_failures = 0
    for failure in failures:
        child = children.get(failure.child)
        if child is None:
            hidden.add(failure.child)
            hidden_failures += 1
            continue
        row = rows.get(failure.source)
        items.append(Item(failure, child, describe(failure, row), fix_for(failure, child)))
    items.sort(
        key=lambda item: (
            item.child.child_id,
            RULE_ORDER[item.failure.code],
            item.failure.table,
            item.failure.source.pk or 0,
        )
    )
    return Worklist(year, items, hidden_failures, len(hidden))


def _rows_by_source(tables: Tables) -> dict[Source, Row]:
    return {row.source: row for row in (*tables.header, *tables.episodes, *tables.missing)}


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHILD_CHUNK):
        yield ordered[start : start + CHILD_CHUNK]


def _visible(user: User, child_ids: set[str]) -> dict[str, Child]:
    """The children named by these person ids whose records the user may open."""
    return {
        child.child_id: child
        for chunk in _chunks(child_ids)
        for child in visible_children(user).filter(child_id__in=chunk)
    }


def _date(text: str) -> str:
    day = parse_date(text)
    return date_text(day) if day else (text.strip() or "blank")


def describe(failure: Failure, row: Row | None) -> str:
    """The failing row in words, from the values the rule read."""
    if row is None:
        return ""
    if failure.table == "missing":
        kind = MISSING_WORDS.get(row["MISSING"].strip(), row["MISSING"].strip() or "No type")
        end = _date(row["MIS_END"]) if row["MIS_END"].strip() else "still open"
        return f"{kind}, {_date(row['MIS_START'])} to {end}"
    if failure.table == "episodes":
        end = _date(row["DEC"]) if row["DEC"].strip() else "still looked after"
        return f"Looked after, {_date(row['DECOM'])} to {end}"
    return f"Child's details (date of birth {_date(row['DOB'])})"


def fix_for(failure: Failure, child: Child) -> Fix:
    """Where a coordinator changes the record the failing row was built from."""
    source = failure.source
    if source.model == "missing.episode" and source.pk is not None:
        return Fix(reverse("episode_amend", args=[source.pk]), "Amend the episode")
    if source.model == "children.legalstatus" and source.pk is not None:
        return Fix(
            reverse("legal_status_edit", args=[child.pk, source.pk]), "Change the legal status"
        )
    return Fix(reverse("child_edit", args=[child.pk]), "Change the child's details")
