"""An import killed with SIGKILL at random moments (the process and its reader child, as an
out-of-memory kill or a pulled plug would) leaves the register exactly as it was, or (if
the kill came after the commit) exactly as a finished import leaves it, never anything in
between; and the audit chain verifies after every kill. On the suite's own database
engine: an SQLite file, or a throwaway PostgreSQL database.

The moments are drawn from a seeded generator; the seed is printed, and a failure names
it. HARBOUR_FAULT_SEED=<seed> repeats a run's moments.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from harbour.demo.generator import write_demo_folder

from .conftest import BASE_DIR, ON_POSTGRES_LEG, Throwaway, app_env, manage, wait_for

EPISODES = 20_000  # about 4.5 MB of CSV: the import reads in a second process, as in use
KILLS = 4

# Run in a process of its own against the database under test: verify_audit (which exits
# 1 on a broken chain), then a digest of every stored value of every table outside the
# audit app (rows in primary key order), and the events the trail holds (and how many are
# imports).
STATE = """
import hashlib, json
from django.apps import apps
from django.core.management import call_command
from harbour.audit.models import AuditEvent

call_command("verify_audit")
tables = {}
for model in apps.get_models():
    if model._meta.app_label == "audit":
        continue
    digest, rows = hashlib.sha256(), 0
    names = [field.attname for field in model._meta.concrete_fields]
    for row in model._default_manager.order_by("pk").values_list(*names).iterator(2000):
        digest.update(repr(row).encode())
        rows += 1
    tables[model._meta.label] = [rows, digest.hexdigest()]
state = {
    "tables": tables,
    "events": AuditEvent.objects.count(),
    "imports": AuditEvent.objects.filter(action="interchange.import").count(),
}
print("STATE " + json.dumps(state, sort_keys=True))
"""


def state(env: dict[str, str]) -> dict:
    result = manage("shell", "--no-imports", "-c", STATE, env=env)
    assert "audit trail verified" in result.stdout, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("STATE "))
    return json.loads(line.removeprefix("STATE "))


def demo_folder(path: Path, seed: int) -> Path:
    path.mkdir()
    yesterday = dt.date.today() - dt.timedelta(days=1)
    write_demo_folder(path, episodes=EPISODES, seed=seed, authority_code="343", last_day=yesterday)
    return path


def start_import(folder: Path, env: dict[str, str]) -> subprocess.Popen:
    # A session of its own, so that the kill reaches the reader child too.
    return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, str(BASE_DIR / "manage.py"), "import_interchange", str(folder)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill_after(process: subprocess.Popen, delay: float) -> int:
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    # ProcessLookupError: the import had finished, and its group with it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    return process.wait(timeout=30)


@pytest.fixture
def database_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if not ON_POSTGRES_LEG:
        return f"sqlite:///{tmp_path / 'killed-import.sqlite3'}"
    throwaway: Throwaway = request.getfixturevalue("throwaway")
    name = throwaway.database()
    return throwaway.server.url(name)


def wait_for_orphaned_sessions(database_url: str, throwaway: Throwaway | None) -> None:
    """PostgreSQL ends a killed client's session (rolling back its transaction) only when
    it next touches the connection: wait until it has, so the state read is final."""
    if throwaway is None:
        return
    name = database_url.rsplit("/", 1)[1]
    with throwaway.server.connect() as admin:

        def gone() -> bool:
            sessions = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]
            ).fetchone()[0]
            return sessions == 0

        wait_for(gone, 30, f"the killed import's session on {name} to end")


def test_an_import_killed_at_random_moments_leaves_all_or_nothing_and_the_chain_whole(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
):
    throwaway = request.getfixturevalue("throwaway") if ON_POSTGRES_LEG else None
    seed = int(os.environ.get("HARBOUR_FAULT_SEED") or secrets.randbelow(1_000_000))
    rng = random.Random(seed)  # noqa: S311 (repeatable moments, not secrets)
    env = app_env(database_url)
    manage("migrate", "--no-input", env=env)

    # The register before: one whole import, timed to place the kills.
    started = time.monotonic()
    manage("import_interchange", str(demo_folder(tmp_path / "first", 1)), env=env)
    duration = time.monotonic() - started
    before = state(env)
    second = demo_folder(tmp_path / "second", 2)  # same keys, other values: a real change

    # One kill in each slice of the run, from start-up to a little past its usual end.
    slices = [(duration * 1.1 * k / KILLS, duration * 1.1 * (k + 1) / KILLS) for k in range(KILLS)]
    delays = [round(rng.uniform(low, high), 3) for low, high in slices]
    print(f"{connection.vendor}: seed {seed}, import {duration:.2f} s, kills after {delays} s")
    observed = []
    for delay in delays:
        code = kill_after(start_import(second, env), delay)
        wait_for_orphaned_sessions(database_url, throwaway)
        observed.append((delay, code, state(env)))

    manage("import_interchange", str(second), env=env)
    after = state(env)

    context = f"seed {seed} (HARBOUR_FAULT_SEED={seed} repeats it), kills after {delays} s"
    assert after["tables"] != before["tables"], "the second folder changes nothing"
    mid_run = 0
    for delay, code, seen in observed:
        whole_before = seen == before
        # Killed after its commit: every row, and its audit event.
        whole_after = seen["tables"] == after["tables"] and seen["imports"] > before["imports"]
        assert whole_before or whole_after, f"half an import after a kill at {delay} s; {context}"
        mid_run += code == -signal.SIGKILL and whole_before
    assert mid_run >= KILLS // 2, f"too few kills landed during the import; {context}"
