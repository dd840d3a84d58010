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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from harbour.audit import services as auditor
from harbour.common.codes import store_codes
from harbour.common.time import local_date, local_iso

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
                    row = self._parse_row(state, present, line, cells)
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
        # Position of each column in the row, in the table's own column order.
        self._positions = {name: index for index, name in enumerate(names)}
        return tuple(column for column in table.columns if column.name in seen)

    def _parse_row(
        self, state: _FileState, present: tuple[Column, ...], line: int, cells: list[str]
    ) -> _Row | None:
        table = state.table
        if len(cells) != len(self._positions):
            # The row's key cannot be trusted, so references into this file cannot be judged.
            state.checked = False
            self.problem(
                table, line, "-", f"has {len(cells)} fields; the header has {len(self._positions)}"
            )
            return None
        values: Values = {}
        raw: Values = {}
        problems: list[Problem] = []
        for column in present:
            text = cells[self._positions[column.name]].strip()
            raw[column.name] = text
            if text == "":
                if column.required:
                    problems.append((column.name, "is required"))
                values[column.name] = None
                continue
            try:
                values[column.name] = column.parse(text)
            except ValueError as error:
                problems.append((column.name, str(error)))
                values[column.name] = None
        for column in table.columns:
            if column.name not in values:
                values[column.name] = None
        for column in present:
            if column.only_when and values[column.name] is not None:
                other, allowed = column.only_when
                if values[other] is not None and values[other] not in allowed:
                    problems.append(
                        (
                            column.name,
                            f"must be empty when {other} is {values[other]} "
                            f"(only for {', '.join(allowed)})",
                        )
                    )
        values["_raw"] = raw
        key = tuple(raw.get(name, "") for name in table.key)
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
        instances = [self._build(table, row) for row in rows]
        try:
            with transaction.atomic():
                table.model._default_manager.bulk_create(
                    instances,
                    update_conflicts=True,
                    unique_fields=list(table.unique_fields),
                    update_fields=self._update_fields(table, present),
                )
        except IntegrityError as error:
            lines = f"{rows[0].line}-{rows[-1].line}"
            self.problem(table, rows[0].line, "-", f"rows {lines} could not be stored: {error}")

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
                state.invalid.add(tuple(row.values["_raw"].get(n, "") for n in table.key))
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

    def _build(self, table: Table, row: _Row) -> models.Model:
        fields: dict[str, Any] = {}
        meta = table.model._meta
        references = {reference.column: reference for reference in table.references}
        for column in table.columns:
            value = row.values[column.name]
            if column.name in references:
                fields[references[column.name].field + "_id"] = row.refs[column.name]["pk"]
                continue
            model_field = meta.get_field(column.model_field)
            if value is None:
                value = None if model_field.null else ""
            elif isinstance(value, list):
                value = store_codes(value)
            fields[column.model_field] = value
        instance = table.model(**fields)
        instance.refresh_derived()
        return instance

    def _update_fields(self, table: Table, present: tuple[Column, ...]) -> list[str]:
        """Fields an upsert may change: those of the columns present in the file (a column
        the file leaves out keeps its stored value) and what is derived from them."""
        references = {reference.column: reference.field for reference in table.references}
        names = {column.name for column in present}
        fields = [
            references.get(column.name, column.model_field)
            for column in present
            if column.name not in table.key
        ]
        fields += [derived for derived, source in table.derived.items() if source in names]
        return fields


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
