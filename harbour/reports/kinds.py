"""Report kinds that apps above `reports` add to the `report` command.

`reports` may not import the apps above it (docs/architecture.md, "Layers"), so an app that
adds a kind registers it when it loads (its AppConfig.ready), as `missing` lets the apps
above it register with `after_episodes_change`. The `returns` app registers `ssda903`, the
DfE's national-statistics missing figures for a collection year
(harbour/returns/ssda903/statistics.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .engine import Report


@dataclass(frozen=True)
class YearReport:
    """A report for one year (`report KIND --year Y`), in text, json or csv."""

    build: Callable[[int], Report]
    # The publication version: counts from 1 to the threshold suppressed, and what would
    # give them away.
    for_publication: Callable[[Report, int], Report]
    as_text: Callable[[Report], str]


YEAR_REPORTS: dict[str, YearReport] = {}


def register_year_report(kind: str, report: YearReport) -> None:
    YEAR_REPORTS[kind] = report
