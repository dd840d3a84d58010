"""Import an interchange folder: all or nothing, idempotent, streaming.

The whole run is one transaction. Rows are validated as they are read and valid rows are
upserted in batches, so that later files can resolve their references in the database
itself, whether the record came from this folder or was already there. If any problem is
found anywhere, the transaction is rolled back at the end and every problem is reported.
Memory is bounded by one batch plus the set of keys seen per file (needed to refuse a key
repeated within a file).
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from harbour.audit import services as auditor
from harbour.common.codes import store_codes
from harbour.common.time import UTC, local_date, local_iso

from .tables import TABLES, TABLES_BY_FILE, Column, ImportClock, Problem, Table, Values

BATCH_SIZE = 2000


@dataclass
class FileCount:
    rows: int = 0
    created: int = 0
    updated: int = 0


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, FileCount] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Abandon(Exception):
    """Raised to roll the transaction back once every problem has been collected."""


@dataclass
class _Row:
    line: int
    values: Values
    refs: dict[str, Any] = field(default_factory=dict)


@dataclass
class _FileState:
    table: Table
    # Key -> first line it appeared on; keys of rows with problems are in `invalid`.
    seen: dict[tuple[str, ...], int] = field(default_factory=dict)
    invalid: set[tuple[str, ...]] = field(default_factory=set)
    # False when some row's key could not be read (file missing, bad header, a row with
    # the wrong number of fields): references into the file are then not reported as
    # unresolved, since they cannot be judged.
    checked: bool = True


@dataclass(frozen=True)
class _Layout:
    """Where each known column sits in a file's rows."""

    width: int
    positions: dict[str, int]
    cells: tuple[tuple[Column, int], ...]
    absent: tuple[str, ...]
    only_when: tuple[Column, ...]

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


class FolderImport:
    def __init__(self, folder: Path, actor: auditor.Actor = None) -> None:
        self.folder = Path(folder)
        self.actor = actor or f"command line ({getpass.getuser()})"
        now = timezone.now()
        self.clock = ImportClock(now=now, today=local_date(now))
        # (file order, line, message) so that problems print in reading order.
        self._problems: list[tuple[int, int, str]] = []
        self.result = ImportResult()
        self.files: dict[str, _FileState] = {}
        self._current_upsert: _Upsert | None = None

    # Reporting -------------------------------------------------------------------------

    def problem(self, table: Table, line: int, column: str, message: str) -> None:
        order = TABLES.index(table)
        self._problems.append((order, line, f"{table.file_name}:{line}:{column}: {message}"))

    # Running ---------------------------------------------------------------------------

    def run(self) -> ImportResult:
        if not self.folder.is_dir():
            self.result.errors.append(f"{self.folder}:0:-: is not a folder")
            return self.result
        self._warn_about_other_files()
        checksums: dict[str, str] = {}
        try:
            with transaction.atomic():
                for table in TABLES:
                    path = self.folder / table.file_name
                    state = _FileState(table)
                    self.files[table.file_name] = state
                    if not path.is_file():
                        state.checked = False
                        if table.required_file:
                            self.problem(table, 0, "-", "required file is missing")
                        continue
                    checksums[table.file_name] = _sha256(path)
                    self._import_file(path, state)
                if self._problems:
                    raise _Abandon
                auditor.record(
                    self.actor,
                    "interchange.import",
                    details={
                        "folder": str(self.folder),
                        "sha256": checksums,
                        "counts": {name: vars(count) for name, count in self.result.counts.items()},
                    },
                )
        except _Abandon:
            pass
        self._problems.sort(key=lambda item: (item[0], item[1]))
        self.result.errors = [message for _, _, message in self._problems]
        if self.result.errors:
            self.result.counts = {}
        return self.result

    def _warn_about_other_files(self) -> None:
        for path in sorted(self.folder.iterdir()):
            if path.name not in TABLES_BY_FILE:
                self.result.warnings.append(
                    f"{path.name}: not a file of the interchange format; ignored"
                )

    def _import_file(self, path: Path, state: _FileState) -> None:
        table = state.table
        before = table.model._default_manager.count()
        count = FileCount()
        batch: list[_Row] = []
        present: tuple[Column, ...] = ()
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                records = _records(handle)
                header = next(records, None)
                if header is None:
                    self.problem(table, 0, "-", "is empty: the first row must be the header")
                    state.checked = False
                    return
                present = self._check_header(state, header[1])
                if not state.checked:
                    return
                for line, cells in records:
                    count.rows += 1
                    row = self._parse_row(state, line, cells)
                    if row is not None:
                        batch.append(row)
                    if len(batch) >= BATCH_SIZE:
                        self._write(state, present, batch)
                        batch = []
        except UnicodeDecodeError as error:
            self.problem(table, 0, "-", f"is not UTF-8 text ({error.reason} at byte {error.start})")
            state.checked = False
            return
        except csv.Error as error:
            self.problem(table, 0, "-", f"is not readable CSV: {error}")
            state.checked = False
            return
        self._write(state, present, batch)
        after = table.model._default_manager.count()
        count.created = after - before
        count.updated = count.rows - count.created
        self.result.counts[table.file_name] = count

    def _check_header(self, state: _FileState, names: list[str]) -> tuple[Column, ...]:
        table = state.table
        known = {column.name: column for column in table.columns}
        names = [name.strip() for name in names]
        seen: set[str] = set()
        for name in names:
            if name in seen:
                self.problem(table, 1, name, "duplicated column")
                state.checked = False
            seen.add(name)
            if name not in known:
                self.problem(table, 1, name or "(empty)", "unknown column")
                state.checked = False
        for column in table.columns:
            if column.required and column.name not in seen:
                self.problem(table, 1, column.name, "required column is missing")
                state.checked = False
        self._layout = _Layout.of(table, names)
        return tuple(column for column in table.columns if column.name in seen)

    def _parse_row(self, state: _FileState, line: int, cells: list[str]) -> _Row | None:
        table, layout = state.table, self._layout
        if len(cells) != layout.width:
            # The row's key cannot be trusted, so references into this file cannot be judged.
            state.checked = False
            self.problem(
                table, line, "-", f"has {len(cells)} fields; the header has {layout.width}"
            )
            return None
        values: Values = dict.fromkeys(layout.absent)
        problems: list[Problem] = []
        for column, position in layout.cells:
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
            other, allowed = column.only_when
            if values[column.name] is not None and values[other] not in (None, *allowed):
                problems.append(
                    (
                        column.name,
                        f"must be empty when {other} is {values[other]} "
                        f"(only for {', '.join(allowed)})",
                    )
                )
        raw = _RawCells(cells, layout.positions)
        values["_raw"] = raw
        key = tuple(raw.get(name) for name in table.key)
        if not problems:
            problems = table.row_rules(values, self.clock)
        first_line = state.seen.get(key)
        if first_line is not None:
            problems.append(
                (table.key[0], f"repeats the key {', '.join(key)} of line {first_line}")
            )
        elif all(key):
            state.seen[key] = line
        if problems:
            state.invalid.add(key)
            for column, message in problems:
                self.problem(table, line, column, message)
            return None
        return _Row(line, values)

    # Writing ---------------------------------------------------------------------------

    def _write(self, state: _FileState, present: tuple[Column, ...], batch: list[_Row]) -> None:
        if not batch:
            return
        table = state.table
        rows = self._resolve_references(state, batch)
        rows = [row for row in rows if self._cross_record_rules(state, row)]
        if not rows:
            return
        # Valid rows are written even after a problem elsewhere: later files resolve their
        # references against them, and the whole transaction is rolled back at the end.
        upsert = self._upsert(table, present)
        params = [upsert.params(table, row.values, row.refs) for row in rows]
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(upsert.sql, params)
        except IntegrityError as error:
            lines = f"{rows[0].line}-{rows[-1].line}"
            self.problem(table, rows[0].line, "-", f"rows {lines} could not be stored: {error}")

    def _upsert(self, table: Table, present: tuple[Column, ...]) -> _Upsert:
        if self._current_upsert is None or self._current_upsert.table is not table:
            self._current_upsert = _Upsert.build(table, present)
        return self._current_upsert

    def _resolve_references(self, state: _FileState, batch: list[_Row]) -> list[_Row]:
        table = state.table
        resolved = batch
        for reference in table.references:
            target = TABLES_BY_FILE[reference.table]
            target_state = self.files[reference.table]
            wanted = {row.values[reference.column] for row in resolved}
            found = _lookup(target, wanted)
            kept = []
            for row in resolved:
                key = row.values[reference.column]
                if key in found:
                    row.refs[reference.column] = found[key]
                    kept.append(row)
                    continue
                if target_state.checked and (key,) not in target_state.invalid:
                    self.problem(
                        table,
                        row.line,
                        reference.column,
                        f"refers to '{key}', which is neither in {reference.table} "
                        "nor in the register",
                    )
                state.invalid.add(tuple(row.values["_raw"].get(name) for name in table.key))
            resolved = kept
        return resolved

    def _cross_record_rules(self, state: _FileState, row: _Row) -> bool:
        """Rules that need the referenced record: True when the row passes."""
        table = state.table
        problems: list[Problem] = []
        values = row.values
        if table.file_name == "episodes.csv":
            birth = row.refs["child_id"]["date_of_birth"]
            if local_date(values["started_at"]) < birth:
                problems.append(
                    ("started_at", f"is before the child's date of birth ({birth.isoformat()})")
                )
        elif table.file_name == "return_interviews.csv":
            episode = row.refs["episode_id"]
            ended_at = episode["ended_at"]
            outcome = values["outcome"]
            if ended_at is None and outcome not in ("NOT_REQUIRED", "NOT_OFFERED"):
                problems.append(
                    ("outcome", f"is {outcome}, but the episode has not ended (no ended_at)")
                )
            offered_at = values["offered_at"]
            if ended_at is not None and offered_at is not None and offered_at < ended_at:
                problems.append(
                    ("offered_at", f"is before the episode's ended_at ({_local(ended_at)})")
                )
        for column, message in problems:
            self.problem(table, row.line, column, message)
        return not problems


class _Upsert:
    """One prepared INSERT ... ON CONFLICT DO UPDATE for a file, with the values of a row
    adapted for the database column by column.

    The ORM's bulk_create spends most of its time preparing values field by field; this
    does the same preparation once per column kind. The statement is the same on SQLite
    (3.24 and later) and PostgreSQL.
    """

    def __init__(self, table: Table, fields: list[models.Field], sql: str) -> None:
        self.table = table
        self.sql = sql
        self.derive = table.model.derive
        references = {ref.column: ref.field for ref in table.references}
        nullable = {field.name: field.null for field in fields}
        # (column, model field, stores NULL for no value) for each column of the file.
        self.columns = [
            (
                column.name,
                references.get(column.name, column.model_field),
                nullable[references.get(column.name, column.model_field)],
            )
            for column in table.columns
        ]
        self.adapters = [(field.name, _adapter(field)) for field in fields]

    @classmethod
    def build(cls, table: Table, present: tuple[Column, ...]) -> _Upsert:
        meta = table.model._meta
        references = {ref.column: ref.field for ref in table.references}
        fields = [
            meta.get_field(references.get(column.name, column.model_field))
            for column in table.columns
        ] + [meta.get_field(name) for name in table.derived]
        # A column the file leaves out keeps its stored value, and so does what is derived
        # from it; the key is what the conflict is on.
        present_names = {column.name for column in present}
        update = [
            meta.get_field(references.get(column.name, column.model_field))
            for column in present
            if column.name not in table.key
        ] + [
            meta.get_field(name)
            for name, source in table.derived.items()
            if source in present_names
        ]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        target = ", ".join(quote(meta.get_field(name).column) for name in table.unique_fields)
        if update:
            action = "DO UPDATE SET " + ", ".join(
                f"{quote(field.column)} = EXCLUDED.{quote(field.column)}" for field in update
            )
        else:
            action = "DO NOTHING"
        # Identifiers come from the models and are quoted; every value is a parameter.
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
            f"ON CONFLICT ({target}) {action}"
        )
        return cls(table, fields, sql)

    def params(self, table: Table, values: Values, refs: dict[str, Any]) -> tuple[Any, ...]:
        record: dict[str, Any] = {}
        for name, field_name, nullable in self.columns:
            if name in refs:
                record[field_name] = refs[name]["pk"]
                continue
            value = values[name]
            if value is None:
                value = None if nullable else ""
            elif value.__class__ is list:
                value = store_codes(value)
            record[field_name] = value
        record.update(self.derive(record))
        return tuple([adapt(record[name]) for name, adapt in self.adapters])


def _same(value: Any) -> Any:
    return value


def _sqlite_instant(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return str(value.replace(tzinfo=None))


def _adapter(field: models.Field) -> Callable[[Any], Any]:
    """How a Python value of this field is passed to the database driver.

    psycopg takes dates and aware datetimes as they are. Django stores them on SQLite as
    text: dates as YYYY-MM-DD and instants as naive UTC 'YYYY-MM-DD HH:MM:SS' (what its
    adapt_datetimefield_value does, without the per-value overhead).
    """
    if connection.vendor != "sqlite":
        return _same
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return _sqlite_instant
    if kind == "DateField":
        return lambda value: None if value is None else value.isoformat()
    return _same


def _lookup(table: Table, keys: set[str]) -> dict[str, dict[str, Any]]:
    """Records of a table by their one-column key, with what cross-record rules need."""
    key_field = table.columns[0].model_field
    extra = {"children.csv": ["date_of_birth"], "episodes.csv": ["ended_at"]}[table.file_name]
    found: dict[str, dict[str, Any]] = {}
    keys_list = list(keys)
    for start in range(0, len(keys_list), BATCH_SIZE):
        chunk = keys_list[start : start + BATCH_SIZE]
        for record in table.model._default_manager.filter(**{f"{key_field}__in": chunk}).values(
            key_field, "pk", *extra
        ):
            found[record[key_field]] = record
    return found


def _records(handle: Any) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells) for each non-blank record; the header first."""
    reader = csv.reader(handle, strict=True)
    previous_end = 0
    for cells in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if not cells or (len(cells) == 1 and cells[0].strip() == ""):
            continue
        yield start, cells


def _local(instant: dt.datetime) -> str:
    return local_iso(instant)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_folder(folder: Path | str, actor: auditor.Actor = None) -> ImportResult:
    return FolderImport(Path(folder), actor).run()
