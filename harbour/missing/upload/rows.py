"""Reading each row of a held file with its force's mapping: its values parsed and every
problem named by row and column (`Problem`), as a `Row` the preview matches.

Times without an offset are UK (Europe/London) wall-clock times. The hour skipped when the
clocks go forward did not exist and is refused; the hour repeated when they go back
happened twice and a file cannot say which, so it is refused too (the one-at-a-time form
asks which). A format with %z (an offset, as in 2026-10-25T01:30:00+01:00) is exact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils import timezone

from harbour.common.text import refused_inside_one_line
from harbour.common.time import (
    RepeatedLocalTime,
    SkippedLocalTime,
    from_london,
    in_utc_within_calendar,
    local_date,
)

from .. import matching
from ..models import ColumnMapping, Episode
from .files import read_table
from .mappings import LABELS, SAMPLE, MappingMismatch


@dataclass
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"Row {self.row}, column '{self.column}': {self.message}"
        return f"Row {self.row}: {self.message}"


@dataclass
class Row:
    number: int
    reference: str = ""
    category: str = ""
    started_at: dt.datetime | None = None
    reported_at: dt.datetime | None = None
    # Found or returned (a late notification): the episode is closed as it is recorded.
    ended_at: dt.datetime | None = None
    risk_level: str = ""
    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None
    child_id: str = ""
    problems: list[Problem] = field(default_factory=list)
    # problem | recorded (already, for this same child, who is visible) | ready
    status: str = "ready"
    recorded_episode: Episode | None = None
    # For a row already recorded: how the extract differs from the episode as recorded.
    differences: list[str] = field(default_factory=list)
    # exact | likely | none (for ready rows)
    match: str = ""
    candidates: list[matching.Candidate] = field(default_factory=list)
    cannot_create: str = ""
    # An earlier row of this file with the same person id, which creates that child.
    same_new_child_as: int | None = None
    # The open episode of each candidate child that has one (child pk -> episode): the
    # notification would be merged into it (services.record_notification).
    open_episodes: dict[int, Episode] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def choices(self) -> list[str]:
        """The answers the coordinator may give for this row."""
        values = [f"child:{candidate.child.pk}" for candidate in self.candidates]
        if self.match != "exact" and not self.cannot_create:
            values.append("new")
        return [*values, "skip"]

    def default_choice(self) -> str:
        """Only a certain match (the same person id) is chosen for the coordinator; a new
        child never is. A row that can only be left out is left out."""
        if self.match == "exact":
            return f"child:{self.candidates[0].child.pk}"
        if self.choices() == ["skip"]:
            return "skip"
        return ""

    def offered(self) -> str:
        """A digest of the answers offered for this row (the children, in order, with
        their person ids and scores, and whether a new child may be created): posted with
        the answers, so that recording can tell the register changed since the
        coordinator read the row."""
        shown = ",".join(
            f"{candidate.child.pk}:{candidate.child.child_id}:{candidate.score}"
            for candidate in self.candidates
        )
        # The open episodes too: the preview says what merging does to each.
        merges = ",".join(
            f"{pk}:{episode.pk}:{episode.started_at.isoformat()}:{episode.risk_level}"
            for pk, episode in sorted(self.open_episodes.items())
        )
        text = f"{self.number}|{self.match}|{','.join(self.choices())}|{shown}|{merges}"
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def _cell(cells: list[str], index: dict[str, int], header: str | None) -> str:
    if not header or header not in index:
        return ""
    position = index[header]
    return cells[position].strip() if position < len(cells) else ""


def _parse_instant(text: str, fmt: str, row: Row, column: str, what: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.strptime(text, fmt)
    except ValueError as problem:
        if "does not match format" in str(problem) or "unconverted data" in str(problem):
            row.problems.append(
                Problem(
                    row.number,
                    column,
                    f"{text} is not a {what} in the form {SAMPLE.strftime(fmt.replace('%z', ''))} "
                    "(this force's mapping)",
                )
            )
        else:
            row.problems.append(Problem(row.number, column, f"{text} is not a real date"))
        return None
    if parsed.tzinfo is not None:
        in_utc = in_utc_within_calendar(parsed)
        if in_utc is None:
            row.problems.append(Problem(row.number, column, f"{text} is not a real date"))
            return None
        instant = in_utc
    else:
        try:
            instant = from_london(parsed)
        except SkippedLocalTime:
            row.problems.append(
                Problem(
                    row.number,
                    column,
                    f"{text} did not happen in the UK: the clocks went forward an hour that "
                    "night. Ask the police for the right time",
                )
            )
            return None
        except RepeatedLocalTime:
            row.problems.append(
                Problem(
                    row.number,
                    column,
                    f"{text} happened twice in the UK: the clocks went back an hour that night, "
                    "and the file does not say which. Record this notification with the form, "
                    "which asks which one",
                )
            )
            return None
    if instant > timezone.now():
        row.problems.append(Problem(row.number, column, f"{text} is in the future"))
        return None
    return instant


def _lookup(values: Mapping[str, list[str]], text: str) -> str | None:
    for code, texts in values.items():
        if text.lower() in (t.lower() for t in texts):
            return code
    return None


def parse(mapping: ColumnMapping, content: bytes) -> list[Row]:
    """Every row of the file, each with its values read and its problems named.

    Raises MappingMismatch when the mapping names a header the file does not have."""
    headers, body = read_table(content)
    columns = mapping.columns
    missing = [header for header in columns.values() if header not in headers]
    if missing:
        raise MappingMismatch(
            f"This file has no column '{missing[0]}', which the saved mapping for "
            f"{mapping.force} uses. Choose the column for each field.",
            [h for h in headers if h],
        )
    index: dict[str, int] = {}
    for position, header in enumerate(headers):
        index.setdefault(header, position)
    return [_parse_row(mapping, headers, index, number, cells) for number, cells in body]


def _parse_row(
    mapping: ColumnMapping, headers: list[str], index: dict[str, int], number: int, cells: list[str]
) -> Row:
    columns = mapping.columns
    row = Row(number)
    value = {key: _cell(cells, index, columns.get(key)) for key in LABELS}
    refused_keys: set[str] = set()
    for key, header in columns.items():
        # Every field read from the file is one line; spaces, tabs and line breaks around
        # a value are removed, so only those inside it are refused.
        raw = cells[index[header]] if index.get(header, len(cells)) < len(cells) else ""
        if (refused := refused_inside_one_line(raw)) is not None:
            row.problems.append(
                Problem(number, header, f"has {refused}: the value must be on one line")
            )
            value[key] = ""
            refused_keys.add(key)

    def need(key: str) -> str:
        if not value[key] and key not in refused_keys:
            row.problems.append(Problem(number, columns[key], "is empty"))
        return value[key]

    row.reference = need("police_reference")
    if len(row.reference) > 64:
        row.problems.append(
            Problem(number, columns["police_reference"], "is longer than 64 characters")
        )
    row.given_name = need("given_name")
    row.family_name = need("family_name")
    row.child_id = value["child_id"][:64]
    if text := need("category"):
        row.category = _lookup(mapping.category_values, text) or ""
        if not row.category:
            row.problems.append(
                Problem(
                    number,
                    columns["category"],
                    f"'{text}' is not a value this force's mapping reads as missing or "
                    "absent. Add it on the mapping page, or correct the file",
                )
            )
    if text := value["risk_level"]:
        row.risk_level = _lookup(mapping.risk_values, text) or ""
        if not row.risk_level:
            row.problems.append(
                Problem(
                    number,
                    columns["risk_level"],
                    f"'{text}' is not a risk grade in this force's mapping. Add it on the "
                    "mapping page, or correct the file",
                )
            )
    if "last_seen" in columns:
        if text := need("last_seen"):
            row.started_at = _parse_instant(
                text, mapping.datetime_format, row, columns["last_seen"], "date and time"
            )
    else:
        day, time = need("last_seen_date"), need("last_seen_time")
        if day and time:
            column = f"{columns['last_seen_date']}' and '{columns['last_seen_time']}"
            row.started_at = _parse_instant(
                f"{day} {time}",
                f"{mapping.date_format} {mapping.time_format}",
                row,
                column,
                "date and time",
            )
    if text := value["reported_at"]:
        row.reported_at = _parse_instant(
            text, mapping.datetime_format, row, columns["reported_at"], "date and time"
        )
        if row.reported_at and row.started_at and row.reported_at < row.started_at:
            row.problems.append(
                Problem(
                    number,
                    columns["reported_at"],
                    f"{text} is before the child was last seen",
                )
            )
    if text := value["found_at"]:
        row.ended_at = _parse_instant(
            text, mapping.datetime_format, row, columns["found_at"], "date and time"
        )
        if row.ended_at and row.started_at and row.ended_at < row.started_at:
            row.problems.append(
                Problem(number, columns["found_at"], f"{text} is before the child was last seen")
            )
            row.ended_at = None
    if text := value["date_of_birth"]:
        column = columns["date_of_birth"]
        try:
            row.date_of_birth = dt.datetime.strptime(text, mapping.date_format).date()
        except ValueError as problem:
            if "does not match format" in str(problem) or "unconverted" in str(problem):
                example = SAMPLE.strftime(mapping.date_format)
                message = f"{text} is not a date in the form {example} (this force's mapping)"
            else:
                message = f"{text} is not a real date"
            row.problems.append(Problem(number, column, message))
        else:
            if row.date_of_birth > local_date(timezone.now()):
                row.problems.append(Problem(number, column, f"{text} is in the future"))
                row.date_of_birth = None
            elif row.started_at and local_date(row.started_at) < row.date_of_birth:
                row.problems.append(
                    Problem(number, column, f"{text} is after the child was last seen")
                )
    if len(cells) > len(headers) and any(c.strip() for c in cells[len(headers) :]):
        row.problems.append(
            Problem(
                number,
                "",
                f"has {len(cells)} cells but the header has {len(headers)}: check for a "
                "stray comma",
            )
        )
    # In the order of the file's columns, as the coordinator reads across the row.
    row.problems.sort(key=lambda problem: index.get(problem.column.split("'")[0], len(headers)))
    if row.problems:
        row.status = "problem"
    return row
