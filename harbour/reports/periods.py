"""Reporting periods: closed ranges of Europe/London calendar dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

QUARTER_MONTHS = {1: (4, 6), 2: (7, 9), 3: (10, 12), 4: (1, 3)}


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"the period ends ({self.last}) before it starts ({self.first})")

    @classmethod
    def financial_year(cls, year: int) -> Period:
        """Financial year Y: 1 April Y to 31 March Y+1 (shown as Y/Y+1)."""
        return cls(dt.date(year, 4, 1), dt.date(year + 1, 3, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """Quarter 1 to 4 of financial year Y (Q4 is January to March of Y+1)."""
        if quarter not in QUARTER_MONTHS:
            raise ValueError(f"there is no quarter {quarter}: quarters are 1 to 4")
        first_month, last_month = QUARTER_MONTHS[quarter]
        calendar_year = year + 1 if quarter == 4 else year
        first = dt.date(calendar_year, first_month, 1)
        next_month = dt.date(calendar_year + (last_month == 12), last_month % 12 + 1, 1)
        return cls(first, next_month - dt.timedelta(days=1))

    @property
    def financial_year_start(self) -> int:
        """The financial year in which the period starts."""
        return financial_year_of(self.first)

    def label(self) -> str:
        for quarter in QUARTER_MONTHS:
            if self == Period.quarter(self.financial_year_start, quarter):
                return f"{fy_label(self.financial_year_start)} Q{quarter}"
        if self == Period.financial_year(self.financial_year_start):
            return fy_label(self.financial_year_start)
        return f"{self.first:%-d %b %Y} to {self.last:%-d %b %Y}"


def financial_year_of(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def fy_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"
