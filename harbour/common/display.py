"""The one way Harbour shows dates and times to a person (GOV.UK style, UK time).

- a date: "4 December 2026";
- a time: "1:16pm", "9am", "midday", "midnight";
- an instant: "4 December 2026 at 1:16pm".

Every instant is shown in Europe/London. In the hour that happens twice when the clocks go
back, a time alone would not say which of the two it was, so only there the zone follows
it: "25 October 2026 at 1:30am (BST)" and "... 1:30am (GMT)" are an hour apart.

Pages use these through the Jinja2 filters `|date_text` and `|when` (harbour/jinja2.py).
Files and the audit chain keep ISO 8601 (interchange.md); this is for reading only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from harbour.common.time import LONDON


def date_text(day: dt.date | dt.datetime | None) -> str:
    """ "4 December 2026"; an instant gives its UK date; None gives ""."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = day.astimezone(LONDON).date()
    return f"{day.day} {day:%B %Y}"


def _repeated_hour(local: dt.datetime) -> bool:
    """Whether this wall-clock time happened twice (the autumn hour)."""
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset()


def time_text(instant: dt.datetime, *, seconds: bool = False) -> str:
    """ "1:16pm", "9am", "midday" or "midnight", UK time. With seconds: "1:16:05pm" (the
    audit trail, where the order of events within a minute matters)."""
    local = instant.astimezone(LONDON)
    if seconds:
        clock = f"{local.hour % 12 or 12}:{local:%M:%S}{'am' if local.hour < 12 else 'pm'}"
    elif local.minute == 0 and local.hour in (0, 12):
        clock = "midnight" if local.hour == 0 else "midday"
    else:
        minutes = f":{local.minute:02d}" if local.minute else ""
        clock = f"{local.hour % 12 or 12}{minutes}{'am' if local.hour < 12 else 'pm'}"
    if _repeated_hour(local):
        clock += f" ({local:%Z})"
    return clock


def when_text(instant: dt.datetime | None, *, seconds: bool = False) -> str:
    """ "4 December 2026 at 1:16pm" (UK time); None gives ""."""
    if instant is None:
        return ""
    return f"{date_text(instant)} at {time_text(instant, seconds=seconds)}"


def episode_when(episode: Any, instant: dt.datetime | None) -> str:
    """One of an episode's instants as recorded: "4 May 2024" for an episode from a return
    that held dates only (its instants are local midnights no one saw), otherwise as
    when_text gives it. None gives ""."""
    if instant is None:
        return ""
    if getattr(episode, "date_only", False):
        return date_text(instant)
    return when_text(instant)


def staff_name(user: Any) -> str:
    """A member of staff by their full name, or their username when it is not recorded."""
    return str(user.get_full_name() or user.get_username())
