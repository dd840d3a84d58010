"""Parsing one CSV cell of the interchange format (shared/spec/interchange.md).

Each parser takes the cell with surrounding spaces already removed (and never an empty
cell: empty means "no value" and is handled by the caller) and returns the typed value,
or raises CellError with a message that completes "file:line:column: ...".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from harbour.common.time import (
    RepeatedLocalTime,
    SkippedLocalTime,
    from_london,
    in_utc_within_calendar,
)


class CellError(ValueError):
    pass


Parser = Callable[[str], Any]

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


def parse_la_code(text: str) -> str:
    if not _LA_CODE.fullmatch(text):
        raise CellError(f"is not a three-digit DfE local authority number: '{text}'")
    return text


def text_parser(max_length: int) -> Parser:
    def parse_text(text: str) -> str:
        if len(text) > max_length:
            raise CellError(f"is longer than {max_length} characters")
        return text

    return parse_text


def format_yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return "Y" if value else "N"
