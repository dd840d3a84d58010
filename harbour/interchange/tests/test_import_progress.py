import io

import pytest
from django.core.management import call_command

from harbour.common.progress import Progress
from harbour.common.tests.terminal import FakeTerminal
from harbour.interchange.importer import import_folder

from .folders import VALID

pytestmark = pytest.mark.django_db

# What the command printed before it had a progress line.
SUMMARY = (
    "children.csv: 3 rows (3 new, 0 updated or unchanged)\n"
    "legal_statuses.csv: 3 rows (3 new, 0 updated or unchanged)\n"
    "episodes.csv: 3 rows (3 new, 0 updated or unchanged)\n"
    "return_interviews.csv: 3 rows (3 new, 0 updated or unchanged)\n"
    "meetings.csv: 2 rows (2 new, 0 updated or unchanged)\n"
    "referrals.csv: 2 rows (2 new, 0 updated or unchanged)\n"
    "risk_assessments.csv: 1 rows (1 new, 0 updated or unchanged)\n"
    "panel_listings.csv: 2 rows (2 new, 0 updated or unchanged)\n"
)


@pytest.mark.parametrize("parallel", [False, True], ids=["one process", "reader process"])
def test_each_file_is_shown_with_its_rows_written(write_folder, parallel):
    terminal = FakeTerminal()
    progress = Progress(terminal, "Importing", interval=0)

    result = import_folder(write_folder(VALID), parallel=parallel, progress=progress)
    progress.close()

    assert result.errors == []
    drawn = terminal.getvalue()
    for name, count in result.counts.items():
        assert f"Importing {name}: 0/{count.rows} rows" in drawn
        assert f"Importing {name}: {count.rows}/{count.rows} rows" in drawn
    assert "Importing: 19 rows in" in drawn
    assert drawn.endswith("\n")


def test_the_command_prints_what_it_did_before_when_not_on_a_terminal(write_folder):
    stdout, stderr = io.StringIO(), io.StringIO()

    call_command("import_interchange", str(write_folder(VALID)), stdout=stdout, stderr=stderr)

    assert stdout.getvalue() == SUMMARY
    assert stderr.getvalue() == ""


def test_quiet_draws_no_progress_on_a_terminal(write_folder):
    stdout, stderr = FakeTerminal(), FakeTerminal()

    call_command(
        "import_interchange", str(write_folder(VALID)), "--quiet", stdout=stdout, stderr=stderr
    )

    assert stdout.getvalue() == SUMMARY
    assert stderr.getvalue() == ""


def test_on_a_terminal_the_progress_line_goes_to_stderr_and_the_summary_is_unchanged(
    write_folder,
):
    stdout, stderr = io.StringIO(), FakeTerminal()

    call_command("import_interchange", str(write_folder(VALID)), stdout=stdout, stderr=stderr)

    assert stdout.getvalue() == SUMMARY
    assert stderr.getvalue().startswith("\rImporting children.csv: 0/3 rows")
    assert "\rImporting: 19 rows in 0:00:0" in stderr.getvalue()
    assert stderr.getvalue().endswith("\n")
