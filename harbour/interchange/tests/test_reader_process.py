"""The reader in its own process (importer._read_in_child_process): its events arrive
whole and in order however many there are, and a reader that fails or dies stops the
import with nothing written."""

import fcntl
import multiprocessing
import os
import sys

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
