"""Rules that judge a file's rows together, against each other and the register.

concern_periods.csv: "Two periods of the same child must not both be open on any date (an
error on the later row, naming the other period)" (shared/spec/interchange.md). A period
is open on D when opened_on <= D and (closed_on is empty or closed_on > D): the dates
[opened_on, closed_on). The register's stored periods count too, except those the folder
itself lists (its row replaces the stored version, whatever child it names).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harbour.exploitation.models import ConcernPeriod

from .reader import ValidRow
from .tables import Refs

LOOKUP_CHUNK = 2000

# (line, column, message)
FileProblem = tuple[int, str, str]
WholeFileCheck = Callable[[list[tuple[ValidRow, Refs]], set[str]], list[FileProblem]]


@dataclass(frozen=True)
class _Period:
    period_id: str
    opened_on: dt.date
    closed_on: dt.date | None
    line: int | None  # None: stored in the register, not in the folder

    def first_date_open_with(self, other: _Period) -> dt.date | None:
        """The first date both periods are open on, or None if there is none."""
        start = max(self.opened_on, other.opened_on)
        for period in (self, other):
            if period.closed_on is not None and period.closed_on <= start:
                return None
        return start

    def described(self) -> str:
        closed = self.closed_on.isoformat() if self.closed_on else "empty"
        where = "in the register" if self.line is None else f"on line {self.line}"
        return (
            f"period {self.period_id} ({where}; opened_on {self.opened_on.isoformat()}, "
            f"closed_on {closed})"
        )


def concern_period_overlaps(
    held: list[tuple[ValidRow, Refs]], refused_ids: set[str]
) -> list[FileProblem]:
    """Each row that is open on a date on which another period of its child is open: an
    error on the later row (the folder's row, against a stored period)."""
    in_folder = {row.key[0] for row, _ in held} | refused_ids
    child_of = {row.key[0]: refs["child_id"]["pk"] for row, refs in held}
    periods: dict[int, list[_Period]] = defaultdict(list)
    for stored in _stored_periods(set(child_of.values())):
        if stored["period_id"] not in in_folder:
            periods[stored["child_id"]].append(
                _Period(stored["period_id"], stored["opened_on"], stored["closed_on"], None)
            )
    problems: list[FileProblem] = []
    for row, _ in sorted(held, key=lambda item: item[0].line):
        period = _Period(row.key[0], row.checks["opened_on"], row.checks["closed_on"], row.line)
        earlier = periods[child_of[period.period_id]]
        for other in earlier:
            both_open_on = period.first_date_open_with(other)
            if both_open_on is not None:
                problems.append(
                    (
                        row.line,
                        "opened_on",
                        f"overlaps {other.described()}: both are open on "
                        f"{both_open_on.isoformat()}, and two periods of a child may not "
                        "both be open on any date",
                    )
                )
                break
        earlier.append(period)
    return problems


def _stored_periods(child_pks: set[int]) -> list[dict[str, Any]]:
    pks = sorted(child_pks)
    found: list[dict[str, Any]] = []
    for start in range(0, len(pks), LOOKUP_CHUNK):
        chunk = pks[start : start + LOOKUP_CHUNK]
        records = ConcernPeriod.objects.filter(child_id__in=chunk)
        found += (dict(record) for record in records.values(*STORED_FIELDS))
    return found


STORED_FIELDS = ("period_id", "child_id", "opened_on", "closed_on")


WHOLE_FILE_CHECKS: dict[str, WholeFileCheck] = {
    "concern_periods.csv": concern_period_overlaps,
}
