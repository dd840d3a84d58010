"""Import an interchange folder: all or nothing, idempotent, streaming.

Two parts work at once, one on each core:

- the reader (reader.py, in a child process) parses every file and makes every check that
  needs no database, and streams problems and batches of valid rows;
- the writer (here, in the calling process) resolves each batch's references in the
  database, applies the rules that need the referenced record, and upserts the rows.

The whole run is one transaction. Valid rows are written as they come, so that later
files find their references in the database whether the record is in this folder or was
already there; if any problem was found anywhere, the transaction is rolled back at the
end and every problem is reported. Memory is bounded by the batches in flight (at most
_MESSAGES_AHEAD messages, about 120 MB) plus the keys already seen in the file being read
(needed to refuse a repeated key).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import multiprocessing
import queue
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass, field
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models.expressions import Col
from django.utils import timezone

from harbour.audit import services as auditor
from harbour.common.collection import fewer_collections
from harbour.common.progress import NO_PROGRESS, Progress
from harbour.common.time import local_date

from . import reader
from .bulk import BulkLoad
from .reader import Event, FileFinished, FileMissing, FileStarted, RowBatch, RowProblem, ValidRow
from .tables import TABLES, TABLES_BY_FILE, ImportClock, Link, Refs, Table
from .upsert import Upsert
from .whole_file import WHOLE_FILE_CHECKS, Change

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
    upsert: Upsert | None = None
    bulk_load: BulkLoad | None = None
    # Valid rows held until the whole file is read (Table.checked_as_a_whole), with the
    # records their references resolved to.
    held: list[tuple[ValidRow, Refs]] = field(default_factory=list)


class FolderImport:
    def __init__(
        self,
        folder: Path,
        actor: auditor.Actor = None,
        *,
        parallel: bool | None = None,
        progress: Progress = NO_PROGRESS,
    ) -> None:
        self.folder = Path(folder)
        # Rows written, counted here on the writer's side: what is done is what is stored.
        self.progress = progress
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
            # The reader's process is forked inside, and inherits the raised threshold.
            with fewer_collections(), transaction.atomic():
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
            case FileStarted(file_name, present, sha256, lines):
                table = TABLES_BY_FILE[file_name]
                state = _FileState(table, present, sha256, table.model._default_manager.count())
                self.files[file_name] = state
                if BulkLoad.worth_it(table.model, lines - 1, state.count_before):
                    bulk_load = BulkLoad(table.model)
                    if bulk_load.begin():
                        state.bulk_load = bulk_load
                # The header is the first line (and the count is one short when the last
                # row has no line break: the file's end puts it right).
                self.progress.stage(file_name, total=max(0, lines - 1))
            case RowBatch(file_name, rows, refused_keys):
                state = self.files[file_name]
                state.refused.update(refused_keys)
                self._write(state, rows)
                if rows:
                    self.progress.update(rows[-1].line - 1)
            case FileFinished(file_name, rows, keys_known):
                state = self.files.setdefault(file_name, _FileState(TABLES_BY_FILE[file_name]))
                state.keys_known = keys_known
                if state.held:
                    self._write_held(state)
                if state.bulk_load is not None:
                    state.bulk_load.end()
                if state.sha256:
                    self.progress.update(rows, total=rows)
                    created = state.table.model._default_manager.count() - state.count_before
                    self.result.counts[file_name] = FileCount(rows, created, rows - created)
            case FileMissing(file_name):
                table = TABLES_BY_FILE[file_name]
                # An optional file left out holds no records, so a reference into it
                # resolves only to the register; a required file left out is itself the
                # problem, and references into it are not reported as well.
                self.files[file_name] = _FileState(table, keys_known=not table.required_file)
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
        if state.upsert is None:
            state.upsert = Upsert(table, state.present)
        upsert = state.upsert
        resolved = self._resolve_references(state, batch)
        rows = []
        for row, refs in zip(batch, resolved, strict=True):
            if refs is None:
                continue
            problems = table.cross_record_rules(row.checks, refs)
            for column, message in problems:
                self.problem(table, row.line, column, message)
            if problems:
                continue
            for column, slot in upsert.reference_slots:
                target = refs[column]
                row.params[slot] = None if target is None else target["pk"]
            if table.checked_as_a_whole:
                state.held.append((row, refs))
            else:
                rows.append(row)
        if table.link is not None:
            rows = self._store_with_links(state, table.link, rows)
        else:
            self._store(state, rows)

    def _store_with_links(
        self, state: _FileState, link: Link, rows: list[ValidRow]
    ) -> list[ValidRow]:
        """Rows whose every linked key resolves are stored, and their link rows made
        exactly the cell's (when the file has the column)."""
        target = self.files[link.table]
        target_table = TABLES_BY_FILE[link.table]
        found = _lookup(
            target_table, {key for row in rows for key in row.checks[link.column] or ()}
        )
        stored: list[ValidRow] = []
        for row in rows:
            missing = [key for key in row.checks[link.column] or () if key not in found]
            for key in missing:
                if target.keys_known and (key,) not in target.refused:
                    self.problem(
                        state.table,
                        row.line,
                        link.column,
                        f"refers to '{key}', which is neither in {link.table} nor in the register",
                    )
            if missing:
                state.refused.add(row.key)
            else:
                stored.append(row)
        self._store(state, stored)
        if link.column not in state.present or not stored:
            return stored
        key_field = state.table.columns[0].model_field
        owners = dict(
            state.table.model._default_manager.filter(
                **{f"{key_field}__in": [row.key[0] for row in stored]}
            ).values_list(key_field, "pk")
        )
        wanted = {
            (owners[row.key[0]], found[key]["pk"])
            for row in stored
            if row.key[0] in owners  # not, if its batch could not be stored
            for key in row.checks[link.column] or ()
        }
        existing = set(
            link.through._default_manager.filter(
                **{f"{link.owner}_id__in": owners.values()}
            ).values_list(f"{link.owner}_id", f"{link.target}_id")
        )
        # Written like the records themselves: SQL inside the import's transaction, under
        # its one audit event.
        meta = link.through._meta
        quote = connection.ops.quote_name
        table = quote(meta.db_table)
        owner_column, target_column = (
            quote(_column(meta, name)) for name in (link.owner, link.target)
        )
        with connection.cursor() as cursor:
            if existing - wanted:
                cursor.executemany(
                    f"DELETE FROM {table} WHERE {owner_column} = %s AND {target_column} = %s",  # noqa: S608
                    sorted(existing - wanted),
                )
            if wanted - existing:
                cursor.executemany(
                    f"INSERT INTO {table} ({owner_column}, {target_column}) VALUES (%s, %s) "  # noqa: S608
                    "ON CONFLICT DO NOTHING",
                    sorted(wanted - existing),
                )
        return stored

    def _store(self, state: _FileState, rows: list[ValidRow]) -> None:
        if not rows:
            return
        assert state.upsert is not None  # made by _write before any row is stored
        # Valid rows are written even after a problem elsewhere: later files resolve their
        # references against them, and the whole transaction is rolled back at the end.
        try:
            with _refusal_contained(), connection.cursor() as cursor:
                state.upsert.execute(
                    cursor, [row.params for row in rows], into_empty=state.bulk_load is not None
                )
        except IntegrityError as error:
            first, last = rows[0].line, rows[-1].line
            self.problem(
                state.table, first, "-", f"rows {first}-{last} could not be stored: {error}"
            )
            # References to the batch's rows are not reported again as unresolved.
            state.refused.update(row.key for row in rows)

    def _write_held(self, state: _FileState) -> None:
        """A file whose rows are judged together (Table.checked_as_a_whole): check them all
        against each other and the register, then store them."""
        check = WHOLE_FILE_CHECKS[state.table.file_name]
        refused_ids = {key[0] for key in state.refused}
        problems = check.problems(state.held, refused_ids, state.present)
        for line, column, message in problems:
            self.problem(state.table, line, column, message)
        held, state.held = state.held, []
        if problems:
            # Nothing of the file is written: references to its rows are not reported again.
            state.refused.update(row.key for row, _ in held)
            return
        for step in check.write_order(held, state.present):
            if not isinstance(step, Change):
                self._store(state, step)
            elif not self._change(state, step):
                # The steps after it counted on it: they would only fail again.
                state.refused.update(row.key for row, _ in held)
                return

    def _change(self, state: _FileState, change: Change) -> bool:
        """Make the change; if the database refuses it, name its row and say False. (In a
        savepoint on SQLite too: the ORM's writes mark the transaction unusable when they
        fail outside one. A change is one small statement, so the savepoint costs little.)"""
        try:
            with transaction.atomic():
                change.apply()
        except IntegrityError as error:
            self.problem(state.table, change.line, "-", f"could not be stored: {error}")
            return False
        return True

    def _resolve_references(self, state: _FileState, batch: list[ValidRow]) -> list[Refs | None]:
        """For each row, the records its references name (None if one does not resolve;
        an optional reference left empty names None)."""
        table = state.table
        resolved: list[Refs | None] = [{} for _ in batch]
        for index, reference in enumerate(table.references):
            target = self.files[reference.table]
            found = _lookup(
                TABLES_BY_FILE[reference.table],
                {row.refs[index] for row in batch if row.refs[index] is not None},
            )
            for position, row in enumerate(batch):
                refs = resolved[position]
                if refs is None:
                    continue
                key = row.refs[index]
                if key is None:  # an optional reference left empty
                    refs[reference.column] = None
                    continue
                if key in found:
                    refs[reference.column] = found[key]
                    continue
                resolved[position] = None
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


def _refusal_contained() -> AbstractContextManager[Any]:
    """What keeps the import's transaction usable when the database refuses a batch.

    PostgreSQL refuses every later statement of a transaction in which one failed, unless
    it is rolled back to a savepoint taken before: each batch is written in one. SQLite
    backs out only the refused row and carries on, so it needs none; and under a savepoint
    SQLite first copies every page a batch changes to a statement journal, which doubled
    the time to write the rows (docs/performance.md). Rows of the batch stored before the
    refused one stay until the end, when the import, having a problem, is rolled back."""
    if connection.vendor == "sqlite":
        return nullcontext()
    return transaction.atomic()


def _column(meta: Any, name: str) -> str:
    field = meta.get_field(name)
    assert isinstance(field, models.Field) and field.column is not None  # a stored column
    return field.column


def _lookup(table: Table, keys: set[str]) -> dict[str, dict[str, Any]]:
    """Records of a table by their one-column key, with what cross-record rules need: as
    `.values(key, "pk", *lookup_fields)` would give them. The query is written here, and each
    value read as the ORM reads it, because the ORM's building of a 2,000-key IN and its row
    handling cost twice what the query itself does.

    PostgreSQL is given the keys as one array (`= ANY(%s)`): a list of 2,000 parameters is
    parsed and planned afresh each time, which cost three times the lookups themselves."""
    meta = table.model._meta
    key_name = table.columns[0].model_field
    names = (key_name, "pk", *table.lookup_fields)
    fields = [meta.get_field(name) for name in (key_name, meta.pk.name, *table.lookup_fields)]
    readers = [_reader(field) for field in fields]
    # Only the values the driver does not give as the ORM would are read again.
    conversions = [
        (name, read) for name, (_, read) in zip(names, readers, strict=True) if read is not None
    ]
    quote = connection.ops.quote_name
    select = ", ".join(expression for expression, _ in readers)
    source = quote(meta.db_table)
    key_column = quote(_column(meta, key_name))
    on_postgresql = connection.vendor == "postgresql"
    found: dict[str, dict[str, Any]] = {}
    keys_list = list(keys)
    with connection.cursor() as cursor:
        for start in range(0, len(keys_list), LOOKUP_CHUNK):
            chunk = keys_list[start : start + LOOKUP_CHUNK]
            # Identifiers from the model, quoted; every key is a parameter.
            params: list[Any]
            if on_postgresql:
                where, params = f"{key_column} = ANY(%s)", [chunk]
            else:
                where, params = f"{key_column} IN ({', '.join(['%s'] * len(chunk))})", chunk
            cursor.execute(f"SELECT {select} FROM {source} WHERE {where}", params)  # noqa: S608
            for row in cursor.fetchall():
                record = dict(zip(names, row, strict=True))
                for name, read in conversions:
                    record[name] = read(record[name])
                found[record[key_name]] = record
    return found


def _reader(field: Any) -> tuple[str, Callable[[Any], Any] | None]:
    """The column's expression in the lookup's SELECT, and how its value becomes what the ORM
    would give (None: as the driver gives it).

    On SQLite, Django reads a date or instant twice: the driver parses the text by the
    column's declared type, then the backend makes the instant aware. Read as plain text
    (CAST, which has no declared type) it is parsed once, in C: dates as YYYY-MM-DD,
    instants as naive UTC 'YYYY-MM-DD HH:MM:SS[.ffffff]' (as Django stores them)."""
    column = connection.ops.quote_name(_column(field.model._meta, field.name))
    if connection.vendor == "sqlite":
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            return f"CAST({column} AS TEXT)", _instant_from_sqlite_text
        if kind == "DateField":
            return f"CAST({column} AS TEXT)", _date_from_sqlite_text
    expression, field_converters = _converters(field)
    if not field_converters:
        return column, None

    def read(value: Any) -> Any:
        for convert in field_converters:
            value = convert(value, expression, connection)
        return value

    return column, read


# The reverse of upsert.py's adapters, which write these texts.
def _instant_from_sqlite_text(text: str | None) -> dt.datetime | None:
    # Read with its offset rather than made aware afterwards: datetime.replace() parses its
    # keyword arguments, and cost four times the parsing itself.
    return None if text is None else dt.datetime.fromisoformat(f"{text}+00:00")


def _date_from_sqlite_text(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _converters(field: Any) -> tuple[Col, list[Any]]:
    """What the ORM does to a value of this field read from the database: the backend's
    converters, then the field's, each called with the column, as the ORM calls them."""
    column = Col(field.model._meta.db_table, field)
    return column, [*connection.ops.get_db_converters(column), *field.get_db_converters(connection)]


# Reading in a child process -------------------------------------------------------------

_DONE = "done"
# Room for about two batches of rows in flight (a batch of 2,000 episodes pickles to about
# 460 kB); the kernel's default is 64 kB. At most /proc/sys/fs/pipe-max-size (1 MiB by
# default) for a process without CAP_SYS_RESOURCE.
_PIPE_BYTES = 1 << 20


def _read_in_child_process(folder: Path, clock: ImportClock) -> Iterator[Event]:
    """read_folder's events, produced in a forked child so that reading and writing run on
    two cores.

    The child writes them to a one-way pipe from its only thread. (A multiprocessing.Queue
    pickles and writes from a second thread of the child, which then took turns with the
    reading for Python's lock: at a million episodes the import took 9 % longer.) The
    child's end closes when it exits, so a reader that dies is noticed at once.

    Here a thread empties the pipe into a queue of up to _MESSAGES_AHEAD messages, still
    pickled, while this thread writes. The reader sets the pace, and otherwise waited with
    the pipe full whenever the writer was busy: above all while a large table's indexes
    were built again after its last row (4 s at a million episodes on SQLite, in this
    process). Without this thread, a million episodes took 44.3 s to import on SQLite; with
    it, 41.3 s (docs/performance.md)."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    _enlarge(sending)
    child = context.Process(target=_reader_process, args=(folder, clock, sending), daemon=True)
    child.start()
    # Only the child writes: with this process's copy closed, the pipe ends with the child.
    sending.close()
    messages: queue.Queue[bytes | None] = queue.Queue(maxsize=_MESSAGES_AHEAD)
    stopping = threading.Event()
    drain = threading.Thread(
        target=_drain, args=(receiving, messages, stopping), name=_DRAIN, daemon=True
    )
    drain.start()
    try:
        while True:
            message = messages.get()
            if message is None:
                raise RuntimeError("the reader process stopped unexpectedly")
            item = ForkingPickler.loads(message)
            if item == _DONE:
                break
            if isinstance(item, _ReaderFailed):
                raise RuntimeError(f"the reader process failed:\n{item.traceback}")
            yield from item
    finally:
        stopping.set()
        if child.is_alive():
            child.terminate()
        child.join()
        drain.join()
        receiving.close()


# About 120 MB of episodes at most (a message of 2,000 is about 460 kB pickled).
_MESSAGES_AHEAD = 256
_DRAIN = "interchange reader's pipe"


def _drain(receiving: Any, messages: queue.Queue[bytes | None], stopping: threading.Event) -> None:
    """Move the pipe's messages into the queue until the reader has gone, then None: also
    if this thread fails, so that the writer never waits on a queue nothing fills."""
    try:
        while _put(messages, receiving.recv_bytes(), stopping):
            pass
    except (EOFError, OSError):
        pass  # the reader's end is closed: it is done, or it died
    finally:
        _put(messages, None, stopping)


def _put(
    messages: queue.Queue[bytes | None], message: bytes | None, stopping: threading.Event
) -> bool:
    """Queue the message once there is room; False if the writer stopped meanwhile."""
    while not stopping.is_set():
        try:
            messages.put(message, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _enlarge(pipe: Any) -> None:
    """Give the pipe room for _PIPE_BYTES where the system allows it (Linux); else it keeps
    its size, which is slower but no less correct."""
    set_pipe_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if set_pipe_size is not None:
        with suppress(OSError):
            fcntl.fcntl(pipe.fileno(), set_pipe_size, _PIPE_BYTES)


@dataclass(frozen=True)
class _ReaderFailed:
    traceback: str


def _reader_process(folder: Path, clock: ImportClock, sending: Any) -> None:
    # Events travel in small groups: one message per event would cost more than the rows do.
    try:
        group: list[Event] = []
        for event in reader.read_folder(folder, clock):
            group.append(event)
            if isinstance(event, RowBatch | FileFinished) or len(group) >= 500:
                sending.send(group)
                group = []
        sending.send(group)
        sending.send(_DONE)
    except BaseException:
        sending.send(_ReaderFailed(traceback.format_exc()))


def _folder_size(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(
        (folder / table.file_name).stat().st_size
        for table in TABLES
        if (folder / table.file_name).is_file()
    )


def import_folder(
    folder: Path | str,
    actor: auditor.Actor = None,
    *,
    parallel: bool | None = None,
    progress: Progress = NO_PROGRESS,
) -> ImportResult:
    """Import the folder; `progress` (for a command on a terminal) is told each file's
    rows as they are written."""
    return FolderImport(Path(folder), actor, parallel=parallel, progress=progress).run()
