"""Casework pages benchmark: server time and queries of the daily pages at scale.

    .venv/bin/python bench/casework_bench.py --episodes 1000000 --database sqlite|postgres \
        [--seed 2026] [--runs 20] [--rebuild] [--plans]

Builds a synthetic authority the way bench/report_bench.py does (harbour.demo.generator's
interchange folder, ten financial years from 100,000 episodes up, imported end to end into a
fresh database), then adds what the import does not bring and the daily pages read:

- staff: one coordinator, RETURN_WORKERS return interview workers (one of them in a provider
  organisation);
- allocations: every ended episode of the last ALLOCATED_DAYS days allocated to a worker
  (round robin; every fourth one to the organisation instead), written in bulk;
- meeting tasks: the meeting triggers of the last TRIGGER_DAYS days raised by
  harbour.meetings.triggers.evaluate_all, as the hourly command would have.

The database is kept, cached by seed and size, under bench/.data/ (git ignores it): a SQLite
file casework-<seed>-<episodes>.sqlite3, or the PostgreSQL database
harbour_casework_<seed>_<episodes> on postgres://postgres@127.0.0.1:5432, marked ready by
bench/.data/<name>.ready once complete. A later run reuses it (migrating it first, so that
new indexes land) unless --rebuild is given.

Then, for each page, with Django's test Client in this process (no network, no server; the
time is that of the whole request through the middleware, the view and the template):
one warm-up request, then --runs timed requests (3 for a page whose warm-up took over 3
seconds); the median and the 95th percentile (nearest rank), and
the number of queries of one request (logged apart from the timed runs). Pages:

    /                           the dashboard, as the coordinator
    /episodes/                  open episodes
    /interviews/                the worklist (still to do), unfiltered
    /interviews/?worker=<pk>    filtered by the busiest worker
    /interviews/?group=LAC      filtered by group (and HOME, OLA)
    /interviews/  (worker)      the worklist as that worker sees it (their children only)
    /meetings/                  meeting tasks and meetings requested
    /children/<pk>/             the child with the most episodes, and a typical child
    /returns/data-quality/      the 903 rules over the current collection year

--plans writes every query of one request per page, with its own time and its plan
(SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN ANALYZE), to
bench/results/casework-<database>-<episodes>.txt. Prints a table and, last, one JSON line.
DEBUG is off, as in production. The target (issue 5) is 300 ms of server time per page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / ".data"
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import import_bench  # noqa: E402 (bench/import_bench.py)
import report_bench  # noqa: E402 (bench/report_bench.py: the same build)

POSTGRES_SERVER = import_bench.POSTGRES_SERVER
TARGET_MS = 300
RETURN_WORKERS = 12
ORGANISATION = "Northmoor Youth Outreach"  # invented
ALLOCATED_DAYS = 365
TRIGGER_DAYS = 90
BUILD_VERSION = 3  # raise when the casework data added here changes (2, 3: exploitation)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true", help="build afresh, not from cache")
    parser.add_argument("--build-only", action="store_true", help="build or migrate, no timing")
    parser.add_argument("--plans", action="store_true", help="write every query's plan")
    parser.add_argument(
        "--only", action="append", default=[], help="time only pages whose name has this"
    )
    args = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    name = f"casework-{args.seed}-{args.episodes}"
    if args.database == "sqlite":
        target = str(DATA / f"{name}.sqlite3")
    else:
        target = f"harbour_casework_{args.seed}_{args.episodes}"
    marker = DATA / f"{args.database}-{name}.ready"
    url = report_bench._database_url(args.database, target)

    build_seconds = None
    ready = marker.exists() and report_bench._database_exists(args.database, target)
    if ready and json.loads(marker.read_text()).get("version") != BUILD_VERSION:
        ready = False
    if args.rebuild or not ready:
        if report_bench._database_exists(args.database, target):
            report_bench._drop(args.database, target)
        marker.unlink(missing_ok=True)
        started = time.perf_counter()
        report_bench._build(args.database, target, url, args.episodes, args.seed)
        _casework_data(url)
        build_seconds = round(time.perf_counter() - started, 1)
        marker.write_text(
            json.dumps({"version": BUILD_VERSION, "built": dt.datetime.now(dt.UTC).isoformat()})
        )
        print(f"built {target} in {build_seconds:.0f} s", flush=True)
    else:
        # New migrations (an index, a table) since the database was built.
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            env=_env(url),
            cwd=ROOT,
            check=True,
        )
        if args.database == "postgres":
            import psycopg

            with psycopg.connect(url, autocommit=True) as database:
                database.execute("ANALYZE")
    if args.build_only:
        return
    figures = _benchmark(args.database, url, args.runs, args.plans, args.only)
    figures["database_build_seconds"] = build_seconds
    figures["database"] = args.database
    figures["target"] = target
    print(json.dumps(figures))


def _env(url: str) -> dict[str, str]:
    env = import_bench._child_env(url)
    env.update(
        HARBOUR_REQUIRE_TWO_FACTOR="0",  # the test Client signs in with force_login
        HARBOUR_ALLOW_HTTP="1",
        ALLOWED_HOSTS="testserver",
    )
    return env


def _setup_django(url: str) -> None:
    os.environ.update(_env(url))
    import django

    django.setup()


# The casework data the import does not bring --------------------------------------------


def _casework_data(url: str) -> None:
    """Staff, allocations and meeting tasks, in a child process (a fresh Django)."""
    child = subprocess.run(  # noqa: S603 (this script)
        [sys.executable, __file__, "--casework-data-only"],
        env={**_env(url), "CASEWORK_BENCH_DATA": "1"},
        cwd=ROOT,
        check=False,
    )
    if child.returncode != 0:
        sys.exit("adding the casework data failed")


def _casework_data_only() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from harbour.accounts.models import Role, RoleAssignment, StaffProfile
    from harbour.common.time import DAY, epoch_seconds
    from harbour.interviews.models import Allocation
    from harbour.meetings import triggers
    from harbour.missing.models import Episode

    started = time.perf_counter()
    users = get_user_model()._default_manager
    now = timezone.now()
    with transaction.atomic():
        coordinator = users.create_user("bench-coordinator", first_name="Bench")
        RoleAssignment.objects.create(user=coordinator, role=Role.COORDINATOR)
        StaffProfile.objects.create(user=coordinator)
        workers = []
        for number in range(1, RETURN_WORKERS + 1):
            worker = users.create_user(f"bench-worker-{number:02d}", first_name=f"Worker{number}")
            RoleAssignment.objects.create(user=worker, role=Role.RHI_WORKER)
            StaffProfile.objects.create(
                user=worker, organisation=ORGANISATION if number == RETURN_WORKERS else ""
            )
            workers.append(worker)
        since = epoch_seconds(now) - ALLOCATED_DAYS * DAY
        pks = list(
            Episode.objects.filter(ended_epoch__gte=since)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        rows = []
        for index, pk in enumerate(pks):
            worker = workers[index % (RETURN_WORKERS - 1)] if index % 4 else None
            rows.append(
                Allocation(
                    episode_id=pk,
                    worker=worker,
                    organisation="" if worker else ORGANISATION,
                    allocated_at=now,
                    allocated_by=coordinator,
                    version=1,
                )
            )
        Allocation.objects.bulk_create(rows, batch_size=5000)
    print(f"  {len(rows):,} allocations", flush=True)
    settings.HARBOUR_MEETING_LOOKBACK_DAYS = TRIGGER_DAYS
    tasks = triggers.evaluate_all("casework_bench", now=now)
    print(f"  {len(tasks):,} meeting tasks raised or joined", flush=True)
    import exploitation_data  # bench/exploitation_data.py

    made = exploitation_data.add()
    print("  exploitation: " + ", ".join(f"{n:,} {kind}" for kind, n in made.items()), flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"  casework data in {time.perf_counter() - started:.0f} s", flush=True)


# The benchmark ----------------------------------------------------------------------------


def _benchmark(kind: str, url: str, runs: int, plans: bool, only: list[str]) -> dict[str, Any]:
    _setup_django(url)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from harbour.children.models import Child
    from harbour.interviews.models import Allocation
    from harbour.missing.models import Episode

    users = get_user_model()._default_manager
    coordinator = users.get(username="bench-coordinator")
    busiest = (
        Allocation.objects.exclude(worker=None)
        .values("worker")
        .annotate(n=Count("pk"))
        .order_by("-n", "worker")
        .first()
    )
    worker = users.get(pk=busiest["worker"])
    counts = Episode.objects.values("child").annotate(n=Count("pk")).order_by("-n", "child").first()
    heaviest = Child.objects.get(pk=counts["child"])
    heaviest_episodes = counts["n"]
    # A typical child: four episodes (about the mean), the most recent such child.
    typical_pk = (
        Episode.objects.values("child")
        .annotate(n=Count("pk"))
        .filter(n=4)
        .order_by("-child")
        .values_list("child", flat=True)
        .first()
    )
    typical = Child.objects.get(pk=typical_pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM missing_episode")
        (episodes,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM children_child")
        (children,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM missing_episode WHERE ended_at IS NULL")
        (open_episodes,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM meetings_meetingtask WHERE closed_at IS NULL")
        (open_tasks,) = cursor.fetchone()
        if kind == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = "SQLite " + cursor.fetchone()[0]
        else:
            cursor.execute("SHOW server_version")
            version = "PostgreSQL " + cursor.fetchone()[0].split()[0]

    as_coordinator = Client()
    as_coordinator.force_login(coordinator)
    as_worker = Client()
    as_worker.force_login(worker)
    pages = [
        ("dashboard", as_coordinator, "/"),
        ("episodes", as_coordinator, "/episodes/"),
        ("worklist", as_coordinator, "/interviews/"),
        ("worklist, worker filter", as_coordinator, f"/interviews/?worker={worker.pk}"),
        ("worklist, group LAC", as_coordinator, "/interviews/?group=LAC"),
        ("worklist, group HOME", as_coordinator, "/interviews/?group=HOME"),
        ("worklist, group OLA", as_coordinator, "/interviews/?group=OLA"),
        ("worklist, as the worker", as_worker, "/interviews/"),
        ("meetings", as_coordinator, "/meetings/"),
        ("OLA list, still to do", as_coordinator, "/authorities/ola/"),
        ("OLA list, any status", as_coordinator, "/authorities/ola/?status=ALL"),
        (
            f"child, heaviest ({heaviest_episodes} episodes)",
            as_coordinator,
            f"/children/{heaviest.pk}/",
        ),
        ("child, typical (4 episodes)", as_coordinator, f"/children/{typical.pk}/"),
        # The 903 rules run over the whole collection year on every view (issue 14).
        ("903 data quality, this year", as_coordinator, "/returns/data-quality/"),
        *_exploitation_pages(),
    ]
    if only:
        pages = [page for page in pages if any(word in page[0] for word in only)]
    print(
        f"{version}: {episodes:,} episodes, {children:,} children, {open_episodes:,} open, "
        f"{open_tasks:,} open meeting tasks; {runs} runs per page after a warm-up",
        flush=True,
    )
    results = []
    plan_text: list[str] = []
    for label, client, path in pages:
        started = time.perf_counter()
        response = client.get(path, secure=True)  # warm-up
        if response.status_code != 200:
            sys.exit(f"{path}: HTTP {response.status_code}")
        # A page far over the target is timed 3 times, not --runs times.
        slow = time.perf_counter() - started > 10 * TARGET_MS / 1000
        timings = []
        for _ in range(3 if slow else runs):
            started = time.perf_counter()
            client.get(path, secure=True)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            client.get(path, secure=True)
        queries = captured.captured_queries
        timings.sort()
        row = {
            "page": label,
            "path": path,
            "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[max(0, round(0.95 * len(timings)) - 1)], 1),
            "max_ms": round(timings[-1], 1),
            "runs": len(timings),
            "queries": len(queries),
            "slowest_query_ms": round(max(float(q["time"]) for q in queries) * 1000, 1),
            # In the logged request: time in the database (Django's log, ms resolution).
            "sql_ms": round(sum(float(q["time"]) for q in queries) * 1000, 1),
            "bytes": len(response.content),
        }
        results.append(row)
        verdict = "met" if row["p95_ms"] < TARGET_MS else "NOT MET"
        print(
            f"  {label:<36} median {row['median_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
            f"{row['queries']:3d} queries (SQL {row['sql_ms']:.0f} ms, slowest "
            f"{row['slowest_query_ms']:.0f} ms)  {verdict}",
            flush=True,
        )
        if plans:
            plan_text.append(_plans(kind, connection, label, path, queries))
    if plans:
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"casework-{kind}-{episodes}.txt"
        header = (
            f"# {version}, {episodes:,} episodes; code {import_bench._code_version()}; "
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n"
        )
        out.write_text(header + "\n".join(plan_text))
        print(f"  plans written to {out.relative_to(ROOT)}")
    return {
        "version": version,
        "episodes": episodes,
        "children": children,
        "open_episodes": open_episodes,
        "open_meeting_tasks": open_tasks,
        "runs": runs,
        "heaviest_child_episodes": heaviest_episodes,
        "code": import_bench._code_version(),
        "pages": results,
    }


def _exploitation_pages() -> list[tuple[str, Any, str]]:
    """The exploitation lead's pages (issue 12), as the lead sees them: the dashboard and
    every worklist, the latest MACE sitting and its pack, and the child with the most
    referrals (their exploitation record, their child page, their open period); and the
    network registers' pages (issue 13), with the network of a child with 200 links."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from harbour.exploitation.models import ConcernPeriod, PanelMeeting, Referral

    lead = get_user_model()._default_manager.get(username="bench-lead")
    as_lead = Client()
    as_lead.force_login(lead)
    sitting = (
        PanelMeeting.objects.filter(panel="MACE", date__lte=timezone.localdate())
        .order_by("-date")
        .first()
    )
    busiest = (
        Referral.objects.values("child").annotate(n=Count("pk")).order_by("-n", "child").first()
    )
    period = ConcernPeriod.objects.filter(closed_on__isnull=True).order_by("pk").first()
    assert sitting is not None and busiest is not None and period is not None
    child = busiest["child"]
    # The network of a child with 200 links (issue 13): made once, in bulk, on first use
    # (bench/network_data.py finds what it made on a later run).
    import network_data  # bench/network_data.py

    hub = network_data.build_child_with_links(links=200)
    # The committee pack (issue 15: under 5 s at 1,000,000 episodes): the annual report of
    # the last complete financial year as the PDF an analyst downloads.
    from harbour.accounts.models import Role, RoleAssignment, StaffProfile

    analyst, made = get_user_model()._default_manager.get_or_create(
        username="bench-analyst", defaults={"first_name": "Analyst"}
    )
    if made:
        RoleAssignment.objects.create(user=analyst, role=Role.ANALYST)
        StaffProfile.objects.create(user=analyst)
    as_analyst = Client()
    as_analyst.force_login(analyst)
    today = timezone.localdate()
    last_complete_year = (today.year if today.month >= 4 else today.year - 1) - 1
    return [
        (
            "committee pack, annual PDF",
            as_analyst,
            f"/reports/annual.pdf?year={last_complete_year}",
        ),
        ("exploitation dashboard", as_lead, "/exploitation/"),
        ("front door referrals", as_lead, "/exploitation/referrals/"),
        ("screening tasks", as_lead, "/exploitation/screening/"),
        ("strategy discussions", as_lead, "/exploitation/strategy/"),
        ("panel calendar", as_lead, "/exploitation/panels/"),
        ("panel sitting (25 listed)", as_lead, f"/exploitation/panels/{sitting.pk}/"),
        ("panel pack page", as_lead, f"/exploitation/panels/{sitting.pk}/pack/"),
        ("NRM tracker", as_lead, "/exploitation/nrm/"),
        ("disruptions", as_lead, "/exploitation/disruptions/"),
        (
            f"child's exploitation record ({busiest['n']} referrals)",
            as_lead,
            f"/exploitation/children/{child}/",
        ),
        ("concern period", as_lead, f"/exploitation/periods/{period.pk}/"),
        ("exploitation report page, a year", as_lead, "/reports/exploitation/?year=2024"),
        ("network, a child with 200 links", as_lead, f"/exploitation/network/child/{hub.pk}/"),
        ("person register", as_lead, "/exploitation/persons/"),
        ("places of concern", as_lead, "/exploitation/places/"),
        ("found locations to match", as_lead, "/exploitation/places/found-at/"),
        ("hotspots", as_lead, "/exploitation/places/hotspots/"),
        ("intelligence log", as_lead, "/exploitation/intelligence/"),
    ]


def _plans(kind: str, connection: Any, label: str, path: str, queries: list[dict]) -> str:
    rule = "=" * 100
    parts = [rule, f"{label}: {path}, {len(queries)} queries", rule]
    raw = connection.connection
    for number, query in enumerate(queries, 1):
        sql = query["sql"]
        parts += [f"-- query {number}: {float(query['time']) * 1000:.1f} ms", sql]
        head = sql.lstrip().split(None, 1)[0].upper()
        if head not in ("SELECT", "WITH"):
            parts.append("")
            continue
        cursor = raw.cursor()
        try:
            if kind == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                depth: dict[int, int] = {0: -1}
                for node, parent, _, detail in cursor.fetchall():
                    depth[node] = depth.get(parent, -1) + 1
                    parts.append("    " + "  " * depth[node] + detail)
            else:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.replace("%", "%%"), [])
                parts += ["    " + row[0] for row in cursor.fetchall()]
        except Exception as error:  # a logged statement may not re-run as it is
            parts.append(f"    (no plan: {error})")
        finally:
            cursor.close()
        parts.append("")
    return "\n".join(parts)


if __name__ == "__main__":
    if "--casework-data-only" in sys.argv:
        _casework_data_only()
    else:
        main()
