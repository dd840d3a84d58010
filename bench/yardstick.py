"""The machine's own speed, so that figures taken on different machines (or on one machine
at different times) can be read side by side.

    .venv/bin/python bench/yardstick.py

Times two fixed pieces of work that involve nothing of Harbour's, each the median of five
runs: plain Python (parsing and formatting a million dates and numbers, about what the
import's reader does per cell) and SQLite (inserting 200,000 rows into an in-memory table
with an index, in one transaction). The machines this project runs on are shared and
their speed drifts: when these two move, every figure of the same run moves with them
(docs/performance.md). Prints one line and, last, one JSON line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import statistics
import time
from collections.abc import Callable

RUNS = 5


def python_work() -> None:
    start = dt.date(2017, 4, 1)
    texts = [(start + dt.timedelta(days=n % 3650)).isoformat() for n in range(200_000)]
    for _ in range(5):
        days = list(map(dt.date.fromisoformat, texts))
        total = sum(day.toordinal() for day in days)
        assert total > 0
        _ = [f"{n:08d}" for n in range(100_000)]


def sqlite_work() -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, key TEXT, day TEXT, n INTEGER)")
    connection.execute("CREATE INDEX t_day ON t (day)")
    rows = [(f"K{n:07d}", f"2020-{n % 12 + 1:02d}-{n % 28 + 1:02d}", n) for n in range(200_000)]
    with connection:
        connection.executemany("INSERT INTO t (key, day, n) VALUES (?, ?, ?)", rows)
    connection.execute("SELECT day, COUNT(*) FROM t GROUP BY day").fetchall()
    connection.close()


def median_seconds(work: Callable[[], None]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 3)


def main() -> None:
    load = os.getloadavg()[0]
    python_seconds = median_seconds(python_work)
    sqlite_seconds = median_seconds(sqlite_work)
    print(
        f"yardstick: Python {python_seconds:.3f} s, SQLite {sqlite_seconds:.3f} s "
        f"(median of {RUNS}; load average {load:.2f})"
    )
    print(
        json.dumps(
            {"python_seconds": python_seconds, "sqlite_seconds": sqlite_seconds, "load": load}
        )
    )


if __name__ == "__main__":
    main()
