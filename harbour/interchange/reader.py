"""Reading an interchange folder: every check that needs no database.

`read_folder` walks the files in import order and yields events: for each batch of
BATCH_SIZE records, its problems and then its valid rows, parsed and checked within their
row and file (cells, row rules, repeated keys). A batch is checked column by column, and
row by row only when that finds anything that may be wrong (_FileReader._read_batch). It
touches no database, so it can run in a process of its own while the importer writes
(see importer.py).
"""

from __future__ import annotations

import csv
import errno
import functools
import hashlib
import itertools
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from harbour.common.text import any_refused, refused_character, refused_inside_one_line

from .cells import parse_column
from .tables import TABLES, Column, ImportClock, Problem, Table, Values
from .upsert import Upsert

BATCH_SIZE = 2000

Key = tuple[str, ...]


@dataclass(frozen=True)
class FileStarted:
    file_name: str
    columns: tuple[str, ...]  # the table's columns present in the file
    sha256: str
    # Line breaks in the file, counted while hashing it: the rows to expect, for the
    # progress line (more than the rows when a quoted value spans lines).
    lines: int = 0


@dataclass(frozen=True)
class FileMissing:
    file_name: str


@dataclass(frozen=True)
class RowProblem:
    file_name: str
    line: int
    column: str
    message: str


class ValidRow(NamedTuple):
    # A named tuple: made and pickled once per row, so it must be cheap.
    line: int
    key: Key
    # The keys this row's references name, in the order of Table.references.
    refs: tuple[str, ...]
    # Ready for the database but for the references' primary keys (see Upsert).
    params: list[Any]
    # The values that cross-record rules read (Table.cross_record_columns).
    checks: Values


@dataclass(frozen=True)
class RowBatch:
    file_name: str
    rows: list[ValidRow]
    # Keys of rows refused since the previous batch: references to them are not reported
    # again as unresolved.
    refused_keys: list[Key]

    def __reduce__(self) -> tuple[Any, ...]:
        # A batch crosses to the writer's process pickled. Each named tuple would be
        # unpickled through its class's Python-level __new__, which cost the writer half of
        # its unpickling; as plain tuples, the rows are made ValidRows again in C.
        return (_batch, (self.file_name, [tuple(row) for row in self.rows], self.refused_keys))


def _batch(file_name: str, rows: list[tuple[Any, ...]], refused_keys: list[Key]) -> RowBatch:
    return RowBatch(file_name, list(map(_as_valid_row, rows)), refused_keys)


_as_valid_row = functools.partial(tuple.__new__, ValidRow)


@dataclass(frozen=True)
class FileFinished:
    file_name: str
    rows: int
    # False when some row's key could not be read (bad header, unreadable file, a row
    # with the wrong number of fields): references into the file cannot then be judged.
    keys_known: bool


Event = FileStarted | FileMissing | RowProblem | RowBatch | FileFinished


LINK_REFUSED = (
    "is a symbolic link; the import reads only regular files inside the folder, "
    "so it was not opened"
)
NOT_REGULAR = "is not a regular file, so it was not opened"


def read_folder(folder: Path, clock: ImportClock) -> Iterator[Event]:
    for table in TABLES:
        path = folder / table.file_name
        # A link could name any file the importing user can read (/etc/passwd), and its
        # first line would come back in the messages: only the folder's own files are read.
        if _is_link(path):
            yield from _refused(table.file_name, LINK_REFUSED)
        elif path.is_file():
            yield from _FileReader(table, path, clock).events()
        elif path.exists():
            yield from _refused(table.file_name, NOT_REGULAR)
        else:
            yield FileMissing(table.file_name)


def _is_link(path: Path) -> bool:
    return path.is_symlink()


def _refused(file_name: str, message: str) -> Iterator[Event]:
    yield RowProblem(file_name, 0, "-", message)
    yield FileFinished(file_name, 0, keys_known=False)


class _NotOpened(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _open_in_folder(path: Path) -> int:
    """A descriptor for a regular file, refusing a link at the moment of opening too, in
    case the file was swapped for one after read_folder looked (O_NOFOLLOW). O_NONBLOCK
    keeps a swapped-in FIFO from hanging the open."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _NotOpened(LINK_REFUSED) from None
        raise
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise _NotOpened(NOT_REGULAR)
    return descriptor


@dataclass(frozen=True)
class _Layout:
    """Where each known column sits in a file's rows."""

    width: int
    positions: dict[str, int]
    cells: tuple[tuple[Column, int], ...]
    absent: tuple[str, ...]
    only_when: tuple[Column, ...]
    key: tuple[int | None, ...]

    @classmethod
    def of(cls, table: Table, names: list[str]) -> _Layout:
        positions = {name: index for index, name in enumerate(names)}
        present = [column for column in table.columns if column.name in positions]
        return cls(
            width=len(names),
            positions=positions,
            cells=tuple((column, positions[column.name]) for column in present),
            absent=tuple(column.name for column in table.columns if column.name not in positions),
            only_when=tuple(column for column in present if column.only_when),
            key=tuple(positions.get(name) for name in table.key),
        )


class _RawCells:
    """A row's cells as written (spaces removed), by column name: for keys and messages."""

    __slots__ = ("cells", "positions")

    def __init__(self, cells: list[str], positions: dict[str, int]) -> None:
        self.cells = cells
        self.positions = positions

    def __getitem__(self, name: str) -> str:
        return self.cells[self.positions[name]].strip()

    def get(self, name: str) -> str:
        return self[name] if name in self.positions else ""


@dataclass
class _FileReader:
    table: Table
    path: Path
    clock: ImportClock
    # Key -> the line it first appeared on.
    seen: dict[Key, int] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    refused: list[Key] = field(default_factory=list)
    keys_known: bool = True
    upsert: Upsert | None = None

    def problem(self, line: int, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.table.file_name, line, column, message))

    def events(self) -> Iterator[Event]:
        name = self.table.file_name
        rows = 0
        try:
            with open(_open_in_folder(self.path), encoding="utf-8-sig", newline="") as handle:
                batches = _record_batches(handle)
                header = next(batches, None)
                if header is None:
                    self.keys_known = False
                    self.problem(0, "-", "is empty: the first row must be the header")
                else:
                    layout = self._check_header(header[0][1])
                    present = tuple(column.name for column, _ in layout.cells)
                    yield FileStarted(name, present, *_sha256_and_lines(self.path))
                    self.upsert = Upsert(self.table, present)
                    if self.keys_known:
                        for records in batches:
                            rows += len(records)
                            yield from self._read_batch(layout, records)
        except _NotOpened as refusal:
            self.keys_known = False
            self.problem(0, "-", refusal.message)
        except UnicodeDecodeError as error:
            self.keys_known = False
            self.problem(0, "-", f"is not UTF-8 text ({error.reason} at byte {error.start})")
        except csv.Error as error:
            self.keys_known = False
            self.problem(0, "-", f"is not readable CSV: {error}")
        yield from self._flush([])
        yield FileFinished(name, rows, self.keys_known)

    def _read_batch(self, layout: _Layout, records: list[tuple[int, list[str]]]) -> Iterator[Event]:
        """The records' problems, then their valid rows as one batch."""
        lines = [line for line, _ in records]
        checked = self._checked_by_column(layout, lines, [cells for _, cells in records])
        if checked is not None:
            keys, columns = checked
        else:
            lines, keys, columns = self._checked_by_row(layout, records)
        yield from self._flush(self._valid_rows(lines, keys, columns))

    def _flush(self, batch: list[ValidRow]) -> Iterator[Event]:
        yield from self.problems
        self.problems = []
        if batch or self.refused:
            yield RowBatch(self.table.file_name, batch, self.refused)
            self.refused = []

    def _checked_by_row(
        self, layout: _Layout, records: list[tuple[int, list[str]]]
    ) -> tuple[list[int], list[Key], dict[str, list[Any]]]:
        """The valid records' lines, keys and values (by column), each record checked on
        its own (_parse_row), its problems recorded."""
        lines: list[int] = []
        keys: list[Key] = []
        rows: list[Values] = []
        for line, cells in records:
            checked = self._parse_row(layout, line, cells)
            if checked is not None:
                lines.append(line)
                keys.append(checked[0])
                rows.append(checked[1])
        names = self.table.column_names
        return lines, keys, {name: [values[name] for values in rows] for name in names}

    def _checked_by_column(
        self, layout: _Layout, lines: list[int], rows_cells: list[list[str]]
    ) -> tuple[list[Key], dict[str, list[Any]]] | None:
        """The records' keys and values (by column) if every record is valid; None if any
        might not be, and then they are checked row by row (_checked_by_row), which finds
        and words each problem.

        The same checks as _parse_row's, made a column at a time: each column's cells are
        parsed with one call (cells.parse_column) and the row rules are made on whole
        columns (Table.rules_pass), rather than a call for each cell and each row
        (docs/performance.md). Records that pass here give exactly the values _parse_row
        gives them (test_reader_columns holds the two ways to that); records that fail
        lose only the time of this attempt."""
        table = self.table
        width = layout.width
        if any(len(cells) != width for cells in rows_cells):
            return None
        if any_refused(itertools.chain.from_iterable(rows_cells), multi_line=True):
            return None
        by_position = list(zip(*rows_cells, strict=True))
        stripped: dict[int, list[str]] = {}
        columns: dict[str, list[Any]] = {name: [None] * len(lines) for name in layout.absent}
        for column, position in layout.cells:
            texts = stripped[position] = list(map(str.strip, by_position[position]))
            if column.required and not all(texts):
                return None
            parsed = parse_column(column.parse, texts)
            if parsed is None:
                return None
            columns[column.name] = parsed
        for column in layout.only_when:
            assert column.only_when is not None  # the layout keeps only such columns
            other, allowed = column.only_when
            permitted = {None, *allowed}
            pairs = zip(columns[column.name], columns[other], strict=True)
            if any(value is not None and decider not in permitted for value, decider in pairs):
                return None
        if None in layout.key:
            return None
        keys: list[Key] = list(
            zip(
                *(stripped[position] for position in layout.key if position is not None),
                strict=True,
            )
        )
        if not all(map(all, keys)) or len(set(keys)) != len(keys):
            return None
        if not self.seen.keys().isdisjoint(keys):
            return None
        if table.rules_pass is not None:
            if not table.rules_pass(columns, self.clock):
                return None
        else:
            names = list(columns)
            for cells, row in zip(rows_cells, zip(*columns.values(), strict=True), strict=True):
                values = dict(zip(names, row, strict=True))
                values["_raw"] = _RawCells(cells, layout.positions)
                if table.row_rules(values, self.clock):
                    return None
        self.seen.update(zip(keys, lines, strict=True))
        return keys, columns

    def _valid_rows(
        self, lines: list[int], keys: list[Key], columns: dict[str, list[Any]]
    ) -> list[ValidRow]:
        """The batch's valid rows as the writer takes them, from their values by column."""
        table = self.table
        count = len(lines)
        assert self.upsert is not None  # made from the header, before any row is read
        params = self.upsert.params(columns, count)
        references = [columns[reference.column] for reference in table.references]
        refs = zip(*references, strict=True) if references else itertools.repeat((), count)
        checked = table.cross_record_columns
        checks = (
            [
                dict(zip(checked, values, strict=True))
                for values in zip(*(columns[name] for name in checked), strict=True)
            ]
            if checked
            else [{} for _ in range(count)]
        )
        return list(map(_as_valid_row, zip(lines, keys, refs, params, checks, strict=True)))

    def _check_header(self, names: list[str]) -> _Layout:
        known = {column.name for column in self.table.columns}
        seen: set[str] = set()
        for position, raw in enumerate(names, start=1):
            name = raw.strip()
            if (refused := refused_inside_one_line(raw)) is not None:
                # Named by its position: the name is not printed back to a terminal.
                self.problem(1, f"column {position}", f"contains {refused}")
            elif not name:
                self.problem(1, f"column {position}", "has no name")
            elif name in seen:
                self.problem(1, name, "duplicated column")
            elif name not in known:
                self.problem(1, name, "unknown column")
            seen.add(name)
        for column in self.table.columns:
            if column.required and column.name not in seen:
                self.problem(1, column.name, "required column is missing")
        for group in self.table.together:
            given = [name for name in group if name in seen]
            for name in group:
                if given and name not in seen:
                    self.problem(1, name, f"is missing: the columns {', '.join(group)} go together")
        if self.problems:
            # The rows cannot be read reliably: report the header alone.
            self.keys_known = False
        return _Layout.of(self.table, [name.strip() for name in names])

    def _parse_row(self, layout: _Layout, line: int, cells: list[str]) -> tuple[Key, Values] | None:
        table = self.table
        if len(cells) != layout.width:
            self.keys_known = False
            self.problem(line, "-", f"has {len(cells)} fields; the header has {layout.width}")
            return None
        values: Values = dict.fromkeys(layout.absent)
        problems: list[Problem] = []
        # One search for the whole row; cell by cell only when it finds something. Tabs and
        # line breaks inside a quoted value have always been read as part of it (the
        # format's contract), so only the characters refused in any text are refused.
        suspect = any_refused(cells, multi_line=True)
        for column, position in layout.cells:
            if (
                suspect
                and (refused := refused_character(cells[position], multi_line=True)) is not None
            ):
                problems.append((column.name, f"contains {refused}"))
                values[column.name] = None
                continue
            text = cells[position].strip()
            if not text:
                values[column.name] = None
                if column.required:
                    problems.append((column.name, "is required"))
                continue
            try:
                values[column.name] = column.parse(text)
            except ValueError as error:
                problems.append((column.name, str(error)))
                values[column.name] = None
        for column in layout.only_when:
            assert column.only_when is not None  # the layout keeps only such columns
            other, allowed = column.only_when
            if values[column.name] is not None and values[other] not in (None, *allowed):
                problems.append(
                    (
                        column.name,
                        f"must be empty when {other} is {values[other]} "
                        f"(only for {', '.join(allowed)})",
                    )
                )
        key = tuple("" if index is None else cells[index].strip() for index in layout.key)
        if not problems:
            values["_raw"] = _RawCells(cells, layout.positions)
            problems = table.row_rules(values, self.clock)
            del values["_raw"]
        # A key holding a refused character is already a problem of its own (above); it is
        # not echoed again in a "repeats the key" message, which would carry the character.
        # (The key's cells are among the row's: unless the row is suspect, they are clean.)
        first_line = None if suspect and any_refused(key, multi_line=True) else self.seen.get(key)
        if first_line is not None:
            problems.append(
                (table.key[0], f"repeats the key {', '.join(key)} of line {first_line}")
            )
        elif all(key):
            self.seen[key] = line
        if problems:
            self.refused.append(key)
            for column_name, message in problems:
                self.problem(line, column_name, message)
            return None
        return key, values


def _record_batches(handle: Any) -> Iterator[list[tuple[int, list[str]]]]:
    """(line the record starts on, cells) for each non-blank record, in lists: the header
    alone first, then up to BATCH_SIZE records each. The records read before the file
    turns out not to be readable come before the error, so that they are checked as ever."""
    reader = csv.reader(handle, strict=True)
    previous_end = 0
    batch: list[tuple[int, list[str]]] = []
    size = 1
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not cells or (len(cells) == 1 and cells[0].strip() == ""):
                continue
            batch.append((start, cells))
            if len(batch) == size:
                yield batch
                batch = []
                size = BATCH_SIZE
    except (csv.Error, UnicodeDecodeError) as error:
        if batch:
            yield batch
        if isinstance(error, csv.Error):
            raise csv.Error(f"{error} (line {reader.line_num})") from None
        raise
    if batch:
        yield batch


def _sha256_and_lines(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    lines = 0
    with open(_open_in_folder(path), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            lines += block.count(b"\n")
    return digest.hexdigest(), lines
