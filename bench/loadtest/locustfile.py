"""Harbour load test: signed-in sessions browsing the daily pages (docs/performance.md, "Load").

Run it through `make loadtest` (scripts/loadtest), which builds or reuses a PostgreSQL
database of the demo authority, starts gunicorn on 127.0.0.1, runs this file headless for a
bounded time and stops everything afterwards. Run by hand only against a Harbour on this
machine: the host must be a loopback address, or the run is refused.

Each simulated user is one browser session of one demo account:

- it signs in once through the sign-in form (GET the form, POST it with the CSRF token),
  which is timed on its own ("sign in") and left out of the browsing figures;
- it fetches the page's stylesheet and scripts once, as a browser does before caching them;
- then it browses its role's pages with no pause between them (a "think time" of
  LOADTEST_THINK_SECONDS, default 0: each session asks for its next page as soon as the
  last one has arrived, so 20 sessions measure what the server can carry).

The pages it opens are the ones its role opens every day, found the way a person finds
them: from the links on the dashboard, the lists and the worklist. Any answer other than
200 (a redirect to sign in, a 403, a 5xx) counts as an error.

When every session has signed in, the statistics are reset, so the figures printed at the
end are of signed-in browsing only; the processor time the server used (gunicorn workers,
their PostgreSQL backends) and the client's own is measured over the same span and divided
by the requests served: a figure that other work on the machine disturbs less than the
response times.
"""

from __future__ import annotations

import ipaddress
import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, constant, events, task
from locust.env import Environment
from locust.exception import StopUser

PASSWORD = "harbour-demo-2026"  # noqa: S105 (the published demo password, demo database only)
STATIC_FILES = (
    "/static/harbour/application.css",
    "/static/harbour/init.js",
    "/static/harbour/govuk-frontend.min.js",
    "/static/harbour/moj-frontend.min.js",
)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
THINK_SECONDS = float(os.environ.get("LOADTEST_THINK_SECONDS", "0") or 0)
WARM_UP_SECONDS = float(os.environ.get("LOADTEST_WARM_UP_SECONDS", "10") or 0)
MEASURED_SECONDS = float(os.environ.get("LOADTEST_MEASURED_SECONDS", "60") or 60)

# The figures the issue asks for (issue 9): at 20 sessions.
TARGET_REQUESTS_PER_SECOND = 50
TARGET_P95_MS = 500


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@events.test_start.add_listener
def refuse_other_hosts(environment: Environment, **kwargs: Any) -> None:
    if not is_loopback(environment.host or ""):
        raise SystemExit(
            f"Refused: the load test runs only against this machine, not {environment.host!r}."
        )


# --- Processor time of the server and the client ------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system processor seconds a process has used (0 if it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def _children_of(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            pids.append(int(entry.name))
    return pids


def _database_backends() -> list[int]:
    """The PostgreSQL backends serving the load test's database (LOADTEST_DATABASE_URL)."""
    url = os.environ.get("LOADTEST_DATABASE_URL")
    if not url:
        return []
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url.replace(f"/{name}", "/postgres", 1), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]
        ).fetchall()
    return [pid for (pid,) in rows]


class ProcessorTime:
    """Processor seconds used by the gunicorn workers (children of LOADTEST_GUNICORN_PID),
    by PostgreSQL's backends for the database, and by this client, between `begin` and
    `used`. Sampled every second in between, so that a process that ends meanwhile (a
    database connection closed after CONN_MAX_AGE and opened again) still counts up to
    its last sample."""

    def __init__(self) -> None:
        self.start: dict[str, dict[int, float]] = {}
        self.last: dict[str, dict[int, float]] = {}

    def snapshot(self) -> dict[str, dict[int, float]]:
        master = int(os.environ.get("LOADTEST_GUNICORN_PID", "0") or 0)
        return {
            "gunicorn": {
                pid: _cpu_seconds(pid) for pid in (_children_of(master) if master else [])
            },
            "postgres": {pid: _cpu_seconds(pid) for pid in _database_backends()},
            "client": {os.getpid(): _cpu_seconds(os.getpid())},
        }

    def begin(self) -> None:
        self.start = self.snapshot()
        self.last = {kind: dict(pids) for kind, pids in self.start.items()}

    def sample(self) -> None:
        for kind, pids in self.snapshot().items():
            for pid, seconds in pids.items():
                if seconds > 0:  # 0: gone between listing and reading
                    self.last.setdefault(kind, {})[pid] = seconds

    def used(self) -> dict[str, float]:
        self.sample()
        return {
            kind: sum(
                seconds - self.start.get(kind, {}).get(pid, 0.0) for pid, seconds in pids.items()
            )
            for kind, pids in self.last.items()
        }


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Run:
    """What the whole run shares: who has signed in, the sign-in times, the measurement."""

    signed_in = 0
    sign_in_ms: list[float] = []
    static_status: dict[int, int] = {}
    browsing_started: float | None = None
    browsing_ended: float | None = None
    used: dict[str, float] = {}
    load_at_end = ""
    requests = 0
    failures = 0
    percentiles = [0, 0, 0]
    load_at_start = ""
    processor = ProcessorTime()


def _everyone_signed_in(environment: Environment) -> None:
    """Browse WARM_UP_SECONDS unmeasured (each gunicorn worker compiles its templates and
    fills its caches on first use, as a long-running server has long done), then measure
    for MEASURED_SECONDS and stop."""
    gevent.spawn(_measure, environment)


def _measure(environment: Environment) -> None:
    gevent.sleep(WARM_UP_SECONDS)
    environment.runner.stats.reset_all()
    Run.browsing_started = time.time()
    Run.load_at_start = load_average()
    Run.processor.begin()
    ends = time.monotonic() + MEASURED_SECONDS
    while (left := ends - time.monotonic()) > 0:
        gevent.sleep(min(1.0, left))
        Run.processor.sample()
    _end_measurement(environment)
    environment.runner.quit()


def _end_measurement(environment: Environment) -> None:
    total = environment.runner.stats.total
    Run.browsing_ended = time.time()
    Run.used = Run.processor.used()
    Run.load_at_end = load_average()
    Run.requests = total.num_requests
    Run.failures = total.num_failures
    Run.percentiles = [total.get_response_time_percentile(q) or 0 for q in (0.5, 0.95, 0.99)]


# --- Sessions -----------------------------------------------------------------------------


class Session(HttpUser):
    """One browser session of one demo account."""

    abstract = True
    username = ""
    wait_time = between(THINK_SECONDS, THINK_SECONDS * 2) if THINK_SECONDS else constant(0)

    def on_start(self) -> None:
        self.links: dict[str, set[str]] = {}
        self.sign_in()
        for path in STATIC_FILES:
            self.static_file(path)
        Run.signed_in += 1
        if Run.signed_in == self.environment.runner.target_user_count:
            _everyone_signed_in(self.environment)

    def sign_in(self) -> None:
        started = time.perf_counter()
        form = self.client.get("/sign-in/", name="sign in")
        token = CSRF_FIELD.search(form.text)
        if form.status_code != 200 or token is None:
            raise StopUser
        with self.client.post(
            "/sign-in/",
            name="sign in",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1),
            },
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/sign-in/" in response.headers.get("Location", ""):
                response.failure(f"{self.username} was not signed in ({response.status_code})")
                raise StopUser
        Run.sign_in_ms.append((time.perf_counter() - started) * 1000)

    def static_file(self, path: str) -> None:
        """Fetched once per session, as a browser caches them; counted apart from pages."""
        response = self.client.get(path, name="static file (once per session)")
        Run.static_status[response.status_code] = Run.static_status.get(response.status_code, 0) + 1

    def page(self, path: str, name: str | None = None) -> str:
        """GET a page as a browser would; anything but 200 is an error. Collects its links."""
        with self.client.get(
            path, name=name or path, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                target = response.headers.get("Location", "")
                response.failure(f"{response.status_code} {target}".strip())
                return ""
            for kind, pattern in LINKS.items():
                found = set(pattern.findall(response.text))
                if found:
                    self.links.setdefault(kind, set()).update(found)
            return response.text

    def follow(self, kind: str, name: str, fallback: str) -> None:
        """Open one of the links of this kind seen so far, or first the page that lists them."""
        if not self.links.get(kind):
            self.page(fallback)
        if self.links.get(kind):
            self.page(random.choice(sorted(self.links[kind])), name=name)


LINKS = {
    "child": re.compile(r'href="(/children/\d+/)"'),
    "episode": re.compile(r'href="(/episodes/\d+/)"'),
    "record": re.compile(r'href="(/interviews/\d+/record/)"'),
    "task": re.compile(r'href="(/meetings/tasks/\d+/)"'),
    "meeting": re.compile(r'href="(/meetings/\d+/)"'),
    "audit_child": re.compile(r'href="(/audit/child/\d+/)"'),
    "audit_user": re.compile(r'href="(/audit/user/\d+/)"'),
}


class Coordinator(Session):
    username = "coordinator"
    fixed_count = 6

    @task(3)
    def dashboard(self) -> None:
        self.page("/", name="/ (dashboard)")

    @task(2)
    def open_episodes(self) -> None:
        self.page("/episodes/")

    @task(3)
    def episode(self) -> None:
        self.follow("episode", "/episodes/[id]/", "/episodes/")

    @task(3)
    def child(self) -> None:
        self.follow("child", "/children/[id]/", "/")

    @task(2)
    def worklist(self) -> None:
        self.page("/interviews/")

    @task(1)
    def meetings(self) -> None:
        self.page("/meetings/")

    @task(1)
    def meeting_task(self) -> None:
        self.follow("task", "/meetings/tasks/[id]/", "/meetings/")

    @task(1)
    def ola_list(self) -> None:
        self.page("/authorities/ola/")


class ReturnInterviewWorker(Session):
    username = "rhi-worker"
    fixed_count = 4

    @task(1)
    def home(self) -> None:
        self.page("/", name="/ (home)")

    @task(3)
    def worklist(self) -> None:
        self.page("/interviews/")

    @task(2)
    def child(self) -> None:
        self.follow("child", "/children/[id]/", "/interviews/")

    @task(1)
    def interview_form(self) -> None:
        self.follow("record", "/interviews/[id]/record/", "/interviews/")


class SocialWorker(Session):
    username = "social-worker"
    fixed_count = 3

    @task(2)
    def dashboard(self) -> None:
        self.page("/", name="/ (dashboard)")

    @task(5)
    def child(self) -> None:
        self.follow("child", "/children/[id]/", "/")


class ExploitationLead(Session):
    username = "exploitation-lead"
    fixed_count = 3

    @task(2)
    def dashboard(self) -> None:
        self.page("/", name="/ (dashboard)")

    @task(3)
    def child(self) -> None:
        self.follow("child", "/children/[id]/", "/")

    @task(2)
    def meetings(self) -> None:
        self.page("/meetings/")

    @task(1)
    def quarterly_report(self) -> None:
        self.page("/reports/quarterly/")


class Analyst(Session):
    username = "analyst"
    fixed_count = 2

    @task(1)
    def home(self) -> None:
        self.page("/", name="/ (home)")

    @task(3)
    def quarterly_report(self) -> None:
        self.page("/reports/quarterly/")

    @task(2)
    def annual_report(self) -> None:
        self.page("/reports/annual/")

    @task(1)
    def definitions(self) -> None:
        self.page("/reports/definitions/")


class Auditor(Session):
    username = "auditor"
    fixed_count = 2

    @task(1)
    def home(self) -> None:
        self.page("/", name="/ (home)")

    @task(3)
    def trail(self) -> None:
        self.page("/audit/")

    @task(2)
    def child_trail(self) -> None:
        self.follow("audit_child", "/audit/child/[id]/", "/audit/")

    @task(1)
    def user_trail(self) -> None:
        self.follow("audit_user", "/audit/user/[id]/", "/audit/")


# --- The result ---------------------------------------------------------------------------


@events.quitting.add_listener
def report(environment: Environment, **kwargs: Any) -> None:
    if Run.browsing_started and Run.browsing_ended is None:  # stopped early (time limit)
        _end_measurement(environment)
    seconds = Run.browsing_ended - Run.browsing_started if Run.browsing_started else 0.0
    requests, failures, used = Run.requests, Run.failures, Run.used
    per_second = requests / seconds if seconds else 0.0
    p50, p95, p99 = Run.percentiles

    def per_request(kind: str) -> float:
        return 1000 * used.get(kind, 0.0) / requests if requests else 0.0

    result = {
        "sessions": environment.runner.target_user_count,
        "signed_in": Run.signed_in,
        "warm_up_seconds": WARM_UP_SECONDS,
        "browsing_seconds": round(seconds, 1),
        "requests": requests,
        "requests_per_second": round(per_second, 1),
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p99,
        "errors": failures,
        "load_average_at_start": Run.load_at_start,
        "load_average_at_end": Run.load_at_end,
        "cpu_ms_per_request": {kind: round(per_request(kind), 1) for kind in used},
        "sign_in_ms_median": sorted(Run.sign_in_ms)[len(Run.sign_in_ms) // 2]
        if Run.sign_in_ms
        else None,
        "think_seconds": THINK_SECONDS,
        "static_files_by_status": Run.static_status,
    }
    met = per_second >= TARGET_REQUESTS_PER_SECOND and p95 < TARGET_P95_MS and failures == 0
    lines = [
        "",
        "== Harbour load test: signed-in browsing (sign-ins left out)",
        f"sessions            {result['sessions']} ({Run.signed_in} signed in;"
        f" think time {THINK_SECONDS} s)",
        f"browsing            {seconds:.1f} s measured after {WARM_UP_SECONDS:.0f} s of warm-up,"
        f" {requests} page requests",
        f"requests/s          {per_second:.1f}   (target >= {TARGET_REQUESTS_PER_SECOND})",
        f"response time ms    p50 {p50}  p95 {p95}  p99 {p99}   (target p95 < {TARGET_P95_MS})",
        f"errors              {failures}   (target 0)",
        "processor ms/request "
        + "  ".join(
            f"{kind} {per_request(kind):.1f}" for kind in ("gunicorn", "postgres", "client")
        ),
        f"load average        {Run.load_at_start} when browsing began;"
        f" {result['load_average_at_end']} at the end",
        f"sign-in (median)    {result['sign_in_ms_median'] or 0:.0f} ms for the form and its POST",
        "static files        "
        + ", ".join(f"{count} x {status}" for status, count in sorted(Run.static_status.items()))
        + " (fetched once per session before browsing; not in the figures above)",
        f"target              {'MET' if met else 'NOT MET'}",
    ]
    print("\n".join(lines))
    if path := os.environ.get("LOADTEST_RESULT"):
        Path(path).write_text(json.dumps(result) + "\n")
    if not met:
        environment.process_exit_code = 1
