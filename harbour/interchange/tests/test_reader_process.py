"""The reader in its own process (importer._read_in_child_process): its events arrive
whole and in order however many there are, and a reader that fails or dies stops the
import with nothing written."""

import fcntl
import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
import time

import pytest

from harbour.children.models import Child
from harbour.interchange import importer, reader
from harbour.interchange.importer import import_folder

from .folders import VALID
from .snapshot import register_snapshot

pytestmark = pytest.mark.django_db


def _many_children(count: int) -> dict[str, str]:
    rows = "".join(f"K{n:05},Given{n},Family{n},2008-01-01,F,WBRI\n" for n in range(count))
    return {
        **VALID,
        "children.csv": VALID["children.csv"].replace("        ", "") + rows,
    }


def test_more_rows_than_the_pipe_holds_arrive_whole_and_in_order(write_folder):
    # 20,000 children: ten batches, about 1.8 MB pickled, more than the pipe's 1 MiB.
    folder = write_folder(_many_children(20_000))
    in_process = import_folder(folder, parallel=False)
    stored = register_snapshot()
    for model in reversed([table.model for table in importer.TABLES]):
        model._default_manager.all().delete()

    in_child = import_folder(folder, parallel=True)

    assert in_child.ok and in_process.ok
    assert in_child.counts == in_process.counts
    assert register_snapshot() == stored


def test_a_reader_that_fails_stops_the_import_with_its_traceback(write_folder, monkeypatch):
    read_folder = reader.read_folder

    def failing(folder, clock):
        yield from read_folder(folder, clock)
        raise ValueError("the disk went away")

    monkeypatch.setattr(importer.reader, "read_folder", failing)

    with pytest.raises(RuntimeError, match=r"(?s)the reader process failed.*the disk went away"):
        import_folder(write_folder(VALID), parallel=True)
    assert not Child.objects.exists()


def test_a_reader_that_dies_stops_the_import(write_folder, monkeypatch):
    read_folder = reader.read_folder

    def dying(folder, clock):
        for event in read_folder(folder, clock):
            yield event
            if isinstance(event, reader.FileFinished):
                os._exit(1)  # as if killed: nothing more is sent

    monkeypatch.setattr(importer.reader, "read_folder", dying)

    with pytest.raises(RuntimeError, match="the reader process stopped unexpectedly"):
        import_folder(write_folder(VALID), parallel=True)
    assert not Child.objects.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe sizes are Linux's")
def test_the_pipe_holds_about_two_batches():
    receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)
    try:
        importer._enlarge(sending)

        assert fcntl.fcntl(sending.fileno(), fcntl.F_GETPIPE_SZ) == importer._PIPE_BYTES
    finally:
        receiving.close()
        sending.close()


def _large_events(count: int) -> list[reader.FileFinished]:
    # Each travels as a message of its own, of about 100 kB.
    return [reader.FileFinished(f"{n:03}" + "x" * 100_000, n, True) for n in range(count)]


def _reading(monkeypatch, events):
    monkeypatch.setattr(importer.reader, "read_folder", lambda folder, clock: iter(events))
    return importer._read_in_child_process(None, None)


def _reader_finished(within_seconds: float) -> bool:
    for _ in range(int(within_seconds * 20)):
        if not multiprocessing.active_children():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(databases=[])
def test_the_reader_reads_on_while_the_writer_is_busy(monkeypatch):
    # 3 MB of events, three times what the pipe holds: the reader can finish only if they
    # are taken from the pipe while the writer is still on the first.
    events = _large_events(30)
    reading = _reading(monkeypatch, events)

    first = next(reading)

    assert _reader_finished(within_seconds=30)
    assert [first, *reading] == events


@pytest.mark.django_db(databases=[])
def test_a_writer_that_stops_early_leaves_no_reader_behind(monkeypatch):
    reading = _reading(monkeypatch, _large_events(30))
    next(reading)

    reading.close()

    assert not multiprocessing.active_children()
    assert importer._DRAIN not in [thread.name for thread in threading.enumerate()]


@pytest.mark.django_db(databases=[])
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_pipe_that_cannot_be_read_stops_the_import_rather_than_hanging(monkeypatch):
    def unreadable(connection):
        raise MemoryError("no room for the message")

    monkeypatch.setattr(multiprocessing.connection.Connection, "recv_bytes", unreadable)
    reading = _reading(monkeypatch, _large_events(3))

    with pytest.raises(RuntimeError, match="the reader process stopped unexpectedly"):
        next(reading)
