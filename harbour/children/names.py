"""Names as matching reads them, and the keys stored on each child so that the database
finds the children a police notification may be about (harbour/missing/matching.py).

`normalise`: accents removed (NFKD, combining marks dropped), case ignored, hyphens,
apostrophes, full stops and runs of spaces as one space ("Zoë Smith-Jones" is
"zoe smith jones").

`name_key`: the normalised name with every character outside a-z and the space folded to
one of them, or to "?" (ø to o, ß to s, any other to "?"). Folding one character to
another never moves two names further apart, so two names within one edit of each other
after `normalise` are within one edit as keys too.

Each child stores, for its given and its family name (`stored_name_keys`), five keys:
its length with its first half (`head`), with its second half (`tail`), and with the two
letters either side of the middle left out (`gap`); and its first and last words (a
double-barrelled or double name found by one of its parts). One insertion, deletion,
substitution or transposition of adjacent letters leaves one of the three intact: an edit
in the second half leaves the head, one in the first half the tail, and a transposition
across the middle the gap. So the keys of a name as a notification gives it
(`keys_within_one_edit`: the three for each length the stored name may have, one shorter,
the same or one longer) find every stored name within one edit of it, by equality, with an
index, among a few hundred children at most.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

# The stored keys' columns hold at most this many characters (as the names themselves).
KEY_LENGTH = 200
# Letters NFKD leaves as they are, folded to the plain letter they are written for.
FOLDED = str.maketrans(
    {"ø": "o", "æ": "a", "œ": "o", "ß": "s", "ł": "l", "đ": "d", "ð": "d", "þ": "t", "\u0131": "i"}
)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=8192)
def normalise(name: str) -> str:
    """Accents dropped, lower case, hyphens/apostrophes/spaces as single spaces."""
    text = strip_accents(name or "").lower()
    text = re.sub("[-\u2010\u2011\u2013\u2014'\u2019.]", " ", text)
    return " ".join(text.split())


@functools.lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """The normalised name over a-z, the space and "?" alone (see the module docstring)."""
    folded = normalise(name).translate(FOLDED)
    return re.sub("[^a-z ]", "?", folded)[:KEY_LENGTH]


def _halves(key: str, length: int) -> tuple[str, str]:
    """The head and tail keys of a name of `length` letters whose first half is the start
    of `key` and whose second half is the end of it."""
    half = length // 2
    return f"{length}:{key[:half]}", f"{length}:{key[len(key) - (length - half) :]}"


def _gap(key: str) -> str:
    half = len(key) // 2
    return f"{len(key)}:{key[: half - 1]}{key[half + 1 :]}" if half >= 1 else ""


STORED_KEYS = ("head", "tail", "gap", "first_word", "last_word")


def _keys_of(name: str) -> tuple[str, str, str, str, str]:
    """A name's stored keys, in the order of STORED_KEYS (all empty for an empty name)."""
    key = name_key(name)
    words = key.split()
    head, tail = _halves(key, len(key)) if key else ("", "")
    gap = _gap(key) if key else ""
    return head, tail, gap, words[0] if words else "", words[-1] if words else ""


def stored_name_keys(prefix: str, name: str) -> dict[str, str]:
    """The stored keys of one of a child's names: `{prefix}_head`, `_tail`, `_gap`,
    `_first_word` and `_last_word` (all empty for an empty name)."""
    return {f"{prefix}_{kind}": key for kind, key in zip(STORED_KEYS, _keys_of(name), strict=True)}


def stored_name_key_columns(prefix: str, names: Iterable[str | None]) -> dict[str, list[str]]:
    """stored_name_keys of several names (None as empty), column by column (Child)."""
    keys = [_keys_of(name or "") for name in names]
    return {
        f"{prefix}_{kind}": [of_name[index] for of_name in keys]
        for index, kind in enumerate(STORED_KEYS)
    }


def derived_name_keys(values: Mapping[str, Any]) -> dict[str, str]:
    """Every stored name key of a child, from its field values."""
    return {
        **stored_name_keys("given", values.get("given_name") or ""),
        **stored_name_keys("family", values.get("family_name") or ""),
    }


def keys_within_one_edit(key: str) -> frozenset[str]:
    """The head, tail and gap keys (stored_name_keys) of which every stored name within one
    edit of `key` has at least one (see the module docstring)."""
    if not key:
        return frozenset()
    found = {_gap(key)} - {""}
    for length in (len(key) - 1, len(key), len(key) + 1):
        if length >= 1:
            found.update(_halves(key, length))
    return frozenset(found)
