"""Hostile input for the property-based tests (Hypothesis): text with every kind of
character that has hurt a parser or a database (NUL and other controls, lone surrogates,
noncharacters, byte order marks, line and paragraph separators, quotes, huge values), and
CSV files built from it with broken quoting, odd line endings, wrong column counts and odd
encodings.

Hypothesis keeps nothing in the project: its example database is off and its home (where
it caches Unicode tables) is a temporary folder removed at exit, so CI leaves no files.
HARBOUR_FUZZ_SCALE multiplies every test's number of examples (for a longer run by hand).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

_home = tempfile.mkdtemp(prefix="harbour-hypothesis-")
set_hypothesis_home_dir(_home)
atexit.register(shutil.rmtree, _home, ignore_errors=True)


def hostile_settings(max_examples: int) -> Any:
    """Bounded (so the suite stays quick), with no deadline (a shared CI machine is slow
    at times) and no example database."""
    return settings(
        max_examples=max_examples * int(os.environ.get("HARBOUR_FUZZ_SCALE", "1")),
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[
            # Fixtures (a user, a force) are made once and not changed by an example; each
            # example that writes rolls its writes back.
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# Characters and pieces that have broken parsers, databases or terminals.
SPECIAL = [
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1a", "\x1b[2J", "\x1f", "\x7f", "\x80",
    "\x85", "\x9f", "\t", "\n", "\r", "\r\n", "\u2028", "\u2029", "\ufeff", "\ufffe",
    "\uffff", "\ufdd0", "\U0001fffe", "\U0010ffff", "\ud800", "\udfff", "\u202e", "\u200d",
    "\u00a0", '"', '""', ",", ";", "'", "\\", "%s", "%(x)s", "{0}", "<script>", "&amp;",
    "=HYPERLINK(\"x\")", "Zoë", "Ñúñez", "😀", "مرحبا", " ", "",
]  # fmt: skip


def hostile_text(max_pieces: int = 12) -> st.SearchStrategy[str]:
    """Short text mixing any code point (surrogates included), the special pieces above
    and ordinary text."""
    piece = st.one_of(
        st.sampled_from(SPECIAL),
        st.characters(exclude_categories=()),
        st.text(max_size=6),
    )
    return st.lists(piece, max_size=max_pieces).map("".join)


# Built once: a strategy is costly to build and check, cheap to draw from.
HOSTILE_TEXT = hostile_text()
# One hostile thing to put into an otherwise valid value.
HOSTILE_PIECE = st.one_of(
    st.sampled_from(SPECIAL), st.characters(exclude_categories=()), hostile_text(3)
)
HOSTILE_SUFFIX = hostile_text(3)
# A value far longer than any field, past the csv module's 128 KiB field limit.
HUGE_TEXT = st.sampled_from([1_000, 10_001, 140_000]).map(lambda size: "x" * size)


def cell(plausible: list[str]) -> st.SearchStrategy[str]:
    """A value for a CSV cell: mostly plausible (so rows get far into the checks), often
    hostile, now and then huge."""
    plausible_value = st.sampled_from(plausible)
    return st.one_of(
        *[plausible_value] * 4,
        st.tuples(plausible_value, HOSTILE_SUFFIX).map("".join),
        *[HOSTILE_TEXT] * 2,
        st.integers(0, 9).flatmap(lambda n: HUGE_TEXT if n == 0 else plausible_value),
    )


@st.composite
def spliced(draw: Any, value: str) -> str:
    """`value` with a hostile piece put in somewhere."""
    at = draw(st.integers(0, len(value)))
    return value[:at] + draw(HOSTILE_PIECE) + value[at:]


def csv_bytes(
    header: list[str], valid_rows: list[dict[str, str]], plausible: list[str]
) -> st.SearchStrategy[bytes]:
    """A CSV file that may be almost right or badly wrong: the expected header (shuffled,
    with columns missing, repeated or unknown) or a hostile one; valid rows with one value
    made hostile (so that the hostile value gets as far as it can), or rows of values each
    plausible or hostile, of the right width or not; cells quoted, unquoted or broken; any
    line ending; a byte order mark or not; encoded as UTF-8 (lone surrogates passed through
    as bytes), UTF-16, Windows-1252 or Latin-1; or no CSV at all."""
    values = cell(plausible)
    valid_row = st.sampled_from(valid_rows)
    # Mostly the expected header, so that the rows are read (Hypothesis favours small
    # numbers: 0 to 6 are most of what it draws).
    header_change = st.integers(0, 9).map(
        lambda n: ["cut", "add", "cut and add"][n - 7] if n > 6 else "none"
    )
    extra_column = st.one_of(st.sampled_from(header), hostile_text(4))
    # A broken quote spoils the rest of the file: now and then only.
    quoting = st.sampled_from(["plain"] * 12 + ["quoted"] * 6 + ["broken"])
    line_end = st.sampled_from(["\n", "\r\n", "\r", "\n\n", ""])
    width_change = st.sampled_from([0, 0, 0, 0, -1, 1, None])
    # Plain UTF-8 replaces a lone surrogate (which no UTF-8 file can hold); "utf-8 as is"
    # writes its bytes anyway, as a broken encoder would.
    encoding = st.sampled_from(["utf-8"] * 6 + ["utf-8 as is", "utf-16", "cp1252", "latin-1"])

    @st.composite
    def build(draw: Any) -> bytes:
        if draw(st.integers(0, 19)) == 0:
            return draw(st.binary(max_size=600))
        columns = draw(st.permutations(header))
        change = draw(header_change)
        if "cut" in change:
            columns = columns[: draw(st.integers(0, len(columns)))]
        if "add" in change:
            columns = columns + draw(st.lists(extra_column, min_size=1, max_size=2))
        rows = [columns]
        for _ in range(draw(st.integers(1, 6))):
            if columns and draw(st.booleans()):
                cells = [draw(valid_row).get(name, "") for name in columns]
                if draw(st.integers(0, 3)):
                    which = draw(st.integers(0, len(cells) - 1))
                    at = draw(st.integers(0, len(cells[which])))
                    cells[which] = cells[which][:at] + draw(HOSTILE_PIECE) + cells[which][at:]
                rows.append(cells)
                continue
            change = draw(width_change)
            size = 0 if change is None else max(len(columns) + change, 0)
            rows.append([draw(values) for _ in range(size)])
        lines = []
        for cells in rows:
            written = []
            for value in cells:
                how = draw(quoting)
                if how == "quoted":
                    value = '"' + value.replace('"', '""') + '"'
                elif how == "broken":
                    value = '"' + value
                written.append(value)
            lines.append(",".join(written) + draw(line_end))
        text = draw(st.sampled_from(["", "", "\ufeff"])) + "".join(lines)
        codec = draw(encoding)
        if codec == "utf-8 as is":
            return text.encode("utf-8", errors="surrogatepass")
        return text.encode(codec, errors="surrogatepass" if codec == "utf-16" else "replace")

    return build()
