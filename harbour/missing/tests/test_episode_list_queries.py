"""The open episodes list runs the same number of queries however many episodes it lists."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harbour.common.tests.factories import ChildFactory, EpisodeFactory
from harbour.common.time import UTC

NOW = dt.datetime(2024, 11, 1, 12, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)
MAX_QUERIES = 16

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


def children_missing(count: int, start: int) -> None:
    """Children missing now, each with a past episode, every other one overlapping."""
    for n in range(start, start + count):
        child = ChildFactory(restricted=n % 5 == 0)
        EpisodeFactory(child=child, started_at=NOW - (n + 2) * HOUR, ended_at=None)
        EpisodeFactory(
            child=child,
            started_at=NOW - (n + 3) * HOUR,
            ended_at=None if n % 2 else NOW - (n + 2.5) * HOUR,
        )


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("sort", ["longest", "shortest"])
def test_the_list_takes_the_same_queries_for_3_children_as_for_30(
    client, client_as, sort, django_assert_max_num_queries
):
    client_as("COORDINATOR")
    path = f"/episodes/?sort={sort}"
    client.get(path)  # the session and the user, loaded once

    children_missing(3, 0)
    few = queries_for(client, path)
    children_missing(27, 3)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = queries_for(client, path)

    assert many == few
