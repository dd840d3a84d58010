"""How long something has lasted, in words a person reads at a glance: days and hours,
never "2070 hours". Every page shows durations through this (the Jinja filter `duration`)."""

from __future__ import annotations

HOURS_IN_A_DAY = 24


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def hours_in_words(hours: int | None) -> str:
    """Whole elapsed hours as "86 days 6 hours", "1 day", "5 hours" or "less than 1 hour";
    empty when there is nothing to show."""
    if hours is None:
        return ""
    hours = int(hours)
    if hours < 1:
        return "less than 1 hour"
    days, rest = divmod(hours, HOURS_IN_A_DAY)
    parts = ([_count(days, "day")] if days else []) + ([_count(rest, "hour")] if rest else [])
    return " ".join(parts)


def seconds_in_words(seconds: int) -> str:
    """Elapsed seconds to the minute under a day ("12 hours 30 minutes", "45 minutes"), to
    the hour from a day ("4 days 4 hours"): how long an episode lasted, in a chronology."""
    minutes = max(0, int(seconds)) // 60
    if minutes < 1:
        return "less than 1 minute"
    if minutes < 60:
        return _count(minutes, "minute")
    hours, rest = divmod(minutes, 60)
    if hours < HOURS_IN_A_DAY:
        return " ".join([_count(hours, "hour")] + ([_count(rest, "minute")] if rest else []))
    return hours_in_words(hours)
