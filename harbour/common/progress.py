"""Progress of a long command, on one terminal line updated in place.

A command that may run for minutes (an import at a million episodes, the demo data, the
retention run, a report pack) makes a `Progress` for its stderr with `progress_line` and
passes it to the library function doing the work. The function names each stage (a file,
or a step) and counts what it has done; the line shows

    Importing episodes.csv: 120,000/1,000,000 rows  45,000 rows/s  0:00:19 left

It is drawn only when the stream is a terminal and --quiet was not given: piped into a
file, a log or a test, the command prints exactly what it printed before, and nothing
else. Redrawing is throttled (five times a second by default) so that counting costs an
addition and a clock reading per call, and the line ends with a newline when the work is
done, so that whatever is printed next starts on a line of its own.

Library functions take `progress: Progress = NO_PROGRESS`, so that their other callers
(views, tests) need not know about it.
"""

from __future__ import annotations

import os
import time
from argparse import ArgumentParser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO, cast

from django.core.management.base import OutputWrapper

# Erase from the cursor to the end of the line (ANSI, understood by every terminal the
# command runs in): a shorter line must not leave the end of a longer one behind.
_CLEAR_TO_END = "\x1b[K"
_DEFAULT_WIDTH = 80


class Progress:
    """One line of progress on `stream`, or nothing at all when it is not a terminal.

    `title` says what the command is doing ("Importing"); each `stage` names what is being
    worked on (a file name) and, when known, how many `unit`s it holds; `advance` and
    `update` count what is done. `close` draws the last state and ends the line.
    """

    def __init__(
        self,
        stream: TextIO | None,
        title: str,
        *,
        unit: str = "rows",
        quiet: bool = False,
        interval: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = not quiet and stream is not None and _is_terminal(stream)
        self._stream = stream
        self.title = title
        self.unit = unit
        self._interval = interval
        self._clock = clock
        self._width = _width(stream) if self.enabled else _DEFAULT_WIDTH
        self._started = 0.0
        self._label = ""
        self._total: int | None = None
        self._done = 0
        self._done_before = 0  # in the stages finished before this one
        self._stage_started = 0.0
        self._drawn_at = 0.0
        self._in_stage = False

    # Counting ------------------------------------------------------------------------

    def stage(self, label: str, total: int | None = None) -> None:
        """Start working on `label` (a file, a step), which holds `total` units if known."""
        if not self.enabled:
            return
        now = self._clock()
        if not self._in_stage:
            self._started = now
        self._done_before += self._done
        self._label, self._total, self._done = label, total, 0
        self._stage_started = now
        self._in_stage = True
        self._draw(now)

    def advance(self, count: int = 1) -> None:
        """`count` more units of the stage are done."""
        if not self.enabled:
            return
        self._done += count
        now = self._clock()
        if now - self._drawn_at >= self._interval:
            self._draw(now)

    def update(self, done: int, total: int | None = None) -> None:
        """`done` units of the stage are done (and it holds `total`, if now known)."""
        if not self.enabled:
            return
        self._done = done
        if total is not None:
            self._total = total
        now = self._clock()
        if now - self._drawn_at >= self._interval:
            self._draw(now)

    def close(self, *, completed: bool = True) -> None:
        """End the line: with what was counted in all and how long it took when `completed`,
        else (the work failed) as it stood, so that an error starts on a line of its own."""
        if not self.enabled or not self._in_stage:
            return
        now = self._clock()
        if completed:
            done = self._done_before + self._done
            # Said the same whether the work succeeded or found problems: the command
            # says which.
            counted = f"{done:,} {self.unit}" if done else "finished"
            self._write(f"{self.title}: {counted} in {_duration(now - self._started)}")
        else:
            self._draw(now)
        assert self._stream is not None  # enabled
        self._stream.write("\n")
        self._stream.flush()
        self._in_stage = False
        self._done_before = self._done = 0

    # Drawing -------------------------------------------------------------------------

    def text(self, now: float) -> str:
        """The line as it stands at `now` (a reading of the clock)."""
        parts: list[str] = []
        done, total = self._done, self._total
        if total is not None:
            parts.append(f"{done:,}/{total:,} {self.unit}")
        elif done:
            parts.append(f"{done:,} {self.unit}")
        elapsed = now - self._stage_started
        rate = done / elapsed if done and elapsed > 0 else 0.0
        if rate:
            # A few a second (reports) or thousands (rows): whole numbers hide the former.
            shown = f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}"
            parts.append(f"{shown} {self.unit}/s")
        if rate and total is not None:
            parts.append(f"{_duration(max(0, total - done) / rate)} left")
        else:
            parts.append(_duration(now - self._started))
        return f"{self.title} {self._label}: " + "  ".join(parts)

    def _draw(self, now: float) -> None:
        self._drawn_at = now
        self._write(self.text(now))

    def _write(self, line: str) -> None:
        assert self._stream is not None  # only called when enabled
        # A line wider than the terminal would wrap, and the carriage return would then
        # redraw only its last part.
        self._stream.write("\r" + line[: self._width - 1] + _CLEAR_TO_END)
        self._stream.flush()


NO_PROGRESS = Progress(None, "")
"""The default of library functions: counts nothing, draws nothing."""


@contextmanager
def progress_line(
    stream: TextIO | OutputWrapper, title: str, *, quiet: bool = False, unit: str = "rows"
) -> Iterator[Progress]:
    """A `Progress` on a command's stream (self.stderr), ended when the block ends: with
    the totals if it succeeded, as it stood if it raised."""
    # Django's wrapper would add a newline to every write and colour stderr as an error:
    # the line is written to the stream it wraps.
    raw = cast("TextIO", stream._out) if isinstance(stream, OutputWrapper) else stream
    progress = Progress(raw, title, quiet=quiet, unit=unit)
    try:
        yield progress
    except BaseException:
        progress.close(completed=False)
        raise
    progress.close()


def add_quiet_argument(parser: ArgumentParser) -> None:
    """The --quiet flag every command with a progress line takes."""
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="show no progress line (it shows only on a terminal in any case)",
    )


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _width(stream: Any) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or _DEFAULT_WIDTH
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return _DEFAULT_WIDTH


def _duration(seconds: float) -> str:
    """h:mm:ss"""
    whole = int(seconds + 0.5)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
