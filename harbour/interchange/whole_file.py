"""Rules that judge a file's rows together, against each other and the register.

The register's stored records count too, except those the folder itself lists: a row of
the folder replaces the stored version of its record, whatever it changes.

- concern_periods.csv: "Two periods of the same child must not both be open on any date
  (an error on the later row, naming the other period)" (shared/spec/interchange.md). A
  period is open on D when opened_on <= D and (closed_on is empty or closed_on > D): the
  dates [opened_on, closed_on). A file without the closed_on column leaves each stored
  period's closed_on as it is, so that is the closed_on judged.
- panel_meetings.csv: a panel meets at most once a day (the database's unique index).
- panel_listings.csv: a child is listed at most once at a panel meeting (likewise).

Each would otherwise be a database error that names no row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F

from harbour.exploitation.models import CloseReason, ConcernPeriod, PanelListing, PanelMeeting

from .reader import ValidRow
from .tables import Refs

LOOKUP_CHUNK = 2000

# (line, column, message)
FileProblem = tuple[int, str, str]
Held = list[tuple[ValidRow, Refs]]


@dataclass(frozen=True)
class Change:
    """A change to stored records made between two groups of rows, on behalf of the row on
    `line` (which names it if the database refuses it)."""

    line: int
    apply: Callable[[], None]


# A group of rows to store, or a change to make before the next group.
WriteStep = list[ValidRow] | Change


def _all_at_once(held: Held, present: tuple[str, ...]) -> list[WriteStep]:
    return [[row for row, _ in held]]


@dataclass(frozen=True)
class WholeFileCheck:
    # (the file's valid rows with their resolved references, the ids of its refused rows,
    # the file's columns)
    problems: Callable[[Held, set[str], tuple[str, ...]], list[FileProblem]]
    # What to write, step by step.
    write_order: Callable[[Held, tuple[str, ...]], list[WriteStep]] = _all_at_once


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
    held: list[tuple[ValidRow, Refs]], refused_ids: set[str], present: tuple[str, ...]
) -> list[FileProblem]:
    """Each row that is open on a date on which another period of its child is open: an
    error on the later row (the folder's row, against a stored period). The later rows are
    judged against the accepted rows only."""
    in_folder = {row.key[0] for row, _ in held} | refused_ids
    child_of = {row.key[0]: refs["child_id"]["pk"] for row, refs in held}
    closed_on = _closed_on(held, present)
    periods: dict[int, list[_Period]] = defaultdict(list)
    for stored in _stored_periods(set(child_of.values())):
        if stored["period_id"] not in in_folder:
            periods[stored["child_id"]].append(
                _Period(stored["period_id"], stored["opened_on"], stored["closed_on"], None)
            )
    problems: list[FileProblem] = []
    for row, _ in sorted(held, key=lambda item: item[0].line):
        period = _Period(row.key[0], row.checks["opened_on"], closed_on[row.key[0]], row.line)
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
        else:
            # Only an accepted row is held against the rows after it: a refused one would
            # give them a second error about a period that is not going in.
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


def _closed_on(held: Held, present: tuple[str, ...]) -> dict[str, dt.date | None]:
    """Each row's closed_on once written: the row's own, or, when the file has no closed_on
    column, the stored period's (None for a new one: a column left out gives no value)."""
    if "closed_on" in present:
        return {row.key[0]: row.checks["closed_on"] for row, _ in held}
    ids = sorted(row.key[0] for row, _ in held)
    closed_on: dict[str, dt.date | None] = dict.fromkeys(ids)
    for start in range(0, len(ids), LOOKUP_CHUNK):
        stored = ConcernPeriod.objects.filter(period_id__in=ids[start : start + LOOKUP_CHUNK])
        closed_on.update(stored.values_list("period_id", "closed_on"))
    return closed_on


def periods_in_a_safe_order(held: Held, present: tuple[str, ...]) -> list[WriteStep]:
    """The periods in steps written one after another, so that the one-open-period index
    never sees two periods of a child open at once on the way to a register that has none.

    First the periods the folder closes. Then the open ones, a period that takes a child's
    open place after the period that leaves it: a stored open period the folder moves to
    another child (a correction) is written before the period now open for its old child,
    in as many rounds as such moves follow one another.

    Periods that move round in a ring (two that swap children, say) cannot be ordered
    like that: each waits for the next to leave. One of them is parked to break the ring:
    its stored record is closed for a moment (on its own opened_on, reason OTHER), which
    frees its child's open place; once the period that was open for its new child has
    left, it is opened again there, and then written as the folder has it. All inside the
    import's transaction, so nobody sees it parked."""
    closed_on = _closed_on(held, present)
    closed = [row for row, _ in held if closed_on[row.key[0]] is not None]
    open_rows = {
        row.key[0]: (row, refs["child_id"]["pk"])
        for row, refs in held
        if closed_on[row.key[0]] is None
    }
    stored_open = _stored_open_periods({child for _, child in open_rows.values()})
    # Each open row waits for the row of the period stored open for its child, if that
    # period is another one and is still open in the folder (so, moving away).
    waits_for = {
        period_id: other
        for period_id, (_, child) in open_rows.items()
        if (other := stored_open.get(child)) not in (None, period_id) and other in open_rows
    }
    steps: list[WriteStep] = [closed]
    # Periods whose stored open place is free: written, or parked.
    gone: set[str] = set()
    parked: set[str] = set()
    written: set[str] = set()
    remaining = sorted(open_rows, key=lambda period_id: open_rows[period_id][0].line)
    while remaining:
        ready = [p for p in remaining if waits_for.get(p) is None or waits_for[p] in gone]
        if not ready:
            period_id = _in_the_ring(remaining[0], waits_for)
            steps.append(Change(open_rows[period_id][0].line, _parking(period_id)))
            gone.add(period_id)
            parked.add(period_id)
            continue
        for period_id in ready:
            if period_id in parked:
                row, child = open_rows[period_id]
                steps.append(Change(row.line, _unparking(period_id, child)))
        steps.append([open_rows[period_id][0] for period_id in ready])
        gone.update(ready)
        written.update(ready)
        remaining = [period_id for period_id in remaining if period_id not in written]
    return steps


def _in_the_ring(period_id: str, waits_for: dict[str, str]) -> str:
    """The first period met twice following what each waits for: one of a ring. (When no
    period can be written, each waits for another that cannot either.)"""
    seen: set[str] = set()
    while period_id not in seen:
        seen.add(period_id)
        period_id = waits_for[period_id]
    return period_id


def _parking(period_id: str) -> Callable[[], None]:
    def park() -> None:
        ConcernPeriod.objects.filter(period_id=period_id).update(
            closed_on=F("opened_on"), close_reason=CloseReason.OTHER
        )

    return park


def _unparking(period_id: str, child_pk: int) -> Callable[[], None]:
    # Stored open, it had no close reason; the folder's row then writes the rest.
    def unpark() -> None:
        ConcernPeriod.objects.filter(period_id=period_id).update(
            child_id=child_pk, closed_on=None, close_reason=""
        )

    return unpark


def _stored_open_periods(child_pks: set[int]) -> dict[int, str]:
    """The period stored open for each of these children (at most one each)."""
    pks = sorted(child_pks)
    found: dict[int, str] = {}
    for start in range(0, len(pks), LOOKUP_CHUNK):
        records = ConcernPeriod.objects.filter(
            child_id__in=pks[start : start + LOOKUP_CHUNK], closed_on__isnull=True
        )
        found.update(records.values_list("child_id", "period_id"))
    return found


def _first_of_each(
    held: Held,
    refused_ids: set[str],
    key_of: Callable[[ValidRow, Refs], tuple[Any, ...] | None],
    stored: dict[tuple[Any, ...], str],
    message: Callable[[str], str],
) -> list[FileProblem]:
    """A row whose key (key_of) an earlier row or a stored record not in the folder has
    already: an error on the row, naming the other."""
    in_folder = {row.key[0] for row, _ in held} | refused_ids
    taken: dict[tuple[Any, ...], str] = {
        key: f"{record_id} (in the register)"
        for key, record_id in stored.items()
        if record_id not in in_folder
    }
    problems: list[FileProblem] = []
    for row, refs in sorted(held, key=lambda item: item[0].line):
        key = key_of(row, refs)
        if key is None:
            continue
        if key in taken:
            problems.append((row.line, "-", message(taken[key])))
        else:
            taken[key] = f"{row.key[0]} (line {row.line})"
    return problems


def panel_meetings_once_a_day(
    held: Held, refused_ids: set[str], present: tuple[str, ...]
) -> list[FileProblem]:
    dates = {row.checks["date"] for row, _ in held}
    stored = {
        (record["panel"], record["date"]): record["panel_meeting_id"]
        for record in PanelMeeting.objects.filter(date__in=dates).values(
            "panel", "date", "panel_meeting_id"
        )
    }
    problems = _first_of_each(
        held,
        refused_ids,
        lambda row, refs: (row.checks["panel"], row.checks["date"]),
        stored,
        lambda other: f"the panel already meets on this date: panel meeting {other}",
    )
    return [(line, "date", message) for line, _, message in problems]


def listed_once_per_panel_meeting(
    held: Held, refused_ids: set[str], present: tuple[str, ...]
) -> list[FileProblem]:
    meetings = {refs["panel_meeting_id"]["pk"] for _, refs in held if refs["panel_meeting_id"]}
    stored: dict[tuple[Any, ...], str] = {}
    pks = sorted(meetings)
    for start in range(0, len(pks), LOOKUP_CHUNK):
        listings = PanelListing.objects.filter(
            panel_meeting_id__in=pks[start : start + LOOKUP_CHUNK]
        )
        for record in listings.values("panel_meeting_id", "child_id", "listing_id"):
            stored[(record["panel_meeting_id"], record["child_id"])] = record["listing_id"]

    def key_of(row: ValidRow, refs: Refs) -> tuple[Any, ...] | None:
        meeting = refs["panel_meeting_id"]
        return None if meeting is None else (meeting["pk"], refs["child_id"]["pk"])

    problems = _first_of_each(
        held,
        refused_ids,
        key_of,
        stored,
        lambda other: f"the child is already listed at this panel meeting: listing {other}",
    )
    return [(line, "panel_meeting_id", message) for line, _, message in problems]


WHOLE_FILE_CHECKS: dict[str, WholeFileCheck] = {
    "concern_periods.csv": WholeFileCheck(concern_period_overlaps, periods_in_a_safe_order),
    "panel_meetings.csv": WholeFileCheck(panel_meetings_once_a_day),
    "panel_listings.csv": WholeFileCheck(listed_once_per_panel_meeting),
}
