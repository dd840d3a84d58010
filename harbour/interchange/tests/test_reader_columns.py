"""The reader checks a batch column by column and falls back to row by row when anything
in it may be wrong (reader._FileReader._checked_by_column). The two ways must give the
same events, to the value and to the message: each part of the column way is held here to
the row way's answer."""

import datetime as dt
import itertools
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harbour.common.tests.hostile import csv_bytes, hostile_settings
from harbour.common.time import UTC
from harbour.demo.generator import write_demo_folder
from harbour.interchange import reader
from harbour.interchange.cells import (
    code_list_parser,
    code_parser,
    key_list_parser,
    parse_column,
    parse_date,
    parse_datetime,
    parse_la_code,
    parse_yes_no,
    text_parser,
)
from harbour.interchange.tables import TABLES, TABLES_BY_FILE, ImportClock
from harbour.interviews.models import Outcome

from .exploitation_folders import ADDITIONS, EXPLOITATION
from .test_hostile_input import (
    CHILD_COLUMNS,
    CHILD_ROWS,
    CHILD_VALUES,
    EPISODE_COLUMNS,
    EPISODE_ROWS,
    EPISODE_VALUES,
    write,
)

CLOCK = ImportClock(now=dt.datetime(2026, 11, 2, 12, tzinfo=UTC), today=dt.date(2026, 11, 2))


def _read(folder: Path, *, by_column: bool, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every event of reading the folder, as their exact repr (types and zones included)."""
    with monkeypatch.context() as patch:
        if not by_column:
            patch.setattr(
                reader._FileReader, "_checked_by_column", lambda self, layout, lines, cells: None
            )
        return repr(list(reader.read_folder(folder, CLOCK)))


def _both_ways(folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    by_column = _read(folder, by_column=True, monkeypatch=monkeypatch)
    assert by_column == _read(folder, by_column=False, monkeypatch=monkeypatch)
    return by_column


def _with_lines_replaced(path: Path, replacements: dict[int, str]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for number, text in replacements.items():
        lines[number - 1] = text + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def test_a_generated_authority_reads_the_same_by_column_as_by_row(tmp_path, monkeypatch):
    # 6,000 episodes: several batches of each large file, every one valid.
    write_demo_folder(
        tmp_path, episodes=6000, seed=7, authority_code="999", last_day=dt.date(2026, 11, 1)
    )
    events = _both_ways(tmp_path, monkeypatch)
    assert "RowProblem" not in events
    assert events.count("RowBatch(") >= 12


def test_batches_with_a_problem_anywhere_read_the_same_both_ways(tmp_path, monkeypatch):
    write_demo_folder(
        tmp_path, episodes=6000, seed=7, authority_code="999", last_day=dt.date(2026, 11, 1)
    )
    episodes = tmp_path / "episodes.csv"
    first = episodes.read_text(encoding="utf-8").splitlines()[1].split(",")
    in_future = ",".join([*first[:3], "2026-11-03T00:00Z", *first[4:]])
    _with_lines_replaced(
        episodes,
        {
            # Last row of the first batch (the header is line 1): an instant in the future.
            2001: in_future.replace(first[0], "MP-FUTURE", 1),
            # A required cell left empty, alone in the second batch.
            3000: ",".join(["MP-NO-CATEGORY", first[1], "", *first[3:]]),
            # A key repeated across two batches.
            4500: ",".join(["MP-FUTURE", *first[1:]]),
        },
    )
    children = tmp_path / "children.csv"
    _with_lines_replaced(children, {3: "P-NEW,Kit,Farrow,2010-02-30,F,WBRI"})
    interviews = tmp_path / "return_interviews.csv"
    repeated = interviews.read_text(encoding="utf-8").splitlines()[2399]
    # A key repeated within one batch, the only problem in it.
    _with_lines_replaced(interviews, {2500: repeated})
    statuses = tmp_path / "legal_statuses.csv"
    lines = statuses.read_text(encoding="utf-8").splitlines()
    not_looked_after = next(n for n, line in enumerate(lines, 1) if line.split(",")[1] == "CP")
    cells = lines[not_looked_after - 1].split(",")
    # A value where the status allows none: the only problem in its file.
    _with_lines_replaced(statuses, {not_looked_after: ",".join([*cells[:4], "343", cells[5]])})

    events = _both_ways(tmp_path, monkeypatch)

    assert "episodes.csv', line=2001, column='started_at', message='is in the future'" in events
    assert "episodes.csv', line=4500, column='episode_id', message='repeats the key" in events
    assert "children.csv', line=3, column='date_of_birth'" in events
    assert "episodes.csv', line=3000, column='category', message='is required'" in events
    assert (
        "return_interviews.csv', line=2500, column='episode_id', message='repeats the key" in events
    )
    assert f"legal_statuses.csv', line={not_looked_after}, column='responsible_la'" in events


@pytest.mark.parametrize(
    "files",
    [EXPLOITATION, {**EXPLOITATION, **ADDITIONS}],
    ids=["every table", "every additive column"],
)
def test_the_test_folders_read_the_same_both_ways(write_folder, monkeypatch, files):
    assert "RowBatch(" in _both_ways(write_folder(files), monkeypatch)


def test_rows_before_a_file_turns_out_unreadable_are_checked_both_ways(write_folder, monkeypatch):
    children = (
        "child_id,given_name,family_name,date_of_birth,sex,ethnicity\n"
        "C1,Ann,Lee,2005-02-28,F,WBRI\n"
        "C2,Sam,Lee,2008-11-01,X,\n"
        'C3,"Ola,Placed,2006-07-07,U,NOBT\n'
    )
    events = _both_ways(write_folder({"children.csv": children.encode()}), monkeypatch)
    assert "line=3, column='sex'" in events
    assert "is not readable CSV" in events


@hostile_settings(max_examples=150)
@given(
    children=csv_bytes(CHILD_COLUMNS, CHILD_ROWS, CHILD_VALUES),
    episodes=csv_bytes(EPISODE_COLUMNS, EPISODE_ROWS, EPISODE_VALUES),
)
def test_hostile_files_read_the_same_both_ways(children, episodes):
    with tempfile.TemporaryDirectory() as folder:
        written = write(Path(folder), children, episodes)
        with pytest.MonkeyPatch.context() as monkeypatch:
            _both_ways(written, monkeypatch)


# Each column parser against its cell parser, on cells valid and not.

CELLS = {
    "date": (
        parse_date,
        ["2020-02-29", "2019-02-29", "0001-01-01", "9999-12-31", "2019-7-01", "x", "2019-07-01"],
    ),
    "date-time": (
        parse_datetime,
        [
            "2019-07-01T10:00",
            "2019-07-01T10:00Z",
            "2019-07-01T10:00:30+01:00",
            "2019-03-31T01:30",  # skipped by the clocks
            "2019-10-27T01:30",  # repeated
            "2019-10-27T01:30+01:00",
            "0001-01-01T00:00Z",  # before year 1 in Europe/London
            "0001-01-01T00:01:15Z",  # the first that is not
            "0001-01-01T00:30+01:00",  # before year 1 in UTC
            "9999-12-31T23:59Z",
            "2019-02-29T10:00",
            "2019-07-01 10:00",
        ],
    ),
    "code": (code_parser(["CSE", "CCE"]), ["CSE", "CCE", "cse", "OTHER"]),
    "code list": (code_list_parser(["CSE", "CCE"]), ["CSE", "CSE;CCE", "CSE;CSE", "CSE;", "X"]),
    "key list": (key_list_parser(3), ["C1", "C1;C2", "C1;C1", "LONG1", ";"]),
    "yes or no": (parse_yes_no, ["Y", "N", "y", "Yes"]),
    "local authority": (parse_la_code, ["343", "34", "3433"]),
    "text": (text_parser(4), ["abcd", "abcde", "a"]),
}


def _by_cell(parse, texts):
    try:
        return [parse(text) if text else None for text in texts]
    except ValueError:
        return None


@pytest.mark.parametrize("kind", CELLS)
def test_a_column_parses_exactly_as_its_cells_do_or_not_at_all(kind):
    parse, cells = CELLS[kind]
    pool = ["", *cells]
    for size in (1, 2, 3):
        for texts in itertools.product(pool, repeat=size):
            by_column = parse_column(parse, list(texts))
            assert repr(by_column) == repr(_by_cell(parse, list(texts))), texts


# Each table's whole-column rules against its row rules.

NOW = CLOCK.now
INSTANTS = [
    None,
    NOW,
    NOW + dt.timedelta(seconds=1),
    NOW - dt.timedelta(days=1),
    NOW - dt.timedelta(days=1, seconds=1),
    dt.datetime(2019, 10, 27, 1, 30, tzinfo=UTC),
]
DATES = [None, CLOCK.today, CLOCK.today + dt.timedelta(days=1), dt.date(2019, 1, 1)]
# The values the tables' rules read; every other column is left empty.
VALUES = {
    "date_of_birth": DATES[1:],
    "start_date": DATES[1:],
    "end_date": DATES,
    "requested_on": DATES[1:],
    "held_on": DATES,
    "started_at": INSTANTS[1:],
    "reported_at": INSTANTS,
    "notified_at": INSTANTS,
    "ended_at": INSTANTS,
    "outcome": list(Outcome.values),
    "offered_at": INSTANTS,
    "completed_at": INSTANTS,
}
WITH_COLUMN_RULES = [table.file_name for table in TABLES if table.rules_pass is not None]


def test_the_large_files_have_column_rules():
    assert WITH_COLUMN_RULES == [
        "children.csv",
        "legal_statuses.csv",
        "episodes.csv",
        "return_interviews.csv",
        "meetings.csv",
    ]


@st.composite
def _rows(draw, file_name):
    table = TABLES_BY_FILE[file_name]
    return draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    column.name: st.sampled_from(VALUES[column.name])
                    if column.name in VALUES
                    else st.none()
                    for column in table.columns
                }
            ),
            min_size=1,
            max_size=4,
        )
    )


@pytest.mark.parametrize("file_name", WITH_COLUMN_RULES)
@hostile_settings(max_examples=300)
@given(data=st.data())
def test_whole_column_rules_pass_exactly_the_batches_whose_rows_all_pass(file_name, data):
    table = TABLES_BY_FILE[file_name]
    rows = data.draw(_rows(file_name))
    raw = defaultdict(lambda: "as written")  # only for the row rules' messages
    every_row_passes = all(not table.row_rules({**row, "_raw": raw}, CLOCK) for row in rows)
    columns = {name: [row[name] for row in rows] for name in table.column_names}
    assert table.rules_pass(columns, CLOCK) is every_row_passes
