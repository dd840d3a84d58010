"""What text Harbour accepts, defined once for every way text comes in: the pages' forms,
the police upload and the interchange import.

Refused everywhere:

- the C0 control characters U+0000 to U+001F, except that a multi-line answer (a note, an
  account: a form field shown as a text area) may hold a tab, a line feed and a carriage
  return; a one-line answer (a name, a reference, a code, a date box) holds none of them;
- DEL (U+007F) and the C1 control characters U+0080 to U+009F;
- surrogates (U+D800 to U+DFFF): never text on their own, and not encodable as UTF-8;
- noncharacters: U+FDD0 to U+FDEF, and the last two code points of every plane (U+FFFE,
  U+FFFF, U+1FFFE, ... U+10FFFF).

Why: PostgreSQL cannot store a NUL in text at all, while SQLite stores it silently, so the
two databases would disagree about the same input. The others are invisible or meaningless
in a name, a reference or a note: they make two values look the same that are not, break
the CSV files Harbour exports, and can drive the terminal an import's messages are printed
on. Everything else (any letter, accent, emoji, right-to-left script) is accepted.

Each refusal says which character and where it is (counting from 1 in the value as given,
before surrounding spaces are removed), so that the person can find it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

LINE_BREAKS = "\n\r"
TAB = "\t"


def _noncharacters_of_every_plane() -> str:
    return "".join(
        f"\\U{plane << 16 | 0xFFFE:08X}\\U{plane << 16 | 0xFFFF:08X}" for plane in range(17)
    )


# Refused in any text: C0 but tab, line feed and carriage return; DEL and C1; surrogates;
# noncharacters. All of them are "not printable" to Python (categories Cc, Cs, Cn), so
# text that str.isprintable() accepts (most text: it is fast) needs no search; a search
# with this many ranges is several times slower.
_ALWAYS = (
    "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ud800-\\udfff\\ufdd0-\\ufdef"
    + _noncharacters_of_every_plane()
)
_REFUSED_IN_MULTI_LINE = re.compile(f"[{_ALWAYS}]")
_REFUSED_IN_ONE_LINE = re.compile(f"[{_ALWAYS}\\t\\n\\r]")


@dataclass(frozen=True)
class RefusedCharacter:
    """A character a text value may not hold, and where it is."""

    character: str
    # 1 for the first character of the value as given.
    position: int

    @property
    def code(self) -> str:
        return f"U+{ord(self.character):04X}"

    @property
    def noun(self) -> str:
        character = self.character
        if character in LINE_BREAKS:
            return "line break"
        if character == TAB:
            return "tab"
        if "\ud800" <= character <= "\udfff":
            return "surrogate"
        if character <= "\x9f":
            return "control character"
        return "noncharacter"

    def __str__(self) -> str:
        """'a control character (U+0000) at character 3': completes "... contains "."""
        return f"a {self.noun} ({self.code}) at character {self.position}"

    @property
    def instruction(self) -> str:
        """What a person filling in a form should do."""
        advice = {
            "line break": ": this answer must be on one line",
            "tab": ": this answer must be on one line",
        }.get(self.noun, ": it cannot be stored")
        return f"Remove the {self.noun} ({self.code}) at character {self.position}{advice}"


def refused_character(text: str, *, multi_line: bool = False) -> RefusedCharacter | None:
    """The first character of `text` Harbour does not accept, or None."""
    if text.isprintable():
        return None
    pattern = _REFUSED_IN_MULTI_LINE if multi_line else _REFUSED_IN_ONE_LINE
    found = pattern.search(text)
    if found is None:
        return None
    return RefusedCharacter(found.group(), found.start() + 1)


def refused_inside_one_line(text: str) -> RefusedCharacter | None:
    """For a one-line value read from a file, whose surrounding spaces are removed before
    it is used: a character refused anywhere, or a tab or line break inside the value
    (around it they are removed with the spaces, so they do no harm)."""
    refused = refused_character(text, multi_line=True)
    if refused is not None:
        return refused
    inner = refused_character(text.strip())
    if inner is None:
        return None
    return RefusedCharacter(inner.character, inner.position + len(text) - len(text.lstrip()))


def any_refused(texts: Iterable[str], *, multi_line: bool = False) -> bool:
    """Whether any of `texts` holds a refused character: one search for a whole row, so
    that the common case (nothing refused) costs one pass in C. They are joined by a space,
    which no pattern refuses, and each pattern matches a single character, so nothing is
    found across two values."""
    return refused_character(" ".join(texts), multi_line=multi_line) is not None


# Every form of every page.

_GUARD_MARK = "_harbour_refuses_control_characters"


def refuse_in_every_form_text_field() -> None:
    """Make every Django form text field (forms.CharField and its subclasses: email, URL,
    regex, username and password fields, and the admin's and the model forms' text fields)
    refuse the characters above, with the error on that field.

    Done once, at start-up (harbour.common.apps), on CharField itself rather than form by
    form, so that no form, present or future, can forget it. A field shown as a text area
    is multi-line. The raw value is checked, before surrounding spaces are removed, so a
    control character is refused even where stripping would have hidden it."""
    from django import forms
    from django.core.exceptions import ValidationError

    django_clean = forms.CharField.clean
    if getattr(django_clean, _GUARD_MARK, False):
        return

    def clean(field: forms.CharField, value: Any) -> Any:
        if isinstance(value, str):
            multi_line = isinstance(field.widget, forms.Textarea)
            refused = refused_character(value, multi_line=multi_line)
            if refused is not None:
                raise ValidationError(refused.instruction, code="refused_character")
        return django_clean(field, value)

    setattr(clean, _GUARD_MARK, True)
    clean.__doc__ = django_clean.__doc__
    # The stubs give CharField the clean of any Field; this one is only ever CharField's.
    forms.CharField.clean = clean  # type: ignore[method-assign,assignment]
