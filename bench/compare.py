"""Side by side, in one command: Harbour's code against its hand-written yardsticks.

    .venv/bin/python bench/compare.py [--episodes 100000] [--database sqlite|postgres ...] \
        [--runs 15] [--rebuild]

Reports: for each database, bench/report_bench.py times the report engine and the
hand-written SQL of bench/sql/ on the same connection, interleaved (one warm-up, then --runs
runs of each), after checking that they agree on every row; this prints, for the quarterly
and the annual report, the engine's median, the SQL's median, the ratio engine / SQL and
the load average (1 minute) before and after, since the machine may be shared. The
medians are what to compare; the fastest runs are shown too (less disturbed by other work).

The synthetic databases (bench/report_bench.py's build: harbour.demo.generator's interchange
folder imported into a fresh database) are kept under bench/.data/ (git ignores it): a
SQLite file report-<seed>-<episodes>.sqlite3 and the PostgreSQL database
harbour_report_<seed>_<episodes> on postgres://postgres@127.0.0.1:5432, each marked ready by
bench/.data/<database>-report-<seed>-<episodes>.ready once complete. A later run migrates
and reuses them unless --rebuild is given. Building 100,000 episodes takes about a minute
per database, 1,000,000 about ten. A PostgreSQL server that cannot be reached is skipped
with a notice. Prints the table and, last, one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / ".data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import import_bench  # noqa: E402 (bench/import_bench.py)
import report_bench  # noqa: E402 (bench/report_bench.py)

DATABASES = ("sqlite", "postgres")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument(
        "--database",
        choices=DATABASES,
        action="append",
        help="only this database (repeatable); both by default",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each side")
    parser.add_argument("--rebuild", action="store_true", help="build the databases afresh")
    args = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"episodes": args.episodes, "runs": args.runs, "reports": {}}
    for database in args.database or DATABASES:
        if database == "postgres" and not _postgres_reachable():
            print("!! SKIPPED postgres: the server at 127.0.0.1:5432 is not reachable", flush=True)
            continue
        target = _ready_database(database, args.episodes, args.seed, args.rebuild)
        results["reports"][database] = _report_figures(database, target, args)
    _print_reports(results)
    print(json.dumps(results))


# The databases ----------------------------------------------------------------------------


def _ready_database(database: str, episodes: int, seed: int, rebuild: bool) -> str:
    """The kept database of this size and seed: built when missing (or --rebuild), else
    migrated (new indexes land) and, on PostgreSQL, analysed."""
    name = f"report-{seed}-{episodes}"
    target = (
        str(DATA / f"{name}.sqlite3")
        if database == "sqlite"
        else f"harbour_report_{seed}_{episodes}"
    )
    marker = DATA / f"{database}-{name}.ready"
    ready = marker.exists() and report_bench._database_exists(database, target)
    if rebuild or not ready:
        if report_bench._database_exists(database, target):
            report_bench._drop(database, target)
        marker.unlink(missing_ok=True)
        print(f"building {target} ({episodes:,} episodes) ...", flush=True)
        url = report_bench._database_url(database, target)
        seconds = report_bench._build(database, target, url, episodes, seed)
        marker.write_text(
            json.dumps({"built": dt.datetime.now(dt.UTC).isoformat(), "seconds": seconds})
        )
        return target
    url = report_bench._database_url(database, target)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        env=import_bench._child_env(url),
        cwd=ROOT,
        check=True,
    )
    if database == "postgres":
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("ANALYZE")
    return target


def _postgres_reachable() -> bool:
    import psycopg

    try:
        with psycopg.connect(f"{report_bench.POSTGRES_SERVER}/postgres", connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


# Reports: the engine against the hand-written SQL -----------------------------------------


def _report_figures(database: str, target: str, args: argparse.Namespace) -> dict[str, Any]:
    """One run of bench/report_bench.py on the kept database, in its own process (a fresh
    Django for each database), with the load average before and after."""
    load_before = os.getloadavg()[0]
    child = subprocess.run(  # noqa: S603 (our own script, arguments from argparse)
        [
            sys.executable,
            str(BENCH / "report_bench.py"),
            "--database",
            database,
            "--episodes",
            str(args.episodes),
            "--reuse-database",
            target,
            "--runs",
            str(args.runs),
            "--no-plans",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    load_after = os.getloadavg()[0]
    if child.returncode != 0:
        sys.exit(f"bench/report_bench.py failed on {database}:\n{child.stdout}{child.stderr}")
    figures: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    figures["load_before"] = round(load_before, 2)
    figures["load_after"] = round(load_after, 2)
    return figures


def _print_reports(results: dict[str, Any]) -> None:
    print()
    print(
        f"Reports: engine against hand-written SQL (bench/sql/), {results['episodes']:,} "
        f"episodes, median of {results['runs']} runs each (fastest runs in brackets)"
    )
    header = (
        f"{'database':<10} {'report':<10} {'period':<11} {'episodes':>9} "
        f"{'engine s':>9} {'SQL s':>9} {'ratio':>6}   {'fastest':<21} load avg"
    )
    print(header)
    print("-" * len(header))
    for database, figures in results["reports"].items():
        for report in report_bench.KINDS:
            r = figures[report]
            period = figures["quarter"] if report == "quarterly" else figures["year"]
            fastest = (
                f"({r['engine_best_seconds']:.3f} / {r['sql_best_seconds']:.3f} "
                f"{r['best_ratio']:.2f})"
            )
            print(
                f"{database:<10} {report:<10} {period:<11} {r['period_episodes']:>9,} "
                f"{r['engine_seconds']:>9.3f} {r['sql_seconds']:>9.3f} {r['ratio']:>6.2f}   "
                f"{fastest:<21} {figures['load_before']:.2f} -> {figures['load_after']:.2f}"
            )
    print()


if __name__ == "__main__":
    main()
