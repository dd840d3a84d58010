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
