"""Import benchmark: a synthetic authority imported into a fresh database.

    .venv/bin/python bench/import_bench.py --episodes 1000000 --database sqlite|postgres

Generates an interchange folder with harbour.demo.generator (timed on its own), creates a
throwaway database (SQLite: a new file under /tmp; PostgreSQL: harbour_bench_<pid> on
postgres://postgres@127.0.0.1:5432), migrates it, then imports the folder in a child
process so that its peak memory is the import's alone. Prints a readable summary and,
last, one JSON line with the figures. The database and the folder are removed at the end.

With --copy-baseline (PostgreSQL), the same run then loads the same CSV files into another
throwaway database with nothing but PostgreSQL's COPY, into tables of text columns named
as the files' headers, and builds one unique index on each file's key (KEYS) and one on
the episodes' child: the floor a validating import is compared with (issue 15: within 3x
of it). On SQLite the baseline is the nearest equivalent, one prepared INSERT per file by
executemany into the same text tables in one transaction.

On PostgreSQL --copy-baseline also times a second floor, the schema's: the rows exactly as
the import stored them, dumped from its database, loaded by binary COPY into Harbour's own
tables in a fresh database, table by table in import order, each large table with its
secondary indexes and foreign keys set aside and made again as the importer does
(interchange/bulk.py), in one transaction, committed. No reading, parsing, checking or
looking up: what storing these rows in this schema costs the database alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harbour.common.time import LONDON  # noqa: E402
from harbour.demo.generator import write_demo_folder  # noqa: E402

POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
AUTHORITY = "999"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep-folder", type=Path, help="generate here and keep the folder")
    parser.add_argument(
        "--copy-baseline", action="store_true", help="also time a plain load of the same files"
    )
    # Internal: the child processes that do the import, list its tables and load the floor.
    parser.add_argument("--import-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--list-tables", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--floor-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_only:
        _import_only(args.import_only)
        return
    if args.list_tables:
        print(json.dumps(_stored_tables()))
        return
    if args.floor_only:
        _floor_only(args.floor_only)
        return

    folder = args.keep_folder or Path(tempfile.mkdtemp(prefix="harbour_bench_folder_"))
    try:
        last_day = dt.datetime.now(LONDON).date() - dt.timedelta(days=1)
        started = time.perf_counter()
        written = write_demo_folder(
            folder,
            episodes=args.episodes,
            seed=args.seed,
            authority_code=AUTHORITY,
            last_day=last_day,
        )
        generation_seconds = time.perf_counter() - started
        with _fresh_database(args.database) as database_url:
            env = _child_env(database_url)
            _migrate(env)
            started = time.perf_counter()
            child = subprocess.run(  # noqa: S603 (this script, a folder it made)
                [sys.executable, __file__, "--import-only", str(folder)],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            process_seconds = time.perf_counter() - started
            # Only an import that succeeded stored the rows the floor is made of.
            schema_floor = (
                _schema_floor(database_url)
                if args.copy_baseline and args.database == "postgres" and _succeeded(child)
                else None
            )
        baseline = _plain_load(folder, args.database) if args.copy_baseline else None
    finally:
        if not args.keep_folder:
            shutil.rmtree(folder, ignore_errors=True)

    if child.returncode != 0:
        sys.exit(f"the import process failed:\n{child.stderr}")
    report = json.loads(child.stdout.strip().splitlines()[-1])
    if not report["ok"]:
        sys.exit(
            f"the import reported {report['error_count']} problem(s); first ones:\n"
            + "\n".join(report["errors"])
        )
    seconds = report["seconds"]
    total_rows = sum(written.values())
    figures = {
        "database": args.database,
        "episodes": written["episodes.csv"],
        "children": written["children.csv"],
        "total_rows": total_rows,
        "rows": written,
        "generation_seconds": round(generation_seconds, 2),
        "import_seconds": round(seconds, 2),
        "import_process_seconds": round(process_seconds, 2),
        "episodes_per_second": round(written["episodes.csv"] / seconds),
        "rows_per_second": round(total_rows / seconds),
        "peak_rss_mb": round(report["max_rss_kb"] / 1024, 1),
        "rss_before_import_mb": round(report["rss_before_import_kb"] / 1024, 1),
        # The importer may read in a forked helper process; its peak is reported apart.
        "helper_peak_rss_mb": round(report["children_max_rss_kb"] / 1024, 1),
        "code": _code_version(),
    }
    if baseline is not None:
        figures["plain_load_seconds"] = round(baseline, 2)
        figures["import_to_plain_load"] = round(seconds / baseline, 2)
    if schema_floor is not None:
        figures["schema_floor_seconds"] = round(schema_floor, 2)
        figures["import_to_schema_floor"] = round(seconds / schema_floor, 2)
        figures["schema_floor_to_plain_load"] = round(schema_floor / baseline, 2)
    print(
        f"{args.database}: {figures['episodes']:,} episodes, {figures['children']:,} children, "
        f"{total_rows:,} rows in all\n"
        f"  generation      {figures['generation_seconds']:>10.2f} s\n"
        f"  import          {figures['import_seconds']:>10.2f} s "
        f"(whole process {figures['import_process_seconds']:.2f} s)\n"
        f"  episodes/s      {figures['episodes_per_second']:>10,}\n"
        f"  rows/s          {figures['rows_per_second']:>10,}\n"
        f"  peak memory     {figures['peak_rss_mb']:>10.1f} MB max RSS of the import process "
        f"({figures['rss_before_import_mb']:.1f} MB before the import began)\n"
        f"  helper memory   {figures['helper_peak_rss_mb']:>10.1f} MB max RSS of the importer's "
        "helper process, if any\n"
        f"  code            {figures['code']}"
    )
    if baseline is not None:
        plain = "COPY" if args.database == "postgres" else "executemany"
        print(
            f"  plain {plain:<10}{baseline:>10.2f} s, same files, key indexes only: the import "
            f"takes {figures['import_to_plain_load']:.2f}x as long"
        )
    if schema_floor is not None:
        print(
            f"  schema floor    {schema_floor:>10.2f} s, the stored rows COPYed into Harbour's "
            f"tables: the import takes {figures['import_to_schema_floor']:.2f}x as long; the "
            f"floor itself is {figures['schema_floor_to_plain_load']:.2f}x the plain COPY"
        )
    print(json.dumps(figures))


def _succeeded(child: subprocess.CompletedProcess[str]) -> bool:
    """Whether the import's child process ran and the import stored the folder."""
    if child.returncode != 0:
        return False
    return bool(json.loads(child.stdout.strip().splitlines()[-1])["ok"])


def _migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )


def _code_version() -> str:
    """The commit measured, '-dirty' when the working tree has changes (figures move with
    the importer's code, so a figure without its version means little)."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def _child_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="harbour.settings",
        # As in production: DEBUG off (with it on, Django keeps every statement it runs).
        DEBUG="0",
        SECRET_KEY="benchmark-only-key",  # noqa: S106 (a throwaway database)
        LOCAL_AUTHORITY_CODE=AUTHORITY,
        DATABASE_URL=database_url,
    )
    return env


@contextmanager
def _fresh_database(kind: str, suffix: str = "") -> Iterator[str]:
    """The URL of a throwaway database, dropped (or deleted) on the way out; `suffix` tells
    apart two that are open at once."""
    name = f"harbour_bench_{os.getpid()}{suffix}"
    if kind == "sqlite":
        path = Path(tempfile.gettempdir()) / f"{name}.sqlite3"
        _remove_sqlite(path)
        try:
            yield f"sqlite:///{path}"
        finally:
            _remove_sqlite(path)
        return

    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES_SERVER}/{name}"
        finally:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# Each file's key, as the importer matches rows on it (docs/interchange.md).
KEYS = {
    "children.csv": ("child_id",),
    "legal_statuses.csv": ("child_id", "status", "start_date"),
    "episodes.csv": ("episode_id",),
    "return_interviews.csv": ("episode_id",),
    "meetings.csv": ("meeting_id",),
    "referrals.csv": ("referral_id",),
    "risk_assessments.csv": ("assessment_id",),
    "panel_listings.csv": ("listing_id",),
    "concern_periods.csv": ("period_id",),
    "support_referrals.csv": ("support_referral_id",),
}


def _plain_load(folder: Path, kind: str) -> float:
    """Seconds to load the folder's CSV files into text tables of a fresh database with the
    key indexes, by COPY (PostgreSQL) or executemany (SQLite): no validation at all."""
    files = sorted(folder.glob("*.csv"))
    headers = {path: path.open(encoding="utf-8").readline().strip().split(",") for path in files}
    with _fresh_database(kind) as url:
        if kind == "postgres":
            import psycopg

            with psycopg.connect(url) as connection:
                started = time.perf_counter()
                for path in files:
                    table = path.stem
                    columns = ", ".join(f'"{name}" text' for name in headers[path])
                    connection.execute(f'CREATE TABLE "{table}" ({columns})')
                    with (
                        path.open("rb") as source,
                        connection.cursor().copy(
                            f'COPY "{table}" FROM STDIN WITH (FORMAT csv, HEADER true)'
                        ) as copy,
                    ):
                        while block := source.read(1 << 20):
                            copy.write(block)
                    _index(connection.execute, path, table)
                connection.commit()
                return time.perf_counter() - started
        import csv
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            started = time.perf_counter()
            with connection:
                for path in files:
                    table = path.stem
                    names = headers[path]
                    columns = ", ".join(f'"{name}" text' for name in names)
                    connection.execute(f'CREATE TABLE "{table}" ({columns})')
                    with path.open(encoding="utf-8", newline="") as source:
                        rows = csv.reader(source)
                        next(rows)
                        marks = ", ".join("?" for _ in names)
                        connection.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
                    _index(connection.execute, path, table)
            return time.perf_counter() - started
        finally:
            connection.close()


def _schema_floor(imported_url: str) -> float:
    """Seconds to load the imported rows into a fresh copy of Harbour's schema by binary COPY,
    as the module docstring says; timed in a child process (--floor-only), after migrating."""
    with tempfile.TemporaryDirectory(prefix="harbour_bench_floor_") as dump:
        _dump_tables(imported_url, Path(dump))
        with _fresh_database("postgres", "_floor") as url:
            env = _child_env(url)
            _migrate(env)
            child = subprocess.run(  # noqa: S603 (this script, a folder it made)
                [sys.executable, __file__, "--floor-only", dump],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
    return float(json.loads(child.stdout.strip().splitlines()[-1])["seconds"])


def _dump_tables(url: str, folder: Path) -> None:
    """Each table the import writes, as binary COPY data in a file of its name, and a
    manifest of the tables in the order they are written, with their rows."""
    import psycopg

    listed = subprocess.run(  # noqa: S603 (this script)
        [sys.executable, __file__, "--list-tables"],
        env=_child_env(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    manifest: list[tuple[str, int]] = []
    with psycopg.connect(url) as connection:
        for table in json.loads(listed.stdout.strip().splitlines()[-1]):
            cursor = connection.cursor()
            with (
                (folder / table).open("wb") as target,
                cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT BINARY)') as copy,
            ):
                for block in copy:
                    target.write(block)
            manifest.append((table, cursor.rowcount))
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _stored_tables() -> list[str]:
    """In a child process: the tables an import writes, in the order it writes them."""
    import django

    django.setup()
    from harbour.interchange.tables import TABLES

    tables: list[str] = []
    for table in TABLES:
        tables.append(table.model._meta.db_table)
        if table.link is not None:
            tables.append(table.link.through._meta.db_table)
    return tables


def _floor_only(dump: Path) -> None:
    """In the child process: load the dumped tables into this (fresh) database, timed."""
    import django

    django.setup()
    from django.db import connection, transaction

    from harbour.interchange.bulk import BulkLoad
    from harbour.interchange.tables import TABLES

    models = {table.model._meta.db_table: table.model for table in TABLES}
    manifest = json.loads((dump / "manifest.json").read_text())
    data = {table: (dump / table).read_bytes() for table, _ in manifest}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, rows in manifest:
            model = models.get(table)
            load = BulkLoad(model) if model and BulkLoad.worth_it(model, rows, 0) else None
            if load is not None:
                load.begin()
            with cursor.cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT BINARY)') as copy:
                copy.write(data[table])
            if load is not None:
                load.end()
    print(json.dumps({"seconds": time.perf_counter() - started}))


def _index(execute: Any, path: Path, table: str) -> None:
    key = KEYS.get(path.name)
    if key:
        columns = ", ".join(f'"{name}"' for name in key)
        execute(f'CREATE UNIQUE INDEX "{table}_key" ON "{table}" ({columns})')
    if path.name == "episodes.csv":
        execute(f'CREATE INDEX "{table}_child" ON "{table}" ("child_id")')


def _import_only(folder: Path) -> None:
    """In the child process: import the folder and report as one JSON line."""
    import django

    django.setup()
    from harbour.interchange.importer import import_folder

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = import_folder(folder, actor="import_bench")
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "ok": result.ok,
                "error_count": len(result.errors),
                "errors": result.errors[:20],
                "seconds": seconds,
                "rows": {name: count.rows for name, count in result.counts.items()},
                "rss_before_import_kb": rss_before,
                # Linux reports ru_maxrss in kilobytes.
                "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "children_max_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            }
        )
    )


if __name__ == "__main__":
    main()
