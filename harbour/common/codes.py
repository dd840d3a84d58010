"""Multi-valued code cells (`CSE;CCE`) stored as one delimited text column.

Stored with a separator at both ends (`;CSE;CCE;`) so that "lists code X" is a plain
`LIKE '%;X;%'` in SQL on every database; order is kept as entered.
"""

from collections.abc import Iterable

SEPARATOR = ";"


def store_codes(codes: Iterable[str]) -> str:
    codes = list(codes)
    if not codes:
        return ""
    return SEPARATOR + SEPARATOR.join(codes) + SEPARATOR


def stored_codes(value: str) -> list[str]:
    return [code for code in value.split(SEPARATOR) if code]


def contains_code(code: str) -> str:
    """The substring to look for (`field__contains=contains_code("CSE")`)."""
    return f"{SEPARATOR}{code}{SEPARATOR}"
