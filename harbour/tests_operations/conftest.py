"""Helpers for the operations tests: the application run as a server runs it (manage.py and
gunicorn in their own processes, with a production-like environment), throwaway PostgreSQL
databases and roles, and a private PostgreSQL cluster that a test may restart.

These tests reach a database from other processes, so they never use pytest-django's test
database: each makes its own (an SQLite file in tmp_path, or a PostgreSQL database with a
unique name that is dropped afterwards).
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]
DEPLOYMENT = BASE_DIR / "docs" / "deployment.md"
UNDER_CI = os.environ.get("CI", "").strip().lower() == "true"
ON_POSTGRES_LEG = connection.vendor == "postgresql"

# The PostgreSQL-only tests run in the PostgreSQL leg of `make test`
# (scripts/with-postgres); the SQLite leg skips them, saying so.
postgres_leg = pytest.mark.skipif(
    not ON_POSTGRES_LEG,
    reason="PostgreSQL only: runs in the PostgreSQL leg (scripts/with-postgres)",
)


def postgres_program(name: str) -> str:
    """The path of a PostgreSQL program (the newest installed version's). Missing
    binaries skip the test, except under CI, where they fail it."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if found:
        return found
    message = f"the PostgreSQL program {name} is not installed (/usr/lib/postgresql/*/bin)"
    if UNDER_CI:
        pytest.fail(message)
    pytest.skip(message)


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment docs/deployment.md sets, for a local server on plain HTTP."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(BASE_DIR)),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "harbour.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "operations-test-key-" + "x" * 40,
        "LOCAL_AUTHORITY_CODE": "343",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HARBOUR_ALLOW_HTTP": "1",
        "HARBOUR_REQUIRE_TWO_FACTOR": "0",
        **extra,
    }


def manage(
    *args: str, env: dict[str, str], timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`python manage.py ARGS` in a process of its own; output captured."""
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} exited {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


@dataclass
class Server:
    """A PostgreSQL server, reached as a superuser for setting up and tearing down."""

    host: str
    port: int
    user: str
    password: str = ""
    psql: str = ""

    def url(self, database: str, user: str | None = None, password: str | None = None) -> str:
        who = quote(user or self.user, safe="")
        secret = self.password if user is None else (password or "")
        if secret:
            who += ":" + quote(secret, safe="")
        return f"postgres://{who}@{self.host}:{self.port}/{database}"

    def connect(self, database: str = "postgres", user: str | None = None):
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=user or self.user,
            password=self.password if user is None else None,
            dbname=database,
            autocommit=True,
        )

    def run_sql(self, sql: str, database: str = "postgres") -> subprocess.CompletedProcess[str]:
        """SQL as a superuser through psql, meta-commands (\\c) and all, stopping at the
        first error."""
        env = {**os.environ, "PGPASSWORD": self.password} if self.password else None
        return subprocess.run(  # noqa: S603 (psql, with our own arguments)
            [
                self.psql or postgres_program("psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                database,
            ],
            input=sql,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


_names = itertools.count(1)


def unique_name(prefix: str = "hbops") -> str:
    """A database or role name no concurrent run shares."""
    return f"{prefix}_{os.getpid()}_{next(_names)}_{secrets.token_hex(3)}"


@pytest.fixture
def shared_server() -> Server:
    """The PostgreSQL server the suite's PostgreSQL leg runs on (scripts/with-postgres)."""
    settings = connection.settings_dict
    return Server(
        host=settings.get("HOST") or "127.0.0.1",
        port=int(settings.get("PORT") or 5432),
        user=settings.get("USER") or "postgres",
        password=settings.get("PASSWORD") or "",
    )


@dataclass
class Throwaway:
    server: Server
    databases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)

    def database(self, owner: str | None = None) -> str:
        name = unique_name()
        with self.server.connect() as admin:
            admin.execute(f'CREATE DATABASE "{name}"' + (f' OWNER "{owner}"' if owner else ""))
        self.databases.append(name)
        return name

    def adopt(self, *, databases: tuple[str, ...] = (), roles: tuple[str, ...] = ()) -> None:
        """Drop these too at the end (made by the test itself, e.g. through psql)."""
        self.databases.extend(databases)
        self.roles.extend(roles)

    def drop_all(self) -> None:
        with self.server.connect() as admin:
            for name in self.databases:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in self.roles:
                admin.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def throwaway(shared_server: Server) -> Iterator[Throwaway]:
    """Databases and roles on the shared server, dropped when the test ends."""
    made = Throwaway(shared_server)
    try:
        yield made
    finally:
        made.drop_all()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class PrivateCluster:
    """A PostgreSQL cluster of the test's own (initdb into a temporary folder, on a free
    port), so that restarting it disturbs nobody else. PostgreSQL refuses to run as root:
    when the tests run as root, the cluster runs as the `postgres` user."""

    def __init__(self) -> None:
        self.initdb = postgres_program("initdb")
        self.pg_ctl = postgres_program("pg_ctl")
        self.root = Path(tempfile.mkdtemp(prefix="harbour-cluster-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
        self.server = Server("127.0.0.1", self.port, "postgres", psql=postgres_program("psql"))

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(  # noqa: S603 (PostgreSQL's own programs)
            [*self.as_postgres, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise AssertionError(f"{' '.join(args)}: {result.stdout}{result.stderr}\n{log}")

    def create(self) -> None:
        self._run(
            self.initdb,
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )
        self.start()

    def _options(self) -> str:
        return (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.root} -c max_connections=40"
        )

    def start(self) -> None:
        self._run(
            self.pg_ctl, "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30",
            "-o", self._options(),
        )  # fmt: skip

    def restart(self, mode: str) -> None:
        """pg_ctl restart: `fast` rolls back open transactions and disconnects everyone;
        `immediate` stops every server process at once, like a crash, and the server
        recovers from its write-ahead log as it starts."""
        self._run(
            self.pg_ctl, "restart", "-D", str(self.data), "-l", str(self.log), "-m", mode,
            "-w", "-t", "30", "-o", self._options(),
        )  # fmt: skip

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(  # noqa: S603
                [*self.as_postgres, self.pg_ctl, "stop", "-D", str(self.data), "-m", "immediate"],
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def private_cluster() -> Iterator[PrivateCluster]:
    cluster = PrivateCluster()
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.destroy()


def documented_sql(first_line: str) -> str:
    """The ```sql block of docs/deployment.md that starts with this comment."""
    blocks = re.findall(r"```sql\n(.*?)```", DEPLOYMENT.read_text(), flags=re.DOTALL)
    matching = [block for block in blocks if block.startswith(first_line)]
    assert len(matching) == 1, f"docs/deployment.md has no single sql block '{first_line}'"
    return matching[0]


def with_names(sql: str, prefix: str) -> str:
    """The documented names (harbour, harbour_owner, harbour_app) made unique."""
    return re.sub(r"\bharbour(_owner|_app)?\b", lambda m: prefix + (m[1] or ""), sql)


def run_documented(server: Server, first_line: str, prefix: str) -> None:
    result = server.run_sql(with_names(documented_sql(first_line), prefix))
    assert result.returncode == 0, result.stdout + result.stderr
