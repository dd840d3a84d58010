"""PostgreSQL restarted under the application: gunicorn serves a bounded mix of coordinators
recording police notifications for new children and marking children found, while the
database is restarted twice (`pg_ctl restart -m fast`, then `-m immediate`, as a crash).
Afterwards no record is half-written: every child recorded has its episode, every episode
its notification reference and exactly the audit events of what happened to it, every
acknowledged write is there, and the chain verifies. Requests succeed again as soon as the
database is back, without restarting gunicorn.

On a private cluster of the test's own, so that the shared server is never restarted.
"""

from __future__ import annotations

import http.client
import json
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from .conftest import (
    BASE_DIR,
    PrivateCluster,
    app_env,
    free_port,
    manage,
    postgres_leg,
    wait_for,
)

pytestmark = postgres_leg

WORKERS = 2
CLIENTS = 4
MAX_OPERATIONS = 150  # per client: the mix is bounded even if it is never told to stop
SUCCESSES_BETWEEN_RESTARTS = 8
CSRF = secrets.token_hex(16)  # 32 characters: a CSRF secret of our own choosing

SESSIONS = f"""
import json
from django.test import Client
from harbour.common.tests.factories import make_staff

keys = []
for number in range({CLIENTS + 1}):
    user = make_staff("COORDINATOR", username=f"restart-coordinator-{{number}}")
    client = Client()
    client.force_login(user)
    keys.append(client.cookies["sessionid"].value)
print("SESSIONS " + json.dumps(keys))
"""

# Everything the mix left, read after it: verify_audit first (exits 1 if the chain is
# broken), then each child the mix recorded with its episodes, their references, and the
# audit events about each episode.
RECORDS = """
import json
from django.core.management import call_command
from harbour.audit.models import AuditEvent
from harbour.children.models import Child
from harbour.missing.models import Episode

call_command("verify_audit")
children = {}
for child in Child.objects.filter(child_id__startswith="RST-"):
    created = AuditEvent.objects.filter(
        action="children.child.create", object_id=str(child.pk)
    ).count()
    children[child.child_id] = {"created_events": created, "episodes": {}}
    for episode in Episode.objects.filter(child=child):
        events = AuditEvent.objects.filter(object_type="missing.episode", object_id=str(episode.pk))
        children[child.child_id]["episodes"][episode.episode_id] = {
            "pk": episode.pk,
            "found": episode.ended_at is not None,
            "references": sorted(episode.references.values_list("reference", flat=True)),
            "events": sorted(events.values_list("action", flat=True)),
        }
print("RECORDS " + json.dumps(children))
"""


@dataclass
class Outcome:
    kind: str  # "notify", "found" or "list"
    key: str  # the police reference (the child's id is derived from it) or the episode pk
    started: float
    ended: float
    status: int  # 0: no HTTP answer
    location: str = ""

    @property
    def acknowledged(self) -> bool:
        expected = {"notify": "recorded=created", "found": "changed=found"}.get(self.kind)
        return self.status == 302 and expected is not None and expected in self.location


class Coordinator:
    """One signed-in coordinator's browser, as plain HTTP requests."""

    def __init__(self, port: int, session: str) -> None:
        self.port = port
        self.cookie = f"sessionid={session}; csrftoken={CSRF}"

    def request(self, method: str, path: str, form: dict[str, str] | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Cookie": self.cookie, "Host": "127.0.0.1"}
            body = None
            if form is not None:
                body = urlencode({**form, "csrfmiddlewaretoken": CSRF})
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, response.getheader("Location") or ""
        except OSError:
            return 0, ""
        finally:
            connection.close()

    def notify(self, reference: str) -> Outcome:
        started = time.monotonic()
        minute = int(reference.rsplit("-", 1)[1]) % 60
        status, location = self.request(
            "POST",
            "/episodes/new/",
            {
                "step": "choose",
                "choice": "new",
                "police_reference": reference,
                "category": "MISSING",
                **_datetime("started", 10, minute),
                "risk_level": "MEDIUM",
                "given_name": "Restart",
                "family_name": "Tester",
                "birth_day": "3",
                "birth_month": "9",
                "birth_year": "2010",
                "child_id": f"RST-{reference}",
                "sex": "F",
            },
        )
        return Outcome("notify", reference, started, time.monotonic(), status, location)

    def found(self, episode_pk: int) -> Outcome:
        started = time.monotonic()
        status, location = self.request(
            "POST",
            f"/episodes/{episode_pk}/found/",
            {**_datetime("ended", 18, 0), "found_location": "Home address", "version": "1"},
        )
        return Outcome("found", str(episode_pk), started, time.monotonic(), status, location)

    def browse(self) -> Outcome:
        started = time.monotonic()
        status, location = self.request("GET", "/episodes/")
        return Outcome("list", "", started, time.monotonic(), status, location)


def _datetime(prefix: str, hour: int, minute: int) -> dict[str, str]:
    # A summer day long past: no clock change near it, nothing in the future.
    return {
        f"{prefix}_day": "10",
        f"{prefix}_month": "7",
        f"{prefix}_year": "2025",
        f"{prefix}_hour": str(hour),
        f"{prefix}_minute": str(minute),
    }


def episode_pk(outcome: Outcome) -> int:
    return int(outcome.location.split("/episodes/")[1].split("/")[0])


def run_client(coordinator: Coordinator, number: int, outcomes: list[Outcome], stop) -> None:
    """Record a notification, browse, mark the child found; again and again, until told to
    stop (or at most MAX_OPERATIONS times). A failed request is not retried."""
    open_episode: int | None = None
    for step in range(MAX_OPERATIONS):
        if stop.is_set():
            return
        if step % 3 == 0:
            outcome = coordinator.notify(f"C{number}-{step:03d}")
            if outcome.acknowledged:
                open_episode = episode_pk(outcome)
        elif step % 3 == 2 and open_episode is not None:
            outcome = coordinator.found(open_episode)
            open_episode = None
        else:
            outcome = coordinator.browse()
        outcomes.append(outcome)
        # A moment between requests; longer after a failure, as a person would wait.
        time.sleep(0.02 if outcome.status in (200, 302) else 0.2)


@pytest.fixture
def application(private_cluster: PrivateCluster, tmp_path: Path):
    """The private cluster's database migrated, and gunicorn serving it."""
    with private_cluster.server.connect() as admin:
        admin.execute("CREATE DATABASE harbour")
    env = app_env(private_cluster.server.url("harbour"))
    manage("migrate", "--no-input", env=env)
    output = manage("shell", "--no-imports", "-c", SESSIONS, env=env).stdout
    sessions = json.loads(output.split("SESSIONS ", 1)[1])
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [
            sys.executable, "-m", "gunicorn", "harbour.wsgi",
            "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--timeout", "30",
        ],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        probe = Coordinator(port, sessions[0])
        wait_for(lambda: probe.request("GET", "/health/")[0] == 200, 30, "gunicorn to answer")
        yield env, port, sessions
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_restarting_postgresql_during_a_request_mix_leaves_no_half_written_record(
    private_cluster: PrivateCluster, application, tmp_path: Path
):
    env, port, sessions = application
    outcomes: list[Outcome] = []
    stop = threading.Event()
    clients = [
        threading.Thread(
            target=run_client, args=(Coordinator(port, sessions[n]), n, outcomes, stop)
        )
        for n in range(CLIENTS)
    ]

    def served_since(moment: float) -> int:
        return sum(1 for o in list(outcomes) if o.started > moment and o.status in (200, 302))

    restarts: list[tuple[str, float, float]] = []
    for client in clients:
        client.start()
    try:
        since = time.monotonic()
        for mode in ("fast", "immediate"):
            # Some requests served since the last restart (the application recovered
            # within the mix), then restart the database under the next ones.
            def recovered(since: float = since) -> bool:
                return served_since(since) >= SUCCESSES_BETWEEN_RESTARTS

            wait_for(recovered, 60, f"requests to succeed before the {mode} restart")
            began = time.monotonic()
            private_cluster.restart(mode)
            since = time.monotonic()
            restarts.append((mode, began, since))
        wait_for(
            lambda: served_since(since) >= SUCCESSES_BETWEEN_RESTARTS,
            60,
            "requests to succeed after the last restart",
        )
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)
    assert not any(client.is_alive() for client in clients), "the mix did not finish"

    failed = [o for o in outcomes if o.status not in (200, 302)]
    print(
        f"{len(outcomes)} requests, {len(failed)} failed; restarts "
        + ", ".join(f"{mode} {ended - began:.2f} s" for mode, began, ended in restarts)
    )
    # Each restart met requests in flight, and some writes did not get through.
    for mode, began, ended in restarts:
        overlapping = [o for o in outcomes if o.started < ended and o.ended > began]
        assert overlapping, f"no request was in flight during the {mode} restart"
    acknowledged = [o for o in outcomes if o.acknowledged]
    assert any(o.kind in ("notify", "found") and not o.acknowledged for o in outcomes)
    assert len(acknowledged) >= CLIENTS

    # With the mix over, the database restarted once more, idle: the very next requests,
    # whichever worker takes them, succeed.
    private_cluster.restart("fast")
    recovery = Coordinator(port, sessions[CLIENTS])
    after = [recovery.notify(f"C9-{n:03d}") for n in range(2 * WORKERS + 2)]
    assert [o.status for o in after] == [302] * len(after), (
        "requests failed after the database came back: "
        + (tmp_path / "gunicorn.log").read_text()[-3000:]
    )

    output = manage("shell", "--no-imports", "-c", RECORDS, env=env).stdout
    assert "audit trail verified" in output
    children = json.loads(output.split("RECORDS ", 1)[1])
    episodes = {
        reference: episode
        for child in children.values()
        for reference, episode in child["episodes"].items()
    }
    for child_id, child in children.items():
        assert child["created_events"] == 1, child_id
        assert len(child["episodes"]) == 1, f"{child_id} was stored without its notification"
        for reference, episode in child["episodes"].items():
            assert child_id == f"RST-{reference}"
            assert episode["references"] == [reference], reference
            expected = ["missing.notification_recorded"]
            if episode["found"]:
                expected.append("missing.episode_found")
            # Views of the episode are audited too; a write is there once, with its event.
            writes = [e for e in episode["events"] if not e.endswith("_viewed")]
            assert sorted(writes) == sorted(expected), reference
    for outcome in [*acknowledged, *after]:
        if outcome.kind == "notify":
            assert outcome.key in episodes, f"acknowledged notification {outcome.key} lost"
        else:
            found = [e for e in episodes.values() if str(e["pk"]) == outcome.key]
            assert found and found[0]["found"], f"acknowledged found {outcome.key} lost"
