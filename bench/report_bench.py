"""Report benchmark: the report engine against hand-written SQL, on a synthetic authority.

    .venv/bin/python bench/report_bench.py --episodes 1000000 --database sqlite|postgres \
        [--keep-database PATH_OR_NAME | --reuse-database PATH_OR_NAME] \
        [--postgres-set jit=off ...]

Builds a database the way bench/import_bench.py does (a synthetic interchange folder from
harbour.demo.generator, ten financial years from 100,000 episodes up, imported into a fresh
SQLite file or PostgreSQL database), or reuses one kept by an earlier run. Then, for the
quarter in the middle of the data and for the financial year that contains it:

1. checks that the engine (harbour.reports.engine.build_report, absences left out) and the
   hand-written SQL in bench/sql/<report>.<database>.sql give the same value and percent
   for every row, and stops if they do not;
2. times both, one warm-up then five runs each (--runs N), interleaved, and reports the
   medians and the ratio engine / SQL;
3. unless --no-plans, writes the plans of the hand-written SQL and of every query the
   engine runs to bench/sql/explain-<database>-<episodes>.txt (SQLite: EXPLAIN QUERY
   PLAN; PostgreSQL: EXPLAIN (ANALYZE, BUFFERS)), with each engine query's own time.

Prints a readable summary and, last, one JSON line with the figures. A database built
without --keep-database is removed at the end. PostgreSQL databases are on
postgres://postgres@127.0.0.1:5432; a PostgreSQL database is VACUUM ANALYZEd after the
import (what autovacuum would do shortly after), a SQLite file is left as the importer
leaves it (no ANALYZE, as in production). --postgres-set NAME=VALUE runs both sides with a
session setting (the plans then go to explain-postgres-<episodes>-<name>-<value>.txt):
the server's JIT, on by default, costs seconds per report at a million episodes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SQL_DIR = BENCH / "sql"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import import_bench  # noqa: E402 (bench/import_bench.py: the same build)

from harbour.common.time import LONDON  # noqa: E402
from harbour.demo.generator import write_demo_folder  # noqa: E402

AUTHORITY = import_bench.AUTHORITY
POSTGRES_SERVER = import_bench.POSTGRES_SERVER
RUNS = 5
KINDS = ("quarterly", "annual")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--runs", type=int, default=RUNS, help=f"timed runs of each side (default {RUNS})"
    )
    parser.add_argument(
        "--no-plans", action="store_true", help="do not write the plans to bench/sql/"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--keep-database",
        metavar="PATH_OR_NAME",
        help="build into this SQLite file or PostgreSQL database and keep it",
    )
    where.add_argument(
        "--reuse-database",
        metavar="PATH_OR_NAME",
        help="use this database, built by an earlier --keep-database run",
    )
    parser.add_argument(
        "--postgres-set",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="a PostgreSQL setting for the session, for the engine and the SQL alike "
        "(e.g. jit=off); the server's defaults otherwise",
    )
    args = parser.parse_args()
    settings = dict(_setting(text) for text in args.postgres_set)
    if settings and args.database != "postgres":
        parser.error("--postgres-set is for --database postgres")

    if args.reuse_database:
        target, build, keep = args.reuse_database, False, True
    elif args.keep_database:
        target, build, keep = args.keep_database, True, True
    elif args.database == "sqlite":
        target = str(Path(tempfile.gettempdir()) / f"harbour_report_bench_{os.getpid()}.sqlite3")
        build, keep = True, False
    else:
        target, build, keep = f"harbour_report_bench_{os.getpid()}", True, False
    url = _database_url(args.database, target)

    build_seconds = None
    try:
        if build:
            build_seconds = _build(args.database, target, url, args.episodes, args.seed)
        elif not _database_exists(args.database, target):
            sys.exit(f"--reuse-database: there is no {args.database} database {target!r}")
        figures = _benchmark(
            args.database, url, args.episodes, settings, args.runs, plans=not args.no_plans
        )
    finally:
        if build and not keep:
            _drop(args.database, target)
    figures["database_build_seconds"] = build_seconds
    figures["database_kept"] = target if keep else None
    print(json.dumps(figures))


def _setting(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    if not (name.replace("_", "").isalnum() and value.replace("_", "").isalnum()):
        sys.exit(f"--postgres-set {text!r}: expected NAME=VALUE (letters, digits, _)")
    return name, value


# The database -----------------------------------------------------------------------------


def _database_url(kind: str, target: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{Path(target).resolve()}"
    if not target.replace("_", "").isalnum():
        sys.exit(f"{target!r}: a PostgreSQL database name here is letters, digits and _ only")
    return f"{POSTGRES_SERVER}/{target}"


def _database_exists(kind: str, target: str) -> bool:
    if kind == "sqlite":
        return Path(target).exists()
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
        found = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target])
        return found.fetchone() is not None


def _drop(kind: str, target: str) -> None:
    if kind == "sqlite":
        import_bench._remove_sqlite(Path(target))
        return
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


def _build(kind: str, target: str, url: str, episodes: int, seed: int) -> float:
    """Generate, migrate and import as bench/import_bench.py does; returns the seconds."""
    if _database_exists(kind, target):
        sys.exit(f"{target!r} exists already: pass --reuse-database to use it")
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="harbour_report_bench_folder_"))
    try:
        last_day = dt.datetime.now(LONDON).date() - dt.timedelta(days=1)
        print(f"generating {episodes:,} episodes ...", flush=True)
        write_demo_folder(
            folder, episodes=episodes, seed=seed, authority_code=AUTHORITY, last_day=last_day
        )
        if kind == "postgres":
            import psycopg

            with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
                server.execute(f'CREATE DATABASE "{target}"')
        env = import_bench._child_env(url)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        print(f"importing into {target} ...", flush=True)
        child = subprocess.run(  # noqa: S603 (import_bench.py, a folder this script made)
            [sys.executable, import_bench.__file__, "--import-only", str(folder)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if child.returncode != 0:
        _drop(kind, target)
        sys.exit(f"the import process failed:\n{child.stderr}")
    report = json.loads(child.stdout.strip().splitlines()[-1])
    if not report["ok"]:
        _drop(kind, target)
        sys.exit("the import reported problems:\n" + "\n".join(report["errors"]))
    if kind == "postgres":
        import psycopg

        with psycopg.connect(url, autocommit=True) as database:
            database.execute("VACUUM ANALYZE")
    return round(time.perf_counter() - started, 1)


# The benchmark ----------------------------------------------------------------------------


def _benchmark(
    kind: str,
    url: str,
    episodes_asked: int,
    settings: dict[str, str],
    runs: int = RUNS,
    *,
    plans: bool = True,
) -> dict[str, Any]:
    os.environ.update(import_bench._child_env(url))
    os.environ["SECRET_KEY"] = "x"  # noqa: S105 (a throwaway database)
    import django

    django.setup()
    from django.db import connection

    from harbour.reports.periods import Period, financial_year_of, fy_label

    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        # The connection stays open for the whole run (CONN_MAX_AGE outside requests).
        for name, value in settings.items():
            cursor.execute(f"SET {name} = {value}")
        if kind == "postgres":
            cursor.execute(
                "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings "
                "WHERE name IN ('jit', 'jit_above_cost', 'jit_inline_above_cost', "
                "'jit_optimize_above_cost', 'random_page_cost', 'shared_buffers', 'work_mem', "
                "'max_parallel_workers_per_gather')"
            )
            (server_settings,) = cursor.fetchone()
            cursor.execute("SELECT version()")
            (server_version,) = cursor.fetchone()
        cursor.execute("SELECT count(*), min(started_on), max(started_on) FROM missing_episode")
        episode_count, first_day, last_day = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM children_child")
        (child_count,) = cursor.fetchone()
    first_day, last_day = _as_date(first_day), _as_date(last_day)
    if episode_count != episodes_asked:
        print(f"note: the database holds {episode_count:,} episodes ({episodes_asked:,} asked)")
    middle = first_day + (last_day - first_day) / 2
    year = financial_year_of(middle)
    quarter = (middle.month - 4) % 12 // 3 + 1
    periods = {"quarterly": Period.quarter(year, quarter), "annual": Period.financial_year(year)}
    print(
        f"{kind}: {episode_count:,} episodes ({first_day} to {last_day}), "
        f"{child_count:,} children; quarter {fy_label(year)} Q{quarter}, "
        f"year {fy_label(year)}",
        flush=True,
    )

    figures: dict[str, Any] = {
        "database": kind,
        "episodes": episode_count,
        "children": child_count,
        "data_from": first_day.isoformat(),
        "data_to": last_day.isoformat(),
        "quarter": f"{fy_label(year)} Q{quarter}",
        "year": fy_label(year),
        "database_version": raw.execute("SELECT sqlite_version()").fetchone()[0]
        if kind == "sqlite"
        else server_version.split(" on ")[0],
        "postgres_settings": server_settings if kind == "postgres" else None,
        "postgres_session_settings": settings or None,
        "code": import_bench._code_version(),
    }
    explain: list[str] = [
        f"# {kind}, {episode_count:,} episodes, {child_count:,} children; "
        f"code {figures['code']}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; "
        f"{figures['database_version']}"
        + (f"; {figures['postgres_settings']}" if kind == "postgres" else "")
        + "\n"
    ]
    for report in KINDS:
        period = periods[report]
        sql = (SQL_DIR / f"{report}.{kind}.sql").read_text()
        params = {"first": period.first.isoformat(), "last": period.last.isoformat()}
        params["own"] = AUTHORITY
        engine = _engine_runner(report, period)
        hand = _sql_runner(kind, raw, sql, params)

        engine_figures, sql_figures = engine(), hand()
        mismatches = _compare(engine_figures, sql_figures)
        if mismatches:
            sys.exit(
                f"{report} {period.first} to {period.last}: the SQL disagrees with the engine:\n"
                + "\n".join(mismatches)
            )
        engine_runs, sql_runs = _time_interleaved(engine, hand, runs)
        queries = _engine_queries(connection, report, period)
        result = {
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "period_episodes": engine_figures["episodes_total"][0],
            "rows_compared": len(engine_figures),
            "engine_seconds": _median(engine_runs),
            "sql_seconds": _median(sql_runs),
            "ratio": round(statistics.median(engine_runs) / statistics.median(sql_runs), 2),
            # The fastest runs, less disturbed by other work on a shared machine.
            "engine_best_seconds": round(min(engine_runs), 4),
            "sql_best_seconds": round(min(sql_runs), 4),
            "best_ratio": round(min(engine_runs) / min(sql_runs), 2),
            "engine_runs": [round(s, 4) for s in engine_runs],
            "sql_runs": [round(s, 4) for s in sql_runs],
            "engine_queries": [
                {"seconds": round(q["seconds"], 4), "query": q["label"]} for q in queries
            ],
        }
        figures[report] = result
        print(
            f"  {report:<9} {period.first} to {period.last}: "
            f"{result['period_episodes']:,} episodes, {len(engine_figures)} rows agree; "
            f"engine {result['engine_seconds']:.3f} s, SQL {result['sql_seconds']:.3f} s, "
            f"ratio {result['ratio']:.2f} (fastest runs: {result['engine_best_seconds']:.3f} / "
            f"{result['sql_best_seconds']:.3f} s, {result['best_ratio']:.2f})",
            flush=True,
        )
        for q in queries:
            print(f"      engine query {q['seconds']:8.3f} s  {q['label']}")
        if plans:
            explain.append(
                _explain_section(kind, connection, raw, report, period, sql, params, queries)
            )

    if plans:
        suffix = "".join(f"-{name}-{value}" for name, value in settings.items())
        out = SQL_DIR / f"explain-{kind}-{episode_count}{suffix}.txt"
        out.write_text("\n".join(explain))
        figures["explain"] = str(out.relative_to(ROOT))
        print(f"  plans written to {figures['explain']}")
    return figures


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _median(runs: list[float]) -> float:
    return round(statistics.median(runs), 4)


Figures = dict[str, tuple[Any, Any]]


def _engine_runner(report: str, period: Any) -> Callable[[], Figures]:
    from harbour.reports.engine import build_report

    def run() -> Figures:
        built = build_report(report, period, include_absences=False)
        return {row.id: (row.value, row.percent) for row in built.rows}

    return run


def _sql_runner(kind: str, raw: Any, sql: str, params: dict[str, str]) -> Callable[[], Figures]:
    """The hand-written statement on the driver's own connection (the one Django opened,
    with the same settings): one row, a column per figure and `<id>__percent` for each
    percentage."""

    def run() -> Figures:
        cursor = raw.cursor()
        try:
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            row = cursor.fetchone()
            more = cursor.fetchone()
        finally:
            cursor.close()
        if row is None or more is not None:
            raise RuntimeError("the statement must return exactly one row")
        values = dict(zip(names, row, strict=True))
        return {
            name: (value, values.get(f"{name}__percent"))
            for name, value in values.items()
            if not name.endswith("__percent")
        }

    return run


def _compare(engine: Figures, sql: Figures) -> list[str]:
    """Every engine row must be in the SQL's result with the same value and percent (and
    the same kind of number: an integer is not 35.0)."""
    problems = []
    for row_id, (value, pct) in engine.items():
        if row_id not in sql:
            problems.append(f"  {row_id}: missing from the SQL's result")
            continue
        sql_value, sql_pct = sql[row_id]
        for what, mine, theirs in (("value", value, sql_value), ("percent", pct, sql_pct)):
            same_kind = type(mine) is type(theirs) or (
                isinstance(mine, int) and isinstance(theirs, int)
            )
            if mine != theirs or not same_kind:
                problems.append(f"  {row_id} {what}: engine {mine!r}, SQL {theirs!r}")
    extra = sorted(set(sql) - set(engine))
    if extra:
        problems.append(f"  the SQL has rows the engine has not: {', '.join(extra)}")
    return problems


def _time_interleaved(
    engine: Callable[[], Figures], hand: Callable[[], Figures], runs: int = RUNS
) -> tuple[list[float], list[float]]:
    """One warm-up each, then `runs` runs of each, alternating, so that a burst of other work
    on the machine weighs on both sides alike."""
    engine()
    hand()
    engine_runs, sql_runs = [], []
    for _ in range(runs):
        for run, times in ((engine, engine_runs), (hand, sql_runs)):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
    return engine_runs, sql_runs


def _engine_queries(connection: Any, report: str, period: Any) -> list[dict[str, Any]]:
    """Every statement the engine runs for the report, with its own time (a run with
    Django's query log on, apart from the timed runs)."""
    from django.test.utils import CaptureQueriesContext

    from harbour.reports.engine import build_report

    with CaptureQueriesContext(connection) as captured:
        build_report(report, period, include_absences=False)
    return [
        {"sql": q["sql"], "seconds": float(q["time"]), "label": _label(q["sql"])}
        for q in captured.captured_queries
    ]


def _label(sql: str) -> str:
    """A short name for an engine statement: what it reads and the shapes that matter."""
    text = " ".join(sql.split())
    upper = text.upper()
    table = _outer_from(text)
    traits = []
    if "CHILDREN_LEGALSTATUS" in upper and "children_legalstatus" not in table:
        traits.append("group from legal statuses")
    if "NOT EXISTS" in upper or "NOT (EXISTS" in upper:
        traits.append("NOT EXISTS another episode of the child")
    if "COUNT(DISTINCT" in upper or "SELECT DISTINCT" in upper:
        traits.append("DISTINCT")
    if " GROUP BY " in upper:
        traits.append("GROUP BY")
    return f"{table}: {', '.join(traits) or 'aggregate'} ({len(text):,} chars)"


def _outer_from(text: str) -> str:
    """The first table named in the statement's outermost FROM (or in a subquery that is
    the outermost FROM)."""
    depth = 0
    upper = text.upper()
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and upper.startswith(" FROM ", index):
            rest = text[index + 6 :].lstrip()
            if rest.startswith("("):
                return "subquery on " + _outer_from(rest[1:])
            return rest.split()[0].strip('"')
    return "?"


def _explain_section(
    kind: str,
    connection: Any,
    raw: Any,
    report: str,
    period: Any,
    sql: str,
    params: dict[str, str],
    queries: list[dict[str, Any]],
) -> str:
    how = "EXPLAIN QUERY PLAN" if kind == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS)"
    rule = "=" * 100
    parts = [
        rule,
        f"{report.upper()} {period.first} to {period.last}: hand-written SQL "
        f"(bench/sql/{report}.{kind}.sql), {how}",
        rule,
        _explain_raw(kind, raw, sql, params),
    ]
    for number, query in enumerate(queries, 1):
        parts += [
            rule,
            f"{report.upper()} {period.first} to {period.last}: engine query {number} of "
            f"{len(queries)}, {query['seconds']:.3f} s in the logged run: {query['label']}",
            rule,
            "-- " + " ".join(query["sql"].split()),
            "",
            _explain_raw(kind, raw, query["sql"], None),
        ]
    return "\n".join(parts) + "\n"


def _explain_raw(kind: str, raw: Any, sql: str, params: dict[str, str] | None) -> str:
    cursor = raw.cursor()
    try:
        if kind == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params or {})
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _, detail in cursor.fetchall():
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
            return "\n".join(lines) + "\n"
        if params is None:
            # A statement Django logged with its parameters already in place; a literal %
            # in it must not be taken for a placeholder.
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.replace("%", "%%"), [])
        else:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall()) + "\n"
    finally:
        cursor.close()


if __name__ == "__main__":
    main()
