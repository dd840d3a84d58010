"""The return interview worklist runs the same number of queries however many rows it has,
for the coordinator (with each filter) and for a return interview worker."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    ReturnInterviewFactory,
    make_staff,
)
from harbour.common.time import UTC
from harbour.interviews import services

NOW = dt.datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]
HOUR = dt.timedelta(hours=1)
MAX_QUERIES = 22


def rows_of_every_kind(coordinator: User, worker: User, count: int, start: int) -> None:
    """Per child: an episode allocated to the worker (or their organisation), one with an
    interview offered, one completed; a third of the children placed by another authority,
    a third looked after here."""
    for n in range(start, start + count):
        child = ChildFactory()
        if n % 3 == 0:
            LegalStatusFactory(child=child, responsible_la="344")
        elif n % 3 == 1:
            LegalStatusFactory(child=child, responsible_la="343")
        # Every other child's interviews overdue; the others' due in the coming hours.
        found = NOW - (80 + n) * HOUR if n % 2 == 0 else NOW - (n + 1) * HOUR
        allocated = EpisodeFactory.create(child=child, started_at=found - 5 * HOUR, ended_at=found)
        if n % 2:
            services.allocate(coordinator, allocated, worker=worker, organisation="Catch22")
        else:
            services.allocate(coordinator, allocated, organisation="Catch22")
        offered = EpisodeFactory(child=child, started_at=found - 50 * HOUR, ended_at=found)
        ReturnInterviewFactory(episode=offered, outcome="NO_RESPONSE", completed_at=None)
        ReturnInterviewFactory(
            episode=EpisodeFactory(child=child, started_at=found - 90 * HOUR, ended_at=found)
        )


def queries_for(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("role", "query"),
    [
        ("COORDINATOR", ""),
        ("COORDINATOR", "?status=ALL"),
        ("COORDINATOR", "?worker=WORKER"),
        ("COORDINATOR", "?organisation=Catch22"),
        ("COORDINATOR", "?group=LAC"),
        ("COORDINATOR", "?group=OLA"),
        ("COORDINATOR", "?group=HOME&status=OVERDUE"),
        ("RHI_WORKER", ""),
        ("RHI_WORKER", "?status=ALL"),
    ],
)
def test_the_worklist_takes_the_same_queries_for_3_children_as_for_30(
    client, role, query, django_assert_max_num_queries
):
    coordinator = make_staff("COORDINATOR")
    worker = make_staff("RHI_WORKER", organisation="Catch22")
    client.force_login(coordinator if role == "COORDINATOR" else worker)
    path = "/interviews/" + query.replace("WORKER", str(worker.pk))
    client.get(path)  # the session and the user, loaded once

    rows_of_every_kind(coordinator, worker, 3, 0)
    few = queries_for(client, path)
    rows_of_every_kind(coordinator, worker, 27, 3)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = queries_for(client, path)

    assert many == few


def test_a_long_worklist_is_counted_only_up_to_the_limit(client, client_as, monkeypatch):
    from harbour.common import paging
    from harbour.interviews import views

    monkeypatch.setattr(paging, "COUNT_LIMIT", 4)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client_as("COORDINATOR")
    for n in range(7):
        EpisodeFactory(started_at=NOW - (100 + n) * HOUR, ended_at=NOW - (90 + n) * HOUR)

    first = client.get("/interviews/").content.decode()
    last = client.get("/interviews/?page=4").content.decode()

    assert "Return interviews (more than 4)" in first
    assert "Page 1 of more than 2" in first and "page=2" in first
    assert "Return interviews (7)" in last
    assert "Page 4 of 4" in last


def test_the_page_asks_only_for_statuses_the_group_can_have():
    from harbour.interviews.queries import possible_statuses

    assert possible_statuses("OLA", "") == {"NOTIFY"}
    assert possible_statuses("OLA", "OVERDUE") == set()
    assert "NOTIFY" not in possible_statuses("LAC", "ALL")
    assert possible_statuses("HOME", "NOTIFY") == set()
    assert possible_statuses("", "") == {"NOTIFY", "OVERDUE", "OFFERED", "ALLOCATED", "TO_ALLOCATE"}
