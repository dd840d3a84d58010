# ruff: noqa: E501 (rows read best unbroken)

"""Hostile files, generated (Hypothesis): the reader and the whole import never fail with
an exception, name every problem as file:line:column, print nothing that could drive a
terminal, and store everything or nothing (docs/security.md, "Hostile input")."""

import csv
import datetime as dt
import io
import re
import tempfile
import textwrap
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import example, given
from hypothesis import strategies as st

from harbour.children.models import Child
from harbour.common.tests.hostile import csv_bytes, hostile_settings, spliced
from harbour.common.text import refused_character
from harbour.common.time import UTC
from harbour.interchange import reader
from harbour.interchange.importer import import_folder
from harbour.interchange.reader import RowProblem
from harbour.interchange.tables import TABLES_BY_FILE, ImportClock
from harbour.missing.models import Episode

from .folders import VALID
from .snapshot import register_snapshot

CLOCK = ImportClock(now=dt.datetime(2026, 11, 2, 12, tzinfo=UTC), today=dt.date(2026, 11, 2))

CHILD_ROWS = [
    {"child_id": "C1", "given_name": "Zoë", "family_name": "Smith", "date_of_birth": "2005-02-28", "sex": "F", "ethnicity": "WBRI"},
    {"child_id": "C2", "given_name": "Sam", "family_name": "Lee", "date_of_birth": "2008-11-01", "sex": "M", "ethnicity": ""},
]  # fmt: skip
EPISODE_ROWS = [
    {"episode_id": "E1", "child_id": "C1", "category": "MISSING", "started_at": "2019-10-26T20:30", "ended_at": "2019-10-27T20:30", "risk_level": "HIGH", "found_location": "Station, NG1"},
    {"episode_id": "E2", "child_id": "C2", "category": "ABSENT", "started_at": "2019-03-31T00:20"},
]  # fmt: skip
CHILD_COLUMNS = list(TABLES_BY_FILE["children.csv"].column_names)
CHILD_VALUES = ["C1", "C2", "Zoë", "Smith-Jones", "2005-02-28", "2010-13-01", "M", "F", "X", "WBRI"]
EPISODE_COLUMNS = list(TABLES_BY_FILE["episodes.csv"].column_names)
EPISODE_VALUES = [
    *("E1", "E2", "C1", "C2", "MISSING", "ABSENT", "HIGH", "Station, NG1"),
    *("2019-10-26T20:30", "2019-10-26T21:00:00+01:00", "2019-03-31T01:30", "2030-01-01T00:00"),
]
# file:line:column: message (a column is a header name, which may hold a colon).
LOCATED = re.compile(r"[a-z_]+\.csv:\d+:[^\n]+?: \S")


def write(folder: Path, children: bytes, episodes: bytes) -> Path:
    (folder / "children.csv").write_bytes(children)
    (folder / "episodes.csv").write_bytes(episodes)
    return folder


@hostile_settings(max_examples=400)
@given(
    children=csv_bytes(CHILD_COLUMNS, CHILD_ROWS, CHILD_VALUES),
    episodes=csv_bytes(EPISODE_COLUMNS, EPISODE_ROWS, EPISODE_VALUES),
)
# Found by this test: a repeated key holding a NUL was echoed in "repeats the key".
@example(
    children=b"child_id,given_name,family_name,date_of_birth,sex,ethnicity\n"
    b"C1\x00,C1,C1,C1,C1,C1\nC1\x00,C1,C1,C1,C1,C1\n",
    episodes=b"",
)
def test_the_reader_names_every_problem_of_any_file_and_never_fails(children, episodes):
    with tempfile.TemporaryDirectory() as folder:
        events = list(reader.read_folder(write(Path(folder), children, episodes), CLOCK))
    for event in events:
        if isinstance(event, RowProblem):
            assert event.file_name in TABLES_BY_FILE
            assert event.line >= 0 and event.column and event.message
            # Nothing that would reach a terminal as a control sequence.
            assert refused_character(f"{event.column}: {event.message}", multi_line=True) is None


@pytest.mark.django_db
@hostile_settings(max_examples=100)
@given(
    children=csv_bytes(CHILD_COLUMNS, CHILD_ROWS, CHILD_VALUES),
    episodes=csv_bytes(EPISODE_COLUMNS, EPISODE_ROWS, EPISODE_VALUES),
)
def test_an_import_of_any_files_names_every_problem_and_stores_all_or_nothing(children, episodes):
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():
        result = import_folder(write(Path(folder), children, episodes), parallel=False)
        for error in result.errors:
            assert LOCATED.match(error), error
        if result.errors:
            assert not Child.objects.exists() and not Episode.objects.exists()
        # Each example starts from an empty register.
        transaction.set_rollback(True)


# A valid folder as rows of cells: {file: [header, row, ...]}.
VALID_ROWS = {
    name: list(csv.reader(io.StringIO(textwrap.dedent(text).lstrip("\n"))))
    for name, text in VALID.items()
}
CELLS = [
    (name, line, position)
    for name, rows in VALID_ROWS.items()
    for line in range(2, len(rows) + 1)
    for position in range(len(rows[0]))
]


@st.composite
def valid_folder_with_one_hostile_cell(draw):
    """(files, (file, line, column), the cell as written): the valid folder with a hostile
    piece put into one of its cells."""
    name, line, position = draw(st.sampled_from(CELLS))
    value = draw(spliced(VALID_ROWS[name][line - 1][position]))
    files = {}
    for file_name, rows in VALID_ROWS.items():
        if file_name == name:
            rows = [list(row) for row in rows]
            rows[line - 1][position] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        files[file_name] = out.getvalue()
    return files, (name, line, VALID_ROWS[name][0][position]), value


@pytest.mark.django_db
@hostile_settings(max_examples=100)
@given(case=valid_folder_with_one_hostile_cell())
def test_a_refused_character_in_any_cell_is_refused_exactly_where_it_is(case):
    files, (name, line, column), value = case
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():
        for file_name, text in files.items():
            (Path(folder) / file_name).write_bytes(text.encode("utf-8", errors="surrogatepass"))
        before = register_snapshot()
        result = import_folder(Path(folder), parallel=False)
        for error in result.errors:
            assert LOCATED.match(error), error
        refused = refused_character(value, multi_line=True)
        if any("\ud800" <= character <= "\udfff" for character in value):
            # No UTF-8 file can hold a lone surrogate: its bytes make the file unreadable.
            assert result.errors[0].startswith(f"{name}:0:-: is not UTF-8 text")
        elif refused is not None:
            assert f"{name}:{line}:{column}: contains {refused}" in result.errors
        if result.errors:
            assert register_snapshot() == before
        transaction.set_rollback(True)
