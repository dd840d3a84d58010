"""Import an interchange folder: all or nothing, idempotent, streaming.

Two parts work at once, one on each core:

- the reader (reader.py, in a child process) parses every file and makes every check that
  needs no database, and streams problems and batches of valid rows;
- the writer (here, in the calling process) resolves each batch's references in the
  database, applies the rules that need the referenced record, and upserts the rows.

The whole run is one transaction. Valid rows are written as they come, so that later
files find their references in the database whether the record is in this folder or was
already there; if any problem was found anywhere, the transaction is rolled back at the
end and every problem is reported. Memory is bounded by a few batches in flight plus the
keys already seen in the file being read (needed to refuse a repeated key).
"""

from __future__ import annotations

import datetime as dt
import getpass
import multiprocessing
import queue
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from harbour.audit import services as auditor
from harbour.common.codes import store_codes
from harbour.common.time import UTC, local_date, local_iso

from . import reader
from .reader import Event, FileFinished, FileMissing, FileStarted, RowBatch, RowProblem, ValidRow
from .tables import TABLES, TABLES_BY_FILE, ImportClock, Table, Values

LOOKUP_CHUNK = 2000
PARALLEL_FROM = 4 * 1024 * 1024  # bytes of CSV


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
class _FileState:
    table: Table
    present: tuple[str, ...] = ()
    sha256: str = ""
    count_before: int = 0
    refused: set[tuple[str, ...]] = field(default_factory=set)
    keys_known: bool = True
    upsert: _Upsert | None = None


class FolderImport:
    def __init__(
        self, folder: Path, actor: auditor.Actor = None, *, parallel: bool | None = None
    ) -> None:
        self.folder = Path(folder)
        self.actor = actor or f"command line ({getpass.getuser()})"
        # A second process pays for itself only on large folders.
        self.parallel = (
            parallel if parallel is not None else _folder_size(self.folder) > PARALLEL_FROM
        )
        now = timezone.now()
        self.clock = ImportClock(now=now, today=local_date(now))
        # (file order, line, message) so that problems print in reading order.
        self._problems: list[tuple[int, int, str]] = []
        self.result = ImportResult()
        self.files: dict[str, _FileState] = {}

    def problem(self, table: Table, line: int, column: str, message: str) -> None:
        order = TABLES.index(table)
        self._problems.append((order, line, f"{table.file_name}:{line}:{column}: {message}"))

    def run(self) -> ImportResult:
        if not self.folder.is_dir():
            self.result.errors.append(f"{self.folder}:0:-: is not a folder")
            return self.result
        self._warn_about_other_files()
        try:
            with transaction.atomic():
                read = _read_in_child_process if self.parallel else reader.read_folder
                for event in read(self.folder, self.clock):
                    self._handle(event)
                if self._problems:
                    raise _Abandon
                self._audit()
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

    def _handle(self, event: Event) -> None:
        match event:
            case RowProblem(file_name, line, column, message):
                self.problem(TABLES_BY_FILE[file_name], line, column, message)
            case FileStarted(file_name, present, sha256):
                table = TABLES_BY_FILE[file_name]
                self.files[file_name] = _FileState(
                    table, present, sha256, table.model._default_manager.count()
                )
            case RowBatch(file_name, rows, refused_keys):
                state = self.files[file_name]
                state.refused.update(refused_keys)
                self._write(state, rows)
            case FileFinished(file_name, rows, keys_known):
                state = self.files.setdefault(file_name, _FileState(TABLES_BY_FILE[file_name]))
                state.keys_known = keys_known
                if state.sha256:
                    created = state.table.model._default_manager.count() - state.count_before
                    self.result.counts[file_name] = FileCount(rows, created, rows - created)
            case FileMissing(file_name):
                table = TABLES_BY_FILE[file_name]
                self.files[file_name] = _FileState(table, keys_known=False)
                if table.required_file:
                    self.problem(table, 0, "-", "required file is missing")

    def _audit(self) -> None:
        auditor.record(
            self.actor,
            "interchange.import",
            details={
                "folder": str(self.folder),
                "sha256": {
                    name: state.sha256 for name, state in self.files.items() if state.sha256
                },
                "counts": {name: vars(count) for name, count in self.result.counts.items()},
            },
        )

    # Writing ---------------------------------------------------------------------------

    def _write(self, state: _FileState, batch: list[ValidRow]) -> None:
        table = state.table
        refs = self._resolve_references(state, batch)
        rows = [
            (row, row_refs)
            for row, row_refs in zip(batch, refs, strict=True)
            if row_refs is not None and self._cross_record_rules(table, row, row_refs)
        ]
        if not rows:
            return
        # Valid rows are written even after a problem elsewhere: later files resolve their
        # references against them, and the whole transaction is rolled back at the end.
        if state.upsert is None:
            state.upsert = _Upsert.build(table, state.present)
        upsert = state.upsert
        params = [upsert.params(row.values, row_refs) for row, row_refs in rows]
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(upsert.sql, params)
        except IntegrityError as error:
            first, last = rows[0][0].line, rows[-1][0].line
            self.problem(table, first, "-", f"rows {first}-{last} could not be stored: {error}")

    def _resolve_references(
        self, state: _FileState, batch: list[ValidRow]
    ) -> list[dict[str, dict[str, Any]] | None]:
        """For each row, the records its references name (None if one does not resolve)."""
        table = state.table
        resolved: list[dict[str, dict[str, Any]] | None] = [{} for _ in batch]
        for reference in table.references:
            target = self.files[reference.table]
            found = _lookup(
                TABLES_BY_FILE[reference.table], {row.values[reference.column] for row in batch}
            )
            for index, row in enumerate(batch):
                refs = resolved[index]
                if refs is None:
                    continue
                key = row.values[reference.column]
                if key in found:
                    refs[reference.column] = found[key]
                    continue
                resolved[index] = None
                if target.keys_known and (key,) not in target.refused:
                    self.problem(
                        table,
                        row.line,
                        reference.column,
                        f"refers to '{key}', which is neither in {reference.table} "
                        "nor in the register",
                    )
                state.refused.add(row.key)
        return resolved

    def _cross_record_rules(self, table: Table, row: ValidRow, refs: dict[str, Any]) -> bool:
        """Rules that need the referenced record: True when the row passes."""
        problems = []
        values = row.values
        if table.file_name == "episodes.csv":
            birth = refs["child_id"]["date_of_birth"]
            if local_date(values["started_at"]) < birth:
                problems.append(
                    ("started_at", f"is before the child's date of birth ({birth.isoformat()})")
                )
        elif table.file_name == "return_interviews.csv":
            ended_at = refs["episode_id"]["ended_at"]
            outcome = values["outcome"]
            if ended_at is None and outcome not in ("NOT_REQUIRED", "NOT_OFFERED"):
                problems.append(
                    ("outcome", f"is {outcome}, but the episode has not ended (no ended_at)")
                )
            offered_at = values["offered_at"]
            if ended_at is not None and offered_at is not None and offered_at < ended_at:
                problems.append(
                    ("offered_at", f"is before the episode's ended_at ({local_iso(ended_at)})")
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
    def build(cls, table: Table, present: tuple[str, ...]) -> _Upsert:
        meta = table.model._meta
        references = {ref.column: ref.field for ref in table.references}
        fields = [
            meta.get_field(references.get(column.name, column.model_field))
            for column in table.columns
        ] + [meta.get_field(name) for name in table.derived]
        # A column the file leaves out keeps its stored value, and so does what is derived
        # from it; the key is what the conflict is on.
        update = [
            meta.get_field(references.get(column.name, column.model_field))
            for column in table.columns
            if column.name in present and column.name not in table.key
        ] + [meta.get_field(name) for name, source in table.derived.items() if source in present]
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

    def params(self, values: Values, refs: dict[str, Any]) -> tuple[Any, ...]:
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
    for start in range(0, len(keys_list), LOOKUP_CHUNK):
        chunk = keys_list[start : start + LOOKUP_CHUNK]
        for record in table.model._default_manager.filter(**{f"{key_field}__in": chunk}).values(
            key_field, "pk", *extra
        ):
            found[record[key_field]] = record
    return found


# Reading in a child process -------------------------------------------------------------

_DONE = "done"
_QUEUE_BATCHES = 8


def _read_in_child_process(folder: Path, clock: ImportClock) -> Iterator[Event]:
    """read_folder's events, produced in a forked child so that reading and writing run on
    two cores. The queue is bounded, so a slow writer holds the reader back."""
    context = multiprocessing.get_context("fork")
    events: multiprocessing.Queue = context.Queue(maxsize=_QUEUE_BATCHES)
    child = context.Process(target=_reader_process, args=(folder, clock, events), daemon=True)
    child.start()
    try:
        while True:
            try:
                item = events.get(timeout=1)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError("the reader process stopped unexpectedly") from None
                continue
            if item == _DONE:
                break
            if isinstance(item, _ReaderFailed):
                raise RuntimeError(f"the reader process failed:\n{item.traceback}")
            yield from item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


@dataclass(frozen=True)
class _ReaderFailed:
    traceback: str


def _reader_process(folder: Path, clock: ImportClock, events: multiprocessing.Queue) -> None:
    # Events travel in small groups: one queue message per event would cost more than
    # the rows do.
    try:
        group: list[Event] = []
        for event in reader.read_folder(folder, clock):
            group.append(event)
            if isinstance(event, RowBatch | FileFinished) or len(group) >= 500:
                events.put(group)
                group = []
        events.put(group)
        events.put(_DONE)
    except BaseException:
        events.put(_ReaderFailed(traceback.format_exc()))


def _folder_size(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(
        (folder / table.file_name).stat().st_size
        for table in TABLES
        if (folder / table.file_name).is_file()
    )


def import_folder(
    folder: Path | str, actor: auditor.Actor = None, *, parallel: bool | None = None
) -> ImportResult:
    return FolderImport(Path(folder), actor, parallel=parallel).run()
