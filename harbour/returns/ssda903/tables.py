"""The SSDA903 tables as the DfE lays them out: header, episodes and missing, each a list of
rows keyed by the DfE's column names, every value the text the CSV holds (dates as
dd/mm/YYYY, blank as ""). The same shape whether the rows were read from a council's files
or built from the register, so that the DfE's rules (rules.py) check either.

Each row carries where it came from (`Row.source`): "file:line" for a file read, or the
register record it was built from, so that a failing rule can name the row to fix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)
MISSING_COLUMNS = ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")
DATE_FORMAT = "%d/%m/%Y"


@dataclass(frozen=True)
class Source:
    """Where a row came from: a file and line, or a register record (model label and pk)."""

    file: str = ""
    line: int = 0
    model: str = ""
    pk: int | None = None

    def __str__(self) -> str:
        if self.file:
            return f"{self.file}:{self.line}"
        return f"{self.model} {self.pk}"


class Row(dict[str, str]):
    """One row of a 903 table: its values by column ("" for a column it lacks) and where it
    came from. A dict, so that the rules' many `row[column]` lookups are the dict's own
    (the data quality worklist runs twenty rules over a year's rows on every view)."""

    __slots__ = ("source",)

    def __init__(self, values: dict[str, str], source: Source | None = None) -> None:
        super().__init__(values)
        self.source = source if source is not None else Source()

    def __missing__(self, column: str) -> str:
        return ""

    def __repr__(self) -> str:
        return f"Row({dict(self)!r}, {self.source!r})"


@dataclass
class Tables:
    """One collection year's tables. `year` is the year the collection starts: 2025 is
    1 April 2025 to 31 March 2026."""

    year: int
    header: list[Row] = field(default_factory=list)
    episodes: list[Row] = field(default_factory=list)
    missing: list[Row] = field(default_factory=list)

    @property
    def collection_start(self) -> dt.date:
        return dt.date(self.year, 4, 1)

    @property
    def collection_end(self) -> dt.date:
        return dt.date(self.year + 1, 3, 31)


def parse_date(text: str) -> dt.date | None:
    """A 903 date (dd/mm/YYYY), or None when blank or not a date."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, DATE_FORMAT).date()
    except ValueError:
        return None


def format_date(day: dt.date | None) -> str:
    return day.strftime(DATE_FORMAT) if day else ""
