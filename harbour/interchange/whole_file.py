"""Rules that judge a file's rows together, against each other and the register.

The register's stored records count too, except those the folder itself lists: a row of
the folder replaces the stored version of its record, whatever it changes.

- concern_periods.csv: "Two periods of the same child must not both be open on any date
  (an error on the later row, naming the other period)" (shared/spec/interchange.md). A
  period is open on D when opened_on <= D and (closed_on is empty or closed_on > D): the
  dates [opened_on, closed_on). A file without the closed_on column leaves each stored
  period's closed_on as it is, so that is the closed_on judged.
- panel_meetings.csv: a panel meets at most once a day (the database's unique index).
- panel_listings.csv: a child is listed at most once at a panel meeting (likewise). A
  file without the panel_meeting_id column leaves each stored listing at its meeting, so
  that is the meeting judged.

Each would otherwise be a database error that names no row.

Each of these files also has a unique index the database keeps at every moment, not only
once the file is written: one open period per child, one meeting of a panel a day, one
listing of a child at a meeting. A folder may move records between those places (correct
a period's child, a meeting's date, a listing's child); written in line order, a record
could arrive in a place another is about to leave. So the rows are written in a safe order
(_in_a_safe_order), parking a record for a moment where moves go round in a ring.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Model

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


@dataclass(frozen=True)
class WholeFileCheck:
    # (the file's valid rows with their resolved references, the ids of its refused rows,
    # the file's columns)
    problems: Callable[[Held, set[str], tuple[str, ...]], list[FileProblem]]
    # What to write, step by step (_in_a_safe_order).
    write_order: Callable[[Held, tuple[str, ...]], list[WriteStep]]


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
    problems = [] if "closed_on" in present else _against_kept_closings(held, present, closed_on)
    refused_lines = {line for line, _, _ in problems}
    periods: dict[int, list[_Period]] = defaultdict(list)
    for stored in _stored_periods(set(child_of.values())):
        if stored["period_id"] not in in_folder:
            periods[stored["child_id"]].append(
                _Period(stored["period_id"], stored["opened_on"], stored["closed_on"], None)
            )
    for row, _ in sorted(held, key=lambda item: item[0].line):
        if row.line in refused_lines:
            continue
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


def _against_kept_closings(
    held: Held, present: tuple[str, ...], closed_on: dict[str, dt.date | None]
) -> list[FileProblem]:
    """The row rules of a closed period (tables._concern_period_rules), for a file without
    the closed_on column: against the closed_on the register keeps."""
    problems: list[FileProblem] = []
    for row, _ in held:
        kept = closed_on[row.key[0]]
        if kept is None:
            continue
        kept_closed_on = (
            f"the period's closed_on ({kept.isoformat()}), kept from the register as this "
            "file has no closed_on column"
        )
        if row.checks["opened_on"] > kept:
            problems.append((row.line, "opened_on", f"is after {kept_closed_on}"))
        elif "close_reason" in present and row.checks["close_reason"] is None:
            problems.append((row.line, "close_reason", f"is required by {kept_closed_on}"))
    return problems


def _closed_on(held: Held, present: tuple[str, ...]) -> dict[str, dt.date | None]:
    """Each row's closed_on once written: the row's own, or, when the file has no closed_on
    column, the stored period's (None for a new one: a column left out gives no value)."""
    if "closed_on" in present:
        return {row.key[0]: row.checks["closed_on"] for row, _ in held}
    return _stored_values(ConcernPeriod, "period_id", "closed_on", held)


def _stored_values(model: type[Model], key: str, field: str, held: Held) -> dict[str, Any]:
    """`field` of the stored record of each row (None for a row of a new record): what a
    file that leaves out the field's column keeps."""
    ids = sorted(row.key[0] for row, _ in held)
    found: dict[str, Any] = dict.fromkeys(ids)
    for start in range(0, len(ids), LOOKUP_CHUNK):
        stored = model._default_manager.filter(**{f"{key}__in": ids[start : start + LOOKUP_CHUNK]})
        found.update(stored.values_list(key, field))
    return found


def periods_in_a_safe_order(held: Held, present: tuple[str, ...]) -> list[WriteStep]:
    """The periods written so that no child has two open at any moment: an open period
    takes its child's open place (slot); a closed one takes none. Parked: closed for a
    moment (on its own opened_on, reason OTHER)."""
    closed_on = _closed_on(held, present)
    slots = [
        (row, refs["child_id"]["pk"] if closed_on[row.key[0]] is None else None)
        for row, refs in held
    ]
    return _in_a_safe_order(slots, _stored_open_periods, _period_parking, _period_moving_in)


def _period_parking(period_id: str) -> Callable[[], None]:
    def park() -> None:
        ConcernPeriod.objects.filter(period_id=period_id).update(
            closed_on=F("opened_on"), close_reason=CloseReason.OTHER
        )

    return park


def _period_moving_in(period_id: str, child_pk: Any) -> Callable[[], None]:
    # Stored open, it had no close reason; the folder's row then writes the rest.
    def move_in() -> None:
        ConcernPeriod.objects.filter(period_id=period_id).update(
            child_id=child_pk, closed_on=None, close_reason=""
        )

    return move_in


def _in_a_safe_order(
    slots: Sequence[tuple[ValidRow, Hashable | None]],
    stored_in: Callable[[set[Any]], dict[Any, str]],
    parking: Callable[[str], Callable[[], None]],
    moving_in: Callable[[str, Any], Callable[[], None]],
) -> list[WriteStep]:
    """The rows in steps written one after another, so that the database's unique index
    never sees two records in one slot on the way to a register that has none (the file's
    check has made sure it will have none).

    `slots`: each row with the slot its record takes once written (None: none).
    `stored_in`: the ids of the records stored in these slots now.

    First the rows that take no slot. Then the others, a row that takes a slot after the
    row of the record that now holds it (moving away), in as many rounds as such moves
    follow one another. Moves that go round in a ring (two records that swap places, or
    three that each take the next one's) cannot be ordered like that, since each waits
    for the next: one record of the ring is parked to break it (`parking`: moved to no
    slot, or to a slot no record has), and once its slot is free it is moved into it
    (`moving_in`), and then written as the folder has it. All inside the import's
    transaction, so nobody sees a record parked."""
    steps: list[WriteStep] = [[row for row, slot in slots if slot is None]]
    taking = {row.key[0]: (row, slot) for row, slot in slots if slot is not None}
    holder = stored_in({slot for _, slot in taking.values()})
    # Each row waits for the row of the record now in its slot, if that is another record
    # and the folder moves it (to another slot: two rows of a file never share one).
    waits_for = {
        record_id: other
        for record_id, (_, slot) in taking.items()
        if (other := holder.get(slot)) not in (None, record_id) and other in taking
    }
    # Records whose stored slot is free: written, or parked.
    gone: set[str] = set()
    parked: set[str] = set()
    written: set[str] = set()
    remaining = sorted(taking, key=lambda record_id: taking[record_id][0].line)
    while remaining:
        ready = [r for r in remaining if waits_for.get(r) is None or waits_for[r] in gone]
        if not ready:
            record_id = _in_the_ring(remaining[0], waits_for)
            steps.append(Change(taking[record_id][0].line, parking(record_id)))
            gone.add(record_id)
            parked.add(record_id)
            continue
        for record_id in ready:
            if record_id in parked:
                row, slot = taking[record_id]
                steps.append(Change(row.line, moving_in(record_id, slot)))
        steps.append([taking[record_id][0] for record_id in ready])
        gone.update(ready)
        written.update(ready)
        remaining = [record_id for record_id in remaining if record_id not in written]
    return steps


def _in_the_ring(record_id: str, waits_for: dict[str, str]) -> str:
    """The first record met twice following what each waits for: one of a ring. (When no
    row can be written, each waits for another that cannot either.)"""
    seen: set[str] = set()
    while record_id not in seen:
        seen.add(record_id)
        record_id = waits_for[record_id]
    return record_id


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
    meeting_of = _listing_meetings(held, present)
    stored: dict[tuple[Any, ...], str] = {}
    pks = sorted({pk for pk in meeting_of.values() if pk is not None})
    for start in range(0, len(pks), LOOKUP_CHUNK):
        listings = PanelListing.objects.filter(
            panel_meeting_id__in=pks[start : start + LOOKUP_CHUNK]
        )
        for record in listings.values("panel_meeting_id", "child_id", "listing_id"):
            stored[(record["panel_meeting_id"], record["child_id"])] = record["listing_id"]

    def key_of(row: ValidRow, refs: Refs) -> tuple[Any, ...] | None:
        meeting = meeting_of[row.key[0]]
        return None if meeting is None else (meeting, refs["child_id"]["pk"])

    problems = _first_of_each(
        held,
        refused_ids,
        key_of,
        stored,
        lambda other: f"the child is already listed at this panel meeting: listing {other}",
    )
    if "panel_meeting_id" in present:
        return [(line, "panel_meeting_id", message) for line, _, message in problems]
    # Kept at its stored meeting: what brought the row there is its child.
    found = [(line, "child_id", message) for line, _, message in problems]
    return sorted(found + _at_their_stored_meetings(held, meeting_of))


def _listing_meetings(held: Held, present: tuple[str, ...]) -> dict[str, int | None]:
    """Each row's panel meeting once written (its primary key, None for none): the row's
    own, or, when the file has no panel_meeting_id column, the stored listing's."""
    if "panel_meeting_id" in present:
        return {
            row.key[0]: None if refs["panel_meeting_id"] is None else refs["panel_meeting_id"]["pk"]
            for row, refs in held
        }
    return _stored_values(PanelListing, "listing_id", "panel_meeting_id", held)


def _at_their_stored_meetings(held: Held, meeting_of: dict[str, int | None]) -> list[FileProblem]:
    """A row kept at its stored panel meeting must still match it (as a row naming its
    meeting must: tables._listing_at_its_meeting)."""
    pks = sorted({pk for pk in meeting_of.values() if pk is not None})
    meetings: dict[int, tuple[str, dt.date]] = {}
    for start in range(0, len(pks), LOOKUP_CHUNK):
        chunk = PanelMeeting.objects.filter(pk__in=pks[start : start + LOOKUP_CHUNK])
        meetings.update(
            (pk, (panel, date)) for pk, panel, date in chunk.values_list("pk", "panel", "date")
        )
    problems: list[FileProblem] = []
    for row, _ in held:
        meeting = meeting_of[row.key[0]]
        if meeting is None:
            continue
        panel, date = meetings[meeting]
        if row.checks["panel"] != panel:
            problems.append((row.line, "panel", f"is not the panel meeting's panel ({panel})"))
        if row.checks["panel_date"] != date:
            problems.append(
                (row.line, "panel_date", f"is not the panel meeting's date ({date.isoformat()})")
            )
    return problems


def listings_in_a_safe_order(held: Held, present: tuple[str, ...]) -> list[WriteStep]:
    """The listings written so that no child is listed twice at a meeting at any moment: a
    listing at a meeting takes the place (meeting, child); one at none takes none. Parked:
    taken off its meeting for a moment."""
    meeting_of = _listing_meetings(held, present)
    slots = [
        (
            row,
            None
            if meeting_of[row.key[0]] is None
            else (meeting_of[row.key[0]], refs["child_id"]["pk"]),
        )
        for row, refs in held
    ]
    return _in_a_safe_order(slots, _stored_listings_in, _listing_parking, _listing_moving_in)


def _stored_listings_in(slots: set[Any]) -> dict[Any, str]:
    pks = sorted({meeting for meeting, _ in slots})
    found: dict[Any, str] = {}
    for start in range(0, len(pks), LOOKUP_CHUNK):
        listings = PanelListing.objects.filter(
            panel_meeting_id__in=pks[start : start + LOOKUP_CHUNK]
        )
        for meeting, child, listing_id in listings.values_list(
            "panel_meeting_id", "child_id", "listing_id"
        ):
            if (meeting, child) in slots:
                found[(meeting, child)] = listing_id
    return found


def _listing_parking(listing_id: str) -> Callable[[], None]:
    def park() -> None:
        PanelListing.objects.filter(listing_id=listing_id).update(panel_meeting=None)

    return park


def _listing_moving_in(listing_id: str, slot: Any) -> Callable[[], None]:
    meeting, child = slot

    def move_in() -> None:
        PanelListing.objects.filter(listing_id=listing_id).update(
            panel_meeting_id=meeting, child_id=child
        )

    return move_in


def meetings_in_a_safe_order(held: Held, present: tuple[str, ...]) -> list[WriteStep]:
    """The panel meetings written so that no panel meets twice on a day at any moment: a
    meeting takes the place (panel, date). Parked: moved for a moment to the day before
    its panel's earliest meeting (or after its latest), a day no meeting of it has."""
    slots = [(row, (row.checks["panel"], row.checks["date"])) for row, _ in held]
    return _in_a_safe_order(slots, _stored_meetings_in, _meeting_parking, _meeting_moving_in)


def _stored_meetings_in(slots: set[Any]) -> dict[Any, str]:
    dates = sorted({date for _, date in slots})
    found: dict[Any, str] = {}
    for start in range(0, len(dates), LOOKUP_CHUNK):
        meetings = PanelMeeting.objects.filter(date__in=dates[start : start + LOOKUP_CHUNK])
        for panel, date, meeting_id in meetings.values_list("panel", "date", "panel_meeting_id"):
            if (panel, date) in slots:
                found[(panel, date)] = meeting_id
    return found


def _meeting_parking(meeting_id: str) -> Callable[[], None]:
    def park() -> None:
        meeting = PanelMeeting.objects.filter(panel_meeting_id=meeting_id)
        meeting.update(date=_free_day(meeting.values_list("panel", flat=True).get()))

    return park


def _free_day(panel: str) -> dt.date:
    """A day the panel has no meeting on: the day before its earliest, or else the day
    after its latest, or else (its meetings span the whole calendar) the first day free."""
    days = set(PanelMeeting.objects.filter(panel=panel).values_list("date", flat=True))
    earliest, latest = min(days), max(days)
    day = dt.timedelta(days=1)
    if earliest > dt.date.min:
        return earliest - day
    if latest < dt.date.max:
        return latest + day
    return next(date for n in itertools.count(1) if (date := earliest + n * day) not in days)


def _meeting_moving_in(meeting_id: str, slot: Any) -> Callable[[], None]:
    panel, date = slot

    def move_in() -> None:
        PanelMeeting.objects.filter(panel_meeting_id=meeting_id).update(panel=panel, date=date)

    return move_in


WHOLE_FILE_CHECKS: dict[str, WholeFileCheck] = {
    "concern_periods.csv": WholeFileCheck(concern_period_overlaps, periods_in_a_safe_order),
    "panel_meetings.csv": WholeFileCheck(panel_meetings_once_a_day, meetings_in_a_safe_order),
    "panel_listings.csv": WholeFileCheck(listed_once_per_panel_meeting, listings_in_a_safe_order),
}
