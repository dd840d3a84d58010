"""Reads shared by the meetings pages and services."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from harbour.common.time import local_date

from .models import MeetingKind

# A missing meeting requested (or last scheduled) more than this many days ago and never
# recorded as held or cancelled is no longer "planned": it is listed as lapsed, to be
# recorded as held or cancelled, and a new trigger does not join it.
LAPSED_AFTER_DAYS = 90


def _cutoff(today: dt.date | None) -> tuple[dt.date, dt.datetime]:
    today = today or local_date(timezone.now())
    day = today - dt.timedelta(days=LAPSED_AFTER_DAYS)
    return day, dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def open_missing_meetings() -> Q:
    return Q(kind=MeetingKind.MISSING_MAM, held_on__isnull=True, cancelled_at__isnull=True)


def planned_meetings(today: dt.date | None = None) -> Q:
    """Missing meetings not held, not cancelled, requested or scheduled recently."""
    day, instant = _cutoff(today)
    return open_missing_meetings() & (Q(requested_on__gte=day) | Q(scheduled_at__gte=instant))


def lapsed_meetings(today: dt.date | None = None) -> Q:
    """Missing meetings never recorded as held or cancelled, requested and scheduled (if at
    all) more than LAPSED_AFTER_DAYS ago."""
    day, instant = _cutoff(today)
    return (
        open_missing_meetings()
        & Q(requested_on__lt=day)
        & (Q(scheduled_at__isnull=True) | Q(scheduled_at__lt=instant))
    )
