import io
from pathlib import Path

import pytest
from django.core.management import call_command

from harbour.common.progress import Progress
from harbour.common.tests.terminal import FakeTerminal
from harbour.conftest import FolderWriter
from harbour.returns.ssda903.importer import import_ssda903
from harbour.returns.ssda903.register import register_tables
from harbour.returns.ssda903.writer import write_csv, write_xml

from .ssda903_folders import FOLDER

pytestmark = pytest.mark.django_db

# What the commands printed before they had a progress line.
IMPORTED = (
    "children: 3 new, 0 updated, 0 unchanged\n"
    "looked_after: 3 new, 0 updated, 0 unchanged\n"
    "episodes: 4 new, 0 updated, 0 unchanged\n"
)
EXPORTED_CSV = "header.csv: 2\nepisodes.csv: 3\nmissing.csv: 4\n"
EXPORTED_XML = "CHILD: 2\nEPISODE: 3\nAMISSING: 4\n"


def _drawn(work) -> str:
    terminal = FakeTerminal()
    progress = Progress(terminal, "903", interval=0)
    work(progress)
    progress.close()
    return terminal.getvalue()


def test_the_import_shows_the_rows_checked_and_the_records_written(
    write_folder: FolderWriter,
) -> None:
    folder = write_folder(FOLDER)

    drawn = _drawn(lambda progress: import_ssda903(folder, progress=progress))

    assert f"903 reading {folder.name}:" in drawn
    assert "903 checking header: 3/3 rows" in drawn
    assert "903 checking episodes: 3/3 rows" in drawn
    assert "903 checking missing: 4/4 rows" in drawn
    assert "903 writing children: 3/3 rows" in drawn
    assert "903 writing looked-after periods: 3/3 rows" in drawn
    assert "903 writing episodes: 4/4 rows" in drawn
    assert drawn.endswith("\n")


@pytest.mark.parametrize("write", [write_csv, write_xml], ids=["csv", "xml"])
def test_the_export_shows_the_records_read_and_the_rows_written(
    write_folder: FolderWriter, tmp_path: Path, write
) -> None:
    assert import_ssda903(write_folder(FOLDER)).ok

    def export(progress: Progress) -> None:
        write(register_tables(2024, progress=progress), tmp_path / "out", progress=progress)

    drawn = _drawn(export)

    assert "903 reading looked-after periods: 3 rows" in drawn
    assert "903 reading missing episodes: 4 rows" in drawn
    if write is write_csv:
        assert "903 missing.csv: 4/4 rows" in drawn
    else:
        assert "903 ssda903.xml: 9/9 rows" in drawn
        assert "903 writing ssda903.xml:" in drawn


@pytest.mark.parametrize("quiet", [[], ["--quiet"]], ids=["not a terminal", "quiet"])
def test_the_commands_print_what_they_did_before_and_no_progress(
    write_folder: FolderWriter, tmp_path: Path, quiet: list[str]
) -> None:
    # Quiet is tried on a terminal: the one place it changes anything.
    stream = FakeTerminal if quiet else io.StringIO
    outputs = []
    for command in (
        ["import_ssda903", str(write_folder(FOLDER))],
        ["export_ssda903", "--year", "2024", str(tmp_path / "csv")],
        ["export_ssda903", "--year", "2024", "--format", "xml", str(tmp_path / "xml")],
    ):
        stdout, stderr = stream(), stream()
        call_command(*command, *quiet, stdout=stdout, stderr=stderr)
        outputs.append((stdout.getvalue(), stderr.getvalue()))

    assert outputs == [(IMPORTED, ""), (EXPORTED_CSV, ""), (EXPORTED_XML, "")]


def test_on_a_terminal_the_import_draws_its_line_on_stderr(write_folder: FolderWriter) -> None:
    stdout, stderr = io.StringIO(), FakeTerminal()

    call_command("import_ssda903", str(write_folder(FOLDER)), stdout=stdout, stderr=stderr)

    assert stdout.getvalue() == IMPORTED
    assert stderr.getvalue().startswith("\r903 import reading ")
    assert "\r903 import: " in stderr.getvalue()
    assert stderr.getvalue().endswith("\n")
