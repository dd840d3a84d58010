"""Hostile police extracts, generated (Hypothesis): receiving, previewing and recording a
file never fail with an exception; a file refused names the row and column of each bad
cell; a row that cannot be read names its column; nothing is stored from a refused file
(docs/security.md, "Hostile input")."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from harbour.children.models import Child
from harbour.common.tests.factories import make_staff
from harbour.common.tests.hostile import csv_bytes, hostile_settings, spliced
from harbour.common.text import refused_character, refused_inside_one_line
from harbour.common.time import UTC
from harbour.missing.models import Episode, PoliceUpload
from harbour.missing.upload.commit import CommitRefused, commit
from harbour.missing.upload.files import UploadRefused, receive
from harbour.missing.upload.mappings import MappingMismatch
from harbour.missing.upload.preview import build_preview

from .test_police_upload import HEADER, NORTHSHIRE, force_with, row

NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
COLUMNS = HEADER.split(",")

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


def cells_of(**values: str) -> dict[str, str]:
    return dict(zip(COLUMNS, row(**values).split(","), strict=True))


VALID_ROWS = [
    cells_of(ref="NSP-1"),
    cells_of(ref="NSP-2", given="Zoë", family="Ñúñez", risk="Low"),
    cells_of(ref="NSP-3", kind="Absent", person="P-77", risk=""),
]
PLAUSIBLE = sorted(
    {value for cells in VALID_ROWS for value in cells.values()} | {"31/02/2026 10:00", "Gone"}
)
# "Row 7, column B ('Forename'): ..." or, for a whole-file problem, no row at all.
LOCATED_CELL = re.compile(r"Row \d+, column [A-Z]+\b")


@pytest.fixture
def coordinator():
    return make_staff("COORDINATOR")


@pytest.fixture
def northshire():
    return force_with(NORTHSHIRE)


def record_every_row(coordinator, upload) -> list[str]:
    """Preview the held file and record every row that can be: a new child where one may
    be made, else the first child offered. The preview's problems."""
    preview = build_preview(upload, coordinator)
    for problem in preview.problems:
        assert problem.row >= 2 and problem.message
    ready = preview.of("ready")
    try:
        commit(
            coordinator,
            upload,
            choices={r.number: "new" if "new" in r.choices() else r.choices()[0] for r in ready},
            sexes={},
            mapping_version=preview.mapping.version,
            offered={r.number: r.offered() for r in ready},
        )
    except CommitRefused as refused:
        assert all(problem for problem in refused.problems)
    return [str(problem) for problem in preview.problems]


def check_file(coordinator, force, content: bytes) -> tuple[str | None, list[str]]:
    """Receive, preview and record a file: (the refusal, if it was refused; the preview's
    problems)."""
    try:
        upload = receive(coordinator, force, content)
    except UploadRefused as refused:
        message = str(refused)
        assert message
        if "cannot be stored" in message:
            assert LOCATED_CELL.search(message), message
        assert not PoliceUpload.objects.exists()
        return message, []
    try:
        return None, record_every_row(coordinator, upload)
    except MappingMismatch as mismatch:
        assert str(mismatch)
        return None, []


@hostile_settings(max_examples=150)
@given(content=csv_bytes(COLUMNS, VALID_ROWS, PLAUSIBLE))
def test_any_file_is_refused_with_a_reason_or_read_row_by_row_and_never_fails(
    coordinator, northshire, content
):
    with transaction.atomic():
        check_file(coordinator, northshire, content)
        transaction.set_rollback(True)


CELLS = [(line, column) for line in range(2, len(VALID_ROWS) + 2) for column in COLUMNS]


@st.composite
def extract_with_one_hostile_cell(draw):
    """(the valid extract with a hostile piece put into one cell, its row, its column,
    the cell as it will be read)."""
    line, column = draw(st.sampled_from(CELLS))
    # A lone surrogate cannot be written as UTF-8: it is written as "?".
    value = draw(spliced(VALID_ROWS[line - 2][column])).encode(errors="replace").decode()
    # An unmapped notes column, long enough that most cells lie beyond the first 4 KiB
    # (where the encoding is guessed from).
    notes = "Seen near the station, then at the bus stop; phone switched off. " * 25
    rows = [[*COLUMNS, "Notes"]] + [
        [*(cells[name] for name in COLUMNS), notes] for cells in VALID_ROWS
    ]
    rows[line - 1][COLUMNS.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(), line, column, value


@hostile_settings(max_examples=100)
@given(case=extract_with_one_hostile_cell())
def test_a_refused_character_in_any_cell_is_refused_exactly_where_it_is(
    coordinator, northshire, case
):
    content, line, column, value = case
    with transaction.atomic():
        message, problems = check_file(coordinator, northshire, content)
        refused = refused_character(value, multi_line=True)
        inside = refused_inside_one_line(value)
        letter = chr(ord("A") + COLUMNS.index(column))
        if refused is not None:
            assert f"Row {line}, column {letter} ('{column}'): {refused}" in message
            assert not Child.objects.exists() and not Episode.objects.exists()
        elif inside is not None:
            assert (
                f"Row {line}, column '{column}': has {inside}: the value must be on one line"
                in problems
            )
            assert not Episode.objects.filter(episode_id=VALID_ROWS[line - 2]["Crime Ref"]).exists()
        transaction.set_rollback(True)
