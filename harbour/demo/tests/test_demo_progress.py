"""demo_data's progress line: on a terminal only, silenced by --quiet."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from harbour.common.progress import Progress
from harbour.common.tests.terminal import FakeTerminal
from harbour.demo.generator import write_demo_folder

pytestmark = pytest.mark.django_db

AUTHORITY = "999"


def test_generating_counts_the_episodes_written_against_those_asked_for(tmp_path: Path) -> None:
    terminal = FakeTerminal()
    progress = Progress(terminal, "Generating", unit="episodes", interval=0)

    write_demo_folder(
        tmp_path / "demo",
        episodes=300,
        seed=3,
        authority_code=AUTHORITY,
        last_day=dt.date(2025, 10, 26),
        progress=progress,
    )
    progress.close()

    drawn = terminal.getvalue()
    assert "Generating the demo authority: 0/300 episodes" in drawn
    assert "Generating the demo authority: 300/300 episodes" in drawn
    assert "Generating: 300 episodes in" in drawn


def _expected_output(written: dict[str, int], last_day: dt.date) -> str:
    """What demo_data printed before it had a progress line, into an empty register."""
    lines = [
        f"Generating 200 synthetic episodes (seed 3, authority {AUTHORITY}, "
        f"up to {last_day.isoformat()})...",
        "Importing...",
        *(f"  {name}: {rows:,} rows ({rows:,} new)" for name, rows in written.items()),
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("quiet", [False, True], ids=["not a terminal", "quiet on a terminal"])
def test_demo_data_prints_what_it_did_before_and_no_progress(
    settings, tmp_path: Path, quiet: bool
) -> None:
    settings.DEBUG = True
    settings.LOCAL_AUTHORITY_CODE = AUTHORITY
    last_day = timezone.localdate() - dt.timedelta(days=1)
    written = write_demo_folder(
        tmp_path / "same", episodes=200, seed=3, authority_code=AUTHORITY, last_day=last_day
    )
    stream = FakeTerminal if quiet else io.StringIO
    stdout, stderr = stream(), stream()

    call_command("demo_data", episodes=200, seed=3, quiet=quiet, stdout=stdout, stderr=stderr)

    assert stdout.getvalue().startswith(_expected_output(written, last_day))
    assert stdout.getvalue().endswith("Demo data imported.\n")
    assert "\r" not in stdout.getvalue()
    assert stderr.getvalue() == ""


def test_on_a_terminal_demo_data_draws_generating_then_importing(settings) -> None:
    settings.DEBUG = True
    settings.LOCAL_AUTHORITY_CODE = AUTHORITY
    stdout, stderr = io.StringIO(), FakeTerminal()

    call_command("demo_data", episodes=200, seed=3, stdout=stdout, stderr=stderr)

    drawn = stderr.getvalue()
    assert "\rGenerating: 200 episodes in" in drawn
    assert "\rImporting episodes.csv: " in drawn
    assert drawn.count("\n") == 2  # one line each
    assert "\r" not in stdout.getvalue()
