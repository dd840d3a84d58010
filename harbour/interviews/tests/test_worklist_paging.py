"""A worker's own worklist starts from their allocations and sorts them all, so its count
comes with the page (one query); a coordinator's is read along the found-instant index
and stops after a page, so it is counted apart (docs/performance.md)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harbour.common.tests.factories import EpisodeFactory, make_staff
from harbour.common.time import UTC
from harbour.interviews import services

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def worker():
    """A worker with 55 episodes allocated, each found within the last three days."""
    coordinator = make_staff("COORDINATOR")
    worker = make_staff("RHI_WORKER")
    for n in range(55):
        found = NOW - (n + 1) * HOUR
        episode = EpisodeFactory(started_at=found - 5 * HOUR, ended_at=found)
        services.allocate(coordinator, episode, worker=worker)
    return worker


def worklist(client, query: str = "") -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries, time_machine.travel(NOW, tick=False):
        page = client.get("/interviews/" + query).content.decode()
    return page, [q["sql"] for q in queries.captured_queries if "missing_episode" in q["sql"]]


def test_a_workers_own_worklist_is_counted_with_its_page(client, worker):
    client.force_login(worker)

    page, episode_queries = worklist(client)

    assert "Return interviews (55)" in page
    assert not any(sql.startswith("SELECT COUNT(*)") for sql in episode_queries)
    assert any("OVER ()" in sql for sql in episode_queries)
    second, _ = worklist(client, "?page=2")
    assert "Return interviews (55)" in second


def test_a_coordinators_worklist_is_counted_apart(client, client_as, worker):
    client_as("COORDINATOR")

    page, episode_queries = worklist(client)

    assert "Return interviews (55)" in page
    assert any(sql.startswith("SELECT COUNT(*)") for sql in episode_queries)
    assert not any("OVER ()" in sql for sql in episode_queries)
