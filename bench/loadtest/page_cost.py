"""Processor time per page of the load test's mix, measured in one process.

    .venv/bin/python bench/loadtest/page_cost.py [--repeat N] [--page NAME] [--profile NAME]

Throughput runs (`make loadtest`) say little when other work shares the machine; the
processor time a page costs does not depend on it much. This opens each page of the mix
(bench/loadtest/locustfile.py) through Django's test client, signed in as the mix's
account, with the production settings the load test uses (DEBUG off), against the load
test's database, and prints for each page: the Python processor time of this process per
request (`time.process_time`), the processor time PostgreSQL's backend used for it (read
from /proc for the connection's backend), the number of queries, and the mix's weighted
mean per request. The first request of each page is not measured (templates compile, the
caches fill), as the load test's warm-up leaves it out too.

With --profile NAME, prints the cProfile of that page instead (processor time, sorted by
cumulative time; PAGE_COST_PROFILE_FILTER=harbour keeps only Harbour's own functions).
The database is the one `scripts/loadtest` builds ($DATABASE_URL, by default
harbour_loadtest on 127.0.0.1); each measured request writes its audit event there.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# (account, page name, address or link kind with the page listing them, share of the mix)
# The shares follow the locustfile: sessions x weight / the role's total weight.
MIX: list[tuple[str, str, str, float]] = []


def _role(account: str, sessions: int, pages: list[tuple[str, str, int]]) -> None:
    total = sum(weight for _, _, weight in pages)
    for name, address, weight in pages:
        MIX.append((account, name, address, sessions * weight / total))


_role(
    "coordinator",
    6,
    [
        ("dashboard", "/", 3),
        ("open episodes", "/episodes/", 2),
        ("an episode", "episode:/episodes/", 3),
        ("a child", "child:/", 3),
        ("worklist", "/interviews/", 2),
        ("meetings", "/meetings/", 1),
        ("a meeting task", "task:/meetings/", 1),
        ("OLA list", "/authorities/ola/", 1),
    ],
)
_role(
    "rhi-worker",
    4,
    [
        ("home", "/", 1),
        ("worklist", "/interviews/", 3),
        ("a child", "child:/interviews/", 2),
        ("interview form", "record:/interviews/", 1),
    ],
)
_role("social-worker", 3, [("dashboard", "/", 2), ("a child", "child:/", 5)])
_role(
    "exploitation-lead",
    3,
    [
        ("dashboard", "/", 2),
        ("a child", "child:/", 3),
        ("meetings", "/meetings/", 2),
        ("quarterly report", "/reports/quarterly/", 1),
    ],
)
_role(
    "analyst",
    2,
    [
        ("home", "/", 1),
        ("quarterly report", "/reports/quarterly/", 3),
        ("annual report", "/reports/annual/", 2),
        ("definitions", "/reports/definitions/", 1),
    ],
)
_role(
    "auditor",
    2,
    [
        ("home", "/", 1),
        ("audit trail", "/audit/", 3),
        ("who looked at a child", "audit_child:/audit/", 2),
        ("what a user looked at", "audit_user:/audit/", 1),
    ],
)

LINKS = {
    "child": re.compile(r'href="(/children/\d+/)"'),
    "episode": re.compile(r'href="(/episodes/\d+/)"'),
    "record": re.compile(r'href="(/interviews/\d+/record/)"'),
    "task": re.compile(r'href="(/meetings/tasks/\d+/)"'),
    "audit_child": re.compile(r'href="(/audit/child/\d+/)"'),
    "audit_user": re.compile(r'href="(/audit/user/\d+/)"'),
}


def _settings() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/harbour_loadtest")
    os.environ.setdefault("LOCAL_AUTHORITY_CODE", "999")
    os.environ.setdefault("HARBOUR_MEETING_LOOKBACK_DAYS", "90")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "page-cost-" + "x" * 40)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["HARBOUR_ALLOW_HTTP"] = "1"
    os.environ["HARBOUR_REQUIRE_TWO_FACTOR"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbour.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import django

    django.setup()


def _backend_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--page", help="only the pages whose name contains this")
    parser.add_argument("--profile", help="cProfile the first page whose name contains this")
    arguments = parser.parse_args()
    _settings()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    random.seed(9)
    clients: dict[str, Client] = {}
    for account in {account for account, *_ in MIX}:
        client = Client()
        client.force_login(get_user_model().objects.get(username=account))
        clients[account] = client
    connection.ensure_connection()
    backend = connection.cursor().connection.info.backend_pid
    local_backend = Path(f"/proc/{backend}/stat").exists()

    def addresses(account: str, address: str) -> list[str]:
        if ":" not in address:
            return [address]
        kind, listing = address.split(":", 1)
        text = clients[account].get(listing).content.decode()
        found = sorted(set(LINKS[kind].findall(text)))
        return random.sample(found, min(10, len(found))) or [listing]

    rows = []
    for account, name, address, share in MIX:
        label = f"{account}: {name}"
        wanted = arguments.profile or arguments.page
        if wanted and wanted not in label:
            continue
        client = clients[account]
        pages = addresses(account, address)
        for page in pages:  # warm up: templates compile, caches fill
            response = client.get(page)
            assert response.status_code == 200, (label, page, response.status_code)
        if arguments.profile:
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for index in range(arguments.repeat):
                client.get(pages[index % len(pages)])
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(
                os.environ.get("PAGE_COST_PROFILE_FILTER", ""), 60
            )
            return
        counter = QueryCounter()
        python = database = 0.0
        with connection.execute_wrapper(counter):
            for index in range(arguments.repeat):
                page = pages[index % len(pages)]
                database_before = _backend_seconds(backend) if local_backend else 0.0
                started = time.process_time()
                response = client.get(page)
                python += time.process_time() - started
                if local_backend:
                    database += _backend_seconds(backend) - database_before
                assert response.status_code == 200, (label, page, response.status_code)
        n = arguments.repeat
        rows.append((label, share, 1000 * python / n, 1000 * database / n, counter.count / n))

    total_share = sum(share for _, share, *_ in rows)
    print(f"{'page':44} {'share':>6} {'python ms':>10} {'postgres ms':>12} {'queries':>8}")
    for label, share, python, database, queries in rows:
        print(f"{label:44} {share:6.2f} {python:10.1f} {database:12.1f} {queries:8.1f}")
    if total_share:
        mean_python = sum(row[1] * row[2] for row in rows) / total_share
        mean_database = sum(row[1] * row[3] for row in rows) / total_share
        mean_queries = sum(row[1] * row[4] for row in rows) / total_share
        print(
            f"{'mix (weighted mean per request)':44} {total_share:6.2f} {mean_python:10.1f}"
            f" {mean_database:12.1f} {mean_queries:8.1f}"
        )


if __name__ == "__main__":
    main()
