"""Parsing one CSV cell of the interchange format (shared/spec/interchange.md).

Each parser takes the cell with surrounding spaces already removed (and never an empty
cell: empty means "no value" and is handled by the caller) and returns the typed value,
or raises CellError with a message that completes "file:line:column: ...".

`parse_column` reads a whole column of a batch at once, for the reader's column-by-column
way (reader._FileReader._checked_by_column): it only says whether every cell is valid,
and the reader goes back to reading row by row, with these parsers and their messages,
when one is not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from harbour.common.time import (
    UTC,
    RepeatedLocalTime,
    SkippedLocalTime,
    from_london,
    in_utc_within_calendar,
)


class CellError(ValueError):
    pass


Parser = Callable[[str], Any]
# A column of stripped cells ("" for an empty one) -> their values (None for an empty one),
# or None when some cell is not valid.
ColumnParser = Callable[[Sequence[str]], list[Any] | None]

# The parsers that have a quicker way with a whole column than one call per cell.
_COLUMN_PARSERS: dict[Parser, ColumnParser] = {}


def parse_column(parse: Parser, texts: Sequence[str]) -> list[Any] | None:
    """Each cell of a column parsed by `parse`, an empty one as None; None if `parse` would
    refuse any of them. The values are exactly `parse`'s (test_reader_columns checks each)."""
    column_parser = _COLUMN_PARSERS.get(parse)
    if column_parser is not None:
        return column_parser(texts)
    try:
        return [parse(text) if text else None for text in texts]
    except ValueError:
        return None


def _as_given_or_none(texts: Sequence[str]) -> list[Any]:
    return [text or None for text in texts]


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?P<tz>Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?"
)
_LA_CODE = re.compile(r"\d{3}")


def parse_date(text: str) -> dt.date:
    if not _DATE.fullmatch(text):
        raise CellError(f"is not a date in the form YYYY-MM-DD: '{text}'")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CellError(f"is not a real date: '{text}'") from None


def _parse_date_column(texts: Sequence[str]) -> list[Any] | None:
    # The pattern over every cell in one pass in C, then fromisoformat (also C) each.
    if not all(map(_DATE.fullmatch, filter(None, texts))):
        return None
    from_iso = dt.date.fromisoformat
    try:
        return [from_iso(text) if text else None for text in texts]
    except ValueError:
        return None


_COLUMN_PARSERS[parse_date] = _parse_date_column


def parse_datetime(text: str) -> dt.datetime:
    """An instant. Without an offset the time is Europe/London local time, which must
    exist and be unambiguous on that day."""
    match = _DATETIME.fullmatch(text)
    if not match:
        raise CellError(
            f"is not a date-time in the form YYYY-MM-DDTHH:MM[:SS] with an optional Z or "
            f"+HH:MM offset: '{text}'"
        )
    # The pattern has decided the form is allowed; fromisoformat (fast, in C) reads it and
    # refuses impossible values (30 February, 25:00, an offset of 24 hours or more).
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CellError(f"is not a real date and time: '{text}'") from None
    if instant.tzinfo is None:
        instant = _from_london(instant, text)
    in_utc = in_utc_within_calendar(instant)
    if in_utc is None:
        raise CellError(f"is outside the years 1 to 9999 in UTC or in Europe/London: '{text}'")
    return in_utc


def _parse_datetime_column(texts: Sequence[str]) -> list[Any] | None:
    if not all(map(_DATETIME.fullmatch, filter(None, texts))):
        return None
    from_iso = dt.datetime.fromisoformat
    try:
        read = [from_iso(text) if text else None for text in texts]
        instants = [
            None
            if instant is None
            else instant.astimezone(UTC)
            if instant.tzinfo is not None
            else from_london(instant)
            for instant in read
        ]
    except (ValueError, OverflowError):  # not a real time, skipped or repeated, or no year
        return None
    given = [instant for instant in instants if instant is not None]
    # Only the first and last instants can fall outside the calendar in Europe/London: its
    # offset is -0:01:15 only before 1847, and never positive in December.
    if given and None in (in_utc_within_calendar(min(given)), in_utc_within_calendar(max(given))):
        return None
    return instants


_COLUMN_PARSERS[parse_datetime] = _parse_datetime_column


def _from_london(naive: dt.datetime, text: str) -> dt.datetime:
    try:
        return from_london(naive)
    except SkippedLocalTime:
        raise CellError(
            f"does not exist in Europe/London (the clocks went forward): '{text}'; "
            "give the time with its offset"
        ) from None
    except RepeatedLocalTime:
        raise CellError(
            f"is ambiguous in Europe/London (the clocks went back, so it happened twice): "
            f"'{text}'; give the time with its offset"
        ) from None


def code_parser(codes: Iterable[str]) -> Parser:
    allowed = tuple(codes)
    allowed_set = frozenset(allowed)
    listing = ", ".join(allowed)

    def parse_code(text: str) -> str:
        if text not in allowed_set:
            raise CellError(f"unknown code '{text}' (expected one of {listing})")
        return text

    def parse_code_column(texts: Sequence[str]) -> list[Any] | None:
        # The column's codes checked against the allowed in one call, in C.
        if not allowed_set.issuperset(filter(None, texts)):
            return None
        return _as_given_or_none(texts)

    _COLUMN_PARSERS[parse_code] = parse_code_column
    return parse_code


def code_list_parser(codes: Iterable[str]) -> Parser:
    """A `;`-separated list of codes: spaces around items ignored, no empty items, no repeats."""
    parse_code = code_parser(codes)

    def parse_codes(text: str) -> list[str]:
        items = [item.strip() for item in text.split(";")]
        if any(item == "" for item in items):
            raise CellError(f"has an empty item in the list '{text}'")
        result: list[str] = []
        for item in items:
            code = parse_code(item)
            if code in result:
                raise CellError(f"lists '{code}' more than once")
            result.append(code)
        return result

    return parse_codes


def key_list_parser(max_length: int) -> Parser:
    """A `;`-separated list of record keys (child_id;child_id): spaces around items
    ignored, no empty items, no repeats."""

    def parse_keys(text: str) -> list[str]:
        items = [item.strip() for item in text.split(";")]
        if any(item == "" for item in items):
            raise CellError(f"has an empty item in the list '{text}'")
        result: list[str] = []
        for item in items:
            if len(item) > max_length:
                raise CellError(f"has an item longer than {max_length} characters")
            if item in result:
                raise CellError(f"lists '{item}' more than once")
            result.append(item)
        return result

    return parse_keys


def parse_yes_no(text: str) -> bool:
    if text == "Y":
        return True
    if text == "N":
        return False
    raise CellError(f"must be Y or N, not '{text}'")


_YES_NO = {"Y": True, "N": False, "": None}


def _parse_yes_no_column(texts: Sequence[str]) -> list[Any] | None:
    if not _YES_NO.keys() >= set(texts):
        return None
    return list(map(_YES_NO.__getitem__, texts))


_COLUMN_PARSERS[parse_yes_no] = _parse_yes_no_column


def parse_la_code(text: str) -> str:
    if not _LA_CODE.fullmatch(text):
        raise CellError(f"is not a three-digit DfE local authority number: '{text}'")
    return text


def text_parser(max_length: int) -> Parser:
    def parse_text(text: str) -> str:
        if len(text) > max_length:
            raise CellError(f"is longer than {max_length} characters")
        return text

    def parse_text_column(texts: Sequence[str]) -> list[Any] | None:
        if max(map(len, texts), default=0) > max_length:
            return None
        return _as_given_or_none(texts)

    _COLUMN_PARSERS[parse_text] = parse_text_column
    return parse_text


def format_yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return "Y" if value else "N"
