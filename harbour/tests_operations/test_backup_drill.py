"""The backup and restore drill of docs/deployment.md, run as the owner role on a demo
database: pg_dump, pg_restore into a new database, verify_audit there holding the head
from before, the triggers in place and the same row count in every table."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import Throwaway, app_env, manage, postgres_leg, run_documented, unique_name

pytestmark = postgres_leg


def test_the_drill_restores_a_demo_database_whose_chain_and_row_counts_match(
    throwaway: Throwaway, tmp_path: Path
):
    prefix = unique_name("hbdrill")
    owner, runtime, restore = f"{prefix}_owner", f"{prefix}_app", f"{prefix}_restore"
    throwaway.adopt(databases=(prefix, restore), roles=(owner, runtime))
    server = throwaway.server
    run_documented(server, "-- new database", prefix)
    as_owner = app_env(server.url(prefix, user=owner))
    manage("migrate", "--no-input", env=as_owner)
    manage(
        "demo_data", "--episodes", "300", env=app_env(server.url(prefix, user=runtime), DEBUG="1")
    )
    verified = re.search(r"last event: (\S+)", manage("verify_audit", env=as_owner).stdout)
    assert verified, "verify_audit names the last event"
    head = verified[1]
    dump = tmp_path / "harbour.dump"

    drill = manage("backup_drill", "--dump", str(dump), "--restore-name", restore, env=as_owner)

    assert f"restore: audit trail verified, {head.split(':')[0]} events; it holds {head}" in (
        drill.stdout
    )
    assert "restore: append-only triggers in place" in drill.stdout
    assert re.search(r"restore: row counts match \(\d+ tables, [\d,]+ rows\)", drill.stdout)
    assert drill.stdout.strip().endswith("backup drill passed")
    assert dump.stat().st_size > 0
    with server.connect() as admin:
        left = admin.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [restore])
        assert left.fetchone() == (0,), "the restored copy was not dropped"


def test_the_drill_fails_when_the_restore_does_not_hold_an_anchor_from_outside(
    throwaway: Throwaway,
):
    name = throwaway.database()
    env = app_env(throwaway.server.url(name), DEBUG="1")
    manage("migrate", "--no-input", env=env)
    manage("demo_data", "--episodes", "30", env=env)

    drill = manage("backup_drill", "--expect", f"1:{'0' * 64}", env=env, check=False)

    assert drill.returncode == 1
    assert (
        "backup drill FAILED: the restored audit trail does not verify: event 1: hash does not "
        "match its recorded anchor"
    ) in drill.stderr
    with throwaway.server.connect() as admin:
        left = admin.execute(
            "SELECT count(*) FROM pg_database WHERE datname LIKE %s", [f"{name}_drill_%"]
        )
        assert left.fetchone() == (0,), "the restored copy was not dropped"
