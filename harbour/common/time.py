"""Instants, local dates and elapsed time.

Instants are stored in UTC. Europe/London is used only to decide a calendar date (the
local date of an instant) and for display. Durations are elapsed seconds between two
instants, which is why rows also store each instant as epoch seconds: integer arithmetic
on them is the same on SQLite and PostgreSQL and needs no per-row Python callbacks.
"""

import datetime as dt
from typing import overload
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC

HOUR = 3600
DAY = 24 * HOUR


class SkippedLocalTime(ValueError):
    """A Europe/London wall-clock time that never happened (the spring-forward hour)."""


class RepeatedLocalTime(ValueError):
    """A Europe/London wall-clock time that happened twice (the autumn fall-back hour)."""


def from_london(naive: dt.datetime, *, first_of_two: bool | None = None) -> dt.datetime:
    """The instant (UTC) of a Europe/London wall-clock time.

    Raises SkippedLocalTime in the spring gap. In the autumn hour that happens twice it
    raises RepeatedLocalTime unless told which: first_of_two True is the first (British
    Summer Time), False the second (Greenwich Mean Time). Nothing is ever guessed.
    """
    earlier = naive.replace(tzinfo=LONDON, fold=0)
    later = naive.replace(tzinfo=LONDON, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return earlier.astimezone(UTC)
    if earlier.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != naive:
        raise SkippedLocalTime(naive.isoformat())
    if first_of_two is None:
        raise RepeatedLocalTime(naive.isoformat())
    return (earlier if first_of_two else later).astimezone(UTC)


def in_utc_within_calendar(instant: dt.datetime) -> dt.datetime | None:
    """An aware time as its instant in UTC; None when that instant or its Europe/London
    date falls outside the years 1 to 9999. 0001-01-01T00:00Z is one: London was then
    1 minute 15 behind, so its date there (local_date) is in year 0, which Python cannot
    hold. Input from files is checked with this, so that such a time is named, not raised."""
    try:
        in_utc = instant.astimezone(UTC)
        in_utc.astimezone(LONDON)
    except OverflowError:
        return None
    return in_utc


def local_date(instant: dt.datetime) -> dt.date:
    """The Europe/London calendar date on which an instant falls."""
    return instant.astimezone(LONDON).date()


@overload
def epoch_seconds(instant: dt.datetime) -> int: ...
@overload
def epoch_seconds(instant: None) -> None: ...
@overload
def epoch_seconds(instant: dt.datetime | None) -> int | None: ...
def epoch_seconds(instant: dt.datetime | None) -> int | None:
    """Whole seconds since 1970-01-01T00:00Z (instants carry no fractions here)."""
    if instant is None:
        return None
    return int(instant.timestamp())


def instant_of(epoch: int) -> dt.datetime:
    """The instant (UTC) of whole epoch seconds: epoch_seconds turned round."""
    return dt.datetime.fromtimestamp(epoch, tz=UTC)


def ymd(day: dt.date) -> int:
    """A date as the integer YYYYMMDD: whole-year differences of two such numbers, divided
    by 10,000, give completed years of age in plain integer SQL."""
    return day.year * 10000 + day.month * 100 + day.day


def completed_years(born: dt.date, on: dt.date) -> int:
    """Whole years of age on a day (a 29 February birthday is reached on 1 March in other
    years): the same rule as the age_at_start query expression."""
    return (ymd(on) - ymd(born)) // 10000


def one_year_before(day: dt.date) -> dt.date:
    """The same date a year earlier (29 February gives 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def local_iso(instant: dt.datetime | None) -> str:
    """Europe/London local time with its offset, as the interchange format exports it.

    Before 1 December 1847 London kept its local mean time, 1 minute 15 seconds behind UTC:
    an offset the format cannot write (it allows +HH:MM), so such an instant is written in
    UTC, with Z, and an export of it imports again."""
    if instant is None:
        return ""
    local = instant.astimezone(LONDON)
    offset = local.utcoffset()
    if offset is not None and offset % dt.timedelta(minutes=1):
        return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    return local.isoformat(timespec="seconds")
