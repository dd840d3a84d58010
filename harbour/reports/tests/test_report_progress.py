"""The report command's progress line: the periods built, on a terminal only."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from harbour.common.tests.terminal import FakeTerminal
from harbour.reports import formats
from harbour.reports.engine import build_report
from harbour.reports.periods import Period

from .helpers import episode, interview

pytestmark = pytest.mark.django_db

QUARTERS = ("quarterly", "--year", "2019")


@pytest.fixture(autouse=True)
def some_episodes() -> None:
    interview(episode(), "ACCEPTED")


def _run(*args: str, stdout: io.StringIO, stderr: io.StringIO) -> None:
    call_command("report", *args, stdout=stdout, stderr=stderr)


def test_the_report_is_printed_as_before_with_no_progress_when_not_on_a_terminal() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()

    _run(*QUARTERS, stdout=stdout, stderr=stderr)

    quarters = [build_report("quarterly", Period.quarter(2019, q), False) for q in (1, 2, 3, 4)]
    assert stdout.getvalue() == formats.as_text(quarters)
    assert stderr.getvalue() == ""


def test_quiet_draws_no_progress_on_a_terminal() -> None:
    plain = io.StringIO()
    _run(*QUARTERS, stdout=plain, stderr=io.StringIO())
    stdout, stderr = FakeTerminal(), FakeTerminal()

    _run(*QUARTERS, "--quiet", stdout=stdout, stderr=stderr)

    assert stdout.getvalue() == plain.getvalue()
    assert stderr.getvalue() == ""


def test_on_a_terminal_the_periods_built_are_counted_and_the_line_ends_first() -> None:
    plain = io.StringIO()
    _run(*QUARTERS, stdout=plain, stderr=io.StringIO())
    stdout, stderr = io.StringIO(), FakeTerminal()

    _run(*QUARTERS, stdout=stdout, stderr=stderr)

    drawn = stderr.getvalue()
    assert drawn.startswith("\rReport building quarterly: 0/4 periods")
    assert "\rReport: 4 periods in 0:00:0" in drawn
    assert drawn.endswith("\n")
    assert stdout.getvalue() == plain.getvalue()


def test_a_workbook_written_to_a_file_prints_nothing_but_progress(tmp_path: Path) -> None:
    quiet_out, quiet_err = io.StringIO(), io.StringIO()
    terminal_err = FakeTerminal()

    _run(
        *QUARTERS,
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "quiet.xlsx"),
        stdout=quiet_out,
        stderr=quiet_err,
    )
    _run(
        *QUARTERS,
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "shown.xlsx"),
        stdout=io.StringIO(),
        stderr=terminal_err,
    )

    assert (quiet_out.getvalue(), quiet_err.getvalue()) == ("", "")
    assert "Report: 4 periods in" in terminal_err.getvalue()
    assert (tmp_path / "quiet.xlsx").stat().st_size > 0


def test_the_year_reports_print_as_before_and_take_quiet() -> None:
    plain_out, plain_err = io.StringIO(), io.StringIO()
    _run("ssda903", "--year", "2019", stdout=plain_out, stderr=plain_err)
    quiet_out, quiet_err = FakeTerminal(), FakeTerminal()
    _run("ssda903", "--year", "2019", "--quiet", stdout=quiet_out, stderr=quiet_err)
    shown_err = FakeTerminal()
    _run("ssda903", "--year", "2019", stdout=io.StringIO(), stderr=shown_err)

    assert plain_out.getvalue() == quiet_out.getvalue() != ""
    assert (plain_err.getvalue(), quiet_err.getvalue()) == ("", "")
    assert shown_err.getvalue().startswith("\rReport building ssda903 2019: 0/1 periods")
    assert shown_err.getvalue().endswith("\n")


def test_a_committee_pack_shows_its_charts_and_writing_as_stages(tmp_path: Path) -> None:
    stdout, stderr = io.StringIO(), FakeTerminal()

    _run(
        "annual",
        "--year",
        "2019",
        "--format",
        "pdf",
        "--output",
        str(tmp_path / "p.pdf"),
        stdout=stdout,
        stderr=stderr,
    )

    drawn = stderr.getvalue()
    assert "\rReport building annual: 0/1 periods" in drawn
    assert "\rReport drawing the charts: 0/1" in drawn
    assert "\rReport writing the PDF: 0/1" in drawn
    assert stdout.getvalue() == ""
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")
