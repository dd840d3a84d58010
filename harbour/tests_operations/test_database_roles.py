"""The two database roles of docs/deployment.md ("Database roles"): the SQL there, run as
written (with unique names), gives an owner role that migrates and a runtime role that can
do all the application's work but cannot drop or disable the audit triggers, alter a table,
or change, delete or truncate the audit trail."""

from __future__ import annotations

import textwrap
from pathlib import Path

import psycopg
import pytest

from harbour.interchange.tests.folders import VALID

from .conftest import Server, Throwaway, app_env, manage, postgres_leg, run_documented, unique_name

pytestmark = postgres_leg

# The application's work as the runtime role, in one process: an import (which stages rows
# in temporary tables; counted as the first load of large files, for which the runtime role
# may not drop indexes or foreign keys: interchange/bulk.py), the demo authority (services
# for reference data and the OLA log), the hourly meeting tasks, a notification recorded
# and closed, a child erased (their audit key deleted), a session saved and ended, and the
# audit trail verified.
RUNTIME_WORK = """
import datetime as dt
import os
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.utils import timezone
from harbour.children.erasure import erase_child
from harbour.children.models import Child
from harbour.missing import services as missing

from harbour.interchange import bulk
bulk.BULK_ROWS = 2
call_command("import_interchange", os.environ["IMPORT_FOLDER"])
bulk.BULK_ROWS = 10_000
call_command("demo_data", episodes=60)
call_command("raise_meeting_tasks")
actor = "operations test"
child = Child.objects.order_by("pk").first()
result = missing.record_notification(
    actor, child=child, police_reference="OPS-ROLES-1", category="MISSING",
    started_at=timezone.now() - dt.timedelta(hours=3),
)
episode = result.episode
missing.mark_found(
    actor, episode, ended_at=timezone.now(), found_location="home", version=episode.version
)
erase_child(actor, Child.objects.order_by("-pk").first())
session = SessionStore()
session["seen"] = 1
session.save()
session.delete()
call_command("verify_audit")
print("runtime writes done")
"""

# (statement, what PostgreSQL says): each is refused to the runtime role by its privileges,
# before the append-only triggers are even reached.
REFUSED = [
    ("DROP TRIGGER audit_auditevent_append_only ON audit_auditevent", "must be owner of"),
    ("ALTER TABLE audit_auditevent DISABLE TRIGGER ALL", "must be owner of"),
    ("ALTER TABLE audit_auditsubject DISABLE TRIGGER ALL", "must be owner of"),
    ("ALTER TABLE audit_auditevent ADD COLUMN note text", "must be owner of"),
    ("DROP FUNCTION harbour_audit_refuse() CASCADE", "must be owner of"),
    (
        "UPDATE audit_auditevent SET actor_name = 'nobody'",
        "permission denied for table audit_auditevent",
    ),
    ("DELETE FROM audit_auditevent", "permission denied for table audit_auditevent"),
    ("DELETE FROM audit_auditsubject", "permission denied for table audit_auditsubject"),
    ("TRUNCATE audit_auditevent", "permission denied for table audit_auditevent"),
    ("CREATE TABLE intruder (id integer)", "permission denied for schema public"),
]


def prove_runtime_role(server: Server, database: str, role: str, tmp_path: Path) -> None:
    folder = tmp_path / "valid"
    folder.mkdir()
    for name, content in VALID.items():
        (folder / name).write_text(textwrap.dedent(content))

    env = app_env(server.url(database, user=role), DEBUG="1", IMPORT_FOLDER=str(folder))
    work = manage("shell", "--no-imports", "-c", RUNTIME_WORK, env=env)
    assert "audit trail verified" in work.stdout and "runtime writes done" in work.stdout

    with server.connect(database, user=role) as runtime:
        for statement, refusal in REFUSED:
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
                runtime.execute(statement)
            assert refusal in str(refused.value), statement
        assert runtime.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'audit_%%_append_only'"
        ).fetchone() == (2,)
        # What the runtime role may still do to the trail: read it and add to it.
        privileges = runtime.execute(
            "SELECT has_table_privilege(current_user, 'audit_auditevent', 'SELECT'),"
            " has_table_privilege(current_user, 'audit_auditevent', 'INSERT'),"
            " has_table_privilege(current_user, 'audit_auditchainhead', 'UPDATE'),"
            " has_table_privilege(current_user, 'audit_childkey', 'DELETE'),"
            " has_table_privilege(current_user, 'audit_personkey', 'DELETE')"
        ).fetchone()
        assert privileges == (True, True, True, True, True)


def test_a_new_database_migrated_by_its_owner_leaves_the_runtime_role_unable_to_touch_the_trail(
    throwaway: Throwaway, tmp_path: Path
):
    prefix = unique_name("hbrole")
    owner, runtime = f"{prefix}_owner", f"{prefix}_app"
    throwaway.adopt(databases=(prefix,), roles=(owner, runtime))
    server = throwaway.server
    run_documented(server, "-- new database", prefix)

    # The runtime role cannot migrate; the owner can.
    refused = manage("migrate", env=app_env(server.url(prefix, user=runtime)), check=False)
    assert refused.returncode != 0
    assert "permission denied for schema public" in refused.stderr
    manage("migrate", "--no-input", env=app_env(server.url(prefix, user=owner)))

    prove_runtime_role(server, prefix, runtime, tmp_path)


def test_a_database_owned_by_the_application_role_moves_to_two_roles(
    throwaway: Throwaway, tmp_path: Path
):
    # The earlier instructions: one role, named like the database, owning everything.
    name = unique_name("hbmove")
    throwaway.adopt(databases=(name,), roles=(f"{name}_owner", name))
    server = throwaway.server
    with server.connect() as admin:
        admin.execute(f"CREATE ROLE {name} LOGIN")
        admin.execute(f"CREATE DATABASE {name} OWNER {name}")
    manage("migrate", "--no-input", env=app_env(server.url(name, user=name)))

    run_documented(server, "-- existing database", name)
    manage("migrate", "--no-input", env=app_env(server.url(name, user=f"{name}_owner")))

    prove_runtime_role(server, name, name, tmp_path)
