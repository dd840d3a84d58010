import io

import pytest
from django.core.management.base import OutputWrapper

from harbour.common.progress import NO_PROGRESS, Progress, progress_line

from .terminal import FakeTerminal


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _work(progress: Progress, clock: Clock) -> None:
    progress.stage("episodes.csv", total=1000)
    clock.now += 1
    progress.advance(250)
    clock.now += 1
    progress.update(500)


def test_nothing_is_written_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    clock = Clock()
    progress = Progress(stream, "Importing", clock=clock)
    _work(progress, clock)
    progress.close()
    assert stream.getvalue() == ""


def test_nothing_is_written_on_a_terminal_with_quiet() -> None:
    stream = FakeTerminal()
    clock = Clock()
    progress = Progress(stream, "Importing", quiet=True, clock=clock)
    _work(progress, clock)
    progress.close()
    assert stream.getvalue() == ""


def test_a_terminal_gets_one_line_redrawn_with_file_rows_rate_and_time_left() -> None:
    stream = FakeTerminal()
    clock = Clock()
    progress = Progress(stream, "Importing", clock=clock)
    _work(progress, clock)
    written = stream.getvalue()
    assert "\n" not in written
    draws = written.split("\r")[1:]
    assert draws[0] == "Importing episodes.csv: 0/1,000 rows  0:00:00\x1b[K"
    # 250 rows in one second: 750 more take three.
    assert draws[1] == "Importing episodes.csv: 250/1,000 rows  250 rows/s  0:00:03 left\x1b[K"
    assert draws[2].startswith("Importing episodes.csv: 500/1,000 rows  250 rows/s  0:00:02 left")


def test_closing_draws_the_totals_and_ends_the_line() -> None:
    stream = FakeTerminal()
    clock = Clock()
    progress = Progress(stream, "Importing", clock=clock)
    _work(progress, clock)
    progress.stage("support.csv")
    progress.advance(20)
    clock.now += 63
    progress.close()
    written = stream.getvalue()
    assert written.endswith("\rImporting: 520 rows in 0:01:05\x1b[K\n")
    assert written.count("\n") == 1


def test_redrawing_is_throttled_to_five_times_a_second() -> None:
    stream = FakeTerminal()
    clock = Clock()
    progress = Progress(stream, "Importing", clock=clock)
    progress.stage("episodes.csv")  # drawn at once
    for _ in range(1000):
        clock.now += 0.001  # one second in all
        progress.advance()
    redraws = stream.getvalue().count("\r") - 1
    assert 4 <= redraws <= 5


def test_a_stage_without_a_total_shows_rows_and_rate_but_no_time_left() -> None:
    stream = FakeTerminal()
    clock = Clock()
    progress = Progress(stream, "Generating", unit="episodes", clock=clock)
    progress.stage("demo folder")
    clock.now += 2
    progress.advance(3000)
    last = stream.getvalue().split("\r")[-1]
    assert last == "Generating demo folder: 3,000 episodes  1,500 episodes/s  0:00:02\x1b[K"


def test_a_line_wider_than_the_terminal_is_cut_so_that_it_does_not_wrap() -> None:
    stream = FakeTerminal()  # no real terminal behind it: taken as 80 columns
    progress = Progress(stream, "Importing", clock=Clock())
    progress.stage("x" * 200)
    drawn = stream.getvalue()
    assert drawn == "\r" + ("Importing " + "x" * 200)[:79] + "\x1b[K"


def test_the_default_of_library_functions_counts_and_draws_nothing() -> None:
    NO_PROGRESS.stage("episodes.csv", 10)
    NO_PROGRESS.advance(5)
    NO_PROGRESS.close()
    assert not NO_PROGRESS.enabled


def test_a_command_line_is_written_to_the_stream_django_wraps_uncoloured() -> None:
    terminal = FakeTerminal()
    wrapper = OutputWrapper(terminal)
    wrapper.style_func = lambda text: f"<red>{text}</red>"  # as Django colours stderr
    with progress_line(wrapper, "Importing") as progress:
        progress.stage("children.csv", total=2)
    written = terminal.getvalue()
    assert "<red>" not in written
    assert written.startswith("\rImporting children.csv: 0/2 rows")
    assert written.endswith("\n")
    assert written.count("\n") == 1


def test_a_failure_ends_the_line_as_it_stood_so_the_error_starts_on_its_own() -> None:
    terminal = FakeTerminal()
    with pytest.raises(RuntimeError), progress_line(terminal, "Importing") as progress:
        progress.stage("children.csv", total=2)
        raise RuntimeError
    written = terminal.getvalue()
    assert written.endswith("\x1b[K\n")
    assert "\rImporting: " not in written


def test_a_command_that_never_started_a_stage_writes_nothing() -> None:
    terminal = FakeTerminal()
    with progress_line(terminal, "Importing"):
        pass
    assert terminal.getvalue() == ""


def test_a_rate_below_ten_a_second_shows_a_decimal() -> None:
    stream = FakeTerminal()
    clock = Clock()
    progress = Progress(stream, "Report", unit="periods", clock=clock)
    progress.stage("building quarterly", total=4)
    clock.now += 4
    progress.advance()
    last = stream.getvalue().split("\r")[-1]
    assert last == "Report building quarterly: 1/4 periods  0.2 periods/s  0:00:12 left\x1b[K"


def test_a_run_that_counted_nothing_ends_with_the_time_it_took() -> None:
    stream = FakeTerminal()
    clock = Clock()
    progress = Progress(stream, "903 export", clock=clock)
    progress.stage("writing ssda903.xml")
    clock.now += 3
    progress.close()
    assert stream.getvalue().endswith("\r903 export: finished in 0:00:03\x1b[K\n")
