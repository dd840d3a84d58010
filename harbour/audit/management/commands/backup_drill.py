"""The backup and restore drill (docs/deployment.md, "Backup and restore drill").

Dumps the configured PostgreSQL database with pg_dump (custom format), restores the dump
into a new database with pg_restore, and proves the copy is whole: its audit chain
verifies and still holds the source's head (and any anchor given), its append-only
triggers are in place, and every table has as many rows as the source had when it was
dumped. The restored copy is dropped afterwards unless --keep-restore is given.

Exit status: 0 the drill passed, 1 it did not (the output says which step failed).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from harbour.audit import anchors, triggers
from harbour.audit.verify import verify_chain

RESTORED = "backup_drill_restore"


class DrillFailed(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Dump the PostgreSQL database, restore it into a new database and verify the copy "
        "(audit chain, triggers, row counts). Needs the right to create databases."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dump",
            type=Path,
            help="keep the dump at this path (default: a temporary file, removed afterwards)",
        )
        parser.add_argument(
            "--restore-name",
            help="the database to restore into; must not exist (default: "
            "<name>_drill_<UTC date and time>)",
        )
        parser.add_argument(
            "--keep-restore", action="store_true", help="leave the restored database in place"
        )
        parser.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="SEQUENCE:HASH",
            help="an anchor recorded outside the database that the restored chain must hold",
        )
        parser.add_argument(
            "--bin-dir",
            type=Path,
            help="where pg_dump and pg_restore are (default: the PATH; they must be at least "
            "the server's version)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._drill(**options)
        except DrillFailed as failure:
            self.stderr.write(f"backup drill FAILED: {failure}")
            sys.exit(1)
        self.stdout.write("backup drill passed")

    def say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def _drill(self, **options: Any) -> None:
        source = connections[DEFAULT_DB_ALIAS]
        if source.vendor != "postgresql":
            raise DrillFailed(
                "the drill uses pg_dump and pg_restore: DATABASE_URL must be a PostgreSQL "
                f"database, not {source.vendor}"
            )
        try:
            expect = anchors.merge([anchors.parse(text) for text in options["expect"]])
        except anchors.AnchorError as error:
            raise DrillFailed(str(error)) from None
        settings = source.settings_dict
        restore_name = options["restore_name"] or (
            f"{settings['NAME']}_drill_{timezone.now():%Y%m%d%H%M%S}"
        )

        before = verify_chain()
        if not before.ok:
            raise DrillFailed(f"the source's audit trail is broken: {before.problem}")
        head = f"{before.events}:{before.head_hash}"
        self.say(f"source {settings['NAME']}: audit trail verified, {before.events} events")
        if before.events:
            expect.setdefault(before.events, before.head_hash)
        counts = _row_counts(DEFAULT_DB_ALIAS)

        with _dump_path(options["dump"]) as dump:
            started = time.monotonic()
            _run(_program("pg_dump", options["bin_dir"]), "--format=custom", f"--file={dump}",
                 env=_libpq_env(settings, settings["NAME"]))  # fmt: skip
            size = dump.stat().st_size
            self.say(f"dumped to {dump} ({size:,} bytes) in {time.monotonic() - started:.1f} s")
            counts_after = _row_counts(DEFAULT_DB_ALIAS)

            _create_database(restore_name)
            try:
                started = time.monotonic()
                _run(
                    _program("pg_restore", options["bin_dir"]),
                    "--exit-on-error",
                    "--no-owner",
                    f"--dbname={restore_name}",
                    str(dump),
                    env=_libpq_env(settings, restore_name),
                )
                self.say(f"restored into {restore_name} in {time.monotonic() - started:.1f} s")
                with _restored(settings, restore_name):
                    self._check_restore(expect, head, counts, counts_after)
            finally:
                if options["keep_restore"]:
                    self.say(f"the restored database {restore_name} is kept")
                else:
                    _drop_database(restore_name)

    def _check_restore(
        self,
        expect: dict[int, str],
        head: str,
        counts: dict[str, int],
        counts_after: dict[str, int],
    ) -> None:
        after = verify_chain(expect=expect, using=RESTORED)
        if not after.ok:
            raise DrillFailed(f"the restored audit trail does not verify: {after.problem}")
        held = f"holds {head}" if after.events else "is empty, as the source's was"
        self.say(f"restore: audit trail verified, {after.events} events; it {held}")
        if not triggers.installed(connections[RESTORED]):
            raise DrillFailed("the restored audit tables have lost their append-only triggers")
        self.say("restore: append-only triggers in place")
        restored = _row_counts(RESTORED)
        if counts != counts_after:
            # Written to while it was dumped: the dump holds some moment in between.
            self.say(
                "restore: row counts not compared (the database was written to while it was "
                "dumped); run the drill at a quiet time to compare them"
            )
            return
        different = sorted(
            f"{table} {counts.get(table, 0)} != {restored.get(table, 0)}"
            for table in set(counts) | set(restored)
            if counts.get(table) != restored.get(table)
        )
        if different:
            raise DrillFailed("row counts differ (source != restore): " + "; ".join(different))
        self.say(f"restore: row counts match ({len(counts)} tables, {sum(counts.values()):,} rows)")


def _program(name: str, bin_dir: Path | None) -> str:
    """--bin-dir's, else the PATH's, else the newest of Debian's versioned installs."""
    if bin_dir:
        found = str(bin_dir / name)
    else:
        installed = sorted(
            Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
            key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
        )
        found = shutil.which(name) or (str(installed[-1]) if installed else "")
    if not found or not Path(found).exists():
        raise DrillFailed(f"{name} is not installed (or give --bin-dir)")
    return found


def _libpq_env(settings: dict[str, Any], database: str) -> dict[str, str]:
    """The connection for pg_dump and pg_restore, the password in the environment (never
    on the command line, where other users could see it)."""
    env = {**os.environ, "PGDATABASE": database}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings.get(key):
            env[variable] = str(settings[key])
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    if settings.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(settings["OPTIONS"]["sslmode"])
    return env


def _run(program: str, *args: str, env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 (PostgreSQL's own programs, our own arguments)
        [program, *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        name = Path(program).name
        raise DrillFailed(f"{name} exited {result.returncode}: {result.stderr.strip()}")


@contextlib.contextmanager
def _dump_path(kept: Path | None) -> Iterator[Path]:
    if kept is not None:
        yield kept
        return
    with tempfile.TemporaryDirectory(prefix="harbour-drill-") as folder:
        yield Path(folder) / "harbour.dump"


def _quoted(name: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(name)


def _create_database(name: str) -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone():
            raise DrillFailed(
                f"the database {name} already exists: the drill restores into a new one"
            )
        try:
            cursor.execute(f"CREATE DATABASE {_quoted(name)}")
        except Exception as error:
            raise DrillFailed(f"could not create {name}: {error}") from None


def _drop_database(name: str) -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")


@contextlib.contextmanager
def _restored(settings: dict[str, Any], name: str) -> Iterator[None]:
    """The restored database as a second connection alias, for the duration."""
    connections.settings[RESTORED] = {**settings, "NAME": name, "CONN_MAX_AGE": 0}
    try:
        yield
    finally:
        connections[RESTORED].close()
        del connections[RESTORED]
        del connections.settings[RESTORED]


def _row_counts(alias: str) -> dict[str, int]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts
