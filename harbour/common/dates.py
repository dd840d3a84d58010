"""Dates and times typed into GOV.UK day, month, year (and hour, minute) boxes: one reader
for every form, so that every page refuses the same things with the same words.

Times are UK wall-clock times (Europe/London). The hour skipped when the clocks go forward
is refused; the hour that happens twice when they go back is neither refused nor guessed
(a guess could move an interview across the 72-hour line): the reader asks which of the
two it was, through an `offset` answer ("+01:00", the first, or "+00:00", the second).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils import timezone

from .time import LONDON, RepeatedLocalTime, SkippedLocalTime, from_london, local_date

DATE_PARTS = ("day", "month", "year")
TIME_PARTS = ("hour", "minute")
DATETIME_PARTS = (*DATE_PARTS, *TIME_PARTS)

# The answer to "which of the two times was it?".
FIRST_OF_TWO = {"+01:00": True, "+00:00": False}
OFFSET_CHOICES = [
    ("+01:00", "The first time (British Summer Time, UTC+1)"),
    ("+00:00", "The second time (Greenwich Mean Time, UTC)"),
]


class DateEntryError(ValueError):
    """What is wrong with a typed date, and the box it is about ("day", "month", "year",
    "hour", "minute", or "offset" when the person must say which of two times)."""

    def __init__(self, message: str, part: str = "day") -> None:
        super().__init__(message)
        self.message = message
        self.part = part

    @property
    def needs_offset(self) -> bool:
        return self.part == "offset"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _numbers(parts: Mapping[str, str], names: tuple[str, ...], description: str) -> list[int]:
    values = [(parts.get(name) or "").strip() for name in names]
    for name, value in zip(names, values, strict=True):
        if not value:
            raise DateEntryError(f"{_capitalised(description)} must include a {name}", name)
    for name, value in zip(names, values, strict=True):
        if not value.isdigit():
            raise DateEntryError(
                f"{_capitalised(description)} must be real numbers, like 27 3 2024", name
            )
    year = values[names.index("year")]
    if len(year) != 4 or int(year) < 1900:
        raise DateEntryError(f"{_capitalised(description)} must have a 4-digit year", "year")
    return [int(value) for value in values]


def is_empty(parts: Mapping[str, str], time: bool = False) -> bool:
    return not any(
        (parts.get(name) or "").strip() for name in (DATETIME_PARTS if time else DATE_PARTS)
    )


def read_date(
    parts: Mapping[str, str], description: str, *, required: bool, past_only: bool = True
) -> dt.date | None:
    """The date typed in `parts` ({"day": ..., "month": ..., "year": ...}), or None when
    nothing was typed and none is required. `description` completes "Enter ..." ("the
    date the meeting was held"). Raises DateEntryError."""
    if is_empty(parts):
        if required:
            raise DateEntryError(f"Enter {description}")
        return None
    day, month, year = _numbers(parts, DATE_PARTS, description)
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise DateEntryError(f"{_capitalised(description)} must be a real date") from None
    if past_only and value > local_date(timezone.now()):
        raise DateEntryError(f"{_capitalised(description)} must be today or in the past")
    return value


def read_datetime(
    parts: Mapping[str, str], description: str, *, required: bool, past_only: bool = True
) -> dt.datetime | None:
    """The instant typed in `parts` (day, month, year, hour, minute in UK time, and
    `offset` when the person has said which of two times), or None when nothing was typed
    and none is required. Raises DateEntryError; its part is "offset" when the time
    happened twice and the person must choose."""
    if is_empty(parts, time=True):
        if required:
            raise DateEntryError(f"Enter {description}")
        return None
    day, month, year, hour, minute = _numbers(parts, DATETIME_PARTS, description)
    try:
        naive = dt.datetime(year, month, day)
    except ValueError:
        raise DateEntryError(f"{_capitalised(description)} must be a real date") from None
    if hour > 23:
        raise DateEntryError(
            f"{_capitalised(description)}: the hour must be from 0 to 23 (24-hour clock)", "hour"
        )
    if minute > 59:
        raise DateEntryError(
            f"{_capitalised(description)}: the minute must be from 0 to 59", "minute"
        )
    naive = naive.replace(hour=hour, minute=minute)
    offset = (parts.get("offset") or "").strip()
    try:
        instant = from_london(naive, first_of_two=FIRST_OF_TWO.get(offset))
    except SkippedLocalTime:
        raise DateEntryError(
            f"{_capitalised(description)} is a time that did not exist in the UK: the clocks "
            "went forward an hour that night. Check the time",
            "hour",
        ) from None
    except RepeatedLocalTime:
        raise DateEntryError(
            f"The clocks went back that night, so {hour}:{minute:02d} happened twice. Select "
            "which one it was",
            "offset",
        ) from None
    if past_only and instant > timezone.now():
        raise DateEntryError(f"{_capitalised(description)} must be in the past")
    return instant


def datetime_parts(instant: dt.datetime | None) -> dict[str, str]:
    """The boxes for a stored instant, in UK time, with the offset answered when the time
    is one of the two in the hour the clocks went back."""
    if instant is None:
        return {}
    local = instant.astimezone(LONDON)
    parts = {
        "day": str(local.day),
        "month": str(local.month),
        "year": str(local.year),
        "hour": f"{local.hour:02d}",
        "minute": f"{local.minute:02d}",
    }
    try:
        from_london(local.replace(tzinfo=None))
    except RepeatedLocalTime:
        parts["offset"] = "+00:00" if local.utcoffset() == dt.timedelta(0) else "+01:00"
    return parts


def date_parts(day: dt.date | None) -> dict[str, str]:
    if day is None:
        return {}
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}
