"""Reports worked out in the last HARBOUR_REPORT_CACHE_SECONDS, kept by each server process.

A report is the same for everyone who may see reports (aggregate figures, no names), and
working one out costs a fifth of a second of processor time or more: an analyst's quarterly
page is eight of them. The report pages and downloads therefore reuse a report this process
worked out less than HARBOUR_REPORT_CACHE_SECONDS ago (60 by default; 0 keeps none), so the
figures they show may be that much older than the records. Suppression for publication is
applied afterwards, to the kept figures, on every request.

Only the pages and downloads use this; `manage.py report` and the benchmarks work every
report out afresh (`engine.build_report`).
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db import connection

from .engine import Report, build_report
from .periods import Period

# Reports kept at most per process: the periods a page offers are a few years of quarters.
KEPT_AT_MOST = 256

_kept: dict[tuple, tuple[float, Report]] = {}
_lock = threading.Lock()


def report(kind: str, period: Period, include_absences: bool) -> Report:
    """The report, as worked out by this process at most HARBOUR_REPORT_CACHE_SECONDS ago."""
    seconds = settings.HARBOUR_REPORT_CACHE_SECONDS
    if seconds <= 0:
        return build_report(kind, period, include_absences)
    # Everything the figures depend on besides the records: which register, whose authority.
    key = (
        kind,
        period,
        include_absences,
        settings.LOCAL_AUTHORITY_CODE,
        connection.settings_dict["NAME"],
    )
    now = time.time()
    with _lock:
        kept = _kept.get(key)
    if kept is not None and now - kept[0] < seconds:
        return kept[1]
    built = build_report(kind, period, include_absences)
    with _lock:
        if len(_kept) >= KEPT_AT_MOST:
            _forget_the_oldest(now, seconds)
        _kept[key] = (now, built)
    return built


def _forget_the_oldest(now: float, seconds: int) -> None:
    for key in [key for key, (at, _) in _kept.items() if now - at >= seconds]:
        del _kept[key]
    while len(_kept) >= KEPT_AT_MOST:
        del _kept[min(_kept, key=lambda key: _kept[key][0])]


def forget() -> None:
    """Keep nothing (tests)."""
    with _lock:
        _kept.clear()
